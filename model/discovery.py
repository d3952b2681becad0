"""The discovery setting: "popular", "balanced" (the default) or "lesser-known", a pure
re-scoring of the model's ranking scores before ``scoring.arrange``.

The scores are softmax logits (model/low_rank.py), so subtracting ``weight * excess[j]``
divides a book's probability by a power of how widely it is read: a positive weight leans to
lesser-known books, a negative one to the most-read. ``popularity`` is each book's
Goodreads-wide ``ratings_count`` as a z-score of its log, stored in tenths as small integers
(``SCALE``) so metadata.json carries 10,000 of them compactly; ``excess`` is how far it is past
``KNEE`` standard deviations (0 below): only the head of the catalogue moves, so lesser-known
swaps the bestsellers for the next-best books instead of reaching for the least-rated ones (on
the check readers a slope over the whole catalogue cost 30% of shown10 to bring the 100
most-rated below 12% of the cards; past the knee, 8% of shown10 for 8% of the cards). Python
and the page compute the same float64 ``weight * max(popularity / SCALE - knee, 0)``. The
weights are chosen on the check readers (model/choose_shown.py) and written to metadata.json's
``discovery`` by the export; the page (``discoveryScores`` in web/js/rank.js) and
``model.recommend`` read them there.

A setting's weight depends on how many books the visitor gave (``picks_from``: the fewest picks
of each bucket): with one pick the model knows little, and the lean that serves a reader best
differs from one with ten picks. ``weights[setting]`` is a list, one weight per bucket (a single
number, as an older metadata.json has it, serves every bucket). Lesser-known is chosen per
visitor at ranking time (``scoring.discovery_arrange``): the first of its ``lesser_known``
``steps`` past its bucket's weight that leaves at most ``at_most`` of the ten cards among the
100 most-rated books (``most_rated``), so each list leans only as far as it needs to; it leans
past its own knee (``lesser_known.knee``, chosen on the check readers): the fewer books it moves,
the more of the model's ranking it keeps.
"""

from __future__ import annotations

import numpy as np

SETTINGS = ("popular", "balanced", "lesser-known")
DEFAULT = "balanced"
# Without real readers to choose on (model/choose_shown.py): no lean by default.
DEFAULT_WEIGHTS = {"popular": -5.0, "balanced": 0.0, "lesser-known": 5.0}
PICKS_FROM = (1, 2, 4, 8)  # the buckets of how many books a visitor gave: 1, 2-3, 4-7, 8+
# Lesser-known's steps past its bucket's weight, in the scores' units (the export scales them by
# the neighbor mix as the weights are); the last is used when none clears the head.
LESSER_STEPS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0)
LESSER_AT_MOST = 1  # of the ten cards, among the 100 most-rated (issue 24: at most 10%)
SCALE = 10  # popularity is stored in tenths of a standard deviation of log(ratings_count + 1)
KNEE = 1.5  # standard deviations: the head (about the 700 most-rated books) is what moves


class DiscoveryError(ValueError):
    """A discovery value outside ``SETTINGS``."""


def check_setting(setting) -> str:
    """``setting`` if it is one of ``SETTINGS``; otherwise DiscoveryError naming them."""
    if not isinstance(setting, str) or setting not in SETTINGS:
        allowed = ", ".join(f'"{s}"' for s in SETTINGS)
        raise DiscoveryError(f'"discovery" must be one of {allowed}')
    return setting


def popularity(ratings_count: np.ndarray) -> np.ndarray:
    """int16 [N]: each book's log(ratings_count + 1) as a z-score, in tenths (``SCALE``)."""
    logs = np.log1p(np.maximum(np.asarray(ratings_count, np.float64), 0.0))
    z = (logs - logs.mean()) / max(float(logs.std()), 1e-12)
    return np.clip(np.round(z * SCALE), -999, 999).astype(np.int16)


