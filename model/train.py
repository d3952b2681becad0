"""Train the visitor model on goodbooks-10k and export it for Keras and TF.js.

    python -m model.train [--data DIR] [--out artifacts] [--epochs N] ...

Training imitates serving: each step, every user in the batch is cut into *picks* (the input,
as a visitor would give them) and *held-back* books (the targets). The ranking head learns a
softmax over all books for the held-back liked books. Much is computed in closed form, not
trained: the book embeddings (a truncated SVD of the likes), the neighbour table (denoising
EASE on the training likes) and the star head (the bias baseline plus ridge regressions on
the rating residuals, along the same table). No user id is ever an input, so the network
serves visitors it has never seen.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from model import baselines
from model.data import DataError, ensure_data, load_books, load_ratings
from model.split import LIKED_STARS, Split, UserRatings, hold_out, make_split

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Everything that determines a trained model; saved next to it as config.json."""

    data: str | None = None
    out: str = "artifacts"
    seed: int = 42
    visitor_fraction: float = 0.1
    test_fraction: float = 0.2
    embedding_dim: int = 32
    epochs: int = 10
    batch_size: int = 256
    learning_rate: float = 2e-3
    max_picks: int = 100
    visitor_style_fraction: float = 0.5
    max_visitor_picks: int = 10
    num_neighbors: int = 16
    neighbor_dropout: float = 0.9
    neighbor_lambda: float = 20.0
    star_lambda: float = 30.0
    star_holdout: float = 0.1


# ---------------------------------------------------------------------------------------
# Turning users into (picks, targets) examples


def _gather_users(ratings: UserRatings, users: np.ndarray):
    """Concatenate the ratings of ``users``: (owner [R] batch position, rows [R], stars [R])."""
    lens = ratings.indptr[users + 1] - ratings.indptr[users]
    first = np.repeat(np.cumsum(lens) - lens, lens)
    positions = np.repeat(ratings.indptr[users], lens) + (np.arange(lens.sum()) - first)
    owner = np.repeat(np.arange(len(users)), lens)
    return owner, ratings.rows[positions], ratings.stars[positions], lens


def sample_batch(train: UserRatings, users: np.ndarray, rng: np.random.Generator, cfg: TrainConfig):
    """Cut each user's ratings into picks (the input) and held-back ratings (the targets).

    For a share of users (``visitor_style_fraction``) the picks are 1..10 of their liked books,
    as a visitor gives them; for the others, a random 20-80% of all their ratings, low stars
    included. Vectorised over the batch. Returns ``make_batch``'s arrays.
    """
    owner, rows, stars, lens = _gather_users(train, users)
    liked = stars >= LIKED_STARS
    n_liked = np.bincount(owner, weights=liked, minlength=len(users)).astype(np.int64)
    visitor_style = (n_liked >= 2) & (rng.random(len(users)) < cfg.visitor_style_fraction)
    visitor_size = rng.integers(1, np.minimum(cfg.max_visitor_picks, np.maximum(n_liked - 1, 1)) + 1)
    share_size = np.clip(
        np.round(lens * rng.uniform(0.2, 0.8, len(users))), 1, np.minimum(lens - 1, cfg.max_picks)
    )
    size = np.where(visitor_style, visitor_size, share_size).astype(np.int64)
    # Random order within each user; in visitor style, liked books come first.
    key = rng.random(len(rows)) + np.where(visitor_style[owner] & ~liked, 2.0, 0.0)
    order = np.lexsort((key, owner))
    rank = np.empty(len(rows), np.int64)
    rank[order] = np.arange(len(rows)) - np.repeat(np.cumsum(lens) - lens, lens)
    picked = rank < size[owner]
    return make_batch(len(users), owner, rank, rows, stars, picked)


