"""The page's pure ES modules (search, picks, map geometry, shelf, csv, Goodreads) under Node's
own test runner: every ``test(...)`` written in tests/js/ must have run and passed, so a file
that is silently left out (renamed, no longer found, a test skipped) fails here."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import REPO

JS_TESTS = REPO / "tests" / "js"
TEST_CALL = re.compile(r"^\s*test\(", re.MULTILINE)  # one top-level test per call, none in loops


def written_tests() -> dict[str, int]:
    """file name -> how many ``test(`` calls it holds."""
    return {
        p.name: len(TEST_CALL.findall(p.read_text(encoding="utf-8")))
        for p in sorted(JS_TESTS.glob("*.test.js"))
    }


def counts(report: str) -> dict[str, int]:
    """Node's summary lines (``# tests 47``, ``# pass 47``, ...) as {"tests": 47, ...}."""
    return {name: int(n) for name, n in re.findall(r"^# (\w+) (\d+)$", report, re.MULTILINE)}


def test_every_file_holds_tests():
    written = written_tests()
    assert written and all(written.values()), written


# Files that take seconds (a fuzz over 1,000 shelves): `make test` runs them, `make test-fast` not.
SLOW_JS = {"shelf-link-fuzz.test.js"}


def run_node_tests(files: list[str]) -> None:
    """``node --test`` on ``files`` (one process, files in parallel); every ``test(`` written in
    them must have run and passed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make install needs it for npm ci)")
    paths = [f"tests/js/{name}" for name in files]
    result = subprocess.run([node, "--test", *paths], cwd=REPO, capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    expected = sum(written_tests()[name] for name in files)
    summary = counts(report)
    assert summary.get("tests") == expected, (summary, expected, report)
    assert summary.get("pass") == expected, (summary, expected, report)
    assert summary.get("skipped") == 0 and summary.get("todo") == 0, summary


def test_pure_js_modules_pass_node_test():
    run_node_tests(sorted(set(written_tests()) - SLOW_JS))


@pytest.mark.slow
def test_the_slow_js_files_pass_node_test():
    assert SLOW_JS <= set(written_tests())  # a renamed slow file is not silently left out
    run_node_tests(sorted(SLOW_JS))
