"""The neighbor table chosen on real readers (model/readers.py).

The fits learn from goodbooks users and the *fit* readers; every candidate is measured on the
*check* readers by ``choose.readers_judge`` (mean Recall@10 of 5 picks, 10 picks, half of
liked and a whole-library import), by the neighbor votes alone (the table is what the choices
change; the low-rank part is trained once, on the chosen table). Candidates, one setting at
a time from the config's first values (each costs one EASE solve):

1. the weight of a real reader's ratings against a goodbooks user's: real readers are what
   visitors look like, goodbooks users of this copy were sampled per book;
2. (lambda, dropout) of the denoising EASE: this copy's sampling rewards rare books and a
   light penalty, real readers a heavier one (issue 15);
3. the to-read weight, 4. the 3-star weight;

then, with no solve, the table size (a larger one ships only when it wins by more than
``table_tolerance``: the phone downloads it) and the popularity shift's gamma.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from model.choose import Judge, best, shifted, smallest_within, vote_scores
from model.config import TrainConfig
from model.tables import Grams, grams, neighbor_table, readers_gram

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class TableChoice:
    """What ``choose_table`` chose, and the table it built: rows and weights [N, num_neighbors]."""

    three_star_weight: float
    to_read_weight: float
    reader_weight: float
    neighbor_lambda: float
    neighbor_dropout: float
    num_neighbors: int
    popularity_gamma: float
    neighbor_rows: np.ndarray
    neighbor_weights: np.ndarray


def choose_table(data, ratios: np.ndarray, judge: Judge, cfg: TrainConfig) -> TableChoice:
    """Choose the table's settings for ``data`` (fit.FitData with ``readers``) on ``judge``'s
    readers; ``ratios`` the books' popularity log ratios (model/popularity.py)."""
    n = data.num_books
    size = max(cfg.table_sizes)
    goodbooks: dict[float, Grams] = {}
    readers: dict[float, np.ndarray] = {}

    def gram(three, to_read, reader):
        if three not in goodbooks:
            goodbooks[three] = grams(data.ratings, data.to_read, n, three)
            readers[three] = readers_gram(data.readers, n, three)
        return goodbooks[three].at(to_read) + reader * readers[three]

    tables, scores = {}, {}

    def measure(key):
        if key not in scores:
            three, to_read, reader, (lam, dropout) = key
            tables[key] = neighbor_table(gram(three, to_read, reader), lam, dropout, size)
            scores[key] = judge.measure(_voter(tables[key], n))
            log.info(
                "3-star %.2f, to-read %.2f, reader %.1f, lambda %.0f, dropout %.2f: %.4f",
                three,
                to_read,
                reader,
                lam,
                dropout,
                scores[key][0],
            )
        return scores[key]

    weights = cfg.reader_to_read_weights if data.to_read.nnz else (0.0,)
    axes = [cfg.reader_three_star_weights, weights, cfg.reader_weights, cfg.reader_penalties]
    current = [axis[0] for axis in axes]
    for dim in (2, 3, 1, 0):  # the reader weight first: it moves the most
        options = {value: measure(tuple(current[:dim] + [value] + current[dim + 1 :])) for value in axes[dim]}
        what = ("3-star weight", "to-read weight", "reader weight", "(lambda, dropout)")[dim]
        current[dim] = best(options, judge.tolerance, what, judge.label)
    key = tuple(current)
    rows, votes = tables[key]
    by_size = {m: judge.measure(_voter((rows[:, :m], votes[:, :m]), n)) for m in sorted(cfg.table_sizes)}
    num = smallest_within(by_size, cfg.table_tolerance, "table size", judge.label)
    rows, votes = rows[:, :num], votes[:, :num]
    voter = _voter((rows, votes), n)
    by_gamma = {
        gamma: judge.measure(lambda v, gamma=gamma: shifted(voter(v), v, ratios, gamma))
        for gamma in cfg.popularity_gammas
    }
    gamma = best(
        by_gamma,
        judge.tolerance,
        "popularity gamma",
        judge.label,
    )
    three, to_read, reader, (lam, dropout) = key
    return TableChoice(
        three_star_weight=three,
        to_read_weight=to_read,
        reader_weight=reader,
        neighbor_lambda=lam,
        neighbor_dropout=dropout,
        num_neighbors=num,
        popularity_gamma=gamma,
        neighbor_rows=rows,
        neighbor_weights=votes,
    )


def _voter(table, num_books: int):
    """protocol -> its sparse neighbor votes along ``table`` (rows, weights)."""
    return lambda protocol: vote_scores(protocol, *table, num_books)
