"""Fit the visitor model on goodbooks-10k, twice, and export it for Keras and TF.js.

    python -m model.train [--data DIR] [--out artifacts] [--no-to-read] ...

1. The *split fit*: fitted on the training users' 80% (and their to-read marks); every setting
   (to-read weight, popularity shift, neighbor mix, star scale, epochs) is chosen on
   validation users (model/choose.py). ``python -m model.evaluate`` measures this model on
   the held-out users: it never saw them.
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

from model import choose_readers, import_tensorflow, show_tensorflow_logs
from model.choose import (
    Judge,
    best,
    readers_judge,
    shifted,
    smallest_within,
    split_judge,
    validation_sets,
    vote_scores,
)
from model.choose_readers import TableChoice
from model.choose_shown import choose_discovery, readers_shown_judge
from model.config import Choices, TrainConfig
from model.data import DataError, ensure_data, load_books, load_ratings, load_to_read
from model.low_rank import train_low_rank
from model.popularity import heavy_counts, log_ratio, validation_weights
from model.precision import round_for_browser
from model.protocols import half_given
from model.readers import (
    concat,
    load_new_readers,
    reader_folds,
    reader_protocols,
    resolve_readers_path,
)
from model.sampling import readers_batch, validation_batch
from model.scoring import predict_batch
from model.shown_eval import Catalogue
from model.split import Split, UserRatings, everyone, make_split
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


def choose_table_on_split(data: FitData, ratios, judge: Judge, cfg: TrainConfig) -> TableChoice:
    """Without real readers: the to-read weight and the popularity shift's gamma chosen
    together on the split's validation users (``judge``, choose.split_judge), by the neighbor
    votes alone (model/choose.py); gamma leaves 0 only when it gains more than
    ``cfg.shift_tolerance``. The other table settings are the config's."""
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
                lambda v, g=gamma, votes=votes: shifted(votes[id(v)], v, ratios, g)
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
        cfg.three_star_weight,
        weight,
        0.0,
        cfg.neighbor_lambda,
        cfg.neighbor_dropout,
        rows.shape[1],
        gamma,
        rows,
        votes,
    )


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


def shipped_table(data: FitData, choices: Choices) -> TableChoice:
    """The table of ``choices`` refitted on ``data`` (the shipped fit)."""
    g = grams(data.ratings, data.to_read, data.num_books, choices.three_star_weight).at(
        choices.to_read_weight
    )
    if data.readers is not None and choices.reader_weight:
        g += choices.reader_weight * readers_gram(data.readers, data.num_books, choices.three_star_weight)
    rows, votes = neighbor_table(g, choices.neighbor_lambda, choices.neighbor_dropout, choices.num_neighbors)
    return TableChoice(
        choices.three_star_weight,
        choices.to_read_weight,
        choices.reader_weight,
        choices.neighbor_lambda,
        choices.neighbor_dropout,
        choices.num_neighbors,
        choices.popularity_gamma,
        rows,
        votes,
    )


