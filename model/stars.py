"""The star head's weights, in closed form: the bias baseline and the star votes.

Predicted stars = global mean + book bias + the visitor's bias (their shrunk mean residual)
+ the sum over picks of the pick's residual times its star weight for the book, passed along
the neighbor table (see layers.StarPredictor). The bias model is also the evaluation's star
baseline.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from model.data import DataError
from model.metrics import rmse
from model.split import UserRatings, hold_out
from model.tables import neighbor_matrix

log = logging.getLogger(__name__)


class BiasModel:
    """r = mean + user_bias + book_bias, fitted by alternating shrunk means."""

    def __init__(
        self, num_books: int, shrink_user: float = 3.0, shrink_book: float = 10.0, iterations: int = 8
    ):
        self.num_books = num_books
        self.shrink_user = shrink_user
        self.shrink_book = shrink_book
        self.iterations = iterations

    def fit(self, ratings: UserRatings) -> BiasModel:
        owner = ratings.owners()
        stars = ratings.stars.astype(np.float64)
        self.mean = float(stars.mean())
        user_bias = np.zeros(len(ratings))
        book_bias = np.zeros(self.num_books)
        book_count = np.bincount(ratings.rows, minlength=self.num_books)
        user_count = np.bincount(owner, minlength=len(ratings))
        for _ in range(self.iterations):
            resid = stars - self.mean - user_bias[owner]
            book_bias = np.bincount(ratings.rows, resid, self.num_books) / (book_count + self.shrink_book)
            resid = stars - self.mean - book_bias[ratings.rows]
            user_bias = np.bincount(owner, resid, len(ratings)) / (user_count + self.shrink_user)
        self.book_bias = book_bias
        self.user_bias = user_bias
        return self

    def visitor_bias(self, rows: np.ndarray, stars: np.ndarray) -> float:
        """A new visitor's bias from the stars they gave."""
        return float(np.sum(stars - self.mean - self.book_bias[rows]) / (len(rows) + self.shrink_user))

    def predict(self, user_bias: np.ndarray | float, rows: np.ndarray) -> np.ndarray:
        return np.clip(self.mean + user_bias + self.book_bias[rows], 1.0, 5.0)


def residual_matrix(ratings: UserRatings, bias: BiasModel) -> sp.csr_matrix:
    """Users x books: each rating minus the bias baseline's (unclipped) prediction for it.

    ``bias`` must be fitted on these ``ratings`` (its user biases are theirs).
    """
    owner = ratings.owners()
    residual = ratings.stars - bias.mean - bias.book_bias[ratings.rows] - bias.user_bias[owner]
    return sp.csr_matrix(
        (residual.astype(np.float32), (owner, ratings.rows)), shape=(len(ratings), bias.num_books)
    )


def star_table(residuals: sp.csr_matrix, neighbor_rows: np.ndarray, lam: float):
    """Unscaled star weights [N, M] along the neighbor table.

    For each book, a ridge regression (L2 ``lam``) of its rating residual on the residuals of
    the books that vote for it (those with it among their neighbor rows), over all users of
    ``residuals`` (``residual_matrix``), an unrated book counting as residual 0. The weight of
    voter p for book i sits where i sits in p's neighbor rows.
    """
    gram = (residuals.T @ residuals).toarray()  # [N, N]
    num_books, m = neighbor_rows.shape
    target = neighbor_rows.ravel()
    voter = np.repeat(np.arange(num_books), m)
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(num_books + 1))
    weights = np.zeros(num_books * m)
    for book in range(num_books):
        slots = order[bounds[book] : bounds[book + 1]]
        slots = slots[voter[slots] != book]  # a book never votes for itself
        if len(slots) == 0:
            continue
        voters = voter[slots]
        a = gram[np.ix_(voters, voters)].astype(np.float64) + lam * np.eye(len(voters))
        weights[slots] = scipy.linalg.solve(a, gram[voters, book], assume_a="pos")
    return weights.reshape(num_books, m)


