"""The discovery curve: shown10 against the share of cards among the 100 most-rated books, as
the discovery weight moves from popular to lesser-known, on the real readers' report half.

    .venv/bin/python benchmarks/bench_discovery.py [--artifacts artifacts] [--plot docs/discovery.png]

The split fit's model (``split/model.keras``, which never saw the report readers) scores each
report protocol once; every weight of the grid (balanced's, in every pick bucket) and the three
settings of metadata.json's ``discovery`` as the page ranks them (each reader's pick bucket,
lesser-known's per-visitor lean: ``scoring.discovery_arrange``) then re-score it and the ten
cards are arranged and measured (model/shown.py). Prints a table per protocol and draws the
curve (one line per protocol, the settings marked). Checks nothing; the numbers go to
docs/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRID = (-20.0, -10.0, -2.0, 0.0, 2.0, 10.0, 20.0, 30.0, 40.0, 60.0)
PROTOCOLS = ("real readers, one pick", "real readers, 5 picks", "real readers, half of liked")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="model.train's output directory")
    parser.add_argument(
        "--real-readers", default=None, help="default: $REAL_READERS, else the file trained on"
    )
    parser.add_argument("--plot", default=None, help="write the curve to this PNG")
    args = parser.parse_args(argv)
    from model.evaluate import load_split, model_scores
    from model.layers import load_model
    from model.layout import model_dir
    from model.readers import reader_protocols
    from model.shown_eval import Catalogue, measure, one_pick_protocol

    artifacts = Path(args.artifacts)
    config, books, _, folds = load_split(artifacts, None, args.real_readers)
    if folds is None:
        parser.error("real readers are needed (--real-readers or REAL_READERS)")
    entry = json.loads((model_dir(artifacts) / "web" / "metadata.json").read_text())["discovery"]
    seed = config["seed"]
    protocols = [one_pick_protocol(folds.report, seed + 70), *reader_protocols(folds.report, seed + 60)]
    protocols = [p for p in protocols if p.name in PROTOCOLS]
    catalogue = Catalogue.of(books)
    model = load_model(model_dir(artifacts) / "split" / "model.keras")
    curves, marks = {}, {}
    for protocol in protocols:
        scores = model_scores(model, protocol.picks)
        rows = []
        for weight in GRID:  # balanced's weight in every pick bucket
            trial = {**entry, "weights": {**entry["weights"], "balanced": weight}}
            got = measure(scores, protocol, catalogue, trial, "balanced")
            rows.append((weight, got["shown10"], got["among_100_most_rated"], got["recall@10"]))
        # The settings as the page ranks them: each reader's pick bucket, lesser-known per visitor.
        named = {s: measure(scores, protocol, catalogue, entry, s) for s in entry["settings"]}
        curves[protocol.name] = rows
        marks[protocol.name] = {s: (g["shown10"], g["among_100_most_rated"]) for s, g in named.items()}
        print(f"\n{protocol.name} ({len(protocol.picks)} readers)\n")
        print("| weight | setting | shown10 | cards among the 100 most-rated | Recall@10 |")
        print("|---|---|---|---|---|")
        for weight, shown, top, recall in rows:
            print(f"| {weight:+.2f} |  | {shown:.4f} | {top:.1%} | {recall:.4f} |")
        for setting, got in named.items():
            print(
                f"| as set | {setting} | {got['shown10']:.4f} | {got['among_100_most_rated']:.1%} "
                f"| {got['recall@10']:.4f} |"
            )
    if args.plot:
        plot(curves, marks, Path(args.plot))
        print(f"\nwrote {args.plot}")
    return 0


def plot(curves: dict, marks: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, rows in curves.items():
        _, shown, top = (np.array([r[i] for r in rows]) for i in range(3))
        (line,) = ax.plot(100 * top, shown, marker=".", label=name.removeprefix("real readers, "))
        for setting, (shown_at, top_at) in marks[name].items():
            ax.annotate(
                setting,
                (100 * top_at, shown_at),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=8,
                color=line.get_color(),
            )
            ax.plot(100 * top_at, shown_at, "o", color=line.get_color())
    ax.set_xlabel("cards among the 100 most-rated books (%)")
    ax.set_ylabel("shown10 (series-level discovery of the ten cards)")
    ax.set_title("Discovery: popular (right) to lesser-known (left), report-half real readers")
    ax.legend()
    ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
