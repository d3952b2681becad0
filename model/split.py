"""Seeded splits of the ratings, shared by training and evaluation.

- 10% of users (seeded) are *visitors*: never trained on, used to measure what a new visitor
  gets from their picks.
- The other users' ratings are split 80/20 (seeded): training uses the 80%; the 20% measure
  star RMSE, with each user's 80% as the model's input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIKED_STARS = 4  # a rating >= 4 counts as "liked"


@dataclass(frozen=True)
class UserRatings:
    """Ratings grouped by user, CSR style: user i owns rows[indptr[i]:indptr[i+1]]."""

    user_ids: np.ndarray  # [U] int64
    indptr: np.ndarray  # [U + 1] int64
    rows: np.ndarray  # [R] int32, book_index
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
    book_ids: np.ndarray  # [N] book_index -> book_id
    train: UserRatings  # 80% of the training users' ratings
    test: UserRatings  # the other 20%, same users and order as ``train``
    visitors: UserRatings  # every rating of the held-out users


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
) -> Split:
    """Split ``ratings`` (user_id, book_id, rating) into training ratings, test ratings and visitors."""
    book_ids = np.asarray(book_ids)
    row_of = pd.Series(np.arange(len(book_ids), dtype=np.int32), index=book_ids)
    rows = row_of.reindex(ratings["book_id"].to_numpy()).to_numpy()
    if np.isnan(rows.astype(float)).any():
        raise ValueError("ratings reference a book_id missing from the catalogue")
    users = ratings["user_id"].to_numpy()
    stars = ratings["rating"].to_numpy().astype(np.float32)

    rng = np.random.default_rng(seed)
    unique_users = np.unique(users)
    n_visitors = int(round(len(unique_users) * visitor_fraction))
    visitor_users = rng.choice(unique_users, size=n_visitors, replace=False)
    is_visitor = np.isin(users, visitor_users)
    is_test = (rng.random(len(users)) < test_fraction) & ~is_visitor
    is_train = ~is_visitor & ~is_test

    train = group_by_user(users[is_train], rows[is_train], stars[is_train])
    test_all = group_by_user(users[is_test], rows[is_test], stars[is_test])
    test = _align(test_all, train.user_ids)
    visitors = group_by_user(users[is_visitor], rows[is_visitor], stars[is_visitor])
    return Split(book_ids, train, test, visitors)


def _align(ratings: UserRatings, user_ids: np.ndarray) -> UserRatings:
    """Reorder ``ratings`` to ``user_ids`` (users without ratings get an empty slice)."""
    position = {u: i for i, u in enumerate(ratings.user_ids)}
    chunks_rows, chunks_stars, indptr = [], [], [0]
    for user in user_ids:
        i = position.get(user)
        if i is None:
            indptr.append(indptr[-1])
            continue
        r, s = ratings.of(i)
        chunks_rows.append(r)
        chunks_stars.append(s)
        indptr.append(indptr[-1] + len(r))
    cat = np.concatenate
    return UserRatings(
        np.asarray(user_ids),
        np.asarray(indptr, dtype=np.int64),
        cat(chunks_rows).astype(np.int32) if chunks_rows else np.zeros(0, np.int32),
        cat(chunks_stars).astype(np.float32) if chunks_stars else np.zeros(0, np.float32),
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
