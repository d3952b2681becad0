"""Turning users into (picks, targets) examples for the ranking head's softmax training.

Training imitates serving: each step, every user in the batch is cut into *picks* (the input,
as a visitor gives them) and *held-back* books (the targets).
"""

from __future__ import annotations

import numpy as np

from model.config import TrainConfig
from model.split import LIKED_STARS, Split, UserRatings, hold_out


def gather_users(ratings: UserRatings, users: np.ndarray):
    """Concatenate the ratings of ``users``: (owner [R] batch position, rows [R], stars [R], lens [B])."""
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
    owner, rows, stars, lens = gather_users(train, users)
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


def eligible_users(ratings: UserRatings) -> np.ndarray:
    """Users with at least two ratings (one to pick, one to hold back)."""
    return np.flatnonzero(np.diff(ratings.indptr) >= 2)


def validation_batch(split: Split, num_users: int, seed: int):
    """A fixed validation batch: training users' 80% as picks, their 20% as targets."""
    rng = np.random.default_rng(seed + 1)
    has_test = np.flatnonzero((np.diff(split.test.indptr) > 0) & (np.diff(split.train.indptr) > 0))
    users = np.sort(rng.choice(has_test, size=min(num_users, len(has_test)), replace=False))
    return held_batch(split.train, split.test, users)


def readers_batch(readers: UserRatings, seed: int):
    """A fixed validation batch of real readers: a random 80% of each one's ratings as picks,
    the rest as targets."""
    given, held = hold_out(readers, 0.2, seed + 1)
    users = np.flatnonzero((np.diff(held.indptr) > 0) & (np.diff(given.indptr) > 0))
    return held_batch(given, held, users)


def held_batch(picks: UserRatings, targets: UserRatings, users: np.ndarray):
    """``make_batch`` of ``users``: their ratings in ``picks`` as the input (at most 200),
    those in ``targets`` (same users) as the targets."""
    p_owner, p_rows, p_stars, p_lens = gather_users(picks, users)
    h_owner, h_rows, h_stars, _ = gather_users(targets, users)
    p_rank = np.arange(len(p_rows)) - np.repeat(np.cumsum(p_lens) - p_lens, p_lens)
    keep = p_rank < 200  # bound the input width; the rest of a heavy rater's picks add little
    owner = np.concatenate([p_owner[keep], h_owner])
    rank = np.concatenate([p_rank[keep], np.zeros(len(h_rows), np.int64)])
    picked = np.concatenate([np.ones(keep.sum(), bool), np.zeros(len(h_rows), bool)])
    rows = np.concatenate([p_rows[keep], h_rows])
    stars = np.concatenate([p_stars[keep], h_stars])
    return make_batch(len(users), owner, rank, rows, stars, picked)
