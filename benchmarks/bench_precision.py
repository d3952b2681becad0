"""Would the model's three per-book vectors (the output bias, the popularity log ratios, the star
biases; float16 today) lose anything as uint8? Measured on the *check* readers, the ones
settings are chosen on (model/readers.py), with the split fit's model of a build.

    .venv/bin/python benchmarks/bench_precision.py [--artifacts artifacts]

Prints, for the model as built and with those vectors rounded as uint8 would ship them
(model/precision.py's affine rounding): the check readers' Recall@10 per protocol and their
mean, how many top-10 lists stay the same, and the star RMSE with half of each reader's ratings
given. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.choose import validation_recall  # noqa: E402
from model.evaluate import half_given_rmse, load_split  # noqa: E402
from model.layers import load_model  # noqa: E402
from model.layout import model_dir  # noqa: E402
from model.precision import affine_uint8  # noqa: E402
from model.ranking import top_k_excluding  # noqa: E402
from model.readers import reader_protocols  # noqa: E402
from model.scoring import predict_batch  # noqa: E402
from model.stars import BiasModel  # noqa: E402

VECTORS = ("book_scores/bias", "neighbor_scores/log_ratio", "predicted_stars/book_bias")


def measure(model, protocols, bias, check, seed) -> tuple[dict, dict, float]:
    """({protocol: Recall@10}, {protocol: top-10 rows [V, 10]}, star RMSE) of ``model``."""
    recall, top = {}, {}
    for p in protocols:
        scores, _ = predict_batch(model, p.picks)
        recall[p.name] = validation_recall(p, scores)
        top[p.name] = top_k_excluding(scores, p.rows(), 10)
    rmse = half_given_rmse(model, bias, check, "check readers, half given", seed)
    return recall, top, next(r["rmse"] for r in rmse if r["model"] == "Shelf model")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="a build's artifacts directory")
    args = parser.parse_args(argv)
    out = Path(args.artifacts)
    config, _, split, folds = load_split(out, None)
    if folds is None:
        print("this build chose on its own split: no check readers to measure on", file=sys.stderr)
        return 2
    seed = config["seed"]
    protocols = reader_protocols(folds.check, seed + 7)  # the judge's (model/fit.py)
    bias = BiasModel(len(split.book_ids)).fit(split.train)
    model = load_model(model_dir(out) / "split" / "model.keras")
    before = measure(model, protocols, bias, folds.check, seed + 8)
    for name in VECTORS:
        layer, weight = name.split("/")
        variable = getattr(model.get_layer(layer), weight)
        variable.assign(affine_uint8(variable.numpy()))
    after = measure(model, protocols, bias, folds.check, seed + 8)
    print("| check readers | float16 Recall@10 | uint8 Recall@10 | same top 10 |\n|---|---|---|---|")
    for p in protocols:
        same = (before[1][p.name] == after[1][p.name]).all(axis=1).mean()
        print(f"| {p.name} | {before[0][p.name]:.4f} | {after[0][p.name]:.4f} | {same:.1%} |")
    mean = [float(np.mean(list(m[0].values()))) for m in (before, after)]
    print(f"| mean | {mean[0]:.4f} | {mean[1]:.4f} | |")
    print(f"\nstar RMSE, check readers with half given: {before[2]:.4f} float16, {after[2]:.4f} uint8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
