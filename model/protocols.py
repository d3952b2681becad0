"""The evaluation's protocols: which held-out users give which picks, and which books are the
targets (users stand in for visitors: they were never trained on).

Each protocol is a list of users' picks (rows, stars) and their target rows (see
model/evaluate.py for what is measured on them, docs/MODEL.md for why these protocols).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from model.split import LIKED_STARS, Split, UserRatings


@dataclass(frozen=True)
class Protocol:
    """Users' picks (rows, stars) and targets; ``weights`` [N] for weighted Recall@10. The
    evaluation's protocols (below) and the split fit's validation users (model/choose.py)."""

    name: str
    picks: list[tuple[np.ndarray, np.ndarray]]
    targets: list[np.ndarray]
    weights: np.ndarray | None = None

    def rows(self) -> list[np.ndarray]:
        return [rows for rows, _ in self.picks]


def liked_cases(
    users: UserRatings, n_picks: int | None, seed: int, min_ratings: int = 0, repeats: int = 1
) -> tuple[list, list]:
    """Per user with >= 10 liked books (and >= ``min_ratings`` ratings), ``repeats`` times:
    (picked rows, picked stars) and the other liked rows. n_picks=None picks half of them."""
    rng = np.random.default_rng(seed)
    picks, targets = [], []
    for _ in range(repeats):
        for i in range(len(users)):
            rows, stars = users.of(i)
            liked = np.flatnonzero(stars >= LIKED_STARS)
            if len(liked) < 10 or len(rows) < min_ratings:
                continue
            size = n_picks if n_picks is not None else len(liked) // 2
            order = rng.permutation(liked)
            picks.append((rows[order[:size]], stars[order[:size]]))
            targets.append(rows[order[size:]])
    return picks, targets


def to_read_cases(users: UserRatings, marks: sp.csr_matrix, seed: int) -> tuple[list, list]:
    """Users with >= 5 liked books and >= 5 to-read marks: 5 liked picks, the marks as targets."""
    rng = np.random.default_rng(seed)
    picks, targets = [], []
    for i in range(len(users)):
        rows, stars = users.of(i)
        liked = np.flatnonzero(stars >= LIKED_STARS)
        marked = marks.indices[marks.indptr[i] : marks.indptr[i + 1]]
        if len(liked) < 5 or len(marked) < 5:
            continue
        chosen = rng.permutation(liked)[:5]
        picks.append((rows[chosen], stars[chosen]))
        targets.append(np.setdiff1d(marked, rows[chosen]))
    return picks, targets


def protocols(split: Split, weights: np.ndarray, heavy_min_ratings: int, seed: int) -> list[Protocol]:
    """The ranking protocols of the module docstring (to-read only when there are marks)."""
    out = [
        Protocol("5 picks", *liked_cases(split.held_out, 5, seed)),
        Protocol("half of liked", *liked_cases(split.held_out, None, seed + 10)),
        Protocol(
            "real traffic, 5 picks",
            *liked_cases(split.held_out, 5, seed + 20, heavy_min_ratings, repeats=3),
            weights,
        ),
        Protocol(
            "real traffic, half of liked",
            *liked_cases(split.held_out, None, seed + 30, heavy_min_ratings),
            weights,
        ),
    ]
    if split.held_out_to_read.nnz:
        out.append(
            Protocol("to-read targets", *to_read_cases(split.held_out, split.held_out_to_read, seed + 40))
        )
    return [p for p in out if p.picks]


def half_given(users: UserRatings, seed: int, min_ratings: int = 2):
    """Each user with >= ``min_ratings`` ratings gives half of them (rows, stars); the other
    half is hidden: (given, hidden) lists."""
    rng = np.random.default_rng(seed)
    given, hidden = [], []
    for i in range(len(users)):
        r, s = users.of(i)
        if len(r) < max(2, min_ratings):
            continue
        order = rng.permutation(len(r))
        half = len(r) // 2
        given.append((r[order[:half]], s[order[:half]]))
        hidden.append((r[order[half:]], s[order[half:]]))
    return given, hidden


def indicator(picks: list[tuple[np.ndarray, np.ndarray]], num_books: int) -> sp.csr_matrix:
    """[V, N] sparse 0/1 matrix of the liked picks (sparse: a product with it sums a few rows).
    The anchors are fitted on likes, so a liked pick is what they take."""
    rows = [r[s >= LIKED_STARS] for r, s in picks]
    owner = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    cols = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    return sp.csr_matrix((np.ones(len(cols), np.float32), (owner, cols)), shape=(len(rows), num_books))
