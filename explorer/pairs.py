"""(book, link) pairs, the input of a link model, and what a trained link model yields.

Every source (goodbooks-10k tags in ``explorer.tags``, Wikipedia articles in
``explorer.wikipedia``) becomes one ``Pairs``; ``explorer.links`` trains a link model on it
and keeps the vectors and measurements as a ``LinkResult``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The link models, each named after its source: what links/<name>/, map.json's maps, the
# report and ``explorer.explore --model`` call them.
TAGS = "tags"  # goodbooks-10k tags: the shelves readers put books on
WIKIPEDIA = "wikipedia"  # Wikipedia wikilinks


class Pairs:
    """Weighted (book, link) pairs: rows index ``book_keys``/``link_names``.

    Attributes:
        book_rows, link_rows: int32 [num_pairs]; weights: float32 [num_pairs], mean 1.
        book_keys: the source's id per book row (goodbooks ``book_id`` or Wikipedia title).
        titles, authors, genres: per book row, for display and evaluation ("" if unknown).
        link_names: per link row.
    """

    def __init__(self, source, book_rows, link_rows, weights, book_keys, titles, authors, genres, link_names):
        self.source = source
        self.book_rows = np.asarray(book_rows, dtype=np.int32)
        self.link_rows = np.asarray(link_rows, dtype=np.int32)
        w = np.asarray(weights, dtype=np.float32)
        self.weights = w / w.mean() if len(w) else w
        self.book_keys = list(book_keys)
        self.titles = list(titles)
        self.authors = list(authors)
        self.genres = list(genres)
        self.link_names = list(link_names)

    @property
    def num_books(self) -> int:
        return len(self.book_keys)

    @property
    def num_links(self) -> int:
        return len(self.link_names)

    def __len__(self) -> int:
        return len(self.book_rows)


def pair_codes(book_rows: np.ndarray, link_rows: np.ndarray, num_links: int) -> np.ndarray:
    """One int64 per (book, link) pair, so pair sets can be searched with ``np.searchsorted``."""
    return book_rows.astype(np.int64) * num_links + link_rows.astype(np.int64)


def known_codes(codes: np.ndarray) -> np.ndarray:
    """The sorted set of ``codes`` (``pair_codes`` of the real pairs), as ``is_known`` wants it."""
    return np.unique(codes)


def is_known(known: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """bool [n]: which of ``codes`` are in ``known`` (from ``known_codes``), by binary search.

    What a negative is redrawn against until it is not a real pair (``explorer.link_model``'s
    sampler, ``explorer.metrics``' held-out AUC).
    """
    at = np.searchsorted(known, codes)
    found = at < len(known)
    found[found] = known[at[found]] == codes[found]
    return found


def split_pairs(num_pairs: int, held_out: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of training and held-out pairs (a seeded random ``held_out`` fraction)."""
    order = np.random.default_rng(seed).permutation(num_pairs)
    n_test = int(round(num_pairs * held_out))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


@dataclass
class LinkResult:
    """A trained link model's vectors and what was measured on it."""

    pairs: Pairs
    book_vecs: np.ndarray
    link_vecs: np.ndarray
    history: dict
    metrics: dict
    neighbors: np.ndarray | None  # int64 [num_books, k]: nearest books, best first (None if sampled)