def bucket(discovery: dict, num_picks: int) -> int:
    """The index of the pick-count bucket ``num_picks`` falls in (``picks_from``; fewer than the
    first bound, as an empty shelf, counts as the first). ``discoveryBucket`` in web/js/rank.js."""
    bounds = discovery.get("picks_from", [1])
    return max([0, *(i for i, low in enumerate(bounds) if num_picks >= low)])


def discovery_weight(discovery: dict, setting: str, num_picks: int = 1) -> float:
    """``setting``'s weight for a visitor with ``num_picks`` picks (one number: every bucket)."""
    weight = discovery["weights"][check_setting(setting)]
    if isinstance(weight, list):
        weight = weight[min(bucket(discovery, num_picks), len(weight) - 1)]
    return float(weight)


def knee_of(discovery: dict, setting: str) -> float:
    """The knee ``setting`` leans past: lesser-known's own (``lesser_known.knee``) when the entry
    has one, else the entry's ``knee``."""
    search = discovery.get("lesser_known")
    if setting == "lesser-known" and search is not None and "knee" in search:
        return float(search["knee"])
    return float(discovery["knee"])


def lean(scores: np.ndarray, discovery: dict, weight: float, knee: float) -> np.ndarray:
    """float64 ``scores - weight * max(popularity / scale - knee, 0)``."""
    popularity_ = np.asarray(discovery["popularity"], np.float64) / float(discovery["scale"])
    shift = weight * np.maximum(popularity_ - knee, 0.0)
    return np.asarray(scores, np.float64) - shift


def discovery_scores(
    scores: np.ndarray, discovery: dict, setting: str = DEFAULT, num_picks: int = 1
) -> np.ndarray:
    """float64 ``scores`` [..., N] re-scored for ``setting`` and a visitor with ``num_picks``
    picks: ``scores - weight * max(popularity / scale - knee, 0)`` with ``discovery``
    metadata.json's entry (``weights`` per setting and pick bucket, ``popularity`` per row,
    ``scale``, ``knee``; lesser-known's own knee). For lesser-known this is the first step of its
    per-visitor search (``scoring.discovery_arrange``). ``discoveryScores`` in web/js/rank.js."""
    weight = discovery_weight(discovery, setting, num_picks)
    return lean(scores, discovery, weight, knee_of(discovery, setting))


def metadata_entry(ratings_count: np.ndarray, weights: dict) -> dict:
    """metadata.json's ``discovery``: the settings, the default, each one's weight per pick
    bucket (``weights``: {setting: a number or one per ``PICKS_FROM`` bucket}), lesser-known's
    per-visitor search (``lesser_known``: its ``steps`` past the bucket's weight, ``at_most``
    cards of the ten among ``most_rated``, the rows of the 100 most-rated, and its own ``knee``)
    and the books' popularity (``popularity``), rows in metadata order.
    ``weights["lesser_steps"]`` and ``weights["lesser_knee"]``, when given, are lesser-known's
    steps (model/choose_shown.py scales them as the weights) and knee; else ``LESSER_STEPS``
    and ``KNEE``."""
    from model.shown import most_rated_rows

    def per_bucket(weight):
        values = list(weight) if isinstance(weight, list | tuple) else [weight] * len(PICKS_FROM)
        return [float(w) for w in values]

    return {
        "settings": list(SETTINGS),
        "default": DEFAULT,
        "picks_from": list(PICKS_FROM),
        "weights": {s: per_bucket(weights[s]) for s in SETTINGS},
        "lesser_known": {
            "steps": [float(step) for step in weights.get("lesser_steps", LESSER_STEPS)],
            "at_most": LESSER_AT_MOST,
            "knee": float(weights.get("lesser_knee", KNEE)),
            "most_rated": sorted(int(r) for r in most_rated_rows(np.asarray(ratings_count))),
        },
        "scale": SCALE,
        "knee": KNEE,
        "popularity": popularity(ratings_count).tolist(),
    }
