"""The closed-form parts of the ranking model: the users' signals as matrices, the neighbor
table (denoising EASE on those signals) and the co-liked book vectors.

Signals, per user and book: a like (4-5 stars), a 3-star rating (read, not loved) and a
to-read mark. The neighbor table is fitted on ``X = liked + three_star_weight * three_stars +
to_read_weight * to_read``; to-read marks carry what this copy's ratings lack, real
popularity (see model/popularity.py). 1-2 stars never make two books neighbors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack

from model.ranking import top_k_rows, unit_rows
from model.split import LIKED_STARS, UserRatings


def liked_matrix(ratings: UserRatings, num_books: int) -> sp.csr_matrix:
    """Users x books 0/1 matrix of liked books (stars >= LIKED_STARS)."""
    return _rated_matrix(ratings, num_books, ratings.stars >= LIKED_STARS)


def _rated_matrix(ratings: UserRatings, num_books: int, keep: np.ndarray) -> sp.csr_matrix:
    owner = ratings.owners()
    data = np.ones(int(keep.sum()), np.float32)
    return sp.csr_matrix((data, (owner[keep], ratings.rows[keep])), shape=(len(ratings), num_books))


@dataclass(frozen=True)
class Grams:
    """The pieces of ``X'X`` for ``X = R + w T``, with R = liked + three_star_weight * 3-star
    ratings and T the to-read marks, so that any to-read weight w costs one sum: dense [N, N]
    float32 each; without to-read marks (T = 0) only R'R."""

    rated: np.ndarray  # R'R
    cross: np.ndarray | None  # R'T
    marks: np.ndarray | None  # T'T

    def at(self, to_read_weight: float) -> np.ndarray:
        """X'X for ``to_read_weight`` (a new array)."""
        gram = self.rated.copy()
        if to_read_weight and self.cross is not None:
            gram += to_read_weight * (self.cross + self.cross.T) + to_read_weight**2 * self.marks
        return gram


def grams(
    ratings: UserRatings,
    to_read: sp.csr_matrix,
    num_books: int,
    three_star_weight: float,
    user_weights: np.ndarray | None = None,
) -> Grams:
    """``Grams`` of the users of ``ratings`` and their to-read marks ``to_read`` (same users);
    with ``user_weights`` [U], each user's products count that many times (X'WX)."""
    rated = liked_matrix(ratings, num_books)
    if three_star_weight:
        rated = rated + three_star_weight * _rated_matrix(ratings, num_books, ratings.stars == 3)
    marks = to_read.astype(np.float32)
    weigh = sp.identity(len(ratings), np.float32) if user_weights is None else sp.diags(user_weights)

    def dense(a, b):  # a' W b
        return np.asarray((a.T @ (weigh @ b)).toarray(), np.float32)

    if not marks.nnz:
        return Grams(dense(rated, rated), None, None)
    return Grams(dense(rated, rated), dense(rated, marks), dense(marks, marks))


def readers_gram(readers: UserRatings, num_books: int, three_star_weight: float) -> np.ndarray:
    """R'R of real readers (they bring ratings, no to-read marks), as in ``grams``."""
    no_marks = sp.csr_matrix((len(readers), num_books), dtype=np.float32)
    return grams(readers, no_marks, num_books, three_star_weight).rated


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite float32 matrix via LAPACK potrf/potri (several
    times faster than a general inverse of a 10k x 10k matrix on a small machine)."""
    factor, info = lapack.spotrf(matrix, lower=1, overwrite_a=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation failed (info={info})")
    inverse, info = lapack.spotri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse failed (info={info})")
    return np.tril(inverse) + np.tril(inverse, -1).T  # potri fills the lower triangle only


def ease(gram: np.ndarray, lam: float, dropout: float = 0.0) -> np.ndarray:
    """EASE (Steck 2019) from a gram matrix X'X, optionally with denoising dropout (EDLAE,
    Steck 2020): [N, N] float32, B[i, j] = how much i votes for j, zero diagonal.

    B = I - P diagMat(1 / diag(P)), P = (X'X + Lambda)^-1, where
    Lambda = lam I + dropout / (1 - dropout) diagMat(X'X). Dropout trains the item-item
    weights to predict a user's books from *a few* of them, which is what a visitor gives.
    """
    penalised = np.array(gram, np.float32, copy=True)
    penalised[np.diag_indices_from(penalised)] += lam + dropout / (1.0 - dropout) * np.diag(gram)
    p = _spd_inverse(penalised)
    b = -p / np.diag(p)[None, :]
    np.fill_diagonal(b, 0.0)
    return b.astype(np.float32)


def strongest_neighbors(weights: np.ndarray, num_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``num_neighbors`` largest entries of an item-item matrix, largest first (ties
    to the lower column, model/ranking.py): those columns, the neighbors' rows [N, M] int32, and
    their values [N, M] float32."""
    m = min(num_neighbors, weights.shape[1] - 1)
    rows = top_k_rows(weights, m).astype(np.int32)
    return rows, np.take_along_axis(weights, rows, axis=1).astype(np.float32)


def neighbor_table(
    gram: np.ndarray, lam: float, dropout: float, num_neighbors: int
) -> tuple[np.ndarray, np.ndarray]:
    """The sparse item-item part: each book's strongest denoising-EASE weights on ``gram``,
    scaled so that a book's strongest neighbor weighs about 1. (rows [N, M], weights [N, M])."""
    rows, weights = strongest_neighbors(ease(gram, lam, dropout), num_neighbors)
    return rows, weights / max(float(weights[:, 0].mean()), 1e-12)


def by_row(neighbor_rows: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table (rows [N, M], weights [N, M]) with each book's entries ordered by neighbor row,
    the weights moved along. The layers sum each pick's votes, so no score depends on the order
    within a row; row numbers in order compress by about a quarter (brotli), which the phone
    downloads. Cut a table to fewer neighbors (strongest first) before this, never after."""
    order = np.argsort(neighbor_rows, axis=1, kind="stable")
    return np.take_along_axis(neighbor_rows, order, axis=1), np.take_along_axis(weights, order, axis=1)


def neighbor_matrix(neighbor_rows: np.ndarray, weights: np.ndarray) -> sp.csr_matrix:
    """The neighbor table as a sparse [N, N] matrix: row p holds p's weights at its neighbors."""
    num_books, m = neighbor_rows.shape
    owner = np.repeat(np.arange(num_books), m)
    return sp.csr_matrix((weights.ravel(), (owner, neighbor_rows.ravel())), shape=(num_books, num_books))


def co_liked_vectors(liked: sp.csr_matrix, dim: int, seed: int) -> np.ndarray:
    """[N, dim] unit book vectors from a truncated SVD of the likes, each book's column scaled
    by 1 / sqrt(its likes + 1) so popular books do not crowd every direction. Books liked by
    the same users point the same way."""
    from sklearn.utils.extmath import randomized_svd

    degree = np.asarray(liked.sum(axis=0)).ravel() + 1.0
    dim = min(dim, min(liked.shape) - 1)
    _, _, vt = randomized_svd(liked @ sp.diags(degree**-0.5), dim, n_iter=5, random_state=seed)
    vectors = vt.T
    return unit_rows(vectors)
