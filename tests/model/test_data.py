"""Loader validation: every bad file gets a message naming file, line and problem."""

from __future__ import annotations

import hashlib
import http.client
import io
import logging
import zipfile
from pathlib import Path

import numpy as np
import pytest

import model.download
from model.data import DataError, load_book_tags, load_books, load_ratings, load_to_read
from model.download import download_dataset, ensure_data
from model.release import Release, detect_release
from model.synthetic import write_goodbooks

BOOK_IDS = np.arange(1, 61)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "ratings.csv: the file is empty"),
        ("user_id,book_id,rating\n", "the file has a header but no rows"),
        ("user_id,book_id,stars\n1,2,3\n", "missing column 'rating'"),
        ("user_id,book_id,rating\n1,2,3\n1,2,9\n", "line 3: rating 9 is outside 1..5"),
        ("user_id,book_id,rating\n1,2,3\nabc,2,4\n", "line 3: user_id 'abc' is not an integer"),
        ("user_id,book_id,rating\n1,2.5,3\n", "line 2: book_id 2.5 is not an integer"),
        ("user_id,book_id,rating\n1,2,3\n1,,3\n", "line 3: book_id is empty"),
        ("user_id,book_id,rating\n1,2,3\n1,999,3\n", "line 3: book_id 999 is not in books.csv"),
        # Too large for int64: named, not wrapped to a negative id that then trains.
        (
            "user_id,book_id,rating\n12345678901234567890123,2,3\n",
            "line 2: user_id 12345678901234567890123 is too",
        ),
        (
            "user_id,book_id,rating\n1,2,3\n18446744073709551615,2,3\n",
            "line 3: user_id 18446744073709551615 is too",
        ),
        (
            "user_id,book_id,rating\n9223372036854775808,2,3\n",
            "line 2: user_id 9223372036854775808 is too large",
        ),
        ("user_id,book_id,rating\n1,2,3\n1e30,2,3\n", "line 3: user_id 1e+30 is too large"),
        # Blank (and blank-looking) lines are skipped but still counted.
        ("user_id,book_id,rating\n1,2,3\n\n\n1,2,9\n", "line 5: rating 9 is outside 1..5"),
        ("\nuser_id,book_id,rating\r\n1,2,3\r\n \t\r\n1,,3\r\n", "line 5: book_id is empty"),
        ("user_id,book_id,rating\n\n1,999,3\n", "line 3: book_id 999 is not in books.csv"),
        ("user_id,book_id,rating\n\n1.5,2,3\n", "line 3: user_id 1.5 is not an integer"),
        # Both releases' files joined: a header in the middle is named as one, not as a bad id.
        (
            "user_id,book_id,rating\n1,2,3\n\nbook_id,user_id,rating\n2,1,4\n",
            "line 4: a second header (book_id,user_id,rating) in the middle of the file",
        ),
        (
            "book_id,user_id,rating\nuser_id,book_id,rating\n2,1,4\n",
            "line 2: a second header (user_id,book_id,rating)",
        ),
        ("user_id,book_id,rating\n1,2,3\n1,2,rating\n", "line 3: a second header (1,2,rating)"),
    ],
)
def test_bad_ratings_are_explained(tmp_path, content, message):
    write(tmp_path / "ratings.csv", content)
    with pytest.raises(DataError, match="ratings.csv") as err:
        load_ratings(tmp_path, BOOK_IDS)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "columns, counts, expected",
    [
        # The first release: book_id first, 89..100 ratings for every book.
        (
            ["book_id", "user_id", "rating"],
            [89, 95, 95, 98, 100] * 20,
            Release("first", "book_id,user_id,rating", "sampled", 95.0, 1.1),
        ),
        # The later release: user_id first, counts as popular (10th percentile 10, 90th 1000).
        (
            ["user_id", "book_id", "rating"],
            [10] * 20 + [100] * 60 + [1000] * 20,
            Release("later", "user_id,book_id,rating", "popularity", 100.0, 100.0),
        ),
        # Column order and counts disagree: named by neither; unrated books make the spread.
        (
            ["user_id", "book_id", "rating"],
            [50] * 95 + [49] * 5,
            Release("unknown", "user_id,book_id,rating", "sampled", 50.0, 1.0),
        ),
        (
            ["book_id", "user_id", "rating", "extra"],
            [0] * 20 + [5] * 80,
            Release("unknown", "book_id,user_id,rating", "popularity", 5.0, 5.0),
        ),
    ],
)
def test_detect_release_known_answers(columns, counts, expected):
    got = detect_release(columns, np.array(counts))
    assert got.name == expected.name
    assert got.columns == expected.columns
    assert got.per_book == expected.per_book
    assert got.median_per_book == pytest.approx(expected.median_per_book)
    assert got.spread == pytest.approx(expected.spread, rel=0.05)


