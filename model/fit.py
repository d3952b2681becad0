"""The three fits of the visitor model (model/train.py runs them):

- ``choose_on_readers``: every setting chosen on real readers the fit never sees
  (model/choose_readers.py, model/choose_shown.py);
- ``choose_on_split``: without real readers, chosen on the split's validation users
  (model/choose_split.py, model/choose.py);
- ``refit``: the chosen settings reused on other data (the shipped fit, and the split fit
  refitted on every choosing reader).

Each computes the neighbor table, the star head and the book embeddings in closed form
(``ClosedForm``), then trains the low-rank tower (model/low_rank.py). The two choosing fits
return (model, history, choices); ``refit`` (model, history).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from model import choose_readers, import_tensorflow
from model.choose import Judge, best, readers_judge, smallest_within, split_judge, validation_sets
from model.choose_readers import TableChoice
from model.choose_shown import choose_discovery, readers_shown_judge
from model.choose_split import choose_table_on_split
from model.config import Choices, TrainConfig
from model.low_rank import train_low_rank
from model.popularity import heavy_counts, log_ratio, validation_weights
from model.protocols import half_given
from model.readers import concat, reader_protocols
from model.sampling import readers_batch, validation_batch
from model.scoring import predict_batch
from model.split import Split, UserRatings
from model.stars import reader_star_scale, star_head, star_scale
from model.tables import by_row, co_liked_vectors, grams, liked_matrix, neighbor_table, readers_gram

log = logging.getLogger(__name__)

EMBEDDING_NORM = 0.1  # about the norm of Keras's default embedding initialisation at 32-d


@dataclass(frozen=True)
class FitData:
    """What a fit learns from: goodbooks ratings by user, their to-read marks (same users,
    [U, N]), each book's Goodreads-wide ``ratings_count`` [N] and the real readers it may
    learn from (``readers``, no to-read marks; model/readers.py)."""

    ratings: UserRatings
    to_read: sp.csr_matrix
    ratings_count: np.ndarray
    readers: UserRatings | None = None
    catalogue: object | None = None  # shown_eval.Catalogue: what the cards are judged by

    @property
    def num_books(self) -> int:
        return len(self.ratings_count)

    def everyone(self) -> UserRatings:
        """Goodbooks users and real readers together (stars, vectors, the low-rank part)."""
        return self.ratings if self.readers is None else concat(self.ratings, self.readers)


@dataclass(frozen=True)
class Start:
    """What every fit computes first: the seed is set, the clock started, and each book's
    popularity ``ratios`` [N] (model/popularity.py) from its ``heavy`` readers' counts."""

    started: float
    everyone: UserRatings
    heavy: np.ndarray
    ratios: np.ndarray


def start(data: FitData, cfg: TrainConfig) -> Start:
    """Seed every generator with ``cfg.seed`` and compute the popularity ratios of ``data``."""
    import_tensorflow().keras.utils.set_random_seed(cfg.seed)
    started = time.perf_counter()
    heavy = heavy_counts(data.ratings, data.num_books, cfg.heavy_min_ratings)
    return Start(started, data.everyone(), heavy, log_ratio(data.ratings_count, heavy))


@dataclass(frozen=True)
class ClosedForm:
    """The weights computed, not trained: the chosen ``table`` shipped ordered by row
    (tables.by_row; ``rows`` and ``weights`` [N, num_neighbors]), the star head at ``star_scale``
    and the books' liked matrix the embeddings come from."""

    start: Start
    table: TableChoice
    rows: np.ndarray
    weights: np.ndarray
    star_scale: float
    book_bias: np.ndarray
    star_weights: np.ndarray
    liked: sp.csr_matrix

    def model(self, dim: int, cfg: TrainConfig):
        """The model at embedding size ``dim``, every computed weight set (seeded alike)."""
        from model.layers import build_model

        import_tensorflow().keras.utils.set_random_seed(cfg.seed)
        everyone_ = self.start.everyone
        model = build_model(len(self.rows), dim, float(everyone_.stars.mean()), self.rows.shape[1])
        vectors = co_liked_vectors(self.liked, dim, cfg.seed)
        set_computed_weights(
            model,
            vectors,
            self.rows,
            self.weights,
            self.start.ratios,
            self.table.popularity_gamma,
            self.book_bias,
            self.star_weights,
        )
        return model


def ordered(table: TableChoice) -> tuple[np.ndarray, np.ndarray]:
    """The table's (rows, weights), its size cut by now (strongest first), ordered by row."""
    return by_row(table.neighbor_rows, table.neighbor_weights)


def closed_form(
    start_: Start, table: TableChoice, scale: float, cfg: TrainConfig, history: dict
) -> ClosedForm:
    """The star head at ``scale`` and the liked matrix, beside ``table``; logs the time so far
    into ``history`` (``closed_form_seconds``)."""
    from model.layers import BIAS_SHRINKAGE

    rows, weights = ordered(table)
    book_bias, star_weights = star_head(start_.everyone, rows, cfg.star_lambda, BIAS_SHRINKAGE, scale)
    liked = liked_matrix(start_.everyone, len(start_.ratios))
    history["closed_form_seconds"] = time.perf_counter() - start_.started
    log.info("closed-form parts in %.0fs", history["closed_form_seconds"])
    return ClosedForm(start_, table, rows, weights, scale, book_bias, star_weights, liked)