def fit(
    data: FitData,
    cfg: TrainConfig,
    split: Split | None = None,
    choices: Choices | None = None,
    check: UserRatings | None = None,
    progress=True,
):
    """Fit the visitor model on ``data``. Choosing (no ``choices``): with ``check`` (real
    readers the fit never sees) every setting is chosen on them (model/choose_readers.py);
    otherwise on ``split``'s validation users. With ``choices`` (the shipped fit), reused.
    Returns (model, history, choices)."""
    from model.layers import BIAS_SHRINKAGE, build_model

    tf = import_tensorflow()
    tf.keras.utils.set_random_seed(cfg.seed)
    started = time.perf_counter()
    n = data.num_books
    everyone_ = data.everyone()
    heavy = heavy_counts(data.ratings, n, cfg.heavy_min_ratings)
    ratios = log_ratio(data.ratings_count, heavy)
    history: dict = {}
    if choices is not None:
        table = shipped_table(data, choices)
    elif check is not None:
        judge = (
            readers_shown_judge(data, check, cfg)
            if data.catalogue is not None
            else readers_judge(reader_protocols(check, cfg.seed + 7))
        )
        table = choose_readers.choose_table(data, ratios, judge, cfg)
    else:
        weights = validation_weights(data.ratings, data.ratings_count, heavy, cfg.traffic_exponent)
        plain, traffic = validation_sets(
            split, weights, cfg.heavy_min_ratings, cfg.validation_users, cfg.seed
        )
        judge = split_judge(plain, traffic, cfg.plain_tolerance)
        table = choose_table_on_split(data, ratios, judge, cfg)
    # The table's size is cut by now (strongest first); shipped ordered by row (tables.by_row).
    rows, neighbor_weights = by_row(table.neighbor_rows, table.neighbor_weights)
    if choices is not None:
        scale = choices.star_scale
    elif check is not None:
        history.update(
            reader_star_scale(
                everyone_, rows, cfg.star_lambda, BIAS_SHRINKAGE, *half_given(check, cfg.seed + 8)
            )
        )
        scale = history["star_scale"]
    else:
        history.update(
            star_scale(everyone_, rows, cfg.star_lambda, BIAS_SHRINKAGE, cfg.star_holdout, cfg.seed + 5)
        )
        scale = history["star_scale"]
    book_bias, star_weights = star_head(everyone_, rows, cfg.star_lambda, BIAS_SHRINKAGE, scale)
    liked = liked_matrix(everyone_, n)
    history["closed_form_seconds"] = time.perf_counter() - started
    log.info("closed-form parts in %.0fs", history["closed_form_seconds"])

    def computed(dim):
        """The model at embedding size ``dim``, every computed weight set (seeded alike)."""
        tf.keras.utils.set_random_seed(cfg.seed)
        model = build_model(n, dim, float(everyone_.stars.mean()), rows.shape[1])
        vectors = co_liked_vectors(liked, dim, cfg.seed)
        set_computed_weights(
            model, vectors, rows, neighbor_weights, ratios, table.popularity_gamma, book_bias, star_weights
        )
        return model

    if choices is None:
        val = readers_batch(check, cfg.seed) if check is not None else validation_batch(split, 2000, cfg.seed)
        fits = {}
        for dim in sorted(cfg.embedding_dims):  # each trained, its mix chosen, then measured
            model = computed(dim)
            trained = train_low_rank(model, everyone_, cfg, cfg.epochs, val, progress)
            fits[dim] = (model, trained, *choose_mix(model, judge, cfg))
        dim = smallest_within(
            {d: f[3] for d, f in fits.items()}, cfg.embedding_tolerance, "embedding size", judge.label
        )
        model, trained, mix, _ = fits[dim]
        history.update(trained)
        history["embedding_sizes"] = {str(d): f[3][0] for d, f in fits.items()}
        discovery = None
        if check is not None and data.catalogue is not None:
            discovery = choose_discovery(
                lambda p: predict_batch(model, p.picks)[0],
                judge,
                judge.protocols,
                data.catalogue,
                data.ratings_count,
                cfg.discovery_grid,
                mix,
            )
        choices = Choices(
            table.to_read_weight,
            table.popularity_gamma,
            mix,
            scale,
            int(history["best_epoch"]),
            table.three_star_weight,
            table.neighbor_lambda,
            table.neighbor_dropout,
            table.num_neighbors,
            table.reader_weight,
            "real readers" if check is not None else "split",
            dim,
            discovery,
        )
    else:
        model = computed(choices.embedding_dim)
        history.update(train_low_rank(model, everyone_, cfg, choices.epochs, None, progress))
        set_mix(model, choices.neighbor_mix)
    history["fit_seconds"] = time.perf_counter() - started
    return model, history, choices


def load_inputs(cfg: TrainConfig):
    """(books, ratings, to_read or None, real readers or None) from the configured files."""
    data_dir = ensure_data(cfg.data)
    cfg.data = str(data_dir)
    books = load_books(data_dir)
    book_ids = books["book_id"].to_numpy()
    ratings = load_ratings(data_dir, book_ids)
    cfg.release = ratings.attrs.get("release", {}).get("name")
    to_read = None
    if not cfg.use_to_read:
        log.info("--no-to-read: skipping to-read signal (to_read.csv is not read)")
    else:
        try:
            to_read = load_to_read(data_dir, book_ids)
        except DataError as err:
            raise DataError(f"{err} (or pass --no-to-read to train without the to-read signal)") from None
    readers = None
    path = resolve_readers_path(cfg.real_readers)
    if path is None:
        log.info(
            "no real-reader file (--real-readers or REAL_READERS): every setting is chosen on "
            "this data's own split"
        )
    else:
        readers = load_new_readers(path, book_ids, ratings, to_read)
        cfg.real_readers = str(path)
    return books, ratings, to_read, readers


