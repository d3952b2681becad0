"""model.evaluate's pure parts with known answers: the anchors' input and the margins."""

from __future__ import annotations

import numpy as np

from model.evaluate import SHELF, indicator, margins


def test_the_anchors_take_the_liked_picks_only():
    picks = [(np.array([0, 2, 3]), np.array([5.0, 3.0, 4.0])), (np.array([1]), np.array([1.0]))]
    assert indicator(picks, 4).toarray().tolist() == [[1, 0, 0, 1], [0, 0, 0, 0]]


def test_margins_are_against_the_best_anchor_never_a_reference_row():
    ranking = [
        {"protocol": "p", "model": SHELF, "recall@10": 0.50},
        {"protocol": "p", "model": "EASE (lambda=500)", "recall@10": 0.40},
        {"protocol": "p", "model": "EASE + 0.5 x to-read (lambda=500)", "recall@10": 0.45},
        {"protocol": "p", "model": "EASE + 0.5 x to-read + readers (reference)", "recall@10": 0.49},
        {"protocol": "p", "model": "item-kNN (cosine)", "recall@10": 0.60},
        {"protocol": "w", "model": SHELF, "recall@10": 0.1, "weighted_recall@10": 0.30},
        {"protocol": "w", "model": "EASE (lambda=500)", "recall@10": 0.2, "weighted_recall@10": 0.25},
    ]
    result = margins(ranking)
    assert result.keys() == {"p", "w"}
    assert np.isclose(result["p"], 0.05) and np.isclose(result["w"], 0.05)
