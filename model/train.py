"""Fit the visitor model on goodbooks-10k, twice, and export it for Keras and TF.js.

    python -m model.train [--data DIR] [--out artifacts] [--no-to-read] ...

1. The *split fit*: fitted on the training users' 80% (and their to-read marks); every setting
   (to-read weight, popularity shift, neighbor mix, star scale, epochs) is chosen on
   validation users (model/choose.py). ``python -m model.evaluate`` measures this model on
   the held-out visitors: it never saw them.
2. The *shipped fit*: the same model refitted on every rating and to-read mark with the
   split fit's choices. It is what the site, ``model.recommend`` and real visitors get.

Most of the model is computed, not trained: the neighbor table (model/tables.py), the star
head (model/stars.py) and the book embeddings; the low-rank tower is trained
(model/low_rank.py). No user id is ever an input, so the network serves anyone.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from model import import_tensorflow, show_tensorflow_logs
from model.choose import best, measure, shifted, validation_sets, vote_scores
from model.config import Choices, TrainConfig
from model.data import DataError, ensure_data, load_books, load_ratings, load_to_read
from model.low_rank import train_low_rank
from model.popularity import heavy_counts, log_ratio, traffic_weights
from model.protocols import Protocol
from model.recommend import predict_batch
from model.sampling import validation_batch
from model.split import Split, UserRatings, everyone, make_split
from model.stars import star_head, star_scale
from model.tables import Grams, co_liked_vectors, grams, liked_matrix, neighbor_table

log = logging.getLogger(__name__)

EMBEDDING_NORM = 0.1  # about the norm of Keras's default embedding initialisation at 32-d


@dataclass(frozen=True)
class FitData:
    """What a fit learns from: ratings by user, their to-read marks (same users, [U, N]) and
    each book's Goodreads-wide ``ratings_count`` [N]."""

    ratings: UserRatings
    to_read: sp.csr_matrix
    ratings_count: np.ndarray

    @property
    def num_books(self) -> int:
        return len(self.ratings_count)


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
    star_layer = model.get_layer("predicted_stars")
    star_layer.book_bias.assign(book_bias)
    star_layer.star_weights.assign(star_weights)


def choose_table(
    grams_: Grams, data: FitData, ratios, plain: Protocol, traffic: Protocol | None, cfg: TrainConfig
):
    """Choose the to-read weight and the popularity shift's gamma together, by the neighbor
    votes alone (model/choose.py), ``ratios`` the books' popularity log ratios.
    Returns ((weight, gamma), (neighbor_rows, neighbor_weights))."""
    weights = cfg.to_read_weights if data.to_read.nnz else (0.0,)
    candidates, tables = {}, {}
    for weight in weights:
        tables[weight] = neighbor_table(
            grams_.at(weight), cfg.neighbor_lambda, cfg.neighbor_dropout, cfg.num_neighbors
        )
        votes = {id(v): vote_scores(v, *tables[weight], data.num_books) for v in (plain, traffic) if v}
        for gamma in cfg.popularity_gammas:
            candidates[(weight, gamma)] = measure(
                plain, traffic, lambda v, g=gamma, votes=votes: shifted(votes[id(v)], v, ratios, g)
            )
    weight, gamma = best(candidates, cfg.plain_tolerance, "to-read weight and popularity gamma")
    return (weight, gamma), tables[weight]


def choose_mix(model, plain: Protocol, traffic: Protocol | None, cfg: TrainConfig) -> float:
    """Set and return the neighbor votes' mix against the low-rank scores (model/choose.py).
    The softmax loss would rather spread probability than rank the top 10 well, so the mix is
    chosen by the metric the product lives by."""
    tf = import_tensorflow()
    layer = model.get_layer("neighbor_scores")
    layer.mix.assign([1.0])
    parts = tf.keras.Model(model.inputs, [model.get_layer("book_scores").output, layer.output])
    scored = {id(v): predict_batch(parts, v.picks) for v in (plain, traffic) if v}
    candidates = {
        mix: measure(plain, traffic, lambda v, m=mix: scored[id(v)][0] + m * scored[id(v)][1])
        for mix in cfg.mix_grid
    }
    mix = best(candidates, cfg.plain_tolerance, "neighbor mix")
    layer.mix.assign([mix])
    return float(mix)


