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
"""

from __future__ import annotations

import numpy as np

SETTINGS = ("popular", "balanced", "lesser-known")
DEFAULT = "balanced"
# Without real readers to choose on (model/choose_shown.py): no lean by default.
DEFAULT_WEIGHTS = {"popular": -5.0, "balanced": 0.0, "lesser-known": 5.0}
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


def discovery_scores(scores: np.ndarray, discovery: dict, setting: str = DEFAULT) -> np.ndarray:
    """float64 ``scores`` [..., N] re-scored for ``setting``: ``scores - weight *
    max(popularity / scale - knee, 0)`` with ``discovery`` metadata.json's entry (``weights``
    per setting, ``popularity`` per row, ``scale``, ``knee``). ``discoveryScores`` in
    web/js/rank.js."""
    weight = float(discovery["weights"][check_setting(setting)])
    popularity_ = np.asarray(discovery["popularity"], np.float64) / float(discovery["scale"])
    shift = weight * np.maximum(popularity_ - float(discovery["knee"]), 0.0)
    return np.asarray(scores, np.float64) - shift


def metadata_entry(ratings_count: np.ndarray, weights: dict) -> dict:
    """metadata.json's ``discovery``: the settings, the default, each one's weight and the
    books' popularity (``popularity``), rows in metadata order."""
    return {
        "settings": list(SETTINGS),
        "default": DEFAULT,
        "weights": {s: float(weights[s]) for s in SETTINGS},
        "scale": SCALE,
        "knee": KNEE,
        "popularity": popularity(ratings_count).tolist(),
    }
