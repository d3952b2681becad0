"""`python -m model.train` with a broken to_read.csv: one clear line and nothing written, or,
with --no-to-read, a model trained without it."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import SYNTHETIC_TRAIN_ARGS, run_module

pytestmark = pytest.mark.slow


@pytest.fixture
def data(synthetic_data, tmp_path):
    copy = tmp_path / "goodbooks"
    shutil.copytree(synthetic_data, copy)
    return copy


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "to_read.csv: file not found"),
        ("", "to_read.csv: the file is empty"),
        ("user_id,book_id\n1,2\n1,999\n", "to_read.csv line 3: book_id 999 is not in books.csv"),
        ("user_id,book_id\n1,2\n1,2,3\n", "to_read.csv: cannot parse as CSV"),
    ],
)
def test_a_broken_to_read_file_is_one_line_and_writes_nothing(data, tmp_path, content, message):
    if content is None:
        (data / "to_read.csv").unlink()
    else:
        (data / "to_read.csv").write_text(content)
    out = tmp_path / "artifacts"
    run = run_module("model.train", "--data", str(data), "--out", str(out), "--quiet", check=False)
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0] and "--no-to-read" in errors[0]
    assert "Traceback" not in run.stderr
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def snapshot(folder) -> dict:
    """Every file under ``folder``: its bytes and modification time."""
    return {
        p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_no_to_read_trains_without_the_file(data, tmp_path):
    (data / "to_read.csv").unlink()
    out = tmp_path / "artifacts"
    run = run_module(
        "model.train",
        "--data",
        str(data),
        "--out",
        str(out),
        "--no-to-read",  # and no --quiet: what a build log gets
        *SYNTHETIC_TRAIN_ARGS,
    )
    assert "skipping to-read signal" in run.stderr
    # Not a terminal: no progress bar, one line per epoch of each fit (split fit, then shipped fit).
    assert "- rank:" not in run.stdout + run.stderr  # a Progbar line: "12/40 [===>...] - rank: 3.51"
    epochs = [line for line in run.stderr.splitlines() if " rank loss " in line]
    assert epochs and all(re.search(r"epoch \d+/\d+: rank loss", line) for line in epochs)
    assert len(epochs) == len(set(epochs)) or len(epochs) <= 2 * int(SYNTHETIC_TRAIN_ARGS[1])
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["use_to_read"] is False and config["choices"]["to_read_weight"] == 0.0
    # Each stage writes its own folder alone (model/layout.py): model.train model/, evaluate eval/.
    assert sorted(p.name for p in out.iterdir()) == ["model"]
    trained = snapshot(out / "model")
    run_module("model.evaluate", "--artifacts", str(out), "--no-tutorial")
    assert sorted(p.name for p in out.iterdir()) == ["eval", "model"]
    assert sorted(p.name for p in (out / "eval").iterdir()) == ["eval.json", "eval.md"]
    assert snapshot(out / "model") == trained
    ranking = json.loads((out / "eval" / "eval.json").read_text())["ranking"]
    assert {r["protocol"] for r in ranking} == {"5 picks", "half of liked"}  # too few visitors else
    assert not any("to-read" in r["model"] for r in ranking)
