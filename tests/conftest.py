"""Fixtures shared by every test folder: synthetic goodbooks data and a model trained on it."""

from __future__ import annotations

import ast
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression  # how -m is read; pytest is pinned (requirements-dev.txt)

from harness.browser import CHROMIUM
from sitebuild.tfjs import bundle_tfjs, installed_tfjs_version

REPO = Path(__file__).resolve().parents[1]
ESBUILD = REPO / "node_modules" / ".bin" / "esbuild"  # bundles TF.js (sitebuild/tfjs.py)
REAL_DATA = Path(os.environ.get("GOODBOOKS_DIR") or REPO.parent / "shared" / "data" / "goodbooks-10k")
# CI sets REAL_READERS for `make build`; every command a test runs trains on synthetic data,
# whose catalogue the real readers' books are not in, so the variable is taken out of this
# process's environment (and so out of every subprocess's) and kept here for the tests of it.
REAL_READERS = Path(
    os.environ.pop("REAL_READERS", None) or REPO.parent / "shared" / "data" / "real-readers" / "ratings.csv"
)
# Small and fast, but enough steps to learn the planted two-group structure.
SYNTHETIC_TRAIN_ARGS = [
    "--epochs",
    "40",
    "--batch-size",
    "64",
    "--learning-rate",
    "0.01",
    "--embedding-dim",
    "16",
]


def run_module(
    module: str, *args: str, stdin: str | None = None, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m module args`` from the repo root, as a user would; ``env`` adds variables."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, input=stdin, capture_output=True, text=True, env=env
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{module} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


# Fixtures that cost seconds (a trained model, a built and served site, the real data) or drive
# Chromium. A test that uses one is marked ``slow`` or ``browser`` here even where its file does
# not say so, so that `make test-fast` (-m "not browser and not slow") never waits on one.
SLOW_FIXTURES = {
    "tfjs_bundle",  # esbuild bundles TF.js
    "fake_artifacts",  # tests/web/test_web_static.py: whole site builds, esbuild included
    "trained_artifacts",
    "site_artifacts",
    "built_site",
    "gunicorn_url",
    "firebase_url",
    "real_data",
}
BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(config, items):
    no_chromium = pytest.mark.skip(reason=f"{CHROMIUM} is missing: `make install` installs it")
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if used & SLOW_FIXTURES and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("browser") and not CHROMIUM.exists():
            item.add_marker(no_chromium)


def module_marks(path: Path) -> set[str]:
    """The markers a test file's module-level ``pytestmark`` puts on every test in it, read from
    its source (not imported)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            calls = [v.func if isinstance(v, ast.Call) else v for v in values]
            return {
                v.attr
                for v in calls
                if isinstance(v, ast.Attribute) and getattr(v.value, "attr", "") == "mark"
            }
    return set()


def selects_none(expression: str, marks: set[str], registered: set[str]) -> bool:
    """Whether the ``-m`` expression deselects every test that has ``marks``, whatever other
    ``registered`` markers a test adds of its own."""
    compiled = Expression.compile(expression)
    others = sorted(registered - marks)
    for chosen in itertools.product((False, True), repeat=len(others)):
        present = marks | {name for name, on in zip(others, chosen, strict=True) if on}
        if compiled.evaluate(lambda name, /, present=present, **kwargs: not kwargs and name in present):
            return False
    return True


def pytest_ignore_collect(collection_path: Path, config):
    """A test file none of whose tests ``-m`` can select is not even imported. `make test-fast`
    would otherwise import TensorFlow (seconds) for files of slow tests it then deselects."""
    expression = config.getoption("markexpr")
    if not expression or not re.fullmatch(r"test_\w+\.py", collection_path.name):
        return None
    marks = module_marks(collection_path)
    registered = {re.match(r"\w+", line).group() for line in config.getini("markers")}
    return True if marks and selects_none(expression, marks, registered) else None


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory) -> Path:
    """A goodbooks-format directory with planted structure (see model/synthetic.py)."""
    from model.synthetic import write_goodbooks

    return write_goodbooks(tmp_path_factory.mktemp("goodbooks"))


@pytest.fixture(scope="session")
def trained_artifacts(synthetic_data, tmp_path_factory) -> Path:
    """Artifacts from `python -m model.train` on the synthetic data (trained once per session)."""
    out = tmp_path_factory.mktemp("artifacts")
    run_module(
        "model.train", "--data", str(synthetic_data), "--out", str(out), "--quiet", *SYNTHETIC_TRAIN_ARGS
    )
    return out


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real goodbooks-10k directory, or skip."""
    if not (REAL_DATA / "ratings.csv").is_file():
        pytest.skip(f"real goodbooks-10k data not found at {REAL_DATA} (set GOODBOOKS_DIR)")
    return REAL_DATA


@pytest.fixture(scope="session")
def tfjs_bundle():
    """TF.js as the site ships it (``sitebuild.tfjs.TfjsBundle``): scripts/tfjs-entry.js bundled by
    esbuild from node_modules, as the site build does; once a session (a fraction of a second)."""
    if not ESBUILD.is_file():
        pytest.skip(f"{ESBUILD} is missing: run `make install` (npm ci)")
    node_modules = REPO / "node_modules"
    return bundle_tfjs(node_modules, installed_tfjs_version(node_modules))
