"""Top-k, ties to the lower row: the one order every ranked list of Shelf is given in; and
unit-length rows, what every cosine ranking is computed on.

Suggestions, nearest books and neighbor lists all put the highest score first and, between
equal scores, the lower row first, so that every stage (and the browser) lists the same
books in the same order. numpy only: the explorer and the site build import it too.
"""

from __future__ import annotations

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` [n, d] with each row scaled to unit length, in their dtype; a zero row stays
    zero. The one copy in model/ and explorer/; server/catalogue.py keeps its own (the server
    imports numpy, never model/)."""
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def top_k(scores: np.ndarray, k: int, exclude=None) -> np.ndarray:
    """int64 [min(k, n)]: the rows of the ``k`` highest of ``scores`` [n], best first.

    Between equal scores the lower row comes first; a score of -inf is ranked last. Rows in
    ``exclude`` (a visitor's own books) are never returned, so fewer than k may come back.
    """
    scores = np.asarray(scores)
    if exclude is not None and len(exclude):
        exclude = np.unique(np.asarray(exclude, np.int64))
        scores = scores.astype(np.float64, copy=True)
        scores[exclude] = -np.inf
        k = min(int(k), len(scores) - len(exclude))
    k = min(int(k), len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    candidates = np.arange(len(scores))
    if k < len(scores):
        # Every row scoring at least the k-th highest score, ties at the boundary included.
        kth = np.partition(-scores, k - 1)[k - 1]
        candidates = np.flatnonzero(-scores <= kth)
    order = np.lexsort((candidates, -scores[candidates]))[:k]
    return candidates[order].astype(np.int64)


def top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """int64 [num_rows, min(k, n)]: ``top_k`` of each row of ``scores`` [num_rows, n].

    One ``argpartition`` for the whole matrix; the rare row where it had to choose among
    scores tied at the k-th place is redone by ``top_k``, so ties always go to the lower row.
    """
    scores = np.asarray(scores)
    k = min(int(k), scores.shape[1])
    if k <= 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64)
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]  # [num_rows, k], unordered
    top_scores = np.take_along_axis(scores, top, axis=1)
    top = np.take_along_axis(top, np.lexsort((top, -top_scores), axis=1), axis=1)
    kth = np.take_along_axis(scores, top[:, -1:], axis=1)  # [num_rows, 1]: the k-th score
    chosen_at_kth = (np.take_along_axis(scores, top, axis=1) == kth).sum(axis=1)
    for row in np.flatnonzero((scores == kth).sum(axis=1) > chosen_at_kth):
        top[row] = top_k(scores[row], k)
    return top.astype(np.int64)


def top_k_excluding(scores: np.ndarray, exclude: list[np.ndarray], k: int) -> np.ndarray:
    """``top_k_rows`` of ``scores`` [V, n] with each row's ``exclude`` rows never returned
    (k must leave room: k <= n - len(exclude[i]))."""
    masked = np.array(scores, np.float32, copy=True)
    for i, rows in enumerate(exclude):
        masked[i, rows] = -np.inf
    return top_k_rows(masked, k)


def top_k_sparse(scores, exclude: list[np.ndarray], k: int) -> list[np.ndarray]:
    """The top k rows of each row of a sparse [V, n] matrix among its stored positive entries
    (``exclude`` rows never; ties to the lower row); fewer when fewer entries are positive.
    For scores that are votes: a visitor's unvoted books need not be ranked."""
    scores = scores.tocsr()
    out = []
    for i, excluded in enumerate(exclude):
        start, end = scores.indptr[i], scores.indptr[i + 1]
        rows, values = scores.indices[start:end], scores.data[start:end]
        keep = (values > 0) & ~np.isin(rows, excluded)
        rows, values = rows[keep], values[keep]
        out.append(rows[np.lexsort((rows, -values))[:k]].astype(np.int64))
    return out
