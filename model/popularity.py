"""How this copy of goodbooks under-represents popular books, and what is built on it.

The first goodbooks-10k release kept about 100 ratings per book, and for a popular book it
kept those of its most active raters: Goodreads-wide, The Hunger Games has 4.8M ratings, here
98, all by users with 167-199 ratings here (median 187; for book 9999: 2-101, median 14).
So how often a book is rated here says little about how often real readers read it
(Spearman with ``ratings_count``: 0.37; among real readers' ratings: 0.84). Users with many
ratings here rated the popular books (Spearman 0.6-0.7 with ``ratings_count``, against -0.8
for users with fewer than 10), so they are the ones who look like real traffic. Two things follow:

- ``traffic_weights``: the evaluation's and the validation's real-traffic protocol weighs each
  target book by ``ratings_count ** exponent / heavy count`` (how much more often real readers
  have it than the active raters here). ``exponent`` 0.85 is where the ratio of most-rated to
  EASE matches the one measured on real readers (0.211 / 0.414, see docs and issue 8).
  The validation uses them only on data sampled per book (``validation_weights``): the later
  release kept every rating, so its users are real traffic with nothing to re-weight.
- the popularity shift: the model multiplies its neighbor votes for book j by
  ``exp(strength * log_ratio[j])``, where ``log_ratio[j]``, book j's shift, is
  ``log((ratings_count + 1) / (heavy count + 1))`` centred (a prior-shift correction from this
  copy's distribution towards real readers'). The visitor's shift strength
  ``strength = gamma * clip((m + OFFSET) / SPAN, 0, 1)`` grows with ``m``, the mean shift of the
  visitor's liked picks: a visitor who picks what real readers read gets the full strength
  ``gamma``, one who picks rare books (like most users of this copy) little of it. gamma is chosen on
  validation users (model/choose.py); OFFSET and SPAN put an average pick set (m = 0) at a
  third of it. The shift then fades as the liked picks grow past ``FADE_PICKS``: strength times
  ``clip(FADE_PICKS / n, 0, 1)`` for n liked picks. Five picks say little about a reader, and
  what real readers read is a good prior; a whole imported library says much more than
  popularity does (real readers, issue 15: with the fade the shift gains about 0.01 Recall@10
  with 5 and 10 picks and costs nothing with half of the liked books or an import, where
  without it gamma 0.2 costs 0.007 and 0.011).
"""

from __future__ import annotations

import logging

import numpy as np

from model.release import per_book_shape
from model.split import UserRatings

log = logging.getLogger(__name__)


def heavy_counts(ratings: UserRatings, num_books: int, min_ratings: int) -> np.ndarray:
    """[N] float64: how many ratings each book has from users with >= ``min_ratings`` ratings."""
    counts = np.diff(ratings.indptr)
    heavy = counts[ratings.owners()] >= min_ratings
    return np.bincount(ratings.rows[heavy], minlength=num_books).astype(np.float64)


def traffic_weights(ratings_count: np.ndarray, heavy: np.ndarray, exponent: float) -> np.ndarray:
    """[N] float64 target weights that turn the active raters' book frequencies here into real
    readers' (proportional to ``ratings_count ** exponent``)."""
    return (np.maximum(ratings_count, 1.0) ** exponent) / (heavy + 1.0)


def validation_weights(
    ratings: UserRatings, ratings_count: np.ndarray, heavy: np.ndarray, exponent: float
) -> np.ndarray | None:
    """``traffic_weights`` for the validation's real-traffic set when ``ratings`` were sampled
    per book (the first release); None when their counts per book already follow popularity
    (the later release kept every rating): its users are real traffic, so the plain validation
    set is the real-traffic one and there is no sampling to undo."""
    per_book, median, spread = per_book_shape(np.bincount(ratings.rows, minlength=len(ratings_count)))
    if per_book == "popularity":
        log.info(
            "validation: ratings per book follow popularity (median %.0f, 90th/10th percentile %.1f): "
            "the validation users are real traffic, not re-weighted",
            median,
            spread,
        )
        return None
    log.info(
        "validation: ratings sampled per book (median %.0f, 90th/10th percentile %.1f): a real-traffic "
        "set of users with many ratings, targets weighted towards ratings_count",
        median,
        spread,
    )
    return traffic_weights(ratings_count, heavy, exponent)


OFFSET = 1.0
SPAN = 3.0
FADE_PICKS = 5.0


def log_ratio(ratings_count: np.ndarray, heavy: np.ndarray) -> np.ndarray:
    """[N] float32 each book's shift: ``log((ratings_count + 1) / (heavy + 1))`` minus its mean."""
    ratio = np.log(np.maximum(ratings_count, 0.0) + 1.0) - np.log(heavy + 1.0)
    return (ratio - ratio.mean()).astype(np.float32)


def shift_strength(
    liked: np.ndarray, rows: np.ndarray, ratios: np.ndarray, gamma: float, fade: float = FADE_PICKS
) -> np.ndarray:
    """[V] the shift strength of each of V sets of picks, from their liked weights ``liked``
    [V, L] and rows ``rows`` [V, L] (padding has weight 0): layers.NeighborScores in numpy
    (``fade`` 0: none)."""
    total = liked.sum(axis=1)
    mean = (liked * ratios[rows]).sum(axis=1) / np.maximum(total, 1e-6)
    strength = gamma * np.clip((mean + OFFSET) / SPAN, 0.0, 1.0)
    return strength * np.clip(fade / np.maximum(total, 1.0), 0.0, 1.0) if fade else strength
