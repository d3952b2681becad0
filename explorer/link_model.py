"""The link-embedding model: books and links as vectors, trained with negative sampling.

A book and a link that appear together (a real pair) should have a high cosine; a book and a
random link should not. The model is two ``Embedding`` tables, the dot product of the
normalized vectors, and a one-weight logistic layer (a learned scale and bias on the cosine).
Negatives are drawn batch by batch by ``PairSampler`` and never coincide with a real pair, so
the full set of negatives never exists in memory. How good the vectors are is measured in
``explorer.metrics``; ``explorer.links`` runs the stage.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from explorer.pairs import Pairs, is_known, known_codes, pair_codes
from model import import_tensorflow

tf = import_tensorflow()


@dataclass
class LinkModelConfig:
    """Training settings of one link model."""

    embedding_dim: int = 50
    negative_ratio: int = 2
    batch_size: int = 1024
    epochs: int = 4
    learning_rate: float = 0.01
    seed: int = 0


def build_link_model(num_books: int, num_links: int, embedding_dim: int = 50) -> tf.keras.Model:
    """Inputs ``book``, ``link`` (int32 [batch]); output P(real pair) float32 [batch, 1]."""
    book = tf.keras.Input(shape=(), dtype="int32", name="book")
    link = tf.keras.Input(shape=(), dtype="int32", name="link")
    book_vec = tf.keras.layers.Embedding(num_books, embedding_dim, name="book_embedding")(book)  # [batch, d]
    link_vec = tf.keras.layers.Embedding(num_links, embedding_dim, name="link_embedding")(link)  # [batch, d]
    cosine = tf.keras.layers.Dot(axes=1, normalize=True, name="cosine")([book_vec, link_vec])  # [batch, 1]
    score = tf.keras.layers.Dense(1, activation="sigmoid", name="score")(cosine)  # [batch, 1]
    return tf.keras.Model({"book": book, "link": link}, score, name="link_model")


class PairSampler:
    """Batches of real pairs (label 1) and sampled negatives (label 0) for one epoch at a time.

    A negative keeps the book of a real pair of the batch and takes a uniformly random link,
    redrawn until the pair is not in ``real_codes`` (``pair_codes`` of every real pair, held-out
    ones included), so a negative is never a real pair. Real pairs carry their weight; negatives
    weight 1.
    """

    def __init__(
        self,
        book_rows: np.ndarray,
        link_rows: np.ndarray,
        weights: np.ndarray,
        num_links: int,
        real_codes: np.ndarray,
        negative_ratio: int = 2,
        batch_size: int = 1024,
        seed: int = 0,
    ):
        if negative_ratio < 1:
            raise ValueError("negative_ratio must be at least 1")
        self.book_rows = np.asarray(book_rows, dtype=np.int32)
        self.link_rows = np.asarray(link_rows, dtype=np.int32)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.num_links = num_links
        self.known = known_codes(real_codes)
        self.negative_ratio = negative_ratio
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        links_per_book = np.bincount(self.known // num_links)
        if (links_per_book >= num_links).any():
            raise ValueError("a book is paired with every link, so no negative exists for it")

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.book_rows) // self.batch_size)

    def is_real(self, book_rows: np.ndarray, link_rows: np.ndarray) -> np.ndarray:
        """bool [n]: which (book, link) pairs are known real pairs."""
        return is_known(self.known, pair_codes(book_rows, link_rows, self.num_links))

    def negatives(self, book_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each book row, ``negative_ratio`` random links that make no real pair."""
        books = np.repeat(book_rows, self.negative_ratio)
        links = self.rng.integers(0, self.num_links, size=len(books), dtype=np.int32)
        clash = self.is_real(books, links)
        while clash.any():
            links[clash] = self.rng.integers(0, self.num_links, size=int(clash.sum()), dtype=np.int32)
            clash[clash] = self.is_real(books[clash], links[clash])
        return books, links

    def epoch(self):
        """Yield ``({"book", "link"}, labels, sample_weights)`` batches over a shuffled epoch."""
        order = self.rng.permutation(len(self.book_rows))
        for start in range(0, len(order), self.batch_size):
            take = order[start : start + self.batch_size]
            pos_books, pos_links = self.book_rows[take], self.link_rows[take]
            neg_books, neg_links = self.negatives(pos_books)
            books = np.concatenate([pos_books, neg_books])
            links = np.concatenate([pos_links, neg_links])
            labels = np.concatenate([np.ones(len(take), np.float32), np.zeros(len(neg_books), np.float32)])
            weights = np.concatenate([self.weights[take], np.ones(len(neg_books), np.float32)])
            yield {"book": books, "link": links}, labels, weights

    def dataset(self) -> tf.data.Dataset:
        """An endless ``tf.data`` pipeline of ``epoch()`` after ``epoch()``, fresh negatives each time."""
        spec = tf.TensorSpec(shape=(None,), dtype=tf.int32)
        signature = (
            {"book": spec, "link": spec},
            tf.TensorSpec(shape=(None,), dtype=tf.float32),
            tf.TensorSpec(shape=(None,), dtype=tf.float32),
        )
        return tf.data.Dataset.from_generator(self.epoch, output_signature=signature).repeat().prefetch(2)


def train_link_model(
    pairs: Pairs, train_idx: np.ndarray, cfg: LinkModelConfig
) -> tuple[tf.keras.Model, dict]:
    """Fit a link model on ``pairs[train_idx]``; return it and the per-epoch loss history."""
    tf.keras.utils.set_random_seed(cfg.seed)
    model = build_link_model(pairs.num_books, pairs.num_links, cfg.embedding_dim)
    model.compile(optimizer=tf.keras.optimizers.Adam(cfg.learning_rate), loss="binary_crossentropy")
    sampler = PairSampler(
        pairs.book_rows[train_idx],
        pairs.link_rows[train_idx],
        pairs.weights[train_idx],
        pairs.num_links,
        pair_codes(pairs.book_rows, pairs.link_rows, pairs.num_links),
        cfg.negative_ratio,
        cfg.batch_size,
        cfg.seed,
    )
    history = model.fit(
        sampler.dataset(),
        epochs=cfg.epochs,
        steps_per_epoch=sampler.steps_per_epoch,
        verbose=1 if sys.stderr.isatty() else 2,
    )
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def embeddings(model: tf.keras.Model) -> tuple[np.ndarray, np.ndarray]:
    """(book vectors [num_books, d], link vectors [num_links, d]) as float32."""
    book = model.get_layer("book_embedding").get_weights()[0]
    link = model.get_layer("link_embedding").get_weights()[0]
    return book.astype(np.float32), link.astype(np.float32)