@pytest.mark.parametrize(
    "order, name", [("book_id,user_id,rating", "first"), ("user_id,book_id,rating", "later")]
)
def test_load_ratings_says_which_release_in_one_line(tmp_path, caplog, order, name):
    # Sampled per book: every book rated by 3 users; popularity: books 1..10 by 40 users, others by 1.
    if name == "first":
        triples = [(u, b, 4) for b in BOOK_IDS for u in range(3)]
    else:
        triples = [(u, b, 4) for u in range(40) for b in BOOK_IDS[:10]]
        triples += [(100 + b, b, 3) for b in BOOK_IDS[10:]]
    rows = [(b, u, r) if order.startswith("book_id") else (u, b, r) for u, b, r in triples]
    write(tmp_path / "ratings.csv", order + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    with caplog.at_level(logging.INFO, logger="model.data"):
        ratings = load_ratings(tmp_path, BOOK_IDS)
    assert ratings.attrs["release"]["name"] == name
    assert ratings.attrs["release"]["columns"] == order
    said = [r.getMessage() for r in caplog.records if "release" in r.getMessage()]
    assert len(said) == 1 and f"the {name} release: columns {order}" in said[0]


@pytest.mark.parametrize(
    "header, row", [("book_id,user_id,rating", "{b},{u},{r}"), ("user_id,book_id,rating", "{u},{b},{r}")]
)
def test_both_column_orders_and_duplicates_keep_last(tmp_path, header, row):
    lines = [header] + [row.format(u=u, b=b, r=r) for u, b, r in [(7, 3, 2), (7, 4, 5), (7, 3, 4), (8, 3, 1)]]
    write(tmp_path / "ratings.csv", "\n".join(lines) + "\n")
    ratings = load_ratings(tmp_path, BOOK_IDS)
    got = {(int(r.user_id), int(r.book_id)): int(r.rating) for r in ratings.itertuples()}
    assert got == {(7, 3): 4, (7, 4): 5, (8, 3): 1}


def test_ids_up_to_int64_max_load(tmp_path):
    write(tmp_path / "ratings.csv", "user_id,book_id,rating\n9223372036854775807,2,3\n\n7,3,4\n")
    ratings = load_ratings(tmp_path, BOOK_IDS)
    assert ratings["user_id"].tolist() == [9223372036854775807, 7]


def test_books_duplicate_id_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="books.csv: file not found"):
        load_books(tmp_path)
    write_goodbooks(tmp_path, num_books=6, num_users=10)
    text = (tmp_path / "books.csv").read_text().splitlines()
    write(tmp_path / "books.csv", "\n".join(text + [text[1]]) + "\n")
    with pytest.raises(DataError, match=r"books.csv line 8: book_id 1 appears twice"):
        load_books(tmp_path)


def test_book_tags_join_and_unknown_goodreads_id(tmp_path):
    write_goodbooks(tmp_path, num_books=6, num_users=10)
    books = load_books(tmp_path)
    tags = load_book_tags(tmp_path, books)
    assert set(tags["book_id"]) == set(range(1, 7))
    with open(tmp_path / "book_tags.csv", "a") as f:
        f.write("424242,1,5\n")
    with pytest.raises(DataError, match="goodreads_book_id 424242 is not in books.csv"):
        load_book_tags(tmp_path, books)


def make_zip(tmp_path: Path, source: Path) -> tuple[str, str]:
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for csv in sorted(source.glob("*.csv")):
            zf.write(csv, f"goodbooks-10k/{csv.name}")
    return archive.as_uri(), hashlib.sha256(archive.read_bytes()).hexdigest()


def test_download_verifies_checksum_and_leaves_nothing_on_failure(tmp_path):
    url, digest = make_zip(tmp_path, write_goodbooks(tmp_path / "src", num_books=6, num_users=10))
    target = tmp_path / "data" / "goodbooks-10k"
    with pytest.raises(DataError, match="checksum mismatch.*--data DIR"):
        download_dataset(target, url, "0" * 64)
    assert not target.exists()
    assert list((tmp_path / "data").iterdir()) == []  # no temp files left behind

    with pytest.raises(DataError, match="could not download"):
        download_dataset(target, (tmp_path / "missing.zip").as_uri(), digest)
    assert not target.exists()

    download_dataset(target, url, digest)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["books.csv", "ratings.csv", "book_tags.csv", "tags.csv", "to_read.csv"]
    )
    assert len(load_books(target)) == 6


def test_configured_directory_without_data_is_an_error_not_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("GOODBOOKS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="missing books.csv, ratings.csv"):
        ensure_data(None)


def test_real_data_loads(real_data):
    books = load_books(real_data)
    ratings = load_ratings(real_data, books["book_id"].to_numpy())
    assert len(books) == 10_000
    assert ratings["rating"].between(1, 5).all()
    assert not ratings.duplicated(["user_id", "book_id"]).any()
    assert len(ratings) > 900_000


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "to_read.csv: the file is empty"),
        ("user_id,book_id\n", "the file has a header but no rows"),
        ("user_id,title\n1,2\n", "missing column 'book_id'"),
        ("user_id,book_id\n1,2\n\nx,3\n", "line 4: user_id 'x' is not an integer"),
        ("user_id,book_id\n1,2\n1,\n", "line 3: book_id is empty"),
        ("user_id,book_id\n1,2\n1,999\n", "line 3: book_id 999 is not in books.csv"),
        ("user_id,book_id\n1,2\n1,2,3\n", "cannot parse as CSV"),
        ("user_id,book_id\n1,2\nuser_id,book_id\n3,4\n", "line 3: a second header (user_id,book_id)"),
    ],
)
def test_bad_to_read_is_explained_like_ratings(tmp_path, content, message):
    write(tmp_path / "to_read.csv", content)
    with pytest.raises(DataError, match="to_read.csv") as err:
        load_to_read(tmp_path, BOOK_IDS)
    assert message in str(err.value)


