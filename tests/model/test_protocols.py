"""The evaluation's protocols pick the users and targets they say, with known answers."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.protocols import half_given, liked_cases, to_read_cases
from tests.model.ratings import user_ratings

# User 0: 12 liked books and 50 ratings in all; user 1: 9 liked; user 2: 10 liked, 12 ratings.
V = user_ratings(
    {
        0: [(r, 5.0) for r in range(12)] + [(r, 2.0) for r in range(12, 50)],
        1: [(r, 4.0) for r in range(9)],
        2: [(r, 4.0) for r in range(10)] + [(40, 3.0), (41, 1.0)],
    }
)


def test_liked_cases_take_users_with_ten_liked_books_and_split_their_likes():
    picks, targets = liked_cases(V, 5, seed=0)
    assert len(picks) == 2  # user 1 has 9 liked books only
    for (rows, stars), target in zip(picks, targets, strict=True):
        assert len(rows) == 5 and (stars >= 4).all()
        assert set(rows).isdisjoint(target) and len(target) in (7, 5)
    heavy, _ = liked_cases(V, None, seed=0, min_ratings=50, repeats=3)
    assert [len(r) for r, _ in heavy] == [6, 6, 6]  # user 0 only, half of 12, three draws


def test_to_read_cases_use_the_marks_as_targets():
    marks = sp.csr_matrix((np.ones(6), ([0, 0, 0, 0, 0, 2], [60, 61, 62, 63, 64, 60])), shape=(3, 70))
    picks, targets = to_read_cases(V, marks, seed=0)
    assert len(picks) == 1 and targets[0].tolist() == [60, 61, 62, 63, 64]  # user 2 has 1 mark


def test_half_given_partitions_each_users_ratings():
    given, hidden = half_given(V, seed=0)
    assert len(given) == 3
    for i, ((gr, _), (hr, _)) in enumerate(zip(given, hidden, strict=True)):
        rows, _ = V.of(i)
        assert len(gr) == len(rows) // 2 and sorted([*gr, *hr]) == sorted(rows)
    assert len(half_given(V, seed=0, min_ratings=50)[0]) == 1
