"""Which goodbooks-10k release a ratings.csv looks like: its column order and the shape of its
ratings per book (model.data.load_ratings logs it; config.json keeps its name).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIRST_RELEASE_COLUMNS = ("book_id", "user_id", "rating")  # ~1M ratings, ~100 per book
LATER_RELEASE_COLUMNS = ("user_id", "book_id", "rating")  # ~6M ratings, per book as popular
# Ratings per book, 90th over 10th percentile: the first release sampled about 100 per book
# (1.1); the later release kept every rating, so popular books have many more (about 7).
SAMPLED_SPREAD = 2.0


@dataclass(frozen=True)
class Release:
    """Which goodbooks-10k release a ratings.csv looks like, and why."""

    name: str  # "first", "later", or "unknown" when column order and per-book counts disagree
    columns: str  # the header's column order, e.g. "user_id,book_id,rating"
    per_book: str  # "sampled" (about the same count per book) or "popularity"
    median_per_book: float  # ratings per catalogue book
    spread: float  # 90th over 10th percentile of ratings per catalogue book

    def describe(self) -> str:
        """One line for the log."""
        what = {"first": "the first release", "later": "the later release"}.get(self.name, "unknown release")
        shape = (
            "about the same per book (sampled per book)"
            if self.per_book == "sampled"
            else "per book as popular"
        )
        return (
            f"{what}: columns {self.columns}; ratings {shape}: median {self.median_per_book:.0f} per book, "
            f"90th/10th percentile {self.spread:.1f}"
        )


def per_book_shape(ratings_per_book: np.ndarray) -> tuple[str, float, float]:
    """("sampled" or "popularity", median, 90th over 10th percentile) of ``ratings_per_book``
    [N] (a count for every catalogue book, zeros included): whether the counts were sampled to
    about the same per book (the first release) or follow the books' popularity."""
    counts = np.asarray(ratings_per_book, dtype=np.float64)
    low, median, high = np.percentile(counts, [10, 50, 90]) if len(counts) else (0.0, 0.0, 0.0)
    spread = float(high / max(low, 1.0))
    return ("sampled" if spread <= SAMPLED_SPREAD else "popularity"), float(median), spread


def detect_release(columns: list[str] | tuple[str, ...], ratings_per_book: np.ndarray) -> Release:
    """The release a ratings.csv with header ``columns`` and ``ratings_per_book`` [N] (a count
    for every catalogue book, zeros included) comes from: the first release (book_id first,
    about the same count per book) or the later one (user_id first, counts as popular).

    The name needs both signs to agree ("unknown" otherwise); ``per_book`` alone says whether
    the popularity of books shows in the counts.
    """
    per_book, median, spread = per_book_shape(ratings_per_book)
    order = tuple(c for c in columns if c in FIRST_RELEASE_COLUMNS)
    by_columns = {FIRST_RELEASE_COLUMNS: "first", LATER_RELEASE_COLUMNS: "later"}.get(order)
    by_counts = "first" if per_book == "sampled" else "later"
    name = by_columns if by_columns == by_counts else "unknown"
    return Release(name, ",".join(order), per_book, median, spread)
