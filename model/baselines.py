"""What the visitor model is measured against, on the same split in the same run.

Ranking scorers map a batch of users' picks (a [V, N] 0/1 matrix of liked picks) to
[V, N] scores: item-kNN, EASE on the likes, and EASE on likes + to-read marks (the strongest
anchor measured on real readers, issue 8). The star baselines (global mean, user + book bias)
are model/stars.py's BiasModel; the tutorial's user-id dot-product model is here.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model import import_tensorflow
from model.metrics import rmse
from model.split import UserRatings

EASE_LAMBDA = 500.0  # the anchors' setting, as measured on real readers


def item_knn(liked: sp.csr_matrix) -> np.ndarray:
    """Item-item cosine similarity over liked books, [N, N] float32, zero diagonal."""
    gram = (liked.T @ liked).toarray().astype(np.float32)
    norms = np.sqrt(np.diag(gram)).copy()
    norms[norms == 0] = 1.0
    sim = gram / norms[:, None] / norms[None, :]
    np.fill_diagonal(sim, 0.0)
    return sim


def tutorial_dot_rmse(
    train: UserRatings, test: UserRatings, num_books: int, dim: int = 5, epochs: int = 5, seed: int = 0
) -> float:
    """The classic tutorial: user-id Embedding . book Embedding, MSE on stars; test RMSE.

    It knows only training user ids, which is why it cannot serve a new visitor.
    """
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
    # 1,024 ratings a step on the first release (0.67M ratings); at most ~1,000 steps an epoch
    # on more (the later release's 4.3M: 4,300 a step), or it takes a minute.
    batch = max(1024, len(train.rows) // 1000)
    model.fit([owner, train.rows], train.stars, epochs=epochs, batch_size=batch, verbose=0, shuffle=True)
    test_owner = test.owners()
    pred = model.predict([test_owner, test.rows], batch_size=8192, verbose=0).ravel()
    return rmse(pred, test.stars)
