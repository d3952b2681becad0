"""The split's grouping: vectorized, and equal to the plain per-user answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.split import _align, everyone, group_by_user, make_split


def test_align_matches_a_per_user_loop():
    rng = np.random.default_rng(1)
    users = rng.integers(0, 40, size=500)
    grouped = group_by_user(users, rng.integers(0, 60, size=500), rng.integers(1, 6, size=500))
    wanted = np.concatenate([rng.permutation(np.arange(-5, 50)), [7, 7]])  # unknown users, a repeat
    got = _align(grouped, wanted)
    assert got.user_ids.tolist() == wanted.tolist()
    for i, user in enumerate(wanted):
        where = np.flatnonzero(grouped.user_ids == user)
        rows, stars = grouped.of(int(where[0])) if len(where) else (np.zeros(0), np.zeros(0))
        assert got.of(i)[0].tolist() == rows.tolist()
        assert got.of(i)[1].tolist() == stars.tolist()
    assert got.rows.dtype == np.int32 and got.stars.dtype == np.float32


@pytest.mark.parametrize("grouped_users", [[], [3]])
def test_align_with_few_users(grouped_users):
    n = len(grouped_users)
    grouped = group_by_user(np.array(grouped_users, np.int64), np.arange(n), np.full(n, 4))
    got = _align(grouped, np.array([1, 3]))
    assert np.diff(got.indptr).tolist() == [0, n]


def test_split_keeps_every_rating_once():
    rng = np.random.default_rng(2)
    ratings = pd.DataFrame(
        {
            "user_id": rng.integers(0, 300, 5000),
            "book_id": rng.integers(1, 61, 5000),
            "rating": rng.integers(1, 6, 5000),
        }
    ).drop_duplicates(["user_id", "book_id"])
    book_ids = np.arange(1, 61)
    split = make_split(ratings, book_ids, seed=3)
    assert len(split.train.rows) + len(split.test.rows) + len(split.held_out.rows) == len(ratings)
    assert split.test.user_ids.tolist() == split.train.user_ids.tolist()
    grouped, _ = everyone(ratings, book_ids)
    assert len(grouped.rows) == len(ratings)
