"""The settings the split fit chooses on validation users, and the rule it chooses by.

Validation users are training users: their 80% gives the picks (5 random liked books), their
held-back 20% the targets (liked books never fitted on). Two sets of them:
- *plain*: users with >= 10 liked books in their 80%; Recall@10 as in the evaluation;
- *real traffic*: of those, the ones with >= ``heavy_min_ratings`` ratings, whose books look
  like real readers' (model/popularity.py), each target weighted by ``traffic_weights``.
The rule: among the candidates within ``plain_tolerance`` of the best plain Recall@10, the one
with the best real-traffic Recall@10. Real visitors are what the site is for; the plain
protocol measures this copy's own sampling of popular books, and may lose only a little.
The real-traffic set exists only where the ratings were sampled per book (the first release;
``popularity.validation_weights``): where they follow popularity the plain users are real
traffic and plain Recall@10 is the one measure. An extra knob (the popularity gamma) moves off
its simplest value only when it gains more than a tolerance (``best``'s ``simpler``, ``gain``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from model.metrics import recall_of_top, weighted_recall_of_top
from model.popularity import shift_strength
from model.protocols import Protocol
from model.ranking import top_k_excluding, top_k_sparse
from model.split import LIKED_STARS, Split, liked_weight, pad_picks
from model.tables import neighbor_matrix

log = logging.getLogger(__name__)


def validation_recall(validation: Protocol, scores) -> float:
    """Recall@10 of ``scores`` [V, N] (dense, or sparse when only the stored entries score),
    weighted when the validation users have weights; 0 without validation users."""
    if not validation.picks:
        return 0.0
    if sp.issparse(scores):
        top = top_k_sparse(scores, validation.rows(), 10)
    else:
        top = top_k_excluding(scores, validation.rows(), 10)
    if validation.weights is None:
        return recall_of_top(top, validation.targets)
    return weighted_recall_of_top(top, validation.targets, validation.weights)


def validation_sets(
    split: Split, weights: np.ndarray | None, heavy_min_ratings: int, max_users: int, seed: int
) -> tuple[Protocol, Protocol | None]:
    """(plain, real traffic) validation sets of at most ``max_users`` training users each, drawn
    at random; real traffic is None when no training user has ``heavy_min_ratings`` ratings,
    or without ``weights`` (popularity.validation_weights: the plain users are real traffic)."""
    rng = np.random.default_rng(seed + 4)
    totals = np.diff(split.train.indptr) + np.diff(split.test.indptr)
    plain, heavy = [], []
    # Users in a seeded random order, not by id: a file's ids may be ordered by where its users
    # came from (the full-size stand-in's copied readers all come after the first release's).
    for i in np.random.default_rng(seed + 6).permutation(len(split.train)):
        if len(plain) >= max_users and (weights is None or len(heavy) >= max_users):
            break  # both sets are full (the later release has 10x the users to walk)
        rows, stars = split.train.of(i)
        test_rows, test_stars = split.test.of(i)
        liked = stars >= LIKED_STARS
        held = test_rows[test_stars >= LIKED_STARS]
        if liked.sum() < 10 or len(held) == 0:
            continue
        chosen = rng.choice(int(liked.sum()), size=5, replace=False)
        case = ((rows[liked][chosen], stars[liked][chosen]), held)
        if len(plain) < max_users:
            plain.append(case)
        if weights is not None and totals[i] >= heavy_min_ratings and len(heavy) < max_users:
            heavy.append(case)

    def build(name, cases, w):
        return Protocol(name, [c[0] for c in cases], [c[1] for c in cases], w)

    if not plain:
        log.warning("no validation users with 10 liked books: every setting keeps its first candidate")
    return build("plain validation", plain, None), (
        build("real-traffic validation", heavy, weights) if heavy else None
    )


def vote_scores(validation: Protocol, neighbor_rows, neighbor_weights, num_books: int) -> sp.csr_matrix:
    """Sparse [V, N] neighbor votes of each validation user's liked picks
    (layers.NeighborScores with mix 1 and no shift)."""
    owner = np.repeat(np.arange(len(validation.picks)), [len(r) for r, _ in validation.picks])
    rows = np.concatenate([r for r, _ in validation.picks] + [np.zeros(0, np.int32)])
    liked = liked_weight(np.concatenate([s for _, s in validation.picks] + [np.zeros(0)]))
    picks = sp.csr_matrix((liked, (owner, rows)), shape=(len(validation.picks), num_books))
    return (picks @ neighbor_matrix(neighbor_rows, neighbor_weights)).tocsr()


def shifted(votes: sp.csr_matrix, validation: Protocol, ratios: np.ndarray, gamma: float) -> sp.csr_matrix:
    """``votes`` (``vote_scores``) times each validation user's popularity shift exp(strength * ratios[j]),
    as layers.NeighborScores computes it."""
    rows, stars = pad_picks(validation.picks)
    strength = shift_strength(liked_weight(stars), rows, ratios, gamma)  # [V]
    out = votes.tocsr(copy=True)
    owner = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
    out.data = out.data * np.exp(strength[owner] * ratios[out.indices])
    return out


def measure(plain: Protocol, traffic: Protocol | None, scorer) -> tuple[float, float]:
    """(plain Recall@10, real-traffic Recall@10) of ``scorer(validation) -> scores``; without a
    real-traffic set, plain Recall@10 twice (the plain users are what there is)."""
    plain_recall = validation_recall(plain, scorer(plain))
    return plain_recall, (validation_recall(traffic, scorer(traffic)) if traffic else plain_recall)


@dataclass(frozen=True)
class Judge:
    """Who a choice is measured on and how: ``protocols`` (each scored by ``scorer(protocol)``),
    ``measure(scorer) -> (primary, secondary)`` and the ``tolerance`` of ``best``."""

    protocols: list[Protocol]
    measure: Callable
    tolerance: float
    label: str = "validation Recall@10 (plain/real traffic)"


def split_judge(plain: Protocol, traffic: Protocol | None, tolerance: float) -> Judge:
    """The split's validation users: plain Recall@10, then real traffic (``best``'s rule);
    without a real-traffic set, plain Recall@10 alone."""
    return Judge(
        [v for v in (plain, traffic) if v],
        lambda scorer: measure(plain, traffic, scorer),
        tolerance,
        Judge.label if traffic else "plain validation Recall@10",
    )


def readers_judge(protocols_: list[Protocol]) -> Judge:
    """Real readers: the mean Recall@10 over their protocols, the best one wins."""

    def mean_recall(scorer):
        value = float(np.mean([validation_recall(p, scorer(p)) for p in protocols_])) if protocols_ else 0.0
        return value, value

    return Judge(protocols_, mean_recall, 0.0, "real readers' mean Recall@10")


def best(
    candidates: dict,
    tolerance: float,
    what: str,
    label: str = Judge.label,
    simpler=None,
    gain: float = 0.0,
):
    """The key of ``candidates`` {key: (plain, traffic)} the rule picks: among those within
    ``tolerance`` of the best plain, the best traffic (first on ties, so the first candidate
    when there are no validation users).

    With ``simpler`` (key -> how far a candidate moves from the simplest model, e.g. its
    popularity gamma), the least ``simpler`` among those within ``gain`` of that best traffic,
    then the best traffic: an extra knob moves off its simplest value only when that beats
    every simpler value by more than ``gain``, so a flat measure keeps the simpler model.
    """
    top_plain = max(plain for plain, _ in candidates.values())
    eligible = [key for key, (plain, _) in candidates.items() if plain >= top_plain - tolerance]
    top = max(candidates[key][1] for key in eligible)
    near = [key for key in eligible if candidates[key][1] >= top - gain]
    cost = simpler or (lambda key: 0.0)
    chosen = min(near, key=lambda key: (cost(key), -candidates[key][1]))
    table = ", ".join(f"{key}: {p:.4f}/{t:.4f}" for key, (p, t) in candidates.items())
    if all(p == t for p, t in candidates.values()):  # one measure (real readers, plain alone)
        table = ", ".join(f"{key}: {p:.4f}" for key, (p, _) in candidates.items())
    log.info("%s by %s: %s -> %s", what, label, table, chosen)
    return chosen


def smallest_within(candidates: dict, tolerance: float, what: str, label: str = Judge.label) -> int:
    """The smallest size of ``candidates`` {size: (primary, secondary)} whose primary is within
    ``tolerance`` of the best: the phone downloads the model, so a larger size ships only when
    it wins by more than ``tolerance``. ``best``'s rule with the size as its ``simpler`` and no
    bound on the secondary measure."""
    return best(candidates, tolerance, what, label, simpler=lambda size: size, gain=math.inf)
