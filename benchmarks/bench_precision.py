"""Would fewer uint8 levels for some weights lose anything? Measured on the *check* readers, the
ones settings are chosen on (model/readers.py), with the split fit's model of a build.

    .venv/bin/python benchmarks/bench_precision.py [--artifacts artifacts] [--levels 16]
        [--weights book_embedding/embeddings book_scores/kernel]

Prints, for the model as built and with ``--weights`` (default: model/precision.py's COARSE, the
first part's two big tensors) put on ``--levels`` levels (``precision.affine_levels``): the
check readers' Recall@10 and shown10 (the ten cards as arranged, model/choose_shown.py) per
protocol and their means, how many top-10 lists stay the same, the star RMSE with half of each
reader's ratings given, and those weights' uint8 codes compressed as the site serves them (brotli
11). On a build whose weights already take that many levels nothing moves. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import brotli
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.choose_shown import arranged_means  # noqa: E402
from model.evaluate import half_given_rmse, load_split  # noqa: E402
from model.layers import load_model  # noqa: E402
from model.layout import model_dir  # noqa: E402
from model.precision import COARSE, LEVELS, affine_levels, uint8_codes, weight_name  # noqa: E402
from model.ranking import top_k_excluding  # noqa: E402
from model.readers import reader_protocols  # noqa: E402
from model.scoring import predict_batch  # noqa: E402
from model.shown_eval import Catalogue  # noqa: E402
from model.stars import BiasModel  # noqa: E402


def measure(model, protocols, catalogue, bias, check, seed) -> tuple[dict, dict, float]:
    """({protocol: (Recall@10, shown10)}, {protocol: top-10 rows [V, 10]}, star RMSE) of ``model``."""
    found, top = {}, {}
    for p in protocols:
        scores, _ = predict_batch(model, p.picks)
        means = arranged_means(lambda _p, s=scores: s, [p], catalogue)
        found[p.name] = (means["recall@10"], means["shown10"])
        top[p.name] = top_k_excluding(scores, p.rows(), 10)
    rmse = half_given_rmse(model, bias, check, "check readers, half given", seed)
    return found, top, next(r["rmse"] for r in rmse if r["model"] == "Shelf model")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="a build's artifacts directory")
    parser.add_argument("--levels", type=int, default=LEVELS, help="levels of 256 (255 / (levels - 1) whole)")
    parser.add_argument("--weights", nargs="+", default=list(COARSE), help="layer/weight names")
    args = parser.parse_args(argv)
    out = Path(args.artifacts)
    config, books, split, folds = load_split(out, None)
    if folds is None:
        print("this build chose on its own split: no check readers to measure on", file=sys.stderr)
        return 2
    seed = config["seed"]
    protocols = reader_protocols(folds.check, seed + 7)  # the judge's (model/fit.py)
    catalogue = Catalogue.of(books)
    bias = BiasModel(len(split.book_ids)).fit(split.train)
    model = load_model(model_dir(out) / "split" / "model.keras")
    before = measure(model, protocols, catalogue, bias, folds.check, seed + 8)
    sizes = [0, 0]
    for name in args.weights:
        layer = model.get_layer(name.split("/")[0])
        variable = next(w for w in layer.weights if weight_name(layer, w) == name)
        sizes[0] += len(brotli.compress(uint8_codes(variable.numpy())[0].tobytes(), quality=11))
        variable.assign(affine_levels(variable.numpy(), args.levels))
        sizes[1] += len(brotli.compress(uint8_codes(variable.numpy())[0].tobytes(), quality=11))
    after = measure(model, protocols, catalogue, bias, folds.check, seed + 8)
    print(f"{', '.join(args.weights)}: as built against {args.levels} levels, check readers\n")
    print("| protocol | Recall@10 as built | Recall@10 | shown10 as built | shown10 | same top 10 |")
    print("|---|---|---|---|---|---|")
    for p in protocols:
        same = (before[1][p.name] == after[1][p.name]).all(axis=1).mean()
        (r0, s0), (r1, s1) = before[0][p.name], after[0][p.name]
        print(f"| {p.name} | {r0:.4f} | {r1:.4f} | {s0:.4f} | {s1:.4f} | {same:.1%} |")
    mean = [np.mean(list(m[0].values()), axis=0) for m in (before, after)]
    print(f"| mean | {mean[0][0]:.4f} | {mean[1][0]:.4f} | {mean[0][1]:.4f} | {mean[1][1]:.4f} | |")
    print(f"\nstar RMSE, check readers with half given: {before[2]:.4f} as built, {after[2]:.4f}")
    print(f"those weights, brotli 11: {sizes[0]:,} bytes as built, {sizes[1]:,} at {args.levels} levels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
