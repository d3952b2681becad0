"""Seeded splits of the ratings, shared by training and evaluation.

- 10% of users (seeded) are *held out*: never trained on, used to measure what a new visitor
  (someone using the site) gets from their picks (their to-read marks too: one protocol uses them as targets).
- The other users' ratings are split 80/20 (seeded): training uses the 80% and their to-read
  marks; the 20% choose the model's settings and measure star RMSE, with each user's 80% as
  the model's input.
- ``everyone`` groups all ratings and marks the same way, for the model that ships.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

LIKED_STARS = 4  # a rating >= 4 counts as "liked" (metadata.json's liked_stars)
DEFAULT_PICK_STARS = 5  # a plain pick ("I loved it") counts as 5 stars


def liked_weight(stars: np.ndarray) -> np.ndarray:
    """How much each pick counts as liked, the model's ramp below ``LIKED_STARS``:
    clip(stars - (LIKED_STARS - 1), 0, 1), so 4 or 5 stars -> 1, 3 or fewer -> 0, 3.5 -> 0.5,
    padding (0) -> 0. ``layers.liked_weight`` is the same in TensorFlow."""
    return np.clip(stars - (LIKED_STARS - 1), 0.0, 1.0)


@dataclass(frozen=True)
class UserRatings:
    """Ratings grouped by user, CSR style: user i owns rows[indptr[i]:indptr[i+1]]."""

    user_ids: np.ndarray  # [U] int64
    indptr: np.ndarray  # [U + 1] int64
    rows: np.ndarray  # [R] int32, the books' rows
    stars: np.ndarray  # [R] float32, 1..5

    def __len__(self) -> int:
        return len(self.user_ids)

    def of(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.indptr[i], self.indptr[i + 1]
        return self.rows[start:end], self.stars[start:end]

    def owners(self) -> np.ndarray:
        """The user position of each rating, [R] int64."""
        return np.repeat(np.arange(len(self)), np.diff(self.indptr))

    def select(self, keep: np.ndarray) -> UserRatings:
        """The ratings where ``keep`` [R] is true, same users in the same order."""
        counts = np.bincount(self.owners()[keep], minlength=len(self))
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return UserRatings(self.user_ids, indptr, self.rows[keep], self.stars[keep])


@dataclass(frozen=True)
class Split:
    book_ids: np.ndarray  # [N] row -> book_id
    train: UserRatings  # 80% of the training users' ratings
    test: UserRatings  # the other 20%, same users and order as ``train``
    held_out: UserRatings  # every rating of the held-out users
    to_read: sp.csr_matrix  # [len(train), N] 0/1: the training users' to-read marks
    held_out_to_read: sp.csr_matrix  # [len(held_out), N] 0/1: the held-out users' to-read marks


def rows_of(book_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The model row of each book id in ``values`` (all must be in ``book_ids``)."""
    row_of = pd.Series(np.arange(len(book_ids), dtype=np.int32), index=np.asarray(book_ids))
    rows = row_of.reindex(np.asarray(values)).to_numpy()
    if np.isnan(rows.astype(float)).any():
        raise ValueError("a book_id is missing from the catalogue")
    return rows.astype(np.int32)


def marks_matrix(to_read: pd.DataFrame | None, user_ids: np.ndarray, book_ids: np.ndarray) -> sp.csr_matrix:
    """[len(user_ids), N] 0/1 matrix of the to-read marks (user_id, book_id) of ``user_ids``,
    in their order; marks of other users are left out. ``None``: no marks (all zero)."""
    shape = (len(user_ids), len(book_ids))
    if to_read is None or len(to_read) == 0:
        return sp.csr_matrix(shape, dtype=np.float32)
    position = pd.Series(np.arange(len(user_ids)), index=np.asarray(user_ids))
    owner = position.reindex(to_read["user_id"].to_numpy()).to_numpy()
    keep = ~np.isnan(owner.astype(float))
    rows = rows_of(book_ids, to_read["book_id"].to_numpy()[keep])
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (owner[keep].astype(np.int64), rows)), shape=shape
    )
    matrix.data[:] = 1.0  # a duplicated mark counts once
    return matrix


def group_by_user(user_ids: np.ndarray, rows: np.ndarray, stars: np.ndarray) -> UserRatings:
    """Group parallel arrays by user (users sorted by id, each user's ratings in input order)."""
    order = np.argsort(user_ids, kind="stable")
    users_sorted = user_ids[order]
    unique, starts = np.unique(users_sorted, return_index=True)
    indptr = np.append(starts, len(users_sorted)).astype(np.int64)
    return UserRatings(
        unique.astype(np.int64), indptr, rows[order].astype(np.int32), stars[order].astype(np.float32)
    )