def make_batch(batch: int, owner, rank, rows, stars, picked):
    """Model inputs and sparse targets from flat per-rating arrays.

    ``picked`` ratings become the input (position ``rank`` in the padded row); the others are
    targets. Returns rows [B, L] int32, stars [B, L] float32, target_index [T, 2] int32
    (batch position, book row) and liked_weight [T] float32 (each user's held-back liked books
    share weight 1 / users-with-liked-targets).
    """
    width = max(1, int(rank[picked].max(initial=0)) + 1)
    pick_rows = np.zeros((batch, width), np.int32)
    pick_stars = np.zeros((batch, width), np.float32)
    pick_rows[owner[picked], rank[picked]] = rows[picked]
    pick_stars[owner[picked], rank[picked]] = stars[picked]
    held = ~picked
    target_owner, target_rows, target_stars = owner[held], rows[held], stars[held]
    liked = (target_stars >= LIKED_STARS).astype(np.float32)
    n_liked = np.bincount(target_owner, weights=liked, minlength=batch)
    users_with_liked = max(int((n_liked > 0).sum()), 1)
    liked_weight = liked / np.maximum(n_liked[target_owner], 1.0) / users_with_liked
    target_index = np.stack([target_owner, target_rows], axis=1).astype(np.int32)
    return pick_rows, pick_stars, target_index, liked_weight.astype(np.float32)