def set_computed_weights(
    model, vectors, neighbor_rows, neighbor_weights, ratios, gamma, book_bias, star_weights
):
    """Set the weights computed in closed form, and keep them out of training.

    The book embeddings are the co-liked vectors: trained along with the rest they drifted
    towards whatever helps the softmax and lost their use for "similar books" (10 nearest
    books sharing the first author: 0.08 against 0.22 fixed) for a Recall@10 within 0.003.
    """
    embedding = model.get_layer("book_embedding")
    embedding.set_weights([(EMBEDDING_NORM * vectors).astype(np.float32)])
    embedding.trainable = False
    model.get_layer("neighbor_rows").neighbor_rows.assign(neighbor_rows.astype(np.float32))
    neighbor_layer = model.get_layer("neighbor_scores")
    neighbor_layer.neighbor_weights.assign(neighbor_weights)
    neighbor_layer.log_ratio.assign(ratios)
    neighbor_layer.gamma.assign([gamma])
    neighbor_layer.mix.assign([1.0])  # while the low-rank part trains; then chosen
    model.get_layer("pick_similarity").similarity.assign([0.0])  # the same: set with the mix
    star_layer = model.get_layer("predicted_stars")
    star_layer.book_bias.assign(book_bias)
    star_layer.star_weights.assign(star_weights)


def choose_mix(model, judge: Judge, cfg: TrainConfig) -> tuple[float, tuple[float, float]]:
    """Set the neighbor votes' mix against the low-rank scores, chosen by ``judge``
    (model/choose.py); return it and the model's measure with it. The softmax loss would
    rather spread probability than rank the top 10 well, so the mix is chosen by the metric
    the product lives by."""
    tf = import_tensorflow()
    layer = model.get_layer("neighbor_scores")
    layer.mix.assign([1.0])
    set_mix(model, 1.0)
    similar = model.get_layer("pick_similarity").output
    parts = tf.keras.Model(model.inputs, [model.get_layer("book_scores").output, layer.output + similar])
    scored = {id(v): predict_batch(parts, v.picks) for v in judge.protocols}
    candidates = {
        mix: judge.measure(lambda v, m=mix: scored[id(v)][0] + m * scored[id(v)][1]) for mix in cfg.mix_grid
    }
    mix = best(candidates, judge.tolerance, "neighbor mix", judge.label)
    set_mix(model, mix)
    return float(mix), candidates[mix]


def set_mix(model, mix: float) -> None:
    """The neighbor votes' mix, and the picks' cosine (layers.PickSimilarity) at the same weight:
    past the votes, the books that follow the picks outrank the low-rank part's pick-independent
    lean (docs/MODEL.md, issue 24)."""
    model.get_layer("neighbor_scores").mix.assign([mix])
    model.get_layer("pick_similarity").similarity.assign([mix])


@dataclass(frozen=True)
class Chosen:
    """The low-rank part chosen with the mix: the ``model`` at ``embedding_dim``, its mix."""

    model: object
    embedding_dim: int
    neighbor_mix: float


def choose_low_rank(
    parts: ClosedForm, judge: Judge, validation, cfg: TrainConfig, history: dict, progress: bool
) -> Chosen:
    """Each embedding size trained (its best epoch by ``validation``'s loss), its mix chosen,
    then measured by ``judge``; the smallest within ``cfg.embedding_tolerance`` of the best
    ships. Its training history goes into ``history``."""
    fits = {}
    for dim in sorted(cfg.embedding_dims):
        model = parts.model(dim, cfg)
        trained = train_low_rank(model, parts.start.everyone, cfg, cfg.epochs, validation, progress)
        fits[dim] = (model, trained, *choose_mix(model, judge, cfg))
    dim = smallest_within(
        {d: f[3] for d, f in fits.items()}, cfg.embedding_tolerance, "embedding size", judge.label
    )
    model, trained, mix, _ = fits[dim]
    history.update(trained)
    history["embedding_sizes"] = {str(d): f[3][0] for d, f in fits.items()}
    return Chosen(model, dim, mix)


def chosen_settings(
    parts: ClosedForm, chosen: Chosen, history: dict, chosen_on: str, discovery: dict | None
) -> Choices:
    """The ``Choices`` of a choosing fit: its table's settings, star scale, best epoch and
    low-rank part."""
    table = parts.table
    return Choices(
        to_read_weight=table.to_read_weight,
        popularity_gamma=table.popularity_gamma,
        neighbor_mix=chosen.neighbor_mix,
        star_scale=parts.star_scale,
        epochs=int(history["best_epoch"]),
        three_star_weight=table.three_star_weight,
        neighbor_lambda=table.neighbor_lambda,
        neighbor_dropout=table.neighbor_dropout,
        num_neighbors=table.num_neighbors,
        reader_weight=table.reader_weight,
        chosen_on=chosen_on,
        embedding_dim=chosen.embedding_dim,
        discovery_weights=discovery,
    )


