"""benchmarks/bench_single_pick.py: the most repeated book at ranks 11-20, over the readers'
draws and over every catalogue book as the one pick."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.bench_single_pick import most_repeated
from tests.conftest import REPO

SCRIPT = "benchmarks/bench_single_pick.py"


def test_most_repeated_counts_only_ranks_11_to_20_of_each_list():
    head = list(range(100, 110))  # ranks 1-10: book 100 is in every list there, never counted
    lists = [head + [1, 2, 3], head + [4, 1], head + [5], list(range(10))]
    assert most_repeated(lists) == (1, 0.5)  # book 1 in two of four lists
    assert most_repeated([head, head]) == (None, 0.0)
    assert most_repeated([]) == (None, 0.0)
    assert most_repeated([[7, 8], [8, 9]], start=1) == (8, 0.5)  # ties: the first seen


def test_every_catalogue_book_as_the_one_pick_needs_no_reader_file(trained_artifacts):
    run = subprocess.run(
        [sys.executable, SCRIPT, "--artifacts", str(trained_artifacts), "--catalogue"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"},  # no REAL_READERS
    )
    assert run.returncode == 0, run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("every book of the catalogue"))
    share = float(line.rsplit(" in ", 1)[1].rstrip("%"))
    assert 0.0 < share <= 100.0 and "one-pick lists" not in run.stdout  # no reader table without readers


def test_without_readers_or_catalogue_the_benchmark_says_what_it_needs():
    run = subprocess.run(
        [sys.executable, SCRIPT, "--artifacts", "nowhere"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 2 and "unless --catalogue" in run.stderr
