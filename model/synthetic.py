"""Small goodbooks-format datasets with planted structure, for tests and demos.

Even users love even books and dislike odd ones; odd users the reverse. Some users are
generous raters, others strict, so a visitor bias is there to be learned. The catalogue holds
one hostile title (an HTML injection attempt) and non-ASCII text, so the site must render
data as text, and its Goodreads ids and ISBNs have the quirks of the real books.csv. A few
titles carry a series as Goodreads writes it (``SERIES_TITLES``), so the one-card-per-series
rules have known answers.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from model.goodreads_csv import isbn13_check_digit

XSS_TITLE = "<img src=x onerror=alert(1)>"
SPECIAL_TITLES = {1: XSS_TITLE, 2: "Le Petit Prince — Édition spéciale", 3: "Kafka on the Shore"}
# book_id -> the series text after its title: an even series in order with an omnibus of it,
# an odd one whose #1 the catalogue lacks (and a prequel), and a group that is no series.
SERIES_TITLES = {
    48: "(Even Saga, #1)",
    52: "(Even Saga, #2)",
    56: "(Even Saga, #3)",
    58: "(Even Saga, #1-3)",
    45: "(Odd Trilogy, #0.5)",
    47: "(Odd Trilogy, #2)",
    49: "(Odd Trilogy #3)",
    53: "(Penguin Readers, Level 5)",
}


def synthetic_title(book_id: int) -> str:
    """The synthetic catalogue's title of ``book_id``."""
    if book_id in SPECIAL_TITLES:
        return SPECIAL_TITLES[book_id]
    title = f"{'Even' if book_id % 2 == 0 else 'Odd'} Book {book_id}"
    return f"{title} {SERIES_TITLES[book_id]}" if book_id in SERIES_TITLES else title


def synthetic_isbns(book_id: int) -> tuple[str, str]:
    """(isbn, isbn13) of a synthetic book, written as books.csv writes them: the ISBN-10 without
    its leading zeros, the ISBN-13 as a float with 12 significant digits. Every sixth book has
    only an ISBN-13 (979-, so no ISBN-10 exists), every twelfth neither."""
    if book_id % 12 == 0:
        return "", ""
    if book_id % 6 == 0:
        first12 = f"979{10_000_000 + book_id * 7919:09d}"
        isbn = ""
    else:
        core = f"0{book_id * 7919 + 100_000:08d}"
        check = (11 - sum((10 - i) * int(d) for i, d in enumerate(core)) % 11) % 11
        isbn = (core + ("X" if check == 10 else str(check))).lstrip("0")
        first12 = "978" + core
    return isbn, f"{float(first12 + isbn13_check_digit(first12)):.12g}"


def make_goodbooks(num_books: int = 60, num_users: int = 400, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Return the five goodbooks tables for a planted two-group world.

    Book ``b`` belongs to group ``b % 2``, user ``u`` to group ``u % 2``. Each user gives 4-5
    stars to about a third of their group's books and 1-2 stars to a few books of the other.
    """
    rng = np.random.default_rng(seed)
    book_ids = np.arange(1, num_books + 1)
    rows = []
    for user_id in range(1, num_users + 1):
        group = user_id % 2
        generous = rng.random() < 0.5
        own = book_ids[book_ids % 2 == group]
        other = book_ids[book_ids % 2 != group]
        for book_id in rng.choice(own, size=max(3, len(own) // 3), replace=False):
            rows.append((int(book_id), user_id, 5 if generous or rng.random() < 0.3 else 4))
        for book_id in rng.choice(other, size=max(1, len(other) // 10), replace=False):
            rows.append((int(book_id), user_id, 2 if generous else 1))
    ratings = pd.DataFrame(rows, columns=["book_id", "user_id", "rating"])

    popularity = ratings.groupby("book_id").size().reindex(book_ids, fill_value=0).to_numpy()
    titles = [synthetic_title(int(b)) for b in book_ids]
    books = pd.DataFrame(
        {
            "book_id": book_ids,
            "goodreads_book_id": book_ids + 1000,
            # Every tenth book's best edition is another Goodreads id (as for 241 real books).
            "best_book_id": [b + 5000 if b % 10 == 7 else b + 1000 for b in book_ids],
            "isbn": [synthetic_isbns(int(b))[0] for b in book_ids],
            "isbn13": [synthetic_isbns(int(b))[1] for b in book_ids],
            "authors": [f"Author {chr(65 + int(b) % 7)}" for b in book_ids],
            "original_publication_year": [1950.0 + int(b) if b != 5 else np.nan for b in book_ids],
            "title": titles,
            "average_rating": np.round(3.5 + rng.random(num_books), 2),
            "ratings_count": popularity * 1000 + book_ids,
            # Unroutable on purpose: tests run offline and must show the cover placeholder.
            "image_url": [f"https://images.gr-assets.com/books/{1000 + int(b)}m.jpg" for b in book_ids],
        }
    )
    tags = pd.DataFrame(
        {
            "tag_id": [0, 1, 2, 3, 4],
            "tag_name": ["to-read", "even-shelf", "odd-shelf", "favorites", "classics"],
        }
    )
    book_tags = pd.DataFrame(
        [(int(b) + 1000, 1 if b % 2 == 0 else 2, 50 + int(b)) for b in book_ids]
        + [(int(b) + 1000, 0, 500) for b in book_ids]
        + [(int(b) + 1000, 4, 5) for b in book_ids if b % 5 == 0],
        columns=["goodreads_book_id", "tag_id", "count"],
    )
    to_read = ratings.sample(frac=0.2, random_state=seed)[["user_id", "book_id"]].reset_index(drop=True)
    return {"books": books, "ratings": ratings, "tags": tags, "book_tags": book_tags, "to_read": to_read}


READER_PAIR = (7, 8)  # book ids: loved together by every real reader, never by goodbooks users


def make_real_readers(num_books: int = 60, num_readers: int = 80, seed: int = 1) -> pd.DataFrame:
    """A real-reader file (user_id, book_id, rating) for ``make_goodbooks``' catalogue: readers
    of the same two-group world with ids that goodbooks users never have, who all love the two
    books of ``READER_PAIR`` as well, something no goodbooks user does together."""
    rng = np.random.default_rng(seed)
    book_ids = np.arange(1, num_books + 1)
    rows = []
    for reader in range(num_readers):
        user_id, group = 100_001 + reader, reader % 2
        own = book_ids[(book_ids % 2 == group) & ~np.isin(book_ids, READER_PAIR)]
        for book_id in rng.choice(own, size=max(3, len(own) // 3), replace=False):
            rows.append((user_id, int(book_id), int(rng.choice([4, 5]))))
        rows += [(user_id, book, 5) for book in READER_PAIR]
    return pd.DataFrame(rows, columns=["user_id", "book_id", "rating"])


def write_goodbooks(out_dir: Path, **kwargs) -> Path:
    """Write ``make_goodbooks(**kwargs)`` as CSV files into ``out_dir``; return the directory."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, df in make_goodbooks(**kwargs).items():
        df.to_csv(out_dir / f"{name}.csv", index=False)
    return out_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory to write the CSV files into")
    parser.add_argument("--books", type=int, default=60, help="number of books")
    parser.add_argument("--users", type=int, default=400, help="number of users")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = write_goodbooks(Path(args.out), num_books=args.books, num_users=args.users, seed=args.seed)
    logging.info("wrote synthetic goodbooks to %s", path)


if __name__ == "__main__":
    main()