def neighbor_table(liked: sp.csr_matrix, cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """The sparse item-item part: each book's strongest denoising-EASE weights on the training
    ``liked`` matrix, scaled so that a book's strongest neighbour weighs about 1."""
    rows, weights = strongest_neighbors(
        baselines.ease(liked, cfg.neighbor_lambda, cfg.neighbor_dropout), cfg.num_neighbors
    )
    return rows, weights / max(float(weights[:, 0].mean()), 1e-12)


def co_liked_vectors(liked: sp.csr_matrix, dim: int, seed: int) -> np.ndarray:
    """[N, dim] unit book vectors from a truncated SVD of the likes, each book's column scaled
    by 1 / sqrt(its likes + 1) so popular books do not crowd every direction. Books liked by
    the same users point the same way."""
    from sklearn.utils.extmath import randomized_svd

    degree = np.asarray(liked.sum(axis=0)).ravel() + 1.0
    dim = min(dim, min(liked.shape) - 1)
    _, _, vt = randomized_svd(liked @ sp.diags(degree**-0.5), dim, n_iter=5, random_state=seed)
    vectors = vt.T
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def strongest_neighbors(weights: np.ndarray, num_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``num_neighbors`` largest entries of an item-item matrix, largest first.

    Returns column indices [N, M] int32 and their values [N, M] float32.
    """
    m = min(num_neighbors, weights.shape[1] - 1)
    top = np.argpartition(-weights, m - 1, axis=1)[:, :m]
    values = np.take_along_axis(weights, top, axis=1)
    order = np.lexsort((top, -values), axis=1)
    rows = np.take_along_axis(top, order, axis=1).astype(np.int32)
    return rows, np.take_along_axis(values, order, axis=1).astype(np.float32)


def neighbor_matrix(neighbor_rows: np.ndarray, weights: np.ndarray) -> sp.csr_matrix:
    """The neighbour table as a sparse [N, N] matrix: row p holds p's weights at its neighbours."""
    num_books, m = neighbor_rows.shape
    owner = np.repeat(np.arange(num_books), m)
    return sp.csr_matrix((weights.ravel(), (owner, neighbor_rows.ravel())), shape=(num_books, num_books))


def star_table(residuals: sp.csr_matrix, neighbor_rows: np.ndarray, lam: float):
    """Unscaled star weights [N, M] along the neighbour table.

    For each book, a ridge regression (L2 ``lam``) of its rating residual on the residuals of
    the books that vote for it (those with it among their neighbour rows), over all users of
    ``residuals`` (baselines.residual_matrix), an unrated book counting as residual 0. The
    weight of voter p for book i sits where i sits in p's neighbour rows.
    """
    gram = (residuals.T @ residuals).toarray()  # [N, N]
    num_books, m = neighbor_rows.shape
    target = neighbor_rows.ravel()
    voter = np.repeat(np.arange(num_books), m)
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(num_books + 1))
    weights = np.zeros(num_books * m)
    for book in range(num_books):
        slots = order[bounds[book] : bounds[book + 1]]
        slots = slots[voter[slots] != book]  # a book never votes for itself
        if len(slots) == 0:
            continue
        voters = voter[slots]
        a = gram[np.ix_(voters, voters)].astype(np.float64) + lam * np.eye(len(voters))
        weights[slots] = scipy.linalg.solve(a, gram[voters, book], assume_a="pos")
    return weights.reshape(num_books, m)


def star_head(train: UserRatings, neighbor_rows: np.ndarray, cfg: TrainConfig, shrinkage: float):
    """The star head's weights, in closed form: (book_bias [N], star_weights [N, M], report).

    Predicted stars = the user + book bias baseline + sum over picks of the pick's residual
    times its star weight for the book (see layers.StarPredictor and star_table). The
    regressions count unrated books as residual 0, so they shrink towards 0; one scale undoes
    that, fitted by least squares on a seeded ``star_holdout`` share of the training ratings
    held back from a first fit. The weights shipped are refitted on all training ratings.
    """
    num_books = len(neighbor_rows)
    kept, held = hold_out(train, cfg.star_holdout, cfg.seed + 5)
    if len(held.rows) == 0:
        raise DataError("too few training ratings to hold any back for the star head")
    bias = baselines.BiasModel(num_books, shrink_user=shrinkage).fit(kept)
    residuals = baselines.residual_matrix(kept, bias)
    weights = star_table(residuals, neighbor_rows, cfg.star_lambda)
    votes_all = residuals @ neighbor_matrix(neighbor_rows, weights)
    held_owner = held.owners()
    votes = np.asarray(votes_all[held_owner, held.rows], np.float64).ravel()
    baseline = bias.mean + bias.book_bias[held.rows] + bias.user_bias[held_owner]
    scale = float(votes @ (held.stars - baseline) / max(float(votes @ votes), 1e-12))

    def rmse(pred):
        return float(np.sqrt(np.mean((np.clip(pred, 1.0, 5.0) - held.stars) ** 2)))

    report = {
        "star_scale": scale,
        "star_holdout_ratings": len(held.rows),
        "star_holdout_rmse_bias": rmse(baseline),
        "star_holdout_rmse": rmse(baseline + scale * votes),
    }
    log.info(
        "star head: scale %.2f; RMSE on %d held-back training ratings %.4f (bias baseline %.4f)",
        scale,
        len(held.rows),
        report["star_holdout_rmse"],
        report["star_holdout_rmse_bias"],
    )
    bias = baselines.BiasModel(num_books, shrink_user=shrinkage).fit(train)
    weights = scale * star_table(baselines.residual_matrix(train, bias), neighbor_rows, cfg.star_lambda)
    return bias.book_bias.astype(np.float32), weights.astype(np.float32), report


EMBEDDING_NORM = 0.1  # about the norm of Keras's default embedding initialisation at 32-d


def set_computed_weights(model, vectors, neighbor_rows, neighbor_weights, book_bias, star_weights) -> None:
    """Set the weights computed in closed form, and keep them out of training.

    The book embeddings are the co-liked vectors: trained along with the rest they drifted
    towards whatever helps the softmax and lost their use for "similar books" (10 nearest
    books sharing the first author: 0.08 against 0.22 fixed) for a Recall@10 within 0.003.
    The neighbour mix starts at 1, see choose_mix.
    """
    embedding = model.get_layer("book_embedding")
    embedding.set_weights([(EMBEDDING_NORM * vectors).astype(np.float32)])
    embedding.trainable = False
    model.get_layer("neighbor_rows").neighbor_rows.assign(neighbor_rows.astype(np.float32))
    neighbor_layer = model.get_layer("neighbor_scores")
    neighbor_layer.neighbor_weights.assign(neighbor_weights)
    neighbor_layer.mix.assign([1.0])
    star_layer = model.get_layer("predicted_stars")
    star_layer.book_bias.assign(book_bias)
    star_layer.star_weights.assign(star_weights)


def eligible_users(train: UserRatings) -> np.ndarray:
    """Users with at least two ratings (one to pick, one to hold back)."""
    return np.flatnonzero(np.diff(train.indptr) >= 2)


def validation_batch(split: Split, num_users: int, seed: int):
    """A fixed validation batch: training users' 80% as picks, their 20% as targets."""
    rng = np.random.default_rng(seed + 1)
    has_test = np.flatnonzero((np.diff(split.test.indptr) > 0) & (np.diff(split.train.indptr) > 0))
    users = np.sort(rng.choice(has_test, size=min(num_users, len(has_test)), replace=False))
    p_owner, p_rows, p_stars, p_lens = _gather_users(split.train, users)
    h_owner, h_rows, h_stars, _ = _gather_users(split.test, users)
    p_rank = np.arange(len(p_rows)) - np.repeat(np.cumsum(p_lens) - p_lens, p_lens)
    keep = p_rank < 200  # bound the input width; the rest of a heavy rater's picks add little
    owner = np.concatenate([p_owner[keep], h_owner])
    rank = np.concatenate([p_rank[keep], np.zeros(len(h_rows), np.int64)])
    picked = np.concatenate([np.ones(keep.sum(), bool), np.zeros(len(h_rows), bool)])
    rows = np.concatenate([p_rows[keep], h_rows])
    stars = np.concatenate([p_stars[keep], h_stars])
    return make_batch(len(users), owner, rank, rows, stars, picked)


# ---------------------------------------------------------------------------------------
# Training


def train_model(split: Split, cfg: TrainConfig, progress: bool = True):
    """Train the visitor model on ``split.train``; return (model, history dict)."""
    from model import import_tensorflow

    tf = import_tensorflow()

    from model.layers import build_model

    tf.keras.utils.set_random_seed(cfg.seed)
    num_books = len(split.book_ids)
    global_mean = float(split.train.stars.mean())  # the same mean BiasModel fits
    liked = baselines.liked_matrix(split.train, num_books)
    neighbor_rows, neighbor_weights = neighbor_table(liked, cfg)
    model = build_model(num_books, cfg.embedding_dim, global_mean, neighbor_rows.shape[1])
    star_layer = model.get_layer("predicted_stars")
    book_bias, star_weights, star_report = star_head(
        split.train, neighbor_rows, cfg, star_layer.bias_shrinkage
    )
    vectors = co_liked_vectors(liked, cfg.embedding_dim, cfg.seed)
    set_computed_weights(model, vectors, neighbor_rows, neighbor_weights, book_bias, star_weights)
    trained = model.trainable_variables  # the visitor and book_scores layers; the rest is computed
    optimizer = tf.keras.optimizers.Adam(cfg.learning_rate)
    scorer = tf.keras.Model(model.inputs, model.get_layer("scores").output)  # no star votes

    def rank_loss(rows, stars, target_index, liked_weight, training):
        scores = scorer([rows, stars], training=training)
        log_probs = tf.nn.log_softmax(scores, axis=-1)  # [B, N]
        return -tf.reduce_sum(tf.gather_nd(log_probs, target_index) * liked_weight)

    spec = [
        tf.TensorSpec([None, None], tf.int32),
        tf.TensorSpec([None, None], tf.float32),
        tf.TensorSpec([None, 2], tf.int32),
        tf.TensorSpec([None], tf.float32),
    ]

    @tf.function(input_signature=spec)
    def train_step(*batch):
        with tf.GradientTape() as tape:
            loss = rank_loss(*batch, training=True)
        optimizer.apply_gradients(zip(tape.gradient(loss, trained), trained, strict=True))
        return loss

    @tf.function(input_signature=spec)
    def eval_step(*batch):
        return rank_loss(*batch, training=False)

    rng = np.random.default_rng(cfg.seed)
    users = eligible_users(split.train)
    val = validation_batch(split, 2000, cfg.seed)
    steps = int(np.ceil(len(users) / cfg.batch_size))
    history = {"epoch": [], "rank_loss": [], "val_rank_loss": [], **star_report}
    n_ratings = len(split.train.rows)
    with ThreadPoolExecutor(max_workers=1) as pool:  # sample the next batch while TF trains
        for epoch in range(1, cfg.epochs + 1):
            started = time.perf_counter()
            order = rng.permutation(users)
            batches = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
            bar = tf.keras.utils.Progbar(steps, verbose=1 if progress else 0, stateful_metrics=["rank"])
            rank_sum = 0.0
            pending = pool.submit(sample_batch, split.train, batches[0], rng, cfg)
            for step in range(steps):
                batch = pending.result()
                if step + 1 < steps:
                    pending = pool.submit(sample_batch, split.train, batches[step + 1], rng, cfg)
                rank_sum += float(train_step(*batch))
                bar.update(step + 1, [("rank", rank_sum / (step + 1))])
            val_rank = float(eval_step(*val))
            elapsed = time.perf_counter() - started
            history["epoch"].append(epoch)
            history["rank_loss"].append(rank_sum / steps)
            history["val_rank_loss"].append(val_rank)
            log.info(
                "epoch %d/%d: rank loss %.4f, val rank loss %.4f, %.0f ratings/s",
                epoch,
                cfg.epochs,
                rank_sum / steps,
                val_rank,
                n_ratings / elapsed,
            )
    history["neighbor_mix"] = choose_mix(model, split, cfg.seed)
    return model, history


MIX_GRID = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def choose_mix(model, split: Split, seed: int) -> float:
    """Set the neighbour votes' mix to the value with the best Recall@10 on validation users.

    Validation users are training users with >= 10 liked books in their 80%: 5 of those are
    the picks, their liked books in the 20% the targets (never trained on). The softmax loss
    would rather spread probability than rank the top 10 well, so the mix is chosen by the
    metric the product lives by, on users that are not the evaluation's visitors.
    """
    from model import import_tensorflow

    tf = import_tensorflow()

    from model.evaluate import recall_ndcg_at_k
    from model.recommend import predict_batch

    rng = np.random.default_rng(seed + 4)
    picks, targets = [], []
    for i in range(len(split.train)):
        rows, stars = split.train.of(i)
        test_rows, test_stars = split.test.of(i)
        liked = rows[stars >= LIKED_STARS]
        held = test_rows[test_stars >= LIKED_STARS]
        if len(liked) >= 10 and len(held):
            chosen = rng.choice(len(liked), size=5, replace=False)
            picks.append((liked[chosen], stars[stars >= LIKED_STARS][chosen]))
            targets.append(held)
        if len(picks) == 3000:
            break
    layer = model.get_layer("neighbor_scores")
    if not picks:
        log.info("no validation users with 10 liked books; neighbour mix stays 1")
        layer.mix.assign([1.0])
        return 1.0
    parts = tf.keras.Model(model.inputs, [model.get_layer("book_scores").output, layer.output])
    layer.mix.assign([1.0])
    low_rank, votes = predict_batch(parts, picks)
    results = {
        mix: recall_ndcg_at_k(low_rank + mix * votes, [p for p, _ in picks], targets)[0] for mix in MIX_GRID
    }
    best = max(results, key=results.get)
    log.info(
        "neighbour mix by validation Recall@10: %s -> %s", {k: round(v, 4) for k, v in results.items()}, best
    )
    layer.mix.assign([best])
    return float(best)


def round_to_float16(model) -> None:
    """Round every weight to float16 precision, the precision the browser downloads.

    The exported Keras model then holds exactly the weights TF.js dequantizes, so Keras,
    Python batch recommendations and the browser all score with the same numbers.
    """
    exact = model.get_layer("neighbor_rows").neighbor_rows  # row numbers: shipped as uint16
    for w in model.weights:
        if w is not exact:
            w.assign(w.numpy().astype(np.float16).astype(np.float32))


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
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help="training epochs")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="users per training step")
    parser.add_argument(
        "--embedding-dim", type=int, default=defaults.embedding_dim, help="book embedding size"
    )
    parser.add_argument(
        "--learning-rate", type=float, default=defaults.learning_rate, help="Adam learning rate"
    )
    parser.add_argument(
        "--star-lambda",
        type=float,
        default=defaults.star_lambda,
        help="L2 of the star head's residual regression",
    )
    parser.add_argument(
        "--visitor-fraction", type=float, default=defaults.visitor_fraction, help="share of users held out"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig) if hasattr(args, f.name)}
    return TrainConfig(**values), args.quiet


