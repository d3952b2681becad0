"""Measure the split fit's model against baselines on the held-out users.

    python -m model.evaluate [--artifacts artifacts]

Which model: ``split/model.keras``, the split fit of ``python -m model.train`` (training users'
80% and their to-read marks; every setting chosen on validation users), with the float16
weights the browser gets. The shipped model (``model.keras``, the site's) is the same design
refitted on every rating and mark with the same choices: it has seen these users, so no
held-out number exists for it here. The baselines are fitted on the split fit's data in the
same run. Prints a table and writes ``eval.json`` and ``eval.md``.

Protocols (held-out users; picks are never recommended):
- *5 picks* / *half of liked*: users with >= 10 liked books; picks = 5 random liked books
  (or half of them), targets = the other liked books. Recall@10 = hits / min(10, |targets|).
- *real traffic*: the same, for users with >= ``heavy_min_ratings`` ratings (whose books
  follow real popularity), each target weighted towards real readers' book distribution
  (model/popularity.py); weighted Recall@10 = found target weight / all target weight.
- *to-read*: users with >= 5 liked books and >= 5 to-read marks; picks = 5 liked books,
  targets = their to-read marks (which follow real popularity: Spearman 0.61 with
  ``ratings_count``, against 0.37 for the ratings).
- Stars: RMSE on the training users' 20% (their 80% as picks), on held-out users giving half
  their ratings, and on the real-traffic ones giving half. (eval.json and eval.md call the
  held-out users "visitors" in their columns and tasks; those files keep their names.)

With real readers (``--real-readers`` or ``REAL_READERS``, by default the file model.train
chose on): their *report* half, which nothing was fitted or chosen on (model/readers.py), with
5 picks, 10 picks, half of liked and an import of 80% of all their ratings, and star RMSE with
half of their ratings given. The anchors: EASE and EASE + to-read, the to-read weight chosen on
the choosing half's readers, and that one cut to the shipped table size, fitted on the split
fit's goodbooks data in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from model import baselines, show_tensorflow_logs, tables
from model.atomic import atomic_dir
from model.data import DataError, load_books, load_ratings, load_to_read
from model.eval_report import markdown_report
from model.layout import eval_dir, missing, model_dir
from model.metrics import K, recall_ndcg_of_top, rmse, weighted_recall_of_top
from model.popularity import heavy_counts, traffic_weights
from model.protocols import Protocol, half_given, indicator, protocols
from model.ranking import top_k_excluding
from model.readers import (
    load_new_readers,
    reader_folds,
    reader_protocols,
    resolve_readers_path,
)
from model.scoring import CHUNK, predict_batch
from model.shown_eval import markdown as shown_markdown
from model.shown_eval import report_shown
from model.split import Split, UserRatings, make_split
from model.stars import BiasModel
from model.tables import grams, liked_matrix

log = logging.getLogger(__name__)

SHELF = "Shelf model"
EASE_NAME = f"EASE (lambda={baselines.EASE_LAMBDA:.0f})"
ANCHOR_WEIGHTS = (0.5, 1.0)  # the to-read weights the anchor chooses among (0.25 trailed both)
REFERENCE = "(reference)"  # a row shown for what it explains, not an anchor Shelf must beat


def mean_recall(item_item, protocols_: list[Protocol]) -> float:
    """Mean Recall@10 of ``ind @ item_item`` over ``protocols_``."""
    values = []
    for protocol in protocols_:
        scores = np.asarray(indicator(protocol.picks, item_item.shape[0]) @ item_item, np.float32)
        values.append(recall_ndcg_of_top(top_k_excluding(scores, protocol.rows(), K), protocol.targets)[0])
    return float(np.mean(values))


def baseline_scorers(
    split: Split,
    most_rated: np.ndarray,
    choosing: list[Protocol],
    table_size: int,
    readers: UserRatings | None = None,
    reader_weight: float = 0.0,
) -> dict:
    """{name: liked-picks indicator [V, N] -> scores [V, N]}, fitted on the split fit's
    goodbooks data: most-rated, item-kNN, EASE and, with to-read marks, EASE + to-read at the
    weight the ``choosing`` readers prefer (the first candidate without them) and that one cut
    to ``table_size`` weights per book. With ``readers`` (those the split fit learned from), a
    reference: that anchor learning from them too, each counted ``reader_weight`` times, so the
    report shows how much of Shelf's lead is the data and how much the model."""
    num_books = len(split.book_ids)
    liked = liked_matrix(split.train, num_books)
    started = time.perf_counter()
    gram = grams(split.train, split.to_read, num_books, 0.0)  # X = likes + w * to-read marks
    ease = tables.ease(gram.at(0.0), baselines.EASE_LAMBDA)
    scorers = {
        "most-rated (ratings_count)": lambda ind: np.broadcast_to(most_rated, (ind.shape[0], num_books)),
        "item-kNN (cosine)": _product(baselines.item_knn(liked)),
        EASE_NAME: _product(ease),
    }
    if split.to_read.nnz:
        anchor, weight = None, None
        for w in ANCHOR_WEIGHTS if choosing else ANCHOR_WEIGHTS[1:2]:
            candidate = tables.ease(gram.at(w), baselines.EASE_LAMBDA)
            value = mean_recall(candidate, choosing) if choosing else 0.0
            log.info("anchor: EASE + %.2f x to-read, mean Recall@10 on the choosing readers %.4f", w, value)
            if anchor is None or value > anchor[0]:
                anchor, weight = (value, candidate), w
        name = anchor_name(weight)
        scorers[name] = _product(anchor[1])
        rows, weights = tables.strongest_neighbors(anchor[1], table_size)
        scorers[f"{name}, cut to {table_size} per book"] = _product(tables.neighbor_matrix(rows, weights))
        if readers is not None and reader_weight:
            with_readers = gram.at(weight) + reader_weight * tables.readers_gram(readers, num_books, 0.0)
            scorers[f"{name} + the same real readers x{reader_weight:g} {REFERENCE}"] = _product(
                tables.ease(with_readers, baselines.EASE_LAMBDA)
            )
    log.info("baselines fitted in %.0fs", time.perf_counter() - started)
    return scorers


