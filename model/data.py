"""Load and validate goodbooks-10k (found, or downloaded, by model/download.py).

Every loader returns plain pandas DataFrames with validated, typed columns. Problems in the
files raise ``DataError`` whose message names the file, the line and what is wrong, so the
command-line tools can print one clear sentence instead of a traceback. Which release a
ratings.csv comes from is model/release.py's.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from model.release import detect_release

log = logging.getLogger(__name__)


class DataError(Exception):
    """A problem with the input data, explained for the person running the command."""


# ---------------------------------------------------------------------------------------
# Reading and validating CSV files


def read_csv(
    path: Path, columns: list[str], int_columns: list[str] = (), optional: list[str] = (), **kwargs
) -> pd.DataFrame:
    """Read ``path`` keeping ``columns`` (and those of ``optional`` it has); check presence,
    emptiness and integer columns."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError as err:
        raise DataError(f"{path}: the file is empty") from err
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        reason = " ".join(str(err).split())  # pandas' messages end in a newline
        raise DataError(f"{path}: cannot parse as CSV ({reason})") from err
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns))
        raise DataError(f"{path}: missing column {', '.join(repr(m) for m in missing)} (found: {found})")
    if len(df) == 0:
        raise DataError(f"{path}: the file has a header but no rows")
    df = df[columns + [c for c in optional if c in df.columns]].copy()
    _no_second_header(df, path, int_columns)
    for col in int_columns:
        df[col] = _as_int(df[col], path, col)
    return df


def _no_second_header(df: pd.DataFrame, path: Path, int_columns: list[str]) -> None:
    """DataError for a header line among the rows: two files (maybe both goodbooks releases,
    whose ratings.csv column orders differ) were joined into one."""
    names = set(map(str, df.columns))
    text = [c for c in int_columns if not pd.api.types.is_numeric_dtype(df[c])]  # a header makes text
    if not text:
        return
    row = _first_bad_row(np.logical_or.reduce([df[c].isin(names).to_numpy() for c in text]))
    if row is not None:
        line = line_number(path, row)
        with open(path, "rb") as f:
            header = next(text for number, text in enumerate(f, start=1) if number == line)
        header = header.decode("utf-8", "replace").strip()
        raise DataError(
            f"{path} line {line}: a second header ({header}) in the middle of the "
            f"file: rows of two files, maybe of both goodbooks releases, are mixed; keep one "
            f"release's file (or delete the directory to download it again)"
        )


def _as_int(s: pd.Series, path: Path, col: str) -> pd.Series:
    """``s`` as int64; DataError (file, line) for a blank, a fraction or a number too large."""
    if pd.api.types.is_integer_dtype(s):
        # pandas reads 2**63 .. 2**64-1 as uint64, which astype(int64) would wrap to negatives.
        too_large = _first_bad_row(s > _INT64_MAX) if s.dtype == np.uint64 else None
        if too_large is not None:
            raise DataError(
                f"{path} line {line_number(path, too_large)}: {col} {s.iloc[too_large]} is too large "
                f"(integers here must fit in 64 bits, at most {_INT64_MAX:,})"
            )
        return s.astype(np.int64)
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() | (num != np.floor(num))
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        value = s.iloc[row]
        if pd.isna(value):
            raise DataError(f"{path} line {line_number(path, row)}: {col} is empty")
        raise DataError(f"{path} line {line_number(path, row)}: {col} {value!r} is not an integer")
    # Larger numbers came through float64 (a 23-digit id, say), which holds integers exactly
    # only up to 2**53; astype(int64) would round or wrap them.
    too_large = _first_bad_row(num.abs() > _FLOAT_EXACT)
    if too_large is not None:
        raise DataError(
            f"{path} line {line_number(path, too_large)}: {col} {s.iloc[too_large]!r} is too large "
            f"(at most {_FLOAT_EXACT:,} here; ids must fit in 64 bits)"
        )
    return num.astype(np.int64)


_INT64_MAX = int(np.iinfo(np.int64).max)
_FLOAT_EXACT = 2**53


def _first_bad_row(mask: pd.Series | np.ndarray) -> int | None:
    mask = np.asarray(mask)
    return int(np.argmax(mask)) if mask.any() else None


def line_number(path: Path, row: int) -> int:
    """The line of ``path`` that holds data row ``row`` (0-based), counting the blank lines
    pandas skips (so ``row + 2`` only without them). Read again only to report an error."""
    data_row = -1  # the first non-blank line is the header
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            if data_row == row:
                return number
            data_row += 1
    return row + 2


BOOK_COLUMNS = [
    "book_id",
    "goodreads_book_id",
    "authors",
    "title",
    "original_publication_year",
    "average_rating",
    "ratings_count",
    "image_url",
]

# What a Goodreads export is matched by besides goodreads_book_id (model/goodreads.py). Every
# real books.csv has them; a file without them gets best_book_id = goodreads_book_id, no ISBNs.
MATCH_COLUMNS = ["best_book_id", "isbn", "isbn13"]