def train_and_refit(
    books: pd.DataFrame, ratings, to_read, cfg: TrainConfig, readers: UserRatings | None = None, progress=True
):
    """The split fit, then the shipped fit with its choices: (split model, shipped model,
    choices, {"split": history, "shipped": history}). With real ``readers``, the split fit
    learns from their *fit* part and chooses on their *check* part (model/readers.py); the
    shipped fit learns from all of them."""
    book_ids = books["book_id"].to_numpy()
    ratings_count = books["ratings_count"].to_numpy().astype(np.float64)
    split = make_split(ratings, book_ids, cfg.seed, cfg.visitor_fraction, cfg.test_fraction, to_read)
    folds = reader_folds(readers, cfg.seed) if readers is not None else None
    log.info(
        "split fit: %d training users (%d ratings, %d to-read marks); %d users held out",
        len(split.train),
        len(split.train.rows),
        split.to_read.nnz,
        len(split.held_out),
    )
    if folds is not None:
        log.info(
            "real readers: %d to learn from, %d to choose on, %d kept for the report",
            len(folds.fit),
            len(folds.check),
            len(folds.report),
        )
    split_data = FitData(
        split.train, split.to_read, ratings_count, folds.fit if folds else None, Catalogue.of(books)
    )
    split_model, split_history, choices = fit(
        split_data, cfg, split=split, check=folds.check if folds else None, progress=progress
    )
    log.info("split fit in %.0fs; choices: %s", split_history["fit_seconds"], dataclasses.asdict(choices))
    if folds is not None:
        # What model.evaluate reports: the chosen design learning from the whole choosing half,
        # closer to the shipped fit (every reader) than the fit that chose; the report half
        # stays unseen.
        choosing = FitData(split.train, split.to_read, ratings_count, folds.choosing)
        split_model, refit_history, _ = fit(choosing, cfg, choices=choices, progress=progress)
        split_history["refit_on_choosing_readers"] = refit_history
        log.info(
            "split fit refitted with all %d choosing readers in %.0fs",
            len(folds.choosing),
            refit_history["fit_seconds"],
        )
    all_ratings, all_to_read = everyone(ratings, book_ids, to_read)
    log.info(
        "shipped fit: all %d users (%d ratings, %d to-read marks)%s",
        len(all_ratings),
        len(all_ratings.rows),
        all_to_read.nnz,
        f" and all {len(readers)} real readers" if readers is not None else "",
    )
    shipped, shipped_history, _ = fit(
        FitData(all_ratings, all_to_read, ratings_count, readers), cfg, choices=choices, progress=progress
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
    parser.add_argument(
        "--out", default=defaults.out, help="artifacts root: writes its model/ folder, nothing else"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed for split and training")
    parser.add_argument(
        "--epochs", type=int, default=defaults.epochs, help="most training epochs of the low-rank part"
    )
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="users per training step")
    parser.add_argument(
        "--embedding-dim",
        dest="embedding_dims",
        type=int,
        nargs="+",
        default=defaults.embedding_dims,
        help="book embedding sizes to choose among (the smallest within --embedding-tolerance of "
        "the best; one size: that one)",
    )
    parser.add_argument(
        "--embedding-tolerance",
        type=float,
        default=defaults.embedding_tolerance,
        help="Recall@10 a larger embedding must win by to ship",
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
    parser.add_argument(
        "--real-readers",
        default=None,
        help="ratings of real readers (user_id,book_id,rating) who are not in the data: every "
        "setting is chosen on them (default: $REAL_READERS; without one, on the data's own split)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's start-up log too")
    args = parser.parse_args(argv)
    if args.verbose:
        show_tensorflow_logs()
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig) if hasattr(args, f.name)}
    values["embedding_dims"] = tuple(values["embedding_dims"])
    return TrainConfig(**values), args.quiet


def main(argv: list[str] | None = None) -> int:
    from model.export import export_artifacts

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    cfg, quiet = parse_args(argv)
    try:
        started = time.perf_counter()
        books, ratings, to_read, readers = load_inputs(cfg)
        log.info(
            "%d books, %d ratings loaded in %.1fs", len(books), len(ratings), time.perf_counter() - started
        )
        split_model, shipped, choices, histories = train_and_refit(
            books, ratings, to_read, cfg, readers, not quiet
        )
        round_for_browser(split_model)  # what the browser gets, measured as it ships
        round_for_browser(shipped)
        export_artifacts(shipped, split_model, books, cfg, choices, histories, Path(cfg.out))
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    log.info("model.train done in %.0fs", time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
