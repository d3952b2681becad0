"""Benchmark: batch recommendations for many visitors through `python -m model.recommend`.

    .venv/bin/python benchmarks/bench_recommend.py [--artifacts artifacts] [--visitors 3000]

Times the whole command as a user runs it (start-up and model load included) on seeded random
visitors (5 liked books and 2 starred books each, 10 predictions) and prints the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.metadata import read_metadata  # noqa: E402  (no TensorFlow)


def visitor_lines(book_ids: list[int], count: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(count):
        chosen = [int(b) for b in rng.choice(book_ids, size=17, replace=False)]
        lines.append(
            json.dumps(
                {
                    "liked": chosen[:5],
                    "ratings": {str(chosen[5]): 2, str(chosen[6]): 4},
                    "k": 10,
                    "predict": chosen[7:],
                }
            )
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="artifacts directory written by make build")
    parser.add_argument("--visitors", type=int, default=3000, help="number of visitors")
    args = parser.parse_args()
    metadata = Path(args.artifacts) / "model" / "web" / "metadata.json"  # model/layout.py
    if not metadata.is_file():
        print(f"error: {metadata} not found; run `make build` first", file=sys.stderr)
        return 2
    book_ids = read_metadata(metadata)["book_ids"]
    stdin = visitor_lines(book_ids, args.visitors)
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "model.recommend", "--artifacts", args.artifacts],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    seconds = time.perf_counter() - started
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    errors = sum("error" in o for o in outputs)
    print(f"cpus: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"visitors: {args.visitors}, out: {len(outputs)}, errors: {errors}, exit: {result.returncode}")
    rate = args.visitors / seconds
    print(f"total time (start-up and model load included): {seconds:.1f} s ({rate:.0f} visitors/s)")
    return 0 if result.returncode == 0 and len(outputs) == args.visitors and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
