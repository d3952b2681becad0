"""Measure the split fit's model against baselines on the held-out visitors.

    python -m model.evaluate [--out artifacts]

Which model: ``split/model.keras``, the split fit of ``python -m model.train`` (training users'
80% and their to-read marks; every setting chosen on validation users), with the float16
weights the browser gets. The shipped model (``model.keras``, the site's) is the same design
refitted on every rating and mark with the same choices: it has seen these visitors, so no
held-out number exists for it here. The baselines are fitted on the split fit's data in the
same run. Prints a table and writes ``eval.json`` and ``eval.md``.

Protocols (held-out visitors; picks are never recommended):
- *5 picks* / *half of liked*: visitors with >= 10 liked books; picks = 5 random liked books
  (or half of them), targets = the other liked books. Recall@10 = hits / min(10, |targets|).
- *real traffic*: the same, for visitors with >= ``heavy_min_ratings`` ratings (whose books
  follow real popularity), each target weighted towards real readers' book distribution
  (model/popularity.py); weighted Recall@10 = found target weight / all target weight.
- *to-read*: visitors with >= 5 liked books and >= 5 to-read marks; picks = 5 liked books,
  targets = their to-read marks (which follow real popularity: Spearman 0.61 with
  ``ratings_count``, against 0.37 for the ratings).
- Stars: RMSE on the training users' 20% (their 80% as picks), on visitors giving half their
  ratings, and on the real-traffic visitors giving half.
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

from model import baselines, show_tensorflow_logs
from model.atomic import write_text_atomic
from model.data import DataError, load_books, load_ratings, load_to_read
from model.metrics import K, recall_ndcg_of_top, rmse, weighted_recall_of_top
from model.popularity import heavy_counts, traffic_weights
from model.protocols import Protocol, half_given, protocols
from model.ranking import top_k_excluding
from model.recommend import CHUNK, predict_batch
from model.split import Split, make_split
from model.stars import BiasModel
from model.tables import liked_matrix

log = logging.getLogger(__name__)

SHELF = "Shelf model"
ANCHOR = "EASE + to-read (lambda=500, every mark a like)"


def indicator(picks: list[np.ndarray], num_books: int) -> sp.csr_matrix:
    """[V, N] sparse 0/1 matrix of picked rows (sparse: a product with it sums a few rows)."""
    owner = np.repeat(np.arange(len(picks)), [len(p) for p in picks])
    cols = np.concatenate(picks) if picks else np.zeros(0, np.int64)
    return sp.csr_matrix((np.ones(len(cols), np.float32), (owner, cols)), shape=(len(picks), num_books))


def baseline_scorers(split: Split, most_rated: np.ndarray) -> dict:
    """{name: picks indicator [V, N] -> scores [V, N]}, fitted on the split fit's data."""
    num_books = len(split.book_ids)
    liked = liked_matrix(split.train, num_books)
    started = time.perf_counter()
    knn = baselines.item_knn(liked)
    ease = baselines.ease_on(liked)
    scorers = {
        "most-rated (ratings_count)": lambda ind: np.broadcast_to(most_rated, (ind.shape[0], num_books)),
        "item-kNN (cosine)": lambda ind: ind @ knn,
        "EASE (lambda=500)": lambda ind: ind @ ease,
    }
    if split.to_read.nnz:
        anchor = baselines.ease_on(baselines.likes_and_marks(liked, split.to_read))
        scorers[ANCHOR] = lambda ind: ind @ anchor
    log.info("baselines fitted in %.0fs", time.perf_counter() - started)
    return scorers


