"""Benchmark: reading goodbooks-10k and splitting it, the start of every model stage.

    .venv/bin/python benchmarks/bench_data.py [--data DIR] [--runs 3]

On the first release (../shared/data/goodbooks-10k) and on the full-size stand-in of the later
release (scripts/make_fullsize.py); prints the best of ``--runs`` per step, the release the
loader detected and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.data import load_books, load_ratings, load_to_read  # noqa: E402
from model.download import resolve_data_dir  # noqa: E402
from model.split import everyone, make_split  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the loader and the split.")
    parser.add_argument("--data", default=None, help="goodbooks directory (default: $GOODBOOKS_DIR)")
    parser.add_argument("--runs", type=int, default=3, help="runs per step; the best is printed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    data_dir, _ = resolve_data_dir(args.data)
    books = load_books(data_dir)
    book_ids = books["book_id"].to_numpy()
    times: dict[str, list[float]] = {"load_ratings": [], "load_to_read": [], "make_split": [], "everyone": []}

    def timed(name, f, *args):
        started = time.perf_counter()
        out = f(*args)
        times[name].append(time.perf_counter() - started)
        return out

    for _ in range(args.runs):
        ratings = timed("load_ratings", load_ratings, data_dir, book_ids)
        to_read = timed("load_to_read", load_to_read, data_dir, book_ids)
        timed("make_split", make_split, ratings, book_ids, 42, 0.1, 0.2, to_read)
        timed("everyone", everyone, ratings, book_ids, to_read)
    release = ratings.attrs["release"]
    print(f"{data_dir}: {len(ratings):,} ratings, {len(to_read):,} to-read marks; release {release['name']}")
    for name, values in times.items():
        print(f"  {name:13s} {min(values):6.2f} s (best of {len(values)})")
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
