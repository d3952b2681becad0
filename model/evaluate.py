"""Measure the exported model against baselines on the training split.

    python -m model.evaluate [--out artifacts]

Reloads ``model.keras`` (the float16-rounded weights the browser gets) and rebuilds the
seeded split from ``config.json``. Prints a table and writes ``eval.json`` and ``eval.md``.

- Visitor ranking: held-out users with >= 10 liked books; picks = 5 random liked books (and,
  separately, half of them), targets = the rest. Recall@10 = hits / min(10, |targets|), NDCG@10.
- Star RMSE on the 80/20 split of the training users' ratings (their 80% as input).
- Visitor stars: a held-out user gives half their ratings; the other half is predicted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from model import baselines
from model.data import DataError, load_books, load_ratings
from model.split import LIKED_STARS, Split, UserRatings, make_split

log = logging.getLogger(__name__)

K = 10


# ---------------------------------------------------------------------------------------
# Metrics


def recall_ndcg_at_k(scores: np.ndarray, picks: list[np.ndarray], targets: list[np.ndarray], k: int = K):
    """Mean Recall@k (hits / min(k, |targets|)) and NDCG@k; picked rows are never recommended."""
    scores = scores.copy()
    recalls, ndcgs = [], []
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for i, (picked, target) in enumerate(zip(picks, targets, strict=True)):
        scores[i, picked] = -np.inf
        top = np.argpartition(-scores[i], k)[:k]
        top = top[np.lexsort((top, -scores[i, top]))]  # by score, ties to the lower row
        hits = np.isin(top, target)
        recalls.append(hits.sum() / min(k, len(target)))
        ideal = discounts[: min(k, len(target))].sum()
        ndcgs.append((hits * discounts).sum() / ideal)
    return float(np.mean(recalls)), float(np.mean(ndcgs))


def ranking_protocol(visitors: UserRatings, n_picks: int | None, seed: int, min_liked: int = 10):
    """Per visitor with >= min_liked liked books: (picked rows, picked stars, target rows).

    n_picks=None picks half of the liked books.
    """
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(len(visitors)):
        rows, stars = visitors.of(i)
        liked = np.flatnonzero(stars >= LIKED_STARS)
        if len(liked) < min_liked:
            continue
        size = n_picks if n_picks is not None else len(liked) // 2
        order = rng.permutation(liked)
        cases.append((rows[order[:size]], stars[order[:size]], rows[order[size:]]))
    return cases


def indicator(picks: list[np.ndarray], num_books: int) -> sp.csr_matrix:
    """[V, N] sparse 0/1 matrix of picked rows (sparse: a product with it sums a few rows)."""
    owner = np.repeat(np.arange(len(picks)), [len(p) for p in picks])
    cols = np.concatenate(picks) if picks else np.zeros(0, np.int64)
    return sp.csr_matrix((np.ones(len(cols), np.float32), (owner, cols)), shape=(len(picks), num_books))


# ---------------------------------------------------------------------------------------
# Evaluation


def evaluate_ranking(model, split: Split, most_rated: np.ndarray, seed: int) -> list[dict]:
    from model.recommend import predict_batch

    num_books = len(split.book_ids)
    liked = baselines.liked_matrix(split.train, num_books)
    started = time.perf_counter()
    knn = baselines.item_knn(liked)
    ease = baselines.ease(liked)
    denoising = baselines.ease(liked, lam=20.0, dropout=0.9)
    log.info("baselines fitted in %.0fs", time.perf_counter() - started)
    rows = []
    for label, n_picks in (("5 picks", 5), ("half of liked", None)):
        cases = ranking_protocol(split.visitors, n_picks, seed)
        picks = [c[0] for c in cases]
        targets = [c[2] for c in cases]
        ind = indicator(picks, num_books)
        scored = {
            "most-rated": np.broadcast_to(most_rated, (len(cases), num_books)),
            "item-kNN": ind @ knn,
            "EASE (lambda=500)": ind @ ease,
            "denoising EASE, full 10k x 10k (dropout 0.9)": ind @ denoising,
            "Shelf model": predict_batch(model, [(c[0], c[1]) for c in cases])[0],
        }
        for name, scores in scored.items():
            recall, ndcg = recall_ndcg_at_k(np.asarray(scores, np.float32), picks, targets)
            rows.append(
                {
                    "protocol": label,
                    "model": name,
                    "visitors": len(cases),
                    "recall@10": recall,
                    "ndcg@10": ndcg,
                }
            )
    return rows


def evaluate_stars(model, split: Split, seed: int, tutorial: bool = True) -> list[dict]:
    from model.recommend import predict_batch

    num_books = len(split.book_ids)
    bias = baselines.BiasModel(num_books).fit(split.train)
    test_owner = split.test.owners()
    truth = split.test.stars

    def rmse(pred):
        return float(np.sqrt(np.mean((np.asarray(pred) - truth) ** 2)))

    rows = [
        {"task": "80/20 ratings", "model": "global mean", "rmse": rmse(np.full_like(truth, bias.mean))},
        {
            "task": "80/20 ratings",
            "model": "user + book bias",
            "rmse": rmse(bias.predict(bias.user_bias[test_owner], split.test.rows)),
        },
    ]
    if tutorial:
        dot = baselines.tutorial_dot_rmse(split.train, split.test, num_books, seed=seed)
        rows.append({"task": "80/20 ratings", "model": "tutorial user-id dot (5-d, 5 epochs)", "rmse": dot})
    has_test = np.flatnonzero(np.diff(split.test.indptr) > 0)
    pred = np.zeros_like(truth)
    for start in range(0, len(has_test), 512):
        users = has_test[start : start + 512]
        _, stars = predict_batch(model, [split.train.of(i) for i in users])
        for j, i in enumerate(users):
            lo, hi = split.test.indptr[i], split.test.indptr[i + 1]
            pred[lo:hi] = stars[j, split.test.rows[lo:hi]]
    rows.append({"task": "80/20 ratings", "model": "Shelf model", "rmse": rmse(pred)})

    # Visitors: half of the ratings given, the other half predicted.
    rng = np.random.default_rng(seed + 3)
    given, hidden = [], []
    for i in range(len(split.visitors)):
        r, s = split.visitors.of(i)
        if len(r) < 2:
            continue
        order = rng.permutation(len(r))
        half = len(r) // 2
        given.append((r[order[:half]], s[order[:half]]))
        hidden.append((r[order[half:]], s[order[half:]]))
    hidden_truth = np.concatenate([s for _, s in hidden])
    bias_pred = np.concatenate(
        [bias.predict(bias.visitor_bias(gr, gs), hr) for (gr, gs), (hr, _) in zip(given, hidden, strict=True)]
    )
    model_pred = []
    for start in range(0, len(given), 512):
        _, stars = predict_batch(model, given[start : start + 512])
        model_pred.extend(stars[j, hr] for j, (hr, _) in enumerate(hidden[start : start + 512]))
    model_pred = np.concatenate(model_pred)
    for name, p in (("book bias + visitor bias", bias_pred), ("Shelf model", model_pred)):
        rows.append(
            {
                "task": "visitors, half given",
                "model": name,
                "rmse": float(np.sqrt(np.mean((p - hidden_truth) ** 2))),
            }
        )
    return rows


def markdown_report(ranking: list[dict], stars: list[dict], meta: dict) -> str:
    lines = [
        "### Visitor ranking (held-out users)",
        "",
        "| picks | model | visitors | Recall@10 | NDCG@10 |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['protocol']} | {r['model']} | {r['visitors']} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} |"
        for r in ranking
    ]
    lines += [
        "",
        "### Star prediction (RMSE, lower is better)",
        "",
        "| task | model | RMSE |",
        "|---|---|---|",
    ]
    lines += [f"| {r['task']} | {r['model']} | {r['rmse']:.3f} |" for r in stars]
    lines += [
        "",
        f"Model download: {meta['model_bytes'] / 1e6:.2f} MB (TF.js weights + model.json, uncompressed).",
    ]
    return "\n".join(lines) + "\n"


def model_bytes(artifacts: Path) -> int:
    return sum(p.stat().st_size for p in (artifacts / "web" / "model").iterdir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the exported Shelf model against baselines.")
    parser.add_argument("--out", default="artifacts", help="artifacts directory written by model.train")
    parser.add_argument(
        "--data", default=None, help="goodbooks-10k directory (default: the one used for training)"
    )
    parser.add_argument("--no-tutorial", action="store_true", help="skip the tutorial dot-model baseline")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    out = Path(args.out)
    try:
        if not (out / "config.json").is_file() or not (out / "model.keras").is_file():
            raise DataError(f"{out}: no trained model here; run `python -m model.train --out {out}` first")
        config = json.loads((out / "config.json").read_text())
        data_dir = Path(args.data or config["data"])
        books = load_books(data_dir)
        ratings = load_ratings(data_dir, books["book_id"].to_numpy())
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from model.layers import load_model

    started = time.perf_counter()
    split = make_split(
        ratings,
        books["book_id"].to_numpy(),
        config["seed"],
        config["visitor_fraction"],
        config["test_fraction"],
    )
    model = load_model(out / "model.keras")
    most_rated = books["ratings_count"].to_numpy().astype(np.float32)
    ranking = evaluate_ranking(model, split, most_rated, config["seed"] + 2)
    stars = evaluate_stars(model, split, config["seed"], tutorial=not args.no_tutorial)
    meta = {"model_bytes": model_bytes(out), "seconds": time.perf_counter() - started}
    report = markdown_report(ranking, stars, meta)
    print(report)
    (out / "eval.json").write_text(json.dumps({"ranking": ranking, "stars": stars, **meta}, indent=2))
    (out / "eval.md").write_text(report)
    log.info("evaluation took %.0fs; wrote %s and %s", meta["seconds"], out / "eval.json", out / "eval.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
