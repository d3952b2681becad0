"""The neighbor table chosen on the split's validation users, without real readers
(model/choose.py's rule; model/choose_readers.py is the same with real readers).

The to-read weight and the popularity shift's gamma are chosen together by the neighbor votes
alone (each to-read weight costs one EASE solve); gamma leaves 0 only when it gains more than
``shift_tolerance``. The other table settings are the config's.
"""

from __future__ import annotations

from model.choose import Judge, best, shifted, vote_scores
from model.choose_readers import TableChoice
from model.config import TrainConfig
from model.tables import grams, neighbor_table


def choose_table_on_split(data, ratios, judge: Judge, cfg: TrainConfig) -> TableChoice:
    """The table for ``data`` (fit.FitData) chosen on ``judge``'s validation users
    (choose.split_judge); ``ratios`` the books' popularity log ratios (model/popularity.py)."""
    grams_ = grams(data.ratings, data.to_read, data.num_books, cfg.three_star_weight)
    weights = cfg.to_read_weights if data.to_read.nnz else (0.0,)
    candidates, tables = {}, {}
    for weight in weights:
        tables[weight] = neighbor_table(
            grams_.at(weight), cfg.neighbor_lambda, cfg.neighbor_dropout, cfg.num_neighbors
        )
        votes = {id(v): vote_scores(v, *tables[weight], data.num_books) for v in judge.protocols}
        for gamma in cfg.popularity_gammas:
            candidates[(weight, gamma)] = judge.measure(
                lambda v, gamma=gamma, votes=votes: shifted(votes[id(v)], v, ratios, gamma)
            )
    weight, gamma = best(
        candidates,
        judge.tolerance,
        "to-read weight and popularity gamma",
        judge.label,
        simpler=lambda key: key[1],
        gain=cfg.shift_tolerance,
    )
    rows, votes = tables[weight]
    return TableChoice(
        three_star_weight=cfg.three_star_weight,
        to_read_weight=weight,
        reader_weight=0.0,
        neighbor_lambda=cfg.neighbor_lambda,
        neighbor_dropout=cfg.neighbor_dropout,
        num_neighbors=rows.shape[1],
        popularity_gamma=gamma,
        neighbor_rows=rows,
        neighbor_weights=votes,
    )
