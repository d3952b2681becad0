"""Write a goodbooks directory of the later release's size and shape, for the full-size bench.

The default download (the release zip) holds the later goodbooks-10k release: about 6M ratings
by 53,424 users in `user_id,book_id,rating` order, per-book counts that follow popularity, and
about 900k to-read marks. The team's copy is the first release (about 1M ratings, about 100
per book). This script builds a stand-in from a first-release copy (``--goodbooks`` or
``GOODBOOKS_DIR``) and real readers of the later release (``--real-readers`` or ``REAL_READERS``),
the variables the build reads:

- ratings: the first release's ratings (columns reordered) plus copies of the real readers
  (users of the later release) under fresh user ids, each copy
  perturbed (a share of its ratings dropped, some books swapped for a draw from the real
  readers' books, some stars moved by one), until about ``--ratings`` rows; sorted by user;
- to_read: the first release's marks plus marks drawn by `ratings_count` for some copied users,
  until about ``--to-read`` marks;
- books.csv, tags.csv, book_tags.csv copied as they are.

Deterministic for a seed; written into a staging directory renamed into place, and never into
the repository (data is not committed):

    GOODBOOKS_DIR=... REAL_READERS=... .venv/bin/python scripts/make_fullsize.py --out /tmp/goodbooks-full
    GOODBOOKS_DIR=/tmp/goodbooks-full make build
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.atomic import atomic_dir  # noqa: E402

log = logging.getLogger("make_fullsize")

LATER_RATINGS = 5_976_479  # the later release's ratings.csv
LATER_TO_READ = 912_705  # and its to_read.csv
LATER_USERS = 53_424  # its users
COPIED_FILES = ("books.csv", "tags.csv", "book_tags.csv")


def copied_readers(
    real: pd.DataFrame, n_users: int, rows_wanted: int, seed: int, swap: float = 0.1, nudge: float = 0.15
) -> pd.DataFrame:
    """About ``rows_wanted`` ratings (user, book_id, rating) by ``n_users`` copies of the users
    of ``real`` (copy ``k`` is ``real``'s user ``k % U``; ``user`` is k), each perturbed (seeded).

    Each copy keeps a share of its user's ratings drawn around what ``rows_wanted`` needs (so
    per-user counts vary like real readers'), swaps each kept book with probability ``swap``
    for a book drawn from ``real``'s ratings (popularity stays the real readers'), and moves
    each star by one with probability ``nudge``; a (user, book) pair appears once.
    """
    rng = np.random.default_rng(seed)
    real = real.sort_values("user_id", kind="stable")
    _, user_pos, counts = np.unique(real["user_id"].to_numpy(), return_inverse=True, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)])
    source = np.arange(n_users) % len(counts)  # the real user each copy copies
    per_copy = counts[source]
    share = min(1.0, rows_wanted / per_copy.sum())
    keep_share = np.clip(rng.uniform(share - 0.15, share + 0.15, size=n_users), 0.05, 1.0)
    # [R] the copy and the real rating of each candidate row
    user = np.repeat(np.arange(n_users), per_copy)
    index = np.arange(len(user)) - np.repeat(np.cumsum(per_copy) - per_copy, per_copy) + starts[source][user]
    keep = rng.random(len(user)) < keep_share[user]
    user, index = user[keep], index[keep]
    books = real["book_id"].to_numpy()
    book = books[index]
    swapped = rng.random(len(user)) < swap
    book[swapped] = rng.choice(books, size=int(swapped.sum()))
    star = real["rating"].to_numpy()[index].astype(np.int16)
    step = rng.choice(np.array([-1, 1], np.int16), size=len(user))
    star = np.where(rng.random(len(user)) < nudge, np.clip(star + step, 1, 5), star)
    _, first = np.unique(user * (int(books.max()) + 1) + book, return_index=True)
    first.sort()  # one rating per (user, book), users ascending
    return pd.DataFrame(
        {"user": user[first], "book_id": book[first].astype(np.int64), "rating": star[first].astype(np.int64)}
    )


def extra_marks(
    user_ids: np.ndarray, book_ids: np.ndarray, ratings_count: np.ndarray, marks_wanted: int, seed: int
) -> pd.DataFrame:
    """About ``marks_wanted`` to-read marks (user_id, book_id) for some of ``user_ids``: each
    chosen user marks a geometric number of books (mean 19, as in the first release), drawn by
    ``ratings_count``; a pair appears once."""
    rng = np.random.default_rng(seed)
    if marks_wanted <= 0 or len(user_ids) == 0:
        return pd.DataFrame({"user_id": np.zeros(0, np.int64), "book_id": np.zeros(0, np.int64)})
    n_users = min(len(user_ids), int(np.ceil(marks_wanted / 19 * 1.1)))
    chosen = rng.choice(user_ids, size=n_users, replace=False)
    per_user = rng.geometric(1 / 19, size=n_users)
    owner = np.repeat(chosen, per_user)
    weight = np.asarray(ratings_count, np.float64) + 1.0
    book = rng.choice(book_ids, size=len(owner), p=weight / weight.sum())
    marks = pd.DataFrame({"user_id": owner.astype(np.int64), "book_id": book.astype(np.int64)})
    return marks.drop_duplicates().head(marks_wanted).reset_index(drop=True)


def make_fullsize(
    goodbooks: Path,
    real_readers: Path,
    ratings_wanted: int,
    to_read_wanted: int,
    seed: int,
    users_wanted: int = LATER_USERS,
    apart: bool = False,
) -> dict[str, pd.DataFrame]:
    """The later-release-shaped ratings and to_read tables built from the first release in
    ``goodbooks`` and the real readers' ``user_id,book_id,rating`` file ``real_readers``.

    The first release is a per-book sample of the later one, whose users are the same people
    with all their ratings: so every first-release user gets a copied real reader's ratings on
    top of their own, and fresh users make up ``users_wanted`` (the later release's user count;
    each such user is two people, which is right for time and memory, not for quality). With
    ``apart``, every copy is a fresh user instead (about twice the users, each one person: the
    split then looks like real readers, for what the model chooses on it).
    """
    first = pd.read_csv(goodbooks / "ratings.csv", dtype=np.int64)[["user_id", "book_id", "rating"]]
    real = pd.read_csv(real_readers, dtype=np.int64)
    books = pd.read_csv(goodbooks / "books.csv", usecols=["book_id", "ratings_count"])
    to_read = pd.read_csv(goodbooks / "to_read.csv", dtype=np.int64)[["user_id", "book_id"]]
    known = np.unique(first["user_id"].to_numpy())
    fresh = int(max(known.max(), real["user_id"].max(), to_read["user_id"].max())) + 1
    needed = ratings_wanted - len(first)
    if apart:  # as many copies as keep about 86% of a real reader's ratings each
        n_users = int(needed / (0.86 * real.groupby("user_id").size().mean()))
        user_ids = fresh + np.arange(n_users)
    else:
        n_users = max(users_wanted, len(known))
        user_ids = np.concatenate([known, fresh + np.arange(n_users - len(known))])
    # A few percent of the copies' rows fall on a book the user rated in the first release.
    copies = copied_readers(real, n_users, int(needed * 1.03), seed)
    copies.insert(0, "user_id", user_ids[copies.pop("user").to_numpy()])
    ratings = pd.concat([first, copies], ignore_index=True).drop_duplicates(["user_id", "book_id"])
    surplus = len(ratings) - ratings_wanted
    if surplus > 0:  # drop copied rows at random, never a first-release one
        rng = np.random.default_rng(seed + 2)
        copied = ratings.index[ratings.index >= len(first)]  # concat labels: first-release rows first
        ratings = ratings.drop(rng.choice(copied, surplus, replace=False))
    ratings = ratings.sort_values("user_id", kind="stable").reset_index(drop=True)
    marks = extra_marks(
        np.setdiff1d(user_ids, to_read["user_id"].to_numpy()),  # users without marks yet
        books["book_id"].to_numpy(),
        books["ratings_count"].to_numpy(),
        to_read_wanted - len(to_read),
        seed + 1,
    )
    to_read = pd.concat([to_read, marks], ignore_index=True).sort_values("user_id", kind="stable")
    return {"ratings": ratings, "to_read": to_read.reset_index(drop=True)}


def inside(path: Path, root: Path) -> bool:
    return path.resolve() == root or root in path.resolve().parents


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(description="Write a later-release-sized goodbooks directory.")
    parser.add_argument("--out", required=True, help="directory to write (outside the repository)")
    parser.add_argument(
        "--goodbooks",
        default=os.environ.get("GOODBOOKS_DIR"),
        help="a first-release goodbooks-10k directory (default: $GOODBOOKS_DIR)",
    )
    parser.add_argument(
        "--real-readers",
        default=os.environ.get("REAL_READERS"),
        help="the real readers' user_id,book_id,rating file (default: $REAL_READERS)",
    )
    parser.add_argument("--ratings", type=int, default=LATER_RATINGS, help="about this many ratings")
    parser.add_argument("--to-read", type=int, default=LATER_TO_READ, help="about this many to-read marks")
    parser.add_argument(
        "--users", type=int, default=LATER_USERS, help="this many users (at least the first's)"
    )
    parser.add_argument("--seed", type=int, default=17, help="random seed (same seed, same files)")
    parser.add_argument(
        "--apart",
        action="store_true",
        help="every copied reader a fresh user (each user one person; about twice the users)",
    )
    args = parser.parse_args(argv)
    if not args.goodbooks or not args.real_readers:
        print("error: give --goodbooks DIR (or GOODBOOKS_DIR) and --real-readers FILE (or REAL_READERS)")
        return 2
    out, goodbooks, real_readers = Path(args.out), Path(args.goodbooks), Path(args.real_readers)
    if inside(out, ROOT):
        print(f"error: {out} is inside the repository; data is never committed: pick a path outside it")
        return 2
    missing = [
        str(p)
        for p in [real_readers] + [goodbooks / n for n in (*COPIED_FILES, "ratings.csv", "to_read.csv")]
        if not p.is_file()
    ]
    if missing:
        print(f"error: missing {', '.join(missing)}: point --goodbooks and --real-readers at the data")
        return 2
    started = time.perf_counter()
    tables = make_fullsize(
        goodbooks, real_readers, args.ratings, args.to_read, args.seed, args.users, args.apart
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_dir(out) as staging:
        for name, table in tables.items():
            table.to_csv(staging / f"{name}.csv", index=False)
        for name in COPIED_FILES:
            shutil.copyfile(goodbooks / name, staging / name)
    ratings = tables["ratings"]
    log.info(
        "%s: %d ratings by %d users (%d..%d per user), %d to-read marks, in %.0fs",
        out,
        len(ratings),
        ratings["user_id"].nunique(),
        ratings.groupby("user_id").size().min(),
        ratings.groupby("user_id").size().max(),
        len(tables["to_read"]),
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
