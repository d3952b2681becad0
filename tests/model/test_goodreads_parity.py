"""The page's Goodreads import (web/js/csv.js, web/js/goodreads.js, run by Node) and
model/goodreads.py read the same files the same way: rows, matches, summary, shelf, and the
same message for each bad file."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess

import pytest

from model import goodreads, goodreads_csv
from model.data import load_books
from model.export import book_catalogue, goodreads_json
from tests.conftest import REPO
from tests.goodreads_fixture import FIXTURE, TEXT

SCRIPT = REPO / "tests" / "model" / "goodreads_parity.mjs"
HEADER = TEXT.splitlines()[0]
ROW = '1001,Odd Book 1,Author B,"B, Author",,"=""""","=""""",5' + ",x" * 16
BAD_FILES = {
    "empty.csv": b"",
    "blank.csv": b"\r\n\r\n",
    "header-only.csv": HEADER.encode() + b"\n",
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.csv": HEADER.encode() + b"\nc,\xe9t\xe9\n",
    "wrong-header.csv": b"title,author,rating\nDune,Frank Herbert,5\n",
    "json.csv": b'{"picks": [1, 2, 3]}\n',
    "three-columns.csv": f"{HEADER}\n{ROW}\n1,<img src=x onerror=alert(1)>,3\n".encode(),
    "bad-rating.csv": f"{HEADER}\n{ROW.replace(',5,', ',4.5,')}\n".encode(),
    "bad-id.csv": f"{HEADER}\n{ROW.replace('1001,', '1234567890123456,')}\n".encode(),
    "open-quote.csv": f'{HEADER}\n{ROW}\n5,"never closed\n'.encode(),
    "after-quote.csv": f'{HEADER}\r\n\r\n5,"ab" c\r\n'.encode(),
    # Re-saved by a spreadsheet: UTF-16 (with and without a byte-order mark), ; or tab separated.
    "utf16.csv": f"{HEADER}\n{ROW}\n".encode("utf-16"),
    "utf16be.csv": f"{HEADER}\n{ROW}\n".encode("utf-16-be"),
    "semicolons.csv": f"{HEADER}\n{ROW}\n".replace(",", ";").encode(),
    "tabs.tsv": f"{HEADER}\n{ROW}\n".replace(",", "\t").encode(),
}


def python_side(books: list[dict], goodreads_file: dict, path) -> dict:
    """What the parity script prints for one file, computed by model/goodreads_csv.py and
    model/goodreads.py."""
    index = goodreads.match_index(books, goodreads_file)
    try:
        rows = goodreads_csv.read_export(goodreads_csv.decode_export(path.read_bytes()))
    except goodreads_csv.GoodreadsError as error:
        return {"error": str(error)}
    matches = [goodreads.match_row(row, index) for row in rows]
    shelf = goodreads.build_shelf(rows, matches)
    return {
        "rows": [{**dataclasses.asdict(row), "isbns": list(row.isbns)} for row in rows],
        "matches": [dataclasses.asdict(m) for m in matches],
        "summary": goodreads.summarize(rows, matches),
        "picks": [list(p) for p in shelf.picks.items()],
        "marks": [list(m) for m in shelf.marks.items()],
    }


def test_browser_and_python_read_and_match_the_same(synthetic_data, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make install needs it for npm ci)")
    books = load_books(synthetic_data)
    catalogue, goodreads_file = book_catalogue(books), goodreads_json(books)
    (tmp_path / "books.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "goodreads.json").write_text(json.dumps(goodreads_file))
    files = [FIXTURE, FIXTURE.parent / "goodreads_tricky.csv"]
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    result = subprocess.run(
        [node, str(SCRIPT), str(tmp_path / "books.json"), str(tmp_path / "goodreads.json"), *map(str, files)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    browser = json.loads(result.stdout)
    for path, from_node in zip(files, browser, strict=True):
        expected = python_side(catalogue, goodreads_file, path)
        assert from_node == expected, path.name
    assert browser[0]["summary"]["matched"] == 45
    errors = [out["error"] for out in browser[2:]]
    assert len(errors) == len(BAD_FILES) and all(re.match(r"^[A-Z]", e) for e in errors)
