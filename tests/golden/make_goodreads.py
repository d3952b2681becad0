"""Write tests/golden/goodreads.json: how model/goodreads.py matches each row of the Goodreads
fixtures (tests/fixtures/*.csv) against the synthetic catalogue (model/synthetic.py), which
the file carries as books.json and goodreads.json give it (model/export.py). Both languages are
checked against it in seconds: tests/model/test_goodreads_golden.py for Python,
tests/js/goodreads-golden.test.js for web/js/goodreads.js. Regenerate only on purpose:

    .venv/bin/python -m tests.golden.make_goodreads
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from model import goodreads, goodreads_csv
from model.data import load_books
from model.export import book_catalogue, goodreads_json
from model.synthetic import write_goodbooks

GOLDEN = Path(__file__).with_name("goodreads.json")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORTS = ("goodreads_library.csv", "goodreads_tricky.csv")


def synthetic_catalogue() -> tuple[list[dict], dict]:
    """(books.json's book_id, title and authors; goodreads.json) of the synthetic catalogue."""
    with tempfile.TemporaryDirectory() as tmp:
        books = load_books(write_goodbooks(Path(tmp)))
    catalogue = [{k: b[k] for k in ("book_id", "title", "authors")} for b in book_catalogue(books)]
    return catalogue, goodreads_json(books)


def matches(name: str, index: goodreads.MatchIndex) -> list[list]:
    """[[row, book_id or None, "id" | "isbn" | "title" | None], ...] for the export ``name``."""
    rows = goodreads_csv.read_export(goodreads_csv.decode_export((FIXTURES / name).read_bytes()))
    return [[row.row, *vars(goodreads.match_row(row, index)).values()] for row in rows]


def golden() -> dict:
    books, goodreads_file = synthetic_catalogue()
    index = goodreads.match_index(books, goodreads_file)
    return {
        "books": books,
        "goodreads": goodreads_file,
        "exports": {name: matches(name, index) for name in EXPORTS},
    }


def main() -> None:
    GOLDEN.write_text(
        json.dumps(golden(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