def fit(
    data: FitData, cfg: TrainConfig, split: Split | None = None, choices: Choices | None = None, progress=True
):
    """Fit the visitor model on ``data``: with ``split`` (the split fit), every setting is
    chosen on its validation users; with ``choices`` (the shipped fit), reused.
    Returns (model, history, choices)."""
    from model.layers import build_model

    tf = import_tensorflow()
    tf.keras.utils.set_random_seed(cfg.seed)
    started = time.perf_counter()
    n = data.num_books
    grams_ = grams(data.ratings, data.to_read, n, cfg.three_star_weight)
    heavy = heavy_counts(data.ratings, n, cfg.heavy_min_ratings)
    ratios = log_ratio(data.ratings_count, heavy)
    history: dict = {}
    if choices is None:
        weights = traffic_weights(data.ratings_count, heavy, cfg.traffic_exponent)
        plain, traffic = validation_sets(
            split, weights, cfg.heavy_min_ratings, cfg.validation_users, cfg.seed
        )
        (to_read_weight, gamma), (rows, votes) = choose_table(grams_, data, ratios, plain, traffic, cfg)
    else:
        to_read_weight, gamma = choices.to_read_weight, choices.popularity_gamma
        rows, votes = neighbor_table(
            grams_.at(to_read_weight), cfg.neighbor_lambda, cfg.neighbor_dropout, cfg.num_neighbors
        )
    del grams_
    model = build_model(n, cfg.embedding_dim, float(data.ratings.stars.mean()), rows.shape[1])
    shrinkage = model.get_layer("predicted_stars").bias_shrinkage
    if choices is None:
        history.update(
            star_scale(data.ratings, rows, cfg.star_lambda, shrinkage, cfg.star_holdout, cfg.seed + 5)
        )
        scale = history["star_scale"]
    else:
        scale = choices.star_scale
    book_bias, star_weights = star_head(data.ratings, rows, cfg.star_lambda, shrinkage, scale)
    vectors = co_liked_vectors(liked_matrix(data.ratings, n), cfg.embedding_dim, cfg.seed)
    set_computed_weights(model, vectors, rows, votes, ratios, gamma, book_bias, star_weights)
    history["closed_form_seconds"] = time.perf_counter() - started
    log.info("closed-form parts in %.0fs", history["closed_form_seconds"])
    if choices is None:
        val = validation_batch(split, 2000, cfg.seed)
        history.update(train_low_rank(model, data.ratings, cfg, cfg.epochs, val, progress))
        mix = choose_mix(model, plain, traffic, cfg)
        choices = Choices(to_read_weight, gamma, mix, scale, int(history["best_epoch"]))
    else:
        history.update(train_low_rank(model, data.ratings, cfg, choices.epochs, None, progress))
        model.get_layer("neighbor_scores").mix.assign([choices.neighbor_mix])
    history["fit_seconds"] = time.perf_counter() - started
    return model, history, choices


def round_to_float16(model) -> None:
    """Round every weight to float16 precision, the precision the browser downloads.

    The exported Keras model then holds exactly the weights TF.js dequantizes, so Keras,
    Python batch recommendations and the browser all score with the same numbers.
    """
    exact = model.get_layer("neighbor_rows").neighbor_rows  # row numbers: shipped as uint16
    for w in model.weights:
        if w is not exact:
            w.assign(w.numpy().astype(np.float16).astype(np.float32))