def anchor_name(weight: float) -> str:
    return f"EASE + {weight:g} x to-read (lambda={baselines.EASE_LAMBDA:.0f})"


def _product(item_item):
    return lambda ind: ind @ item_item


RANKING_CHUNK = 2048  # users scored at once: only their top 10 per model is kept


def evaluate_ranking(model, split: Split, protocols_: list[Protocol], scorers: dict) -> list[dict]:
    """Recall@10 and NDCG@10 (weighted Recall@10 where the protocol weighs its targets) of every
    scorer and the model, users scored a chunk at a time (memory stays flat as they grow)."""
    num_books = len(split.book_ids)
    rows = []
    for protocol in protocols_:
        picks = protocol.rows()
        tops: dict[str, list[np.ndarray]] = {name: [] for name in [*scorers, SHELF]}
        for start in range(0, len(picks), RANKING_CHUNK):
            chunk = protocol.picks[start : start + RANKING_CHUNK]
            ind = indicator(chunk, num_books)
            scored = {name: scorer(ind) for name, scorer in scorers.items()}
            scored[SHELF] = model_scores(model, chunk)
            for name, scores in scored.items():
                scores = np.asarray(scores.toarray() if sp.issparse(scores) else scores, np.float32)
                tops[name].append(top_k_excluding(scores, picks[start : start + RANKING_CHUNK], K))
        for name, parts in tops.items():
            top = np.concatenate(parts)
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


def model_scores(model, picks: list) -> np.ndarray:
    """The model's ranking scores [V, N] for each user's picks, in chunks."""
    return np.concatenate(
        [predict_batch(model, picks[i : i + CHUNK])[0] for i in range(0, len(picks), CHUNK)]
    )


def model_stars(model, given: list, predict: list[np.ndarray]) -> np.ndarray:
    """The model's stars for each user's ``predict`` rows, concatenated."""
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
        rows += half_given_rmse(model, bias, split.held_out, task, seed + 3, min_ratings)
    return rows


def half_given_rmse(model, bias: BiasModel, users: UserRatings, task: str, seed: int, min_ratings=2):
    """Star RMSE of the bias baseline and the model when each of ``users`` gives half of
    their ratings and the other half is predicted."""
    given, hidden = half_given(users, seed, min_ratings)
    if not given:
        return []
    hidden_truth = np.concatenate([s for _, s in hidden])
    bias_pred = np.concatenate(
        [bias.predict(bias.visitor_bias(gr, gs), hr) for (gr, gs), (hr, _) in zip(given, hidden, strict=True)]
    )
    shelf = model_stars(model, given, [r for r, _ in hidden])
    return [
        {"task": task, "model": "book bias + visitor bias", "rmse": rmse(bias_pred, hidden_truth)},
        {"task": task, "model": SHELF, "rmse": rmse(shelf, hidden_truth)},
    ]


