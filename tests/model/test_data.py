"""Loader validation: every bad file gets a message naming file, line and problem."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from model.data import (
    DataError,
    download_dataset,
    ensure_data,
    load_book_tags,
    load_books,
    load_ratings,
    load_to_read,
)
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
    ],
)
def test_bad_ratings_are_explained(tmp_path, content, message):
    write(tmp_path / "ratings.csv", content)
    with pytest.raises(DataError, match="ratings.csv") as err:
        load_ratings(tmp_path, BOOK_IDS)
    assert message in str(err.value)


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
