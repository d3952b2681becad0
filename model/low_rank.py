"""The one trained part of the visitor model: the low-rank tower (pooled picks -> visitor
vector -> a score for every book), fitted by softmax cross-entropy over all books for the
held-back liked books, on top of the (fixed) neighbor votes.
"""

from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from model import import_tensorflow
from model.config import TrainConfig
from model.sampling import eligible_users, sample_batch
from model.split import UserRatings

log = logging.getLogger(__name__)


def train_low_rank(
    model, ratings: UserRatings, cfg: TrainConfig, epochs: int, validation=None, progress: bool = True
) -> dict:
    """Train ``model``'s trainable variables for ``epochs`` epochs over the users of ``ratings``.

    With a ``validation`` batch (sampling.validation_batch), its loss is measured after every
    epoch and the weights of the epoch with the lowest one are kept. Returns the history:
    per-epoch losses, ``best_epoch``, ``train_seconds``, ``ratings_per_second``.
    """
    tf = import_tensorflow()
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
    users = eligible_users(ratings)
    steps = int(np.ceil(len(users) / cfg.batch_size))
    history = {"epoch": [], "rank_loss": [], "val_rank_loss": [], "best_epoch": epochs}
    best_loss, best_weights = np.inf, None
    started_all = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:  # sample the next batch while TF trains
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            order = rng.permutation(users)
            batches = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
            # A live bar on a terminal only: in a log (make build > log) the epoch's line below says it all.
            live = progress and sys.stdout.isatty()
            bar = tf.keras.utils.Progbar(steps, verbose=1 if live else 0, stateful_metrics=["rank"])
            rank_sum = 0.0
            pending = pool.submit(sample_batch, ratings, batches[0], rng, cfg)
            for step in range(steps):
                batch = pending.result()
                if step + 1 < steps:
                    pending = pool.submit(sample_batch, ratings, batches[step + 1], rng, cfg)
                rank_sum += float(train_step(*batch))
                bar.update(step + 1, [("rank", rank_sum / (step + 1))])
            history["epoch"].append(epoch)
            history["rank_loss"].append(rank_sum / steps)
            message = f"epoch {epoch}/{epochs}: rank loss {rank_sum / steps:.4f}"
            if validation is not None:
                val_loss = float(eval_step(*validation))
                history["val_rank_loss"].append(val_loss)
                message += f", val rank loss {val_loss:.4f}"
                if val_loss < best_loss:
                    best_loss, best_weights = val_loss, [w.numpy() for w in trained]
                    history["best_epoch"] = epoch
            rate = len(ratings.rows) / (time.perf_counter() - started)
            log.info("%s, %.0f ratings/s", message, rate)
    if best_weights is not None:
        for variable, value in zip(trained, best_weights, strict=True):
            variable.assign(value)
    seconds = time.perf_counter() - started_all
    history["train_seconds"] = seconds
    history["ratings_per_second"] = len(ratings.rows) * epochs / max(seconds, 1e-9)
    return history