def test_to_read_duplicates_count_once(tmp_path):
    write(tmp_path / "to_read.csv", "user_id,book_id\n7,3\n7,3\n8,4\n")
    assert sorted(map(tuple, load_to_read(tmp_path, BOOK_IDS).to_numpy().tolist())) == [(7, 3), (8, 4)]


class CutOffResponse(io.BytesIO):
    """A response that announces ``announced`` bytes and ends early, like a dropped connection.
    ``incomplete``: end the way http.client does when it notices (IncompleteRead)."""

    def __init__(self, body: bytes, announced: int, incomplete: bool):
        super().__init__(body)
        self.headers = {"Content-Length": str(announced)}
        self.announced, self.incomplete = announced, incomplete

    def read(self, size=-1):
        chunk = super().read(size)
        if not chunk and self.incomplete:
            raise http.client.IncompleteRead(b"", self.announced - self.tell())
        return chunk


@pytest.mark.parametrize("incomplete", [False, True])
def test_cut_off_download_is_named_and_leaves_nothing(tmp_path, monkeypatch, incomplete):
    body = b"PK\x03\x04" + b"x" * 996  # the first 1,000 bytes of a zip
    monkeypatch.setattr(
        model.download.urllib.request, "urlopen", lambda url, timeout: CutOffResponse(body, 5000, incomplete)
    )
    monkeypatch.setattr(model.download, "DEFAULT_DATA_DIR", tmp_path / "data" / "goodbooks-10k")
    monkeypatch.delenv("GOODBOOKS_DIR", raising=False)
    with pytest.raises(DataError) as err:
        ensure_data(None)
    message = str(err.value)
    assert f"{model.download.GOODBOOKS_URL}: the download was cut off after 1,000 of 5,000 bytes" in message
    assert "\n" not in message
    assert list((tmp_path / "data").iterdir()) == []


def test_default_download_checks_the_pinned_checksum(tmp_path, monkeypatch):
    # A well-formed zip that is not the pinned release: refused before anything is unpacked.
    url, _ = make_zip(tmp_path, write_goodbooks(tmp_path / "src", num_books=6, num_users=10))
    monkeypatch.setattr(model.download, "GOODBOOKS_URL", url)
    monkeypatch.setattr(model.download, "DEFAULT_DATA_DIR", tmp_path / "data" / "goodbooks-10k")
    monkeypatch.delenv("GOODBOOKS_DIR", raising=False)
    with pytest.raises(DataError) as err:
        ensure_data(None)
    assert f"checksum mismatch for {url}: expected sha256 {model.download.GOODBOOKS_SHA256}" in str(err.value)
    assert "\n" not in str(err.value)
    assert list((tmp_path / "data").iterdir()) == []


def test_damaged_zip_with_the_right_checksum_is_named(tmp_path):
    url, _ = make_zip(tmp_path, write_goodbooks(tmp_path / "src", num_books=6, num_users=10))
    archive = tmp_path / "release.zip"
    data = bytearray(archive.read_bytes())
    data[100:120] = b"\0" * 20  # inside the first member's bytes: its CRC no longer matches
    archive.write_bytes(bytes(data))
    target = tmp_path / "data" / "goodbooks-10k"
    with pytest.raises(DataError) as err:
        download_dataset(target, url, hashlib.sha256(bytes(data)).hexdigest())
    assert str(err.value).startswith(f"{url}: not a valid zip file (Bad CRC-32 for file")
    assert "\n" not in str(err.value)
    assert list((tmp_path / "data").iterdir()) == []


@pytest.mark.slow
def test_train_cli_names_mixed_releases_and_writes_nothing(tmp_path):
    from tests.conftest import run_module

    data = write_goodbooks(tmp_path / "goodbooks", num_books=6, num_users=10)
    ratings = (data / "ratings.csv").read_text().splitlines()
    later = ["user_id,book_id,rating"] + [",".join(r.split(",")[i] for i in (1, 0, 2)) for r in ratings[1:]]
    (data / "ratings.csv").write_text("\n".join(ratings + later) + "\n")
    out = tmp_path / "artifacts"
    result = run_module("model.train", "--data", str(data), "--out", str(out), "--quiet", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {data / 'ratings.csv'} line {len(ratings) + 1}: a second header (user_id,book_id,rating) "
        "in the middle of the file: rows of two files, maybe of both goodbooks releases, are mixed; "
        "keep one release's file (or delete the directory to download it again)"
    ]
    assert not out.exists() and not any(p.name.startswith(".") for p in tmp_path.iterdir())