def choose_on_readers(data: FitData, check: UserRatings, cfg: TrainConfig, progress: bool = True):
    """Fit on ``data`` (with its ``readers``), every setting chosen on the ``check`` readers,
    whom it never sees: the table (model/choose_readers.py), the star scale, the embedding
    size and mix and, with ``data.catalogue``, the discovery weights (model/choose_shown.py).
    Returns (model, history, choices)."""
    from model.layers import BIAS_SHRINKAGE

    begun = start(data, cfg)
    judge: Judge = (
        readers_shown_judge(data, check, cfg)
        if data.catalogue is not None
        else readers_judge(reader_protocols(check, cfg.seed + 7))
    )
    table = choose_readers.choose_table(data, begun.ratios, judge, cfg)
    given, hidden = half_given(check, cfg.seed + 8)
    rows = ordered(table)[0]
    history = dict(reader_star_scale(begun.everyone, rows, cfg.star_lambda, BIAS_SHRINKAGE, given, hidden))
    parts = closed_form(begun, table, history["star_scale"], cfg, history)
    chosen = choose_low_rank(parts, judge, readers_batch(check, cfg.seed), cfg, history, progress)
    discovery = None
    if data.catalogue is not None:
        discovery = choose_discovery(
            lambda p: predict_batch(chosen.model, p.picks)[0],
            judge,
            judge.protocols,
            data.catalogue,
            data.ratings_count,
            cfg.discovery_grid,
            chosen.neighbor_mix,
        )
    choices = chosen_settings(parts, chosen, history, "real readers", discovery)
    return chosen.model, timed(history, begun), choices


def choose_on_split(data: FitData, split: Split, cfg: TrainConfig, progress: bool = True):
    """Fit on ``data`` (the split's training users), every setting chosen on ``split``'s
    validation users (model/choose.py): the to-read weight and popularity gamma
    (model/choose_split.py), the star scale on held-back stars, the embedding size and mix.
    Returns (model, history, choices); discovery keeps its defaults (no readers see cards)."""
    from model.layers import BIAS_SHRINKAGE

    begun = start(data, cfg)
    weights = validation_weights(data.ratings, data.ratings_count, begun.heavy, cfg.traffic_exponent)
    plain, traffic = validation_sets(split, weights, cfg.heavy_min_ratings, cfg.validation_users, cfg.seed)
    judge = split_judge(plain, traffic, cfg.plain_tolerance)
    table = choose_table_on_split(data, begun.ratios, judge, cfg)
    history = dict(
        star_scale(
            begun.everyone,
            ordered(table)[0],
            cfg.star_lambda,
            BIAS_SHRINKAGE,
            cfg.star_holdout,
            cfg.seed + 5,
        )
    )
    parts = closed_form(begun, table, history["star_scale"], cfg, history)
    chosen = choose_low_rank(parts, judge, validation_batch(split, 2000, cfg.seed), cfg, history, progress)
    choices = chosen_settings(parts, chosen, history, "split", None)
    return chosen.model, timed(history, begun), choices


def refit(data: FitData, choices: Choices, cfg: TrainConfig, progress: bool = True):
    """Fit on ``data`` with ``choices`` (nothing chosen, no validation): the table they name
    rebuilt on ``data``, ``choices.epochs`` epochs at their embedding size, their mix.
    Returns (model, history)."""
    begun = start(data, cfg)
    history: dict = {}
    parts = closed_form(begun, refit_table(data, choices), choices.star_scale, cfg, history)
    model = parts.model(choices.embedding_dim, cfg)
    history.update(train_low_rank(model, begun.everyone, cfg, choices.epochs, None, progress))
    set_mix(model, choices.neighbor_mix)
    return model, timed(history, begun)


def refit_table(data: FitData, choices: Choices) -> TableChoice:
    """The table of ``choices`` rebuilt on ``data``."""
    g = grams(data.ratings, data.to_read, data.num_books, choices.three_star_weight).at(
        choices.to_read_weight
    )
    if data.readers is not None and choices.reader_weight:
        g += choices.reader_weight * readers_gram(data.readers, data.num_books, choices.three_star_weight)
    rows, votes = neighbor_table(g, choices.neighbor_lambda, choices.neighbor_dropout, choices.num_neighbors)
    return TableChoice(
        three_star_weight=choices.three_star_weight,
        to_read_weight=choices.to_read_weight,
        reader_weight=choices.reader_weight,
        neighbor_lambda=choices.neighbor_lambda,
        neighbor_dropout=choices.neighbor_dropout,
        num_neighbors=choices.num_neighbors,
        popularity_gamma=choices.popularity_gamma,
        neighbor_rows=rows,
        neighbor_weights=votes,
    )


def timed(history: dict, begun: Start) -> dict:
    """``history`` with the fit's time since ``begun`` (``fit_seconds``)."""
    history["fit_seconds"] = time.perf_counter() - begun.started
    return history
