"""Real readers: the file of real visitors every setting is chosen on, and how it is cut.

``--real-readers FILE`` (or ``REAL_READERS``) is a ratings file (``user_id,book_id,rating``)
of readers who are in neither ratings.csv nor to_read.csv: readers of the later goodbooks-10k
release, whose books follow Goodreads popularity as the site's visitors do (this copy's
ratings were sampled per book and do not). They are cut by user, seeded, into:

- the *choosing* half, itself cut into readers the choice fits learn from (``fit``) and
  readers the choices are measured on (``check``): every setting is chosen there;
- the *report* half, which nothing is fitted or chosen on: ``model.evaluate`` reports on it.

The shipped model learns from every reader (they are real visitors); the split fit, which
``model.evaluate`` measures, from the choosing half only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.data import DataError, _first_bad_row, line_number, read_csv
from model.protocols import Protocol, liked_cases
from model.split import LIKED_STARS, UserRatings, group_by_user, rows_of

COLUMNS = ["user_id", "book_id", "rating"]


def resolve_readers_path(arg: str | None, environ: dict | None = None) -> Path | None:
    """--real-readers wins, then REAL_READERS; None when neither is set."""
    environ = os.environ if environ is None else environ
    value = arg or environ.get("REAL_READERS")
    return Path(value) if value else None


def load_real_readers(path: Path, book_ids: np.ndarray, known_users: np.ndarray) -> UserRatings:
    """The real-reader file as ratings grouped by user (model rows). ``known_users``: the user
    ids of ratings.csv and to_read.csv, none of which may appear here (that would leak what
    the model learns from into what it is judged on). DataError names file, line, problem."""
    path = Path(path)
    df = read_csv(path, COLUMNS, COLUMNS)
    checks = (
        ((df["rating"] < 1) | (df["rating"] > 5), lambda i: f"rating {df['rating'].iloc[i]} is outside 1..5"),
        (
            ~np.isin(df["book_id"].to_numpy(), book_ids),
            lambda i: f"book_id {df['book_id'].iloc[i]} is not in books.csv",
        ),
        (
            np.isin(df["user_id"].to_numpy(), known_users),
            lambda i: (
                f"user_id {df['user_id'].iloc[i]} is also in ratings.csv or to_read.csv "
                "(real readers must be new to the model)"
            ),
        ),
        (
            df.duplicated(["user_id", "book_id"]).to_numpy(),
            lambda i: f"user {df['user_id'].iloc[i]} rates book {df['book_id'].iloc[i]} twice",
        ),
    )
    for mask, problem in checks:
        bad = _first_bad_row(np.asarray(mask))
        if bad is not None:
            raise DataError(f"{path} line {line_number(path, bad)}: {problem(bad)}")
    rows = rows_of(book_ids, df["book_id"].to_numpy())
    return group_by_user(df["user_id"].to_numpy(), rows, df["rating"].to_numpy().astype(np.float32))


def load_new_readers(path: Path, book_ids: np.ndarray, ratings, to_read) -> UserRatings:
    """``load_real_readers`` of ``path`` against the users of ``ratings`` and ``to_read`` (the
    loaded DataFrames; ``to_read`` may be None), then ``usable_readers``: what model.train and
    model.evaluate both read."""
    known = ratings["user_id"].to_numpy()
    if to_read is not None:
        known = np.union1d(known, to_read["user_id"].to_numpy())
    return usable_readers(load_real_readers(path, book_ids, np.unique(known)), path)


def subset(ratings: UserRatings, users: np.ndarray) -> UserRatings:
    """The users at positions ``users`` (sorted), with all their ratings."""
    users = np.sort(np.asarray(users, np.int64))
    lens = np.diff(ratings.indptr)[users]
    keep = np.repeat(np.arange(len(ratings)), np.diff(ratings.indptr))
    keep = np.isin(keep, users)
    indptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    return UserRatings(ratings.user_ids[users], indptr, ratings.rows[keep], ratings.stars[keep])


def halves(ratings: UserRatings, seed: int) -> tuple[UserRatings, UserRatings]:
    """Users cut in two (seeded): (first, second), the first holding ceil(U / 2)."""
    order = np.random.default_rng(seed).permutation(len(ratings))
    cut = (len(ratings) + 1) // 2
    return subset(ratings, order[:cut]), subset(ratings, order[cut:])


@dataclass(frozen=True)
class ReaderFolds:
    """The real readers, cut by user: ``fit`` + ``check`` = the choosing half; ``report``."""

    fit: UserRatings
    check: UserRatings
    report: UserRatings

    @property
    def choosing(self) -> UserRatings:
        return concat(self.fit, self.check)


MIN_READERS = 8  # two to learn from, two to choose on, four to report on, at the least


def reader_folds(readers: UserRatings, seed: int) -> ReaderFolds:
    """The seeded cut of the module docstring (the same for model.train and model.evaluate)."""
    choosing, report = halves(readers, seed + 100)
    fit, check = halves(choosing, seed + 101)
    return ReaderFolds(fit, check, report)


def usable_readers(readers: UserRatings, path: Path) -> UserRatings:
    """The readers with two ratings or more (one to give, one to predict); DataError unless
    there are enough of them to cut into fit, check and report readers."""
    usable = np.flatnonzero(np.diff(readers.indptr) >= 2)
    if len(usable) < MIN_READERS:
        raise DataError(
            f"{path}: {len(usable)} readers with two ratings or more; at least {MIN_READERS} are "
            "needed to choose on some and report on others"
        )
    return readers if len(usable) == len(readers) else subset(readers, usable)


def concat(*parts: UserRatings) -> UserRatings:
    """Users of ``parts`` one after another (their ids must differ)."""
    indptr = [np.zeros(1, np.int64)]
    offset = 0
    for part in parts:
        indptr.append(part.indptr[1:] + offset)
        offset += int(part.indptr[-1])
    return UserRatings(
        np.concatenate([p.user_ids for p in parts]).astype(np.int64),
        np.concatenate(indptr).astype(np.int64),
        np.concatenate([p.rows for p in parts]).astype(np.int32),
        np.concatenate([p.stars for p in parts]).astype(np.float32),
    )


def import_cases(readers: UserRatings, seed: int, held_share: float = 0.2) -> tuple[list, list]:
    """A reader who imports their library: every rated book but a random ``held_share`` is a
    pick, with its stars (low stars included); targets: the liked books among the held ones."""
    rng = np.random.default_rng(seed)
    picks, targets = [], []
    for i in range(len(readers)):
        rows, stars = readers.of(i)
        held = rng.random(len(rows)) < held_share
        target = rows[held & (stars >= LIKED_STARS)]
        if len(target) == 0 or held.all():
            continue
        picks.append((rows[~held], stars[~held]))
        targets.append(target)
    return picks, targets


def reader_protocols(readers: UserRatings, seed: int) -> list[Protocol]:
    """5 picks, 10 picks, half of liked (readers with >= 10 liked books; targets the rest of
    their liked books) and an import of their whole library but 20%."""
    out = [
        Protocol("real readers, 5 picks", *liked_cases(readers, 5, seed)),
        Protocol("real readers, 10 picks", *liked_cases(readers, 10, seed + 1)),
        Protocol("real readers, half of liked", *liked_cases(readers, None, seed + 2)),
        Protocol("real readers, import (80% of all ratings)", *import_cases(readers, seed + 3)),
    ]
    return [_with_targets(p) for p in out if p.picks]


def _with_targets(protocol: Protocol) -> Protocol:
    """``protocol`` without the cases left with no target (10 picks of exactly 10 liked)."""
    keep = [i for i, t in enumerate(protocol.targets) if len(t)]
    return Protocol(
        protocol.name,
        [protocol.picks[i] for i in keep],
        [protocol.targets[i] for i in keep],
        protocol.weights,
    )
