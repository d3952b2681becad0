"""Ranking and rating metrics. Rankings follow model/ranking.py: the k highest scores,
the user's picks excluded, ties to the lower row."""

from __future__ import annotations

import numpy as np

K = 10


def recall_ndcg_of_top(top: np.ndarray, targets: list[np.ndarray], k: int = K) -> tuple[float, float]:
    """Mean Recall@k and NDCG@k of each user's top rows [V, k]."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ndcgs = []
    for i, target in enumerate(targets):
        hits = np.isin(top[i], target)
        ndcgs.append((hits * discounts).sum() / discounts[: min(k, len(target))].sum())
    return recall_of_top(top, targets, k), float(np.mean(ndcgs))


def recall_of_top(top, targets: list[np.ndarray], k: int = K) -> float:
    """Mean Recall@k of each user's top rows (at most k): hits / min(k, |targets|)."""
    hits = [np.isin(t, target).sum() / min(k, len(target)) for t, target in zip(top, targets, strict=True)]
    return float(np.mean(hits))


def weighted_recall_of_top(top, targets: list[np.ndarray], weights: np.ndarray) -> float:
    """The share of all users' target weight found in their top rows: the sum of the
    weights of the hits over the sum of the weights of the targets (``weights`` [N] per book)."""
    found = total = 0.0
    for t, target in zip(top, targets, strict=True):
        w = weights[target]
        found += float(w[np.isin(target, t)].sum())
        total += float(w.sum())
    return found / total if total > 0 else 0.0


def rmse(predicted, truth) -> float:
    """Root mean squared error of two equally long sequences of stars."""
    diff = np.asarray(predicted, np.float64) - np.asarray(truth, np.float64)
    return float(np.sqrt(np.mean(diff**2)))