def margins(ranking: list[dict]) -> dict:
    """Shelf's Recall@10 minus the best anchor's (EASE and EASE + to-read, full or cut), per
    protocol (weighted Recall@10 where weighted)."""
    out = {}
    for protocol in dict.fromkeys(r["protocol"] for r in ranking):
        rows = [r for r in ranking if r["protocol"] == protocol]
        key = "weighted_recall@10" if "weighted_recall@10" in rows[0] else "recall@10"
        anchors = [r[key] for r in rows if r["model"].startswith("EASE") and REFERENCE not in r["model"]]
        shelf = [r[key] for r in rows if r["model"] == SHELF]
        if anchors and shelf:
            out[protocol] = shelf[0] - max(anchors)
    return out


def model_bytes(artifacts: Path) -> int:
    return sum(p.stat().st_size for p in (model_dir(artifacts) / "web" / "model").iterdir())


def load_split(out: Path, data_arg: str | None, readers_arg: str | None = None):
    """(config, books, split, reader folds or None) rebuilt exactly as the split fit saw them;
    the real readers from ``readers_arg``, $REAL_READERS or the file model.train chose on."""
    trained = model_dir(out)
    for path in (trained / "config.json", trained / "split" / "model.keras"):
        if not path.is_file():
            raise DataError(missing(out, path, f"run `python -m model.train --out {out}` first"))
    config = json.loads((trained / "config.json").read_text())
    data_dir = Path(data_arg or config["data"])
    books = load_books(data_dir)
    book_ids = books["book_id"].to_numpy()
    ratings = load_ratings(data_dir, book_ids)
    to_read = load_to_read(data_dir, book_ids) if config.get("use_to_read", True) else None
    split = make_split(
        ratings, book_ids, config["seed"], config["visitor_fraction"], config["test_fraction"], to_read
    )
    path = resolve_readers_path(readers_arg) or (
        Path(config["real_readers"]) if config.get("real_readers") else None
    )
    folds = None
    if path is not None:
        readers = load_new_readers(path, book_ids, ratings, to_read)
        folds = reader_folds(readers, config["seed"])
    return config, books, split, folds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Evaluate the split fit of the Shelf model against baselines."
    )
    parser.add_argument(
        "--artifacts",
        default="artifacts",
        help="artifacts root: reads model/ (model.train), writes eval/ (eval.json, eval.md)",
    )
    # --out was this flag's old name; still accepted.
    parser.add_argument("--out", dest="artifacts", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--data", default=None, help="goodbooks-10k directory (default: the one used for training)"
    )
    parser.add_argument(
        "--real-readers",
        default=None,
        help="real readers to report on (default: $REAL_READERS, else the file model.train chose on)",
    )
    parser.add_argument("--no-tutorial", action="store_true", help="skip the tutorial dot-model baseline")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's start-up log too")
    args = parser.parse_args(argv)
    if args.verbose:
        show_tensorflow_logs()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    out = Path(args.artifacts)
    try:
        config, books, split, folds = load_split(out, args.data, args.real_readers)
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
    model = load_model(model_dir(out) / "split" / "model.keras")
    seed = config["seed"]
    choosing = reader_protocols(folds.choosing, seed + 50) if folds else []
    reporting = reader_protocols(folds.report, seed + 60) if folds else []
    table_size = config.get("choices", {}).get("num_neighbors", config["num_neighbors"])
    anchors = baseline_scorers(
        split,
        ratings_count.astype(np.float32),
        choosing,
        table_size,
        folds.choosing if folds else None,
        config.get("choices", {}).get("reader_weight", 0.0),
    )
    ranking = evaluate_ranking(
        model, split, reporting + protocols(split, weights, heavy_min, seed + 2), anchors
    )
    discovery = json.loads((model_dir(out) / "web" / "metadata.json").read_text()).get("discovery")
    shown = (
        report_shown(
            partial(model_scores, model), anchors, books, folds.report, reporting, seed, discovery, SHELF
        )
        if folds
        else []
    )
    stars = []
    if folds:
        bias = BiasModel(num_books).fit(split.train)
        stars += half_given_rmse(model, bias, folds.report, "real readers, half given", seed + 61)
    stars += evaluate_stars(model, split, seed, heavy_min, tutorial=not args.no_tutorial)
    meta = {
        "model_bytes": model_bytes(out),
        "seconds": time.perf_counter() - started,
        "choices": config.get("choices", {}),
        "margins": margins(ranking),
        "release": config.get("release"),
    }
    report = markdown_report(ranking, stars, meta)
    if shown:
        report += "\n".join(shown_markdown(shown)) + "\n"
    print(report)
    with atomic_dir(eval_dir(out)) as staging:  # the folder is model.evaluate's alone
        (staging / "eval.json").write_text(
            json.dumps({"ranking": ranking, "shown": shown, "stars": stars, **meta}, indent=2)
        )
        (staging / "eval.md").write_text(report, encoding="utf-8")
    log.info("evaluation took %.0fs; wrote %s (eval.json, eval.md)", meta["seconds"], eval_dir(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