def load_inputs(cfg: TrainConfig):
    """(books, ratings, to_read or None) from the configured data directory."""
    data_dir = ensure_data(cfg.data)
    cfg.data = str(data_dir)
    books = load_books(data_dir)
    ratings = load_ratings(data_dir, books["book_id"].to_numpy())
    if not cfg.use_to_read:
        log.info("--no-to-read: skipping to-read signal (to_read.csv is not read)")
        return books, ratings, None
    try:
        to_read = load_to_read(data_dir, books["book_id"].to_numpy())
    except DataError as err:
        raise DataError(f"{err} (or pass --no-to-read to train without the to-read signal)") from None
    return books, ratings, to_read


def train_and_refit(books: pd.DataFrame, ratings, to_read, cfg: TrainConfig, progress: bool = True):
    """The split fit, then the shipped fit with its choices: (split model, shipped model,
    choices, {"split": history, "shipped": history})."""
    book_ids = books["book_id"].to_numpy()
    ratings_count = books["ratings_count"].to_numpy().astype(np.float64)
    split = make_split(ratings, book_ids, cfg.seed, cfg.visitor_fraction, cfg.test_fraction, to_read)
    log.info(
        "split fit: %d training users (%d ratings, %d to-read marks); %d visitors held out",
        len(split.train),
        len(split.train.rows),
        split.to_read.nnz,
        len(split.visitors),
    )
    split_model, split_history, choices = fit(
        FitData(split.train, split.to_read, ratings_count), cfg, split=split, progress=progress
    )
    log.info("split fit in %.0fs; choices: %s", split_history["fit_seconds"], dataclasses.asdict(choices))
    all_ratings, all_to_read = everyone(ratings, book_ids, to_read)
    log.info(
        "shipped fit: all %d users (%d ratings, %d to-read marks)",
        len(all_ratings),
        len(all_ratings.rows),
        all_to_read.nnz,
    )
    shipped, shipped_history, _ = fit(
        FitData(all_ratings, all_to_read, ratings_count), cfg, choices=choices, progress=progress
    )
    log.info("shipped fit in %.0fs", shipped_history["fit_seconds"])
    return split_model, shipped, choices, {"split": split_history, "shipped": shipped_history}


# ---------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str] | None) -> tuple[TrainConfig, bool]:
    """The training config from the command line, and whether to hide progress bars."""
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(description="Train the Shelf visitor model and export it.")
    parser.add_argument(
        "--data", default=None, help="goodbooks-10k directory (default: $GOODBOOKS_DIR or download)"
    )
    parser.add_argument("--out", default=defaults.out, help="artifacts directory to write")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed for split and training")
    parser.add_argument(
        "--epochs", type=int, default=defaults.epochs, help="most training epochs of the low-rank part"
    )
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="users per training step")
    parser.add_argument(
        "--embedding-dim", type=int, default=defaults.embedding_dim, help="book embedding size"
    )
    parser.add_argument(
        "--learning-rate", type=float, default=defaults.learning_rate, help="Adam learning rate"
    )
    parser.add_argument(
        "--star-lambda", type=float, default=defaults.star_lambda, help="L2 of the star head's regressions"
    )
    parser.add_argument(
        "--visitor-fraction", type=float, default=defaults.visitor_fraction, help="share of users held out"
    )
    parser.add_argument(
        "--no-to-read",
        dest="use_to_read",
        action="store_false",
        help="train without to_read.csv (it may then be missing or broken)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's start-up log too")
    args = parser.parse_args(argv)
    if args.verbose:
        show_tensorflow_logs()
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig) if hasattr(args, f.name)}
    return TrainConfig(**values), args.quiet


def main(argv: list[str] | None = None) -> int:
    from model.export import export_artifacts

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    cfg, quiet = parse_args(argv)
    try:
        started = time.perf_counter()
        books, ratings, to_read = load_inputs(cfg)
        log.info(
            "%d books, %d ratings loaded in %.1fs", len(books), len(ratings), time.perf_counter() - started
        )
        split_model, shipped, choices, histories = train_and_refit(books, ratings, to_read, cfg, not quiet)
        round_to_float16(split_model)
        round_to_float16(shipped)
        export_artifacts(shipped, split_model, books, cfg, choices, histories, Path(cfg.out))
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    log.info("model.train done in %.0fs", time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
