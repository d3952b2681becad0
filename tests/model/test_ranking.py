"""Top-k, ties to the lower row, against a full sort; ties at the k-th place included."""

from __future__ import annotations

import numpy as np
import pytest

from model.ranking import top_k, top_k_rows


def full_sort(scores: np.ndarray, k: int) -> np.ndarray:
    """The reference: a stable sort of every score, highest first."""
    return np.argsort(-scores, kind="stable")[:k]


@pytest.mark.parametrize("k", [0, 1, 3, 7, 12, 50])
def test_top_k_is_the_full_sort_even_with_many_ties(k):
    rng = np.random.default_rng(k)
    scores = rng.integers(0, 4, size=12).astype(np.float32)  # 4 values over 12 rows: ties everywhere
    scores[5] = -np.inf
    assert top_k(scores, k).tolist() == full_sort(scores, k).tolist()


def test_ties_at_the_boundary_go_to_the_lower_rows():
    scores = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 2.0])
    assert top_k(scores, 3).tolist() == [5, 1, 2]
    assert top_k_rows(np.stack([scores, scores[::-1]]), 3).tolist() == [[5, 1, 2], [0, 1, 2]]


def test_top_k_rows_is_top_k_of_each_row():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, size=(40, 30)).astype(np.float64)  # boundary ties in most rows
    scores[:, 7] = -np.inf
    smooth = rng.normal(size=(40, 30))  # no ties: the fast path alone
    for matrix in (scores, smooth):
        for k in (1, 4, 30, 31):
            got = top_k_rows(matrix, k)
            assert got.dtype == np.int64 and got.shape == (40, min(k, 30))
            assert got.tolist() == [full_sort(row, k).tolist() for row in matrix]
