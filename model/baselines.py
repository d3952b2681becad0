"""Baselines the visitor model is measured against, on the same split in the same run.

Ranking scorers map a batch of visitors' picks (a [V, N] 0/1 matrix of liked picks) to
[V, N] scores. Star baselines are the classic global-mean and user+book bias models, plus
the tutorial's user-id dot-product model.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack

from model.split import LIKED_STARS, UserRatings

log = logging.getLogger(__name__)


def liked_matrix(ratings: UserRatings, num_books: int) -> sp.csr_matrix:
    """Users x books 0/1 matrix of liked books (stars >= 4)."""
    owner = ratings.owners()
    liked = ratings.stars >= LIKED_STARS
    data = np.ones(int(liked.sum()), np.float32)
    return sp.csr_matrix((data, (owner[liked], ratings.rows[liked])), shape=(len(ratings), num_books))


def item_knn(liked: sp.csr_matrix) -> np.ndarray:
    """Item-item cosine similarity over liked books, [N, N] float32, zero diagonal."""
    gram = (liked.T @ liked).toarray().astype(np.float32)
    norms = np.sqrt(np.diag(gram)).copy()
    norms[norms == 0] = 1.0
    sim = gram / norms[:, None] / norms[None, :]
    np.fill_diagonal(sim, 0.0)
    return sim


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite float32 matrix via LAPACK potrf/potri.

    Several times faster than a general inverse of a 10k x 10k matrix on a small machine.
    """
    factor, info = lapack.spotrf(matrix, lower=1, overwrite_a=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation failed (info={info})")
    inverse, info = lapack.spotri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse failed (info={info})")
    return np.tril(inverse) + np.tril(inverse, -1).T  # potri fills the lower triangle only


def ease(liked: sp.csr_matrix, lam: float = 500.0, dropout: float = 0.0) -> np.ndarray:
    """EASE (Steck 2019), optionally with denoising dropout (EDLAE, Steck 2020).

    B = I - P diagMat(1 / diag(P)), P = (X'X + Lambda)^-1, zero diagonal, where
    Lambda = lam I + dropout / (1 - dropout) diagMat(X'X). Dropout trains the item-item
    weights to predict a user's books from a few of them, which is what a visitor gives.
    """
    gram = (liked.T @ liked).toarray().astype(np.float32)
    gram[np.diag_indices_from(gram)] += lam + dropout / (1.0 - dropout) * np.diag(gram)
    p = _spd_inverse(gram)
    b = -p / np.diag(p)[None, :]
    np.fill_diagonal(b, 0.0)
    return b.astype(np.float32)


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


def tutorial_dot_rmse(
    train: UserRatings, test: UserRatings, num_books: int, dim: int = 5, epochs: int = 5, seed: int = 0
) -> float:
    """The classic tutorial: user-id Embedding . book Embedding, MSE on stars; test RMSE.

    It knows only training user ids, which is why it cannot serve a new visitor.
    """
    from model import import_tensorflow

    tf = import_tensorflow()

    tf.keras.utils.set_random_seed(seed)
    keras = tf.keras
    user_in = keras.Input(shape=(1,), name="user")
    book_in = keras.Input(shape=(1,), name="book")
    user_vec = keras.layers.Flatten()(keras.layers.Embedding(len(train), dim)(user_in))
    book_vec = keras.layers.Flatten()(keras.layers.Embedding(num_books, dim)(book_in))
    out = keras.layers.Dot(axes=1)([user_vec, book_vec])
    model = keras.Model([user_in, book_in], out)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    owner = train.owners()
    model.fit([owner, train.rows], train.stars, epochs=epochs, batch_size=1024, verbose=0, shuffle=True)
    test_owner = test.owners()
    pred = model.predict([test_owner, test.rows], batch_size=8192, verbose=0).ravel()
    return float(np.sqrt(np.mean((pred - test.stars) ** 2)))
