"""Hand-made UserRatings for known-answer tests."""

from __future__ import annotations

import numpy as np

from model.split import UserRatings


def user_ratings(table: dict[int, list[tuple[int, float]]]) -> UserRatings:
    """{user_id: [(row, stars), ...]} -> UserRatings, users in the dict's order."""
    rows, stars, indptr = [], [], [0]
    for pairs in table.values():
        rows += [r for r, _ in pairs]
        stars += [s for _, s in pairs]
        indptr.append(len(rows))
    return UserRatings(
        np.array(list(table), np.int64),
        np.array(indptr, np.int64),
        np.array(rows, np.int32),
        np.array(stars, np.float32),
    )
