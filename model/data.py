"""Load and validate goodbooks-10k, downloading it from its public release when needed.

Every loader returns plain pandas DataFrames with validated, typed columns. Problems in the
files raise ``DataError`` whose message names the file, the line and what is wrong, so the
command-line tools can print one clear sentence instead of a traceback.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import urllib.request
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from model.atomic import make_staging, replace_dir

log = logging.getLogger(__name__)

GOODBOOKS_URL = "https://github.com/zygmuntz/goodbooks-10k/releases/download/v1.0/goodbooks-10k.zip"
GOODBOOKS_SHA256 = "261b97b56db61f3fb2ce5aadbb13704d30179fcc986c17ace665a0af9ed00731"
DEFAULT_DATA_DIR = Path("data/goodbooks-10k")
REQUIRED_FILES = ("books.csv", "ratings.csv", "book_tags.csv", "tags.csv", "to_read.csv")


class DataError(Exception):
    """A problem with the input data, explained for the person running the command."""


# ---------------------------------------------------------------------------------------
# Locating and downloading the data


def resolve_data_dir(data_arg: str | None, environ: dict | None = None) -> tuple[Path, bool]:
    """Return (directory, is_default): --data wins, then GOODBOOKS_DIR, then the default."""
    environ = os.environ if environ is None else environ
    if data_arg:
        return Path(data_arg), False
    if environ.get("GOODBOOKS_DIR"):
        return Path(environ["GOODBOOKS_DIR"]), False
    return DEFAULT_DATA_DIR, True


def ensure_data(data_arg: str | None = None, url: str | None = None, sha256: str | None = None) -> Path:
    """Find the dataset; download it into the default directory when nobody configured one
    (``url`` and ``sha256`` default to the pinned release's, read when called)."""
    data_dir, is_default = resolve_data_dir(data_arg)
    missing = [name for name in ("books.csv", "ratings.csv") if not (data_dir / name).is_file()]
    if not missing:
        return data_dir
    if not is_default:
        raise DataError(
            f"{data_dir}: missing {', '.join(missing)}. Point --data or GOODBOOKS_DIR at a "
            "directory with the goodbooks-10k CSV files, or leave both unset to download them."
        )
    download_dataset(data_dir, url or GOODBOOKS_URL, sha256 or GOODBOOKS_SHA256)
    return data_dir


def download_dataset(data_dir: Path, url: str = GOODBOOKS_URL, sha256: str = GOODBOOKS_SHA256) -> None:
    """Download the release zip, check its sha256 and unpack the CSVs into ``data_dir``.

    Everything happens in a temporary directory next to ``data_dir`` that is renamed into
    place only when complete, so a failed or interrupted download leaves nothing behind.
    """
    data_dir = Path(data_dir)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    offline_hint = (
        f"To work offline, download {url} by hand, unzip it into a directory and pass "
        "--data DIR (or set GOODBOOKS_DIR=DIR)."
    )
    tmp = make_staging(data_dir.parent, "download")  # also removes a killed download's
    try:
        archive = tmp / "goodbooks-10k.zip"
        log.info("downloading goodbooks-10k from %s", url)
        try:
            got, expected = _fetch(url, archive)
        except (OSError, http.client.HTTPException) as err:
            raise DataError(f"could not download {url}: {err}. {offline_hint}") from err
        if expected is not None and got < expected:
            raise DataError(
                f"{url}: the download was cut off after {got:,} of {expected:,} bytes; nothing was "
                f"kept, run the command again. {offline_hint}"
            )
        digest = _sha256(archive)
        if digest != sha256:
            raise DataError(
                f"checksum mismatch for {url}: expected sha256 {sha256}, got {digest} (a different "
                f"or damaged file); nothing was kept. {offline_hint}"
            )
        unpacked = tmp / "unpacked"
        _unpack_csvs(archive, unpacked, url)
        replace_dir(unpacked, data_dir, "download-old")
        log.info("goodbooks-10k ready in %s", data_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fetch(url: str, dest: Path) -> tuple[int, int | None]:
    """Write ``url`` to ``dest``; (bytes received, bytes announced by Content-Length or None)."""
    got = 0
    with urllib.request.urlopen(url, timeout=60) as response, open(dest, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=total, unit="B", unit_scale=True, desc="goodbooks-10k.zip") as bar:
            try:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
            except http.client.IncompleteRead as err:  # the server announced more, then closed
                got += len(err.partial)
                return got, total or got + (err.expected or 0)
    return got, total


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack_csvs(archive: Path, dest: Path, source: str | None = None) -> None:
    """Extract the dataset's CSV files, wherever they sit inside the zip, flat into dest
    (errors name ``source``, the URL, when given)."""
    origin = source or archive.name
    dest.mkdir()
    try:
        with zipfile.ZipFile(archive) as zf:
            members = {Path(name).name: name for name in zf.namelist() if name.endswith(".csv")}
            missing = [name for name in REQUIRED_FILES if name not in members]
            if missing:
                raise DataError(f"{origin}: the archive lacks {', '.join(missing)}")
            for name in REQUIRED_FILES:
                with zf.open(members[name]) as src, open(dest / name, "wb") as out:
                    shutil.copyfileobj(src, out)
    except (zipfile.BadZipFile, zlib.error) as err:  # zlib: a damaged compressed member
        raise DataError(f"{origin}: not a valid zip file ({err}); nothing was kept") from err


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


FIRST_RELEASE_COLUMNS = ("book_id", "user_id", "rating")  # ~1M ratings, ~100 per book
LATER_RELEASE_COLUMNS = ("user_id", "book_id", "rating")  # ~6M ratings, per book as popular
# Ratings per book, 90th over 10th percentile: the first release sampled about 100 per book
# (1.1); the later release kept every rating, so popular books have many more (about 7).
SAMPLED_SPREAD = 2.0


@dataclass(frozen=True)
class Release:
    """Which goodbooks-10k release a ratings.csv looks like, and why."""

    name: str  # "first", "later", or "unknown" when column order and per-book counts disagree
    columns: str  # the header's column order, e.g. "user_id,book_id,rating"
    per_book: str  # "sampled" (about the same count per book) or "popularity"
    median_per_book: float  # ratings per catalogue book
    spread: float  # 90th over 10th percentile of ratings per catalogue book

    def describe(self) -> str:
        """One line for the log."""
        what = {"first": "the first release", "later": "the later release"}.get(self.name, "unknown release")
        shape = (
            "about the same per book (sampled per book)"
            if self.per_book == "sampled"
            else "per book as popular"
        )
        return (
            f"{what}: columns {self.columns}; ratings {shape}: median {self.median_per_book:.0f} per book, "
            f"90th/10th percentile {self.spread:.1f}"
        )


def per_book_shape(ratings_per_book: np.ndarray) -> tuple[str, float, float]:
    """("sampled" or "popularity", median, 90th over 10th percentile) of ``ratings_per_book``
    [N] (a count for every catalogue book, zeros included): whether the counts were sampled to
    about the same per book (the first release) or follow the books' popularity."""
    counts = np.asarray(ratings_per_book, dtype=np.float64)
    low, median, high = np.percentile(counts, [10, 50, 90]) if len(counts) else (0.0, 0.0, 0.0)
    spread = float(high / max(low, 1.0))
    return ("sampled" if spread <= SAMPLED_SPREAD else "popularity"), float(median), spread


def detect_release(columns: list[str] | tuple[str, ...], ratings_per_book: np.ndarray) -> Release:
    """The release a ratings.csv with header ``columns`` and ``ratings_per_book`` [N] (a count
    for every catalogue book, zeros included) comes from: the first release (book_id first,
    about the same count per book) or the later one (user_id first, counts as popular).

    The name needs both signs to agree ("unknown" otherwise); ``per_book`` alone says whether
    the popularity of books shows in the counts.
    """
    per_book, median, spread = per_book_shape(ratings_per_book)
    order = tuple(c for c in columns if c in FIRST_RELEASE_COLUMNS)
    by_columns = {FIRST_RELEASE_COLUMNS: "first", LATER_RELEASE_COLUMNS: "later"}.get(order)
    by_counts = "first" if per_book == "sampled" else "later"
    name = by_columns if by_columns == by_counts else "unknown"
    return Release(name, ",".join(order), per_book, median, spread)


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
