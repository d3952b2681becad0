"""Fit the visitor model on goodbooks-10k, twice, and export it for Keras and TF.js.

    python -m model.train [--data DIR] [--out artifacts] [--no-to-read] ...

1. The *split fit*: fitted on the training users' 80% (and their to-read marks); every setting
   (to-read weight, popularity shift, neighbor mix, star scale, epochs) is chosen on real
   readers it never sees (``fit.choose_on_readers``) or, without them, on validation users
   (``fit.choose_on_split``). ``python -m model.evaluate`` measures this model on the
   held-out users: it never saw them.
2. The *shipped fit*: the same model refitted on every rating and to-read mark with the
   split fit's choices (``fit.refit``). It is what the site, ``model.recommend`` and real
   visitors get.

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
from pathlib import Path

import numpy as np
import pandas as pd

from model import show_tensorflow_logs
from model.config import TrainConfig
from model.data import DataError, load_books, load_ratings, load_to_read
from model.download import ensure_data
from model.fit import FitData, choose_on_readers, choose_on_split, refit
from model.precision import round_for_browser
from model.readers import load_new_readers, reader_folds, resolve_readers_path
from model.shown_eval import Catalogue
from model.split import UserRatings, everyone, make_split

log = logging.getLogger(__name__)


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
    if folds is not None:
        split_model, split_history, choices = choose_on_readers(split_data, folds.check, cfg, progress)
    else:
        split_model, split_history, choices = choose_on_split(split_data, split, cfg, progress)
    log.info("split fit in %.0fs; choices: %s", split_history["fit_seconds"], dataclasses.asdict(choices))
    if folds is not None:
        # What model.evaluate reports: the chosen design learning from the whole choosing half,
        # closer to the shipped fit (every reader) than the fit that chose; the report half
        # stays unseen.
        choosing = FitData(split.train, split.to_read, ratings_count, folds.choosing)
        split_model, refit_history = refit(choosing, choices, cfg, progress)
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
    shipped, shipped_history = refit(
        FitData(all_ratings, all_to_read, ratings_count, readers), choices, cfg, progress
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