def star_scale(
    ratings: UserRatings, neighbor_rows: np.ndarray, lam: float, shrinkage: float, holdout: float, seed: int
) -> dict:
    """The one scale that undoes the star regressions' shrinkage (they count unrated books as
    residual 0, so they shrink towards 0), fitted by least squares on a seeded ``holdout``
    share of ``ratings`` that a first fit never saw. Returns {"star_scale", and the held-back
    ratings' RMSE with and without the votes}."""
    num_books = len(neighbor_rows)
    kept, held = hold_out(ratings, holdout, seed)
    if len(held.rows) == 0:
        raise DataError("too few training ratings to hold any back for the star head")
    bias = BiasModel(num_books, shrink_user=shrinkage).fit(kept)
    residuals = residual_matrix(kept, bias)
    weights = star_table(residuals, neighbor_rows, lam)
    votes_all = residuals @ neighbor_matrix(neighbor_rows, weights)
    held_owner = held.owners()
    votes = np.asarray(votes_all[held_owner, held.rows], np.float64).ravel()
    baseline = bias.mean + bias.book_bias[held.rows] + bias.user_bias[held_owner]
    return fitted_scale(votes, baseline, held.stars, "held-back training ratings")


def reader_star_scale(
    ratings: UserRatings, neighbor_rows: np.ndarray, lam: float, shrinkage: float, given, hidden
) -> dict:
    """``star_scale`` chosen on real readers: fitted on ``ratings``, the scale that best predicts
    each reader's ``hidden`` stars from their ``given`` ones (protocols.half_given), computed
    as layers.StarPredictor does (visitor bias, centred residuals, votes)."""
    num_books = len(neighbor_rows)
    bias = BiasModel(num_books, shrink_user=shrinkage).fit(ratings)
    weights = star_table(residual_matrix(ratings, bias), neighbor_rows, lam)
    owner = np.repeat(np.arange(len(given)), [len(r) for r, _ in given])
    rows = np.concatenate([r for r, _ in given])
    residual = np.concatenate([s for _, s in given]) - bias.mean - bias.book_bias[rows]
    visitor_bias = np.bincount(owner, residual, len(given)) / (
        np.bincount(owner, minlength=len(given)) + shrinkage
    )
    centred = sp.csr_matrix((residual - visitor_bias[owner], (owner, rows)), shape=(len(given), num_books))
    votes_all = centred @ neighbor_matrix(neighbor_rows, weights)
    held_owner = np.repeat(np.arange(len(hidden)), [len(r) for r, _ in hidden])
    held_rows = np.concatenate([r for r, _ in hidden])
    truth = np.concatenate([s for _, s in hidden]).astype(np.float64)
    votes = np.asarray(votes_all[held_owner, held_rows], np.float64).ravel()
    baseline = bias.mean + bias.book_bias[held_rows] + visitor_bias[held_owner]
    return fitted_scale(votes, baseline, truth, "hidden ratings of real readers")


def fitted_scale(votes: np.ndarray, baseline: np.ndarray, truth: np.ndarray, what: str) -> dict:
    """The least-squares scale of the star votes on ``truth - baseline`` (one per rating), and
    the RMSE with and without the scaled votes: ``star_scale``'s report."""
    scale = float(votes @ (truth - baseline) / max(float(votes @ votes), 1e-12))
    report = {
        "star_scale": scale,
        "star_holdout_ratings": len(truth),
        "star_holdout_rmse_bias": rmse(np.clip(baseline, 1.0, 5.0), truth),
        "star_holdout_rmse": rmse(np.clip(baseline + scale * votes, 1.0, 5.0), truth),
    }
    log.info(
        "star head: scale %.2f; RMSE on %d %s %.4f (bias baseline %.4f)",
        scale,
        len(truth),
        what,
        report["star_holdout_rmse"],
        report["star_holdout_rmse_bias"],
    )
    return report


def star_head(ratings: UserRatings, neighbor_rows: np.ndarray, lam: float, shrinkage: float, scale: float):
    """(book_bias [N], star_weights [N, M]) fitted on all of ``ratings``, the weights times
    ``scale`` (from ``star_scale``)."""
    bias = BiasModel(len(neighbor_rows), shrink_user=shrinkage).fit(ratings)
    weights = scale * star_table(residual_matrix(ratings, bias), neighbor_rows, lam)
    return bias.book_bias.astype(np.float32), weights.astype(np.float32)