def make_split(
    ratings: pd.DataFrame,
    book_ids: np.ndarray,
    seed: int = 42,
    visitor_fraction: float = 0.1,
    test_fraction: float = 0.2,
    to_read: pd.DataFrame | None = None,
) -> Split:
    """Split ``ratings`` (user_id, book_id, rating) into training ratings, test ratings and
    held-out users, and ``to_read`` (user_id, book_id; optional) into the training users' and
    the held-out users' marks. Which users are held out depends on the ratings and the seed
    only."""
    book_ids = np.asarray(book_ids)
    rows = rows_of(book_ids, ratings["book_id"].to_numpy())
    users = ratings["user_id"].to_numpy()
    stars = ratings["rating"].to_numpy().astype(np.float32)

    rng = np.random.default_rng(seed)
    unique_users = np.unique(users)
    n_held_out = int(round(len(unique_users) * visitor_fraction))
    held_out_users = rng.choice(unique_users, size=n_held_out, replace=False)
    is_held_out = np.isin(users, held_out_users)
    is_test = (rng.random(len(users)) < test_fraction) & ~is_held_out
    is_train = ~is_held_out & ~is_test

    train = group_by_user(users[is_train], rows[is_train], stars[is_train])
    test_all = group_by_user(users[is_test], rows[is_test], stars[is_test])
    test = _align(test_all, train.user_ids)
    held_out = group_by_user(users[is_held_out], rows[is_held_out], stars[is_held_out])
    return Split(
        book_ids,
        train,
        test,
        held_out,
        marks_matrix(to_read, train.user_ids, book_ids),
        marks_matrix(to_read, held_out.user_ids, book_ids),
    )


def everyone(
    ratings: pd.DataFrame, book_ids: np.ndarray, to_read: pd.DataFrame | None = None
) -> tuple[UserRatings, sp.csr_matrix]:
    """All ratings grouped by user, and those users' to-read marks: what the shipped model
    is fitted on. Marks of users without a rating have no user to belong to and are left out."""
    book_ids = np.asarray(book_ids)
    rows = rows_of(book_ids, ratings["book_id"].to_numpy())
    stars = ratings["rating"].to_numpy().astype(np.float32)
    grouped = group_by_user(ratings["user_id"].to_numpy(), rows, stars)
    return grouped, marks_matrix(to_read, grouped.user_ids, book_ids)


def _align(ratings: UserRatings, user_ids: np.ndarray) -> UserRatings:
    """Reorder ``ratings`` (users sorted by id, as ``group_by_user`` makes them) to
    ``user_ids`` (users without ratings get an empty slice). Vectorized: one gather."""
    user_ids = np.asarray(user_ids)
    if len(ratings) == 0:
        empty = np.zeros(len(user_ids) + 1, np.int64)
        return UserRatings(user_ids, empty, np.zeros(0, np.int32), np.zeros(0, np.float32))
    at = np.minimum(np.searchsorted(ratings.user_ids, user_ids), len(ratings) - 1)
    taken = np.where(ratings.user_ids[at] == user_ids, np.diff(ratings.indptr)[at], 0)
    indptr = np.concatenate([[0], np.cumsum(taken)]).astype(np.int64)
    # [R'] where each output rating comes from: its user's start there, plus its place in the user
    source = np.repeat(ratings.indptr[:-1][at] - indptr[:-1], taken) + np.arange(indptr[-1])
    return UserRatings(
        user_ids, indptr, ratings.rows[source].astype(np.int32), ratings.stars[source].astype(np.float32)
    )


def hold_out(ratings: UserRatings, fraction: float, seed: int) -> tuple[UserRatings, UserRatings]:
    """Split ``ratings`` at random (seeded) into (kept, held back ``fraction``), same users."""
    held = np.random.default_rng(seed).random(len(ratings.rows)) < fraction
    return ratings.select(~held), ratings.select(held)


def pad_picks(picks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Pad a batch of (rows, stars) picks into [B, L] arrays; padding is row 0 with 0 stars."""
    width = max(1, max((len(r) for r, _ in picks), default=1))
    rows = np.zeros((len(picks), width), np.int32)
    stars = np.zeros((len(picks), width), np.float32)
    for i, (r, s) in enumerate(picks):
        rows[i, : len(r)] = r
        stars[i, : len(s)] = s
    return rows, stars
