"""Metrics and the top-k variants they rank with, with known answers."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.metrics import recall_ndcg_of_top, rmse, weighted_recall_of_top
from model.ranking import top_k, top_k_excluding, top_k_sparse


def test_top_k_skips_excluded_rows_and_breaks_ties_to_the_lower_row():
    scores = np.array([0.5, 0.9, 0.5, 0.9, 0.1, 0.5])
    assert top_k(scores, 4).tolist() == [1, 3, 0, 2]
    assert top_k(scores, 4, exclude=[1, 0]).tolist() == [3, 2, 5, 4]
    assert top_k(scores, 10, exclude=[1, 1]).tolist() == [3, 0, 2, 5, 4]  # all that is left


def test_top_k_excluding_agrees_with_top_k_even_with_ties_at_the_cut():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, size=(50, 30)).astype(np.float32)  # many ties
    picks = [rng.choice(30, size=3, replace=False) for _ in range(50)]
    top = top_k_excluding(scores, picks, 5)
    for i in range(50):
        assert top[i].tolist() == top_k(scores[i], 5, exclude=picks[i]).tolist()


def test_top_k_sparse_ranks_the_stored_positive_entries_only():
    votes = sp.csr_matrix(np.array([[0.0, 2.0, 1.0, 2.0, -1.0], [0.0, 0.0, 0.0, 0.0, 3.0]]))
    top = top_k_sparse(votes, [np.array([3]), np.array([], int)], k=3)
    assert top[0].tolist() == [1, 2]  # 3 is a pick, 4 is negative
    assert top[1].tolist() == [4]


def test_recall_ndcg_and_weighted_recall_known_answers():
    scores = np.array([[4.0, 3.0, 2.0, 1.0, 0.0]])
    # k=2, pick 0: the top two are rows 1 and 2; target {2, 4}: one hit of two, at rank 2.
    recall, ndcg = recall_ndcg_of_top(top_k_excluding(scores, [np.array([0])], 2), [np.array([2, 4])], k=2)
    assert recall == 0.5
    assert np.isclose(ndcg, (1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    weights = np.array([1.0, 1.0, 3.0, 1.0, 1.0])
    top = top_k_excluding(scores, [np.array([0])], 2)
    assert weighted_recall_of_top(top, [np.array([2, 4])], weights) == 0.75


def test_rmse():
    assert rmse([1, 2, 3], [1, 2, 5]) == np.sqrt(4 / 3)