def main(argv: list[str] | None = None) -> int:
    from model.export import export_artifacts

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    cfg, quiet = parse_args(argv)
    try:
        data_dir = ensure_data(cfg.data)
        cfg.data = str(data_dir)
        started = time.perf_counter()
        books = load_books(data_dir)
        ratings = load_ratings(data_dir, books["book_id"].to_numpy())
        split = make_split(
            ratings, books["book_id"].to_numpy(), cfg.seed, cfg.visitor_fraction, cfg.test_fraction
        )
        log.info(
            "%d books, %d ratings, %d training users, %d visitors held out (loaded in %.1fs)",
            len(books),
            len(ratings),
            len(split.train),
            len(split.visitors),
            time.perf_counter() - started,
        )
        train_started = time.perf_counter()
        model, history = train_model(split, cfg, progress=not quiet)
        train_seconds = time.perf_counter() - train_started
        history["train_seconds"] = train_seconds
        history["ratings_per_second"] = len(split.train.rows) * cfg.epochs / train_seconds
        log.info(
            "trained in %.0fs (%.0f ratings/s over %d epochs)",
            train_seconds,
            history["ratings_per_second"],
            cfg.epochs,
        )
        round_to_float16(model)
        export_artifacts(model, books, cfg, history, Path(cfg.out))
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