def evaluate_ranking(model, split: Split, protocols_: list[Protocol], scorers: dict) -> list[dict]:
    num_books = len(split.book_ids)
    rows = []
    for protocol in protocols_:
        picks = protocol.rows()
        ind = indicator(picks, num_books)
        scored = {name: scorer(ind) for name, scorer in scorers.items()}
        scored[SHELF] = predict_batch(model, protocol.picks)[0]
        for name, scores in scored.items():
            scores = np.asarray(scores, np.float32)
            top = top_k_excluding(scores, picks, K)
            recall, ndcg = recall_ndcg_of_top(top, protocol.targets)
            row = {
                "protocol": protocol.name,
                "model": name,
                "visitors": len(picks),
                "recall@10": recall,
                "ndcg@10": ndcg,
            }
            if protocol.weights is not None:
                row["weighted_recall@10"] = weighted_recall_of_top(top, protocol.targets, protocol.weights)
            rows.append(row)
    return rows


def model_stars(model, given: list, predict: list[np.ndarray]) -> np.ndarray:
    """The model's stars for each visitor's ``predict`` rows, concatenated."""
    out = []
    for start in range(0, len(given), CHUNK):
        _, stars = predict_batch(model, given[start : start + CHUNK])
        out.extend(stars[j, rows] for j, rows in enumerate(predict[start : start + CHUNK]))
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def evaluate_stars(
    model, split: Split, seed: int, heavy_min_ratings: int, tutorial: bool = True
) -> list[dict]:
    num_books = len(split.book_ids)
    bias = BiasModel(num_books).fit(split.train)
    truth = split.test.stars
    rows = [
        {
            "task": "80/20 ratings",
            "model": "global mean",
            "rmse": rmse(np.full_like(truth, bias.mean), truth),
        },
        {
            "task": "80/20 ratings",
            "model": "user + book bias",
            "rmse": rmse(bias.predict(bias.user_bias[split.test.owners()], split.test.rows), truth),
        },
    ]
    if tutorial:
        dot = baselines.tutorial_dot_rmse(split.train, split.test, num_books, seed=seed)
        rows.append({"task": "80/20 ratings", "model": "tutorial user-id dot (5-d, 5 epochs)", "rmse": dot})
    has_test = np.flatnonzero(np.diff(split.test.indptr) > 0)
    test_rows = [split.test.of(i)[0] for i in has_test]
    predicted = model_stars(model, [split.train.of(i) for i in has_test], test_rows)
    ordered_truth = np.concatenate([split.test.of(i)[1] for i in has_test])
    rows.append({"task": "80/20 ratings", "model": SHELF, "rmse": rmse(predicted, ordered_truth)})
    for task, min_ratings in (
        ("visitors, half given", 2),
        ("real traffic visitors, half given", heavy_min_ratings),
    ):
        given, hidden = half_given(split.visitors, seed + 3, min_ratings)
        if not given:
            continue
        hidden_truth = np.concatenate([s for _, s in hidden])
        bias_pred = np.concatenate(
            [
                bias.predict(bias.visitor_bias(gr, gs), hr)
                for (gr, gs), (hr, _) in zip(given, hidden, strict=True)
            ]
        )
        shelf = model_stars(model, given, [r for r, _ in hidden])
        rows.append(
            {"task": task, "model": "book bias + visitor bias", "rmse": rmse(bias_pred, hidden_truth)}
        )
        rows.append({"task": task, "model": SHELF, "rmse": rmse(shelf, hidden_truth)})
    return rows


def margins(ranking: list[dict]) -> dict:
    """Shelf's Recall@10 minus the to-read anchor's, per protocol (weighted where weighted)."""
    by = {(r["protocol"], r["model"]): r for r in ranking}
    out = {}
    for (protocol, model), row in by.items():
        if model == SHELF and (protocol, ANCHOR) in by:
            key = "weighted_recall@10" if "weighted_recall@10" in row else "recall@10"
            out[protocol] = row[key] - by[(protocol, ANCHOR)][key]
    return out


