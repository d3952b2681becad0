"""Choosing on what readers see (issue 24): the real readers' judge measures the ten cards as
shown (``scoring.arrange``), not the raw ranking.

The rule: among the candidates whose book-level Recall@10 (of the arranged main list, mean over
the check readers' protocols) is above the strongest anchor's (EASE and EASE + to-read, arranged
the same way), the one with the best shown10 (model/shown.py, mean over the same protocols); if
none is above it, the best Recall@10. ``shown_value`` folds both into the one number
``choose.best`` and ``choose.smallest_within`` compare, so every existing choice (and its
tolerance: a larger table or embedding ships only when it wins by more than 0.002 shown10)
follows the rule unchanged.

Balanced's discovery weight is chosen on the trained model for each bucket of how many books
the visitor gave (``choose_discovery``), by shown10 as long as no book fills ranks 11-20 of more
than ``RANKS_SHARE`` of the lists; popular's mirrors balanced by ``POPULAR_STEP``; lesser-known
starts at balanced's and leans per visitor as far as its list needs (scoring.discovery_arrange).
"""

from __future__ import annotations

import logging

import numpy as np

from model import baselines, tables
from model.choose import Judge
from model.discovery import lean, metadata_entry
from model.protocols import Protocol, indicator
from model.shown import K, recall_shown, shown10
from model.shown_eval import Catalogue, arranged, measure

log = logging.getLogger(__name__)

POPULAR_STEP = 1.0  # popular: balanced minus this many neighbor mixes
LESSER_TOP_SHARE = 0.08  # below the 10%, so the report half keeps under it too
# Lesser-known's knees tried, highest first (standard deviations of log ratings_count; the
# 100th most-rated book is at about 3.3, the 700th at 1.7).
LESSER_KNEES = (3.0, 2.5, 2.0, 1.5)
RANKS_SHARE = 0.05  # issue 24: no book at ranks 11-20 of more than 5% of one-pick lists
FEW_PICKS = (1, 2, 3)  # the visitors with fewer picks than the judge's protocols give
HALF_OF_LIKED = "real readers, half of liked"  # model/readers.py reader_protocols
SEED = 24  # the draw of few_pick_protocols' picks
LEAN_GAIN = 0.002  # a bucket leans only when that beats no lean by more than this shown10


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


def few_pick_protocols(protocols_: list[Protocol], seed: int) -> list[Protocol]:
    """Readers giving 1, 2 or 3 books (``FEW_PICKS``), cut from ``protocols_``' half-of-liked
    cases: each gives that many of their picks (a seeded draw), the rest of their liked books
    are the targets. The judge's protocols start at 5 picks; a visitor starts with one."""
    half = next((p for p in protocols_ if p.name == HALF_OF_LIKED), None)
    if half is None:
        return []
    rng = np.random.default_rng(seed)
    out = []
    for n in FEW_PICKS:
        picks, targets = [], []
        for (rows, stars), target in zip(half.picks, half.targets, strict=True):
            order = rng.permutation(len(rows))
            if len(rows) > n:
                picks.append((rows[order[:n]], stars[order[:n]]))
                targets.append(np.sort(np.concatenate([target, rows[order[n:]]])))
        out.append(Protocol(f"real readers, {n} picks (of half of liked)", picks, targets))
    return out


def by_bucket(protocols_: list[Protocol], scored: dict, picks_from) -> list[tuple[Protocol, np.ndarray]]:
    """Every case of ``protocols_`` pooled by its number of picks into the buckets of
    ``picks_from``: per bucket a protocol and its scores [V, N] (``scored``: id(protocol) ->
    scores); a bucket no case falls in has an empty protocol."""
    from model.discovery import bucket

    entry = {"picks_from": list(picks_from)}
    cases = [([], [], []) for _ in picks_from]
    for protocol in protocols_:
        for pick, target, values in zip(protocol.picks, protocol.targets, scored[id(protocol)], strict=True):
            picks, targets, scores = cases[bucket(entry, len(pick[0]))]
            picks.append(pick)
            targets.append(target)
            scores.append(values)
    return [
        (Protocol(f"{low}+ picks", picks, targets), np.asarray(scores))
        for low, (picks, targets, scores) in zip(picks_from, cases, strict=True)
    ]


def bucket_measures(scores: np.ndarray, protocol: Protocol, catalogue: Catalogue) -> tuple:
    """(shown10, ranks 11-20 share, Recall@10) of ``scores`` [V, N] arranged with 20 cards, in one
    pass: the ten cards are the first ten of the twenty (``arrange`` is greedy). The ranks 11-20
    share is the largest share of the lists one book is in at ranks 11-20: a book there whatever
    the picks does not follow them."""
    from collections import Counter

    mains, _ = arranged(scores, protocol, catalogue.table, 2 * K)
    tens = [main[:K] for main in mains]
    counts = Counter(row for main in mains for row in main[K:])
    share = max(counts.values(), default=0) / max(len(mains), 1)
    return (
        shown10(tens, protocol.rows(), protocol.targets, catalogue.keys),
        share,
        recall_shown(tens, protocol.targets),
    )


