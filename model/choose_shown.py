"""Choosing on what readers see (issue 24): the real readers' judge measures the ten cards as
shown (``scoring.arrange``), not the raw ranking.

The rule: among the candidates whose book-level Recall@10 (of the arranged main list, mean over
the check readers' protocols) is above the strongest anchor's (EASE and EASE + to-read, arranged
the same way), the one with the best shown10 (model/shown.py, mean over the same protocols); if
none is above it, the best Recall@10. ``shown_value`` folds both into the one number
``choose.best`` and ``choose.smallest_within`` compare, so every existing choice (and its
tolerance: a larger table or embedding ships only when it wins by more than 0.002 shown10)
follows the rule unchanged.

Balanced's discovery weight is chosen the same way on the trained model; lesser-known's is
the smallest weight of its grid whose cards are at most ``LESSER_TOP_SHARE`` among the 100
most-rated books on the check readers; popular's mirrors balanced by ``POPULAR_STEP``.
"""

from __future__ import annotations

import logging

import numpy as np

from model import baselines, tables
from model.choose import Judge
from model.discovery import discovery_scores, metadata_entry
from model.protocols import Protocol, indicator
from model.shown_eval import Catalogue, measure

log = logging.getLogger(__name__)

LESSER_TOP_SHARE = 0.08  # below the 10%, so the report half keeps under it too
POPULAR_STEP = 1.0  # popular: balanced minus this many neighbor mixes


def shown_value(shown10: float, recall: float, floor: float) -> float:
    """The one number the rule compares: shown10 (0..1) when ``recall`` is above ``floor``,
    otherwise ``recall - 1`` (negative): every candidate above the floor beats every one below
    it, those above by shown10, those below by Recall@10."""
    return shown10 if recall > floor else recall - 1.0


def arranged_means(scorer, protocols_: list[Protocol], catalogue: Catalogue) -> dict:
    """Mean over ``protocols_`` of ``measure``'s numbers for ``scorer(protocol)`` (dense or
    sparse scores [V, N]; a book with no score ranks below every scored one)."""
    rows = []
    for protocol in protocols_:
        scores = scorer(protocol)
        if hasattr(scores, "toarray"):  # votes: an unvoted book must rank below any voted one
            scores = _dense_votes(scores)
        rows.append(measure(np.asarray(scores, np.float64), protocol, catalogue))
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} if rows else {}


def _dense_votes(votes) -> np.ndarray:
    dense = np.full(votes.shape, -np.inf)
    votes = votes.tocsr()
    owner = np.repeat(np.arange(votes.shape[0]), np.diff(votes.indptr))
    keep = votes.data > 0
    dense[owner[keep], votes.indices[keep]] = votes.data[keep]
    return dense


def shown_judge(protocols_: list[Protocol], catalogue: Catalogue, floor: float) -> Judge:
    """Real readers' judge by the rule of the module docstring (``floor``: ``anchor_floor``)."""

    def judge(scorer):
        means = arranged_means(scorer, protocols_, catalogue)
        if not means:
            return 0.0, 0.0
        value = shown_value(means["shown10"], means["recall@10"], floor)
        return value, value

    return Judge(protocols_, judge, 0.0, f"real readers' shown10 (Recall@10 above {floor:.4f})")


def anchor_floor(gram_of, num_books: int, protocols_: list[Protocol], catalogue: Catalogue) -> float:
    """The strongest anchor's arranged mean Recall@10 on ``protocols_``: EASE on likes and EASE on
    likes + 0.5 x to-read marks (the one the report shows), lambda ``baselines.EASE_LAMBDA``;
    ``gram_of(w)`` the goodbooks gram at to-read weight w (tables.grams(..., 0.0).at)."""

    best_recall = 0.0
    for weight in (0.0, 0.5):
        item_item = tables.ease(gram_of(weight), baselines.EASE_LAMBDA)
        means = arranged_means(
            lambda p, m=item_item: indicator(p.picks, num_books) @ m, protocols_, catalogue
        )
        log.info("anchor EASE + %.1f x to-read, arranged: %s", weight, _fmt(means))
        best_recall = max(best_recall, means.get("recall@10", 0.0))
    return best_recall


def choose_discovery(
    model_scores, judge: Judge, protocols_, catalogue: Catalogue, ratings_count, grid, scale: float = 1.0
) -> dict:
    """Discovery weights {setting: weight} for the trained model (``model_scores``: protocol ->
    scores): balanced by ``judge``'s rule over ``grid`` times ``scale`` (the neighbor mix: the
    scores' scale grows with it); lesser-known the smallest of those weights above balanced's
    whose cards are at most ``LESSER_TOP_SHARE`` among the 100 most-rated (else the largest);
    popular balanced's minus ``POPULAR_STEP`` times ``scale``."""
    from model.choose import best

    scored = {id(p): np.asarray(model_scores(p), np.float64) for p in protocols_}
    entry = metadata_entry(ratings_count, {"popular": 0.0, "balanced": 0.0, "lesser-known": 0.0})
    candidates, shares = {}, {}
    weights = [float(g) * scale for g in grid]
    for weight in weights:
        discovery = {**entry, "weights": {**entry["weights"], "balanced": weight}}

        def scorer(p, d=discovery):
            return discovery_scores(scored[id(p)], d, "balanced")

        candidates[weight] = judge.measure(scorer)
        shares[weight] = arranged_means(scorer, protocols_, catalogue)["among_100_most_rated"]
    balanced = best(candidates, judge.tolerance, "discovery weight (balanced)", judge.label)
    log.info("discovery: cards among the 100 most-rated by weight: %s", shares)
    above = [w for w in sorted(weights) if w > balanced]
    lesser = next((w for w in above if shares[w] <= LESSER_TOP_SHARE), max(weights))
    return {"popular": balanced - POPULAR_STEP * scale, "balanced": balanced, "lesser-known": lesser}


def _fmt(means: dict) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in means.items())


def readers_shown_judge(data, check, cfg) -> Judge:
    """The judge model.train chooses by on the ``check`` readers (``data``: train.FitData with
    a ``catalogue``): their four protocols, the anchors fitted on ``data``'s goodbooks part."""
    from model.readers import reader_protocols

    protocols_ = reader_protocols(check, cfg.seed + 7)
    gram = tables.grams(data.ratings, data.to_read, data.num_books, 0.0)
    floor = anchor_floor(gram.at, data.num_books, protocols_, data.catalogue)
    return shown_judge(protocols_, data.catalogue, floor)
