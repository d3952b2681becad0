"""The star head's closed-form pieces, with known answers."""

from __future__ import annotations

import json

import numpy as np

from model.split import UserRatings, hold_out
from model.stars import BiasModel, residual_matrix, star_table


def ratings_of(table: list[list[float]]) -> UserRatings:
    """Users x books table of stars (0 = unrated) -> UserRatings."""
    table = np.asarray(table, np.float32)
    user, book = np.nonzero(table)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(user, minlength=len(table)))])
    return UserRatings(np.arange(len(table)), indptr, book.astype(np.int32), table[user, book])


TABLE = [
    [5, 4, 1, 0],
    [4, 5, 0, 2],
    [2, 1, 5, 4],
    [1, 0, 4, 5],
    [5, 5, 2, 1],
    [0, 2, 5, 4],
]


def test_hold_out_partitions_every_users_ratings():
    ratings = ratings_of(TABLE)
    kept, held = hold_out(ratings, 0.3, seed=1)
    assert len(kept) == len(held) == len(ratings)
    assert len(kept.rows) + len(held.rows) == len(ratings.rows) and len(held.rows) > 0
    for i in range(len(ratings)):
        pairs = {(int(r), float(s)) for r, s in zip(*ratings.of(i), strict=True)}
        kept_pairs = {(int(r), float(s)) for r, s in zip(*kept.of(i), strict=True)}
        held_pairs = {(int(r), float(s)) for r, s in zip(*held.of(i), strict=True)}
        assert kept_pairs | held_pairs == pairs and not kept_pairs & held_pairs


def test_residual_matrix_is_stars_minus_the_bias_prediction():
    ratings = ratings_of(TABLE)
    bias = BiasModel(4).fit(ratings)
    residuals = residual_matrix(ratings, bias).toarray()
    table = np.asarray(TABLE, np.float32)
    expected = table - bias.mean - bias.book_bias[None, :] - bias.user_bias[:, None]
    np.testing.assert_allclose(residuals, np.where(table > 0, expected, 0.0), atol=1e-5)


def test_star_table_is_a_ridge_regression_on_each_books_voters():
    ratings = ratings_of(TABLE)
    bias = BiasModel(4).fit(ratings)
    x = residual_matrix(ratings, bias).toarray().astype(np.float64)
    # Book 0 votes for 1 and 2, book 1 for 0 and itself, book 2 for 0 and 3, book 3 for 2 and 0.
    neighbor_rows = np.array([[1, 2], [0, 1], [0, 3], [2, 0]])
    lam = 0.5
    weights = star_table(residual_matrix(ratings, bias), neighbor_rows, lam)

    def ridge(target, voters):
        a = x[:, voters]
        return np.linalg.solve(a.T @ a + lam * np.eye(len(voters)), a.T @ x[:, target])

    w0 = ridge(0, [1, 2, 3])  # book 0's voters: 1, 2 and 3
    np.testing.assert_allclose([weights[1, 0], weights[2, 0], weights[3, 1]], w0, rtol=1e-4)
    np.testing.assert_allclose(weights[0, 0], ridge(1, [0]), rtol=1e-4)  # book 1's only voter
    np.testing.assert_allclose([weights[0, 1], weights[3, 0]], ridge(2, [0, 3]), rtol=1e-4)
    np.testing.assert_allclose(weights[2, 1], ridge(3, [2]), rtol=1e-4)
    assert weights[1, 1] == 0.0  # a book never votes for itself


def test_star_head_beats_the_bias_baseline_on_held_back_ratings(trained_artifacts):
    history = json.loads((trained_artifacts / "model" / "history.json").read_text())["split"]
    assert history["star_scale"] > 0
    assert history["star_holdout_rmse"] < history["star_holdout_rmse_bias"] - 0.05