def markdown_report(ranking: list[dict], stars: list[dict], meta: dict) -> str:
    choices = meta.get("choices", {})
    lines = [
        "Numbers from the split fit (`split/model.keras`: the training users' 80% and their "
        "to-read marks, if any; settings chosen on validation users), on held-out visitors it "
        "never saw. The site ships the same design refitted on every rating and mark with the "
        f"same choices (`model.keras`): {json.dumps(choices)}.",
        "",
        "### Visitor ranking (held-out users)",
        "",
        "| picks | model | visitors | Recall@10 | NDCG@10 | weighted Recall@10 |",
        "|---|---|---|---|---|---|",
    ]
    for r in ranking:
        weighted = f"{r['weighted_recall@10']:.4f}" if "weighted_recall@10" in r else "-"
        lines.append(
            f"| {r['protocol']} | {r['model']} | {r['visitors']} | {r['recall@10']:.4f} "
            f"| {r['ndcg@10']:.4f} | {weighted} |"
        )
    if meta.get("margins"):
        lines += ["", "Shelf minus the to-read anchor (weighted Recall@10 for real traffic):"]
        lines += [f"- {protocol}: {value:+.4f}" for protocol, value in meta["margins"].items()]
    lines += [
        "",
        "### Star prediction (RMSE, lower is better)",
        "",
        "| task | model | RMSE |",
        "|---|---|---|",
    ]
    lines += [f"| {r['task']} | {r['model']} | {r['rmse']:.4f} |" for r in stars]
    lines += [
        "",
        f"Model download: {meta['model_bytes'] / 1e6:.2f} MB (TF.js weights + model.json, uncompressed).",
    ]
    return "\n".join(lines) + "\n"


def model_bytes(artifacts: Path) -> int:
    return sum(p.stat().st_size for p in (artifacts / "web" / "model").iterdir())


def load_split(out: Path, data_arg: str | None):
    """(config, books, split) rebuilt exactly as the split fit saw them."""
    model_path = out / "split" / "model.keras"
    if not (out / "config.json").is_file() or not model_path.is_file():
        raise DataError(f"{out}: no trained model here; run `python -m model.train --out {out}` first")
    config = json.loads((out / "config.json").read_text())
    data_dir = Path(data_arg or config["data"])
    books = load_books(data_dir)
    book_ids = books["book_id"].to_numpy()
    ratings = load_ratings(data_dir, book_ids)
    to_read = load_to_read(data_dir, book_ids) if config.get("use_to_read", True) else None
    split = make_split(
        ratings, book_ids, config["seed"], config["visitor_fraction"], config["test_fraction"], to_read
    )
    return config, books, split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Evaluate the split fit of the Shelf model against baselines."
    )
    parser.add_argument("--out", default="artifacts", help="artifacts directory written by model.train")
    parser.add_argument(
        "--data", default=None, help="goodbooks-10k directory (default: the one used for training)"
    )
    parser.add_argument("--no-tutorial", action="store_true", help="skip the tutorial dot-model baseline")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's start-up log too")
    args = parser.parse_args(argv)
    if args.verbose:
        show_tensorflow_logs()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    out = Path(args.out)
    try:
        config, books, split = load_split(out, args.data)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from model.layers import load_model

    started = time.perf_counter()
    num_books = len(split.book_ids)
    heavy_min = config["heavy_min_ratings"]
    ratings_count = books["ratings_count"].to_numpy().astype(np.float64)
    weights = traffic_weights(
        ratings_count, heavy_counts(split.train, num_books, heavy_min), config["traffic_exponent"]
    )
    model = load_model(out / "split" / "model.keras")
    ranking = evaluate_ranking(
        model,
        split,
        protocols(split, weights, heavy_min, config["seed"] + 2),
        baseline_scorers(split, ratings_count.astype(np.float32)),
    )
    stars = evaluate_stars(model, split, config["seed"], heavy_min, tutorial=not args.no_tutorial)
    meta = {
        "model_bytes": model_bytes(out),
        "seconds": time.perf_counter() - started,
        "choices": config.get("choices", {}),
        "margins": margins(ranking),
    }
    report = markdown_report(ranking, stars, meta)
    print(report)
    write_text_atomic(json.dumps({"ranking": ranking, "stars": stars, **meta}, indent=2), out / "eval.json")
    write_text_atomic(report, out / "eval.md")
    log.info("evaluation took %.0fs; wrote %s and %s", meta["seconds"], out / "eval.json", out / "eval.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