def load_books(data_dir: Path) -> pd.DataFrame:
    """books.csv, sorted by book_id, with unique positive integer ids; ``isbn`` and ``isbn13``
    as the file's text (books.csv wrote isbn13 as a float: model.goodreads reads it)."""
    path = Path(data_dir) / "books.csv"
    books = read_csv(
        path,
        BOOK_COLUMNS,
        ["book_id", "goodreads_book_id"],
        optional=MATCH_COLUMNS,
        dtype={"isbn": str, "isbn13": str},
    )
    dup = _first_bad_row(books["book_id"].duplicated())
    if dup is not None:
        raise DataError(
            f"{path} line {line_number(path, dup)}: book_id {books['book_id'].iloc[dup]} appears twice"
        )
    books["title"] = books["title"].fillna("").astype(str)
    books["authors"] = books["authors"].fillna("").astype(str)
    books["image_url"] = books["image_url"].fillna("").astype(str)
    if "best_book_id" in books:
        best = pd.to_numeric(books["best_book_id"], errors="coerce")
        books["best_book_id"] = best.fillna(books["goodreads_book_id"]).astype(np.int64)
    else:
        books["best_book_id"] = books["goodreads_book_id"]
    for col in ("isbn", "isbn13"):
        books[col] = books[col].fillna("").astype(str).str.strip() if col in books else ""
    books["original_publication_year"] = pd.to_numeric(books["original_publication_year"], errors="coerce")
    books["average_rating"] = pd.to_numeric(books["average_rating"], errors="coerce").fillna(0.0)
    books["ratings_count"] = pd.to_numeric(books["ratings_count"], errors="coerce").fillna(0).astype(np.int64)
    return books.sort_values("book_id").reset_index(drop=True)


def load_ratings(data_dir: Path, known_book_ids: np.ndarray) -> pd.DataFrame:
    """ratings.csv in either public column order; duplicate (user, book) pairs keep the last.

    Returns columns user_id, book_id, rating (int64, int64, int8). Which release the file
    looks like (``detect_release``) is logged in one line and kept as a dict in
    ``df.attrs["release"]`` (``name``, ``columns``, ``per_book``, ``median_per_book``,
    ``spread``) for the stages that read the ratings.
    """
    path = Path(data_dir) / "ratings.csv"
    df = read_csv(path, ["user_id", "book_id", "rating"], ["user_id", "book_id", "rating"])
    header = list(map(str, pd.read_csv(path, nrows=0).columns))  # the file's order
    bad = _first_bad_row((df["rating"] < 1) | (df["rating"] > 5))
    if bad is not None:
        raise DataError(
            f"{path} line {line_number(path, bad)}: rating {df['rating'].iloc[bad]} is outside 1..5"
        )
    bad = _first_bad_row(~np.isin(df["book_id"].to_numpy(), known_book_ids))
    if bad is not None:
        line = line_number(path, bad)
        raise DataError(f"{path} line {line}: book_id {df['book_id'].iloc[bad]} is not in books.csv")
    before = len(df)
    df = df.drop_duplicates(["user_id", "book_id"], keep="last").reset_index(drop=True)
    if len(df) < before:
        log.info("ratings.csv: %d duplicate (user, book) pairs resolved (kept the last)", before - len(df))
    df["rating"] = df["rating"].astype(np.int8)
    per_book = df["book_id"].value_counts().reindex(np.asarray(known_book_ids), fill_value=0)
    release = detect_release(header, per_book.to_numpy())
    log.info("%s: %s; %d ratings by %d users", path, release.describe(), len(df), df["user_id"].nunique())
    df.attrs["release"] = asdict(release)
    return df


def load_to_read(data_dir: Path, known_book_ids: np.ndarray) -> pd.DataFrame:
    """to_read.csv: (user_id, book_id) pairs; unknown books are an error."""
    path = Path(data_dir) / "to_read.csv"
    df = read_csv(path, ["user_id", "book_id"], ["user_id", "book_id"])
    bad = _first_bad_row(~np.isin(df["book_id"].to_numpy(), known_book_ids))
    if bad is not None:
        line = line_number(path, bad)
        raise DataError(f"{path} line {line}: book_id {df['book_id'].iloc[bad]} is not in books.csv")
    return df.drop_duplicates().reset_index(drop=True)


def load_tags(data_dir: Path) -> pd.DataFrame:
    """tags.csv: tag_id, tag_name."""
    path = Path(data_dir) / "tags.csv"
    df = read_csv(path, ["tag_id", "tag_name"], ["tag_id"], keep_default_na=False)
    df["tag_name"] = df["tag_name"].astype(str)
    return df


def load_book_tags(data_dir: Path, books: pd.DataFrame) -> pd.DataFrame:
    """book_tags.csv joined to book_id; returns book_id, tag_id, count (negative counts -> 0)."""
    path = Path(data_dir) / "book_tags.csv"
    df = read_csv(path, ["goodreads_book_id", "tag_id", "count"], ["goodreads_book_id", "tag_id", "count"])
    by_goodreads = pd.Series(books["book_id"].to_numpy(), index=books["goodreads_book_id"].to_numpy())
    book_id = df["goodreads_book_id"].map(by_goodreads)
    bad = _first_bad_row(book_id.isna())
    if bad is not None:
        unknown = df["goodreads_book_id"].iloc[bad]
        raise DataError(
            f"{path} line {line_number(path, bad)}: goodreads_book_id {unknown} is not in books.csv"
        )
    out = pd.DataFrame(
        {"book_id": book_id.astype(np.int64), "tag_id": df["tag_id"], "count": df["count"].clip(lower=0)}
    )
    return out.groupby(["book_id", "tag_id"], as_index=False)["count"].max()