def choose_discovery(
    model_scores, judge: Judge, protocols_, catalogue: Catalogue, ratings_count, grid, scale: float = 1.0
) -> dict:
    """Discovery weights {setting: one per pick bucket, "lesser_steps": [...], "lesser_knee":
    knee} for the trained model (``model_scores``: protocol -> scores): what
    ``discovery.metadata_entry`` writes to metadata.json.

    Balanced, per bucket of ``discovery.PICKS_FROM`` (``protocols_``' cases pooled by their
    number of picks, with 1-3 picks cut from half of liked): the weight of ``grid`` times
    ``scale`` (the neighbor mix: the scores' scale grows with it) with the best shown10 among
    those that put no book at ranks 11-20 of more than ``RANKS_SHARE`` of the bucket's lists
    (or of no more than the unleaned scores do, when those already break it), and only when it
    beats no lean by more than ``LEAN_GAIN``. If the weights
    together leave the judge's Recall@10 below the anchor's, 0 everywhere. Popular: balanced's
    minus ``POPULAR_STEP`` times ``scale``. Lesser-known starts at balanced's and searches per
    visitor (scoring.discovery_arrange) over ``discovery.LESSER_STEPS`` times ``scale``, past the
    highest of ``LESSER_KNEES`` whose cards are at most ``LESSER_TOP_SHARE`` among the 100
    most-rated over every list (``"lesser_knee"``)."""
    from model.discovery import LESSER_STEPS, PICKS_FROM

    everyone = [*protocols_, *few_pick_protocols(protocols_, SEED)]
    scored = {id(p): np.asarray(model_scores(p), np.float64) for p in everyone}
    entry = metadata_entry(ratings_count, {"popular": 0.0, "balanced": 0.0, "lesser-known": 0.0})
    weights = sorted({float(g) * scale for g in grid} | {0.0})
    balanced = []
    for low, (protocol, scores) in zip(PICKS_FROM, by_bucket(everyone, scored, PICKS_FROM), strict=True):
        if not protocol.picks:
            balanced.append(0.0)
            continue
        found = {}
        for weight in weights:
            found[weight] = bucket_measures(lean(scores, entry, weight, entry["knee"]), protocol, catalogue)
        limit = max(RANKS_SHARE, found[0.0][1])
        allowed = [w for w in weights if found[w][1] <= limit]
        chosen = max(allowed, key=lambda w: (found[w][0], -abs(w)))
        if found[chosen][0] <= found[0.0][0] + LEAN_GAIN:  # noise does not move the lean
            chosen = 0.0
        log.info(
            "discovery weight (balanced) for %d+ picks (%d lists) by shown10 / ranks 11-20 share / "
            "Recall@10: %s -> %s",
            low,
            len(protocol.picks),
            ", ".join(f"{w:g}: {a:.4f}/{b:.1%}/{c:.4f}" for w, (a, b, c) in found.items()),
            chosen,
        )
        balanced.append(chosen)

    def scorer(p, weights_=tuple(balanced)):
        from model.discovery import bucket

        values = scored[id(p)].copy()
        for i, (rows, _) in enumerate(p.picks):
            values[i] = lean(values[i], entry, weights_[bucket(entry, len(rows))], entry["knee"])
        return values

    if any(balanced) and judge.measure(scorer)[0] < 0:  # below the anchor's Recall@10
        log.info("discovery: the weights %s leave Recall@10 below the anchor's: no lean", balanced)
        balanced = [0.0] * len(balanced)
    chosen = {
        "popular": [w - POPULAR_STEP * scale for w in balanced],
        "balanced": balanced,
        "lesser-known": balanced,
        "lesser_steps": [step * scale for step in LESSER_STEPS],
    }
    for knee in LESSER_KNEES:  # the highest knee first: the fewest books moved
        trial = metadata_entry(ratings_count, {**chosen, "lesser_knee": knee})
        top = lists = 0.0
        for protocol in everyone:
            got = measure(scored[id(protocol)], protocol, catalogue, trial, "lesser-known")
            top += got["among_100_most_rated"] * len(protocol.picks)
            lists += len(protocol.picks)
        share = top / max(lists, 1.0)
        log.info("discovery: lesser-known past knee %.1f: %.1f%% of cards in the top 100", knee, 100 * share)
        if share <= LESSER_TOP_SHARE:
            break
    return {**chosen, "lesser_knee": knee}


def _fmt(means: dict) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in means.items())


def readers_shown_judge(data, check, cfg) -> Judge:
    """The judge model.train chooses by on the ``check`` readers (``data``: fit.FitData with
    a ``catalogue``): their four protocols, the anchors fitted on ``data``'s goodbooks part."""
    from model.readers import reader_protocols

    protocols_ = reader_protocols(check, cfg.seed + 7)
    gram = tables.grams(data.ratings, data.to_read, data.num_books, 0.0)
    floor = anchor_floor(gram.at, data.num_books, protocols_, data.catalogue)
    return shown_judge(protocols_, data.catalogue, floor)
