"""`python -m model.train --real-readers FILE`: every setting chosen on real readers, what only
they do reaches the model, the evaluation reports on readers nothing was chosen on, and a bad
file is one line, exit 2, nothing written."""

from __future__ import annotations

import json
import shutil

import pytest

from model.layers import load_model
from model.synthetic import READER_PAIR, make_real_readers
from tests.conftest import SYNTHETIC_TRAIN_ARGS, run_module

pytestmark = pytest.mark.slow


def train(data, out, *args, **kwargs):
    """``python -m model.train --data DATA --out OUT --quiet ARGS`` (run_module's keywords)."""
    return run_module("model.train", "--data", str(data), "--out", str(out), "--quiet", *args, **kwargs)


@pytest.fixture(scope="module")
def readers_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("readers") / "ratings.csv"
    make_real_readers().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def chosen_on_readers(synthetic_data, readers_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("artifacts")
    # Two embedding sizes to choose between (the later --embedding-dim wins over the default's).
    args = [*SYNTHETIC_TRAIN_ARGS, "--embedding-dim", "8", "16"]
    run = train(synthetic_data, out, "--real-readers", str(readers_file), *args)
    run_module("model.evaluate", "--out", str(out), "--no-tutorial")  # the old name of --artifacts
    return out, run


def neighbors_of(model, row):
    return model.get_layer("neighbor_rows").neighbor_rows.numpy()[row].round().astype(int).tolist()


def test_every_setting_is_chosen_on_real_readers(chosen_on_readers, readers_file):
    out, run = chosen_on_readers
    config = json.loads((out / "model" / "config.json").read_text())
    choices = config["choices"]
    assert choices["chosen_on"] == "real readers" and config["real_readers"] == str(readers_file)
    assert choices["reader_weight"] in config["reader_weights"]
    assert [choices["neighbor_lambda"], choices["neighbor_dropout"]] in config["reader_penalties"]
    assert choices["num_neighbors"] in config["table_sizes"]
    assert "real readers: " in run.stderr and "kept for the report" in run.stderr
    assert "chosen on this data's own split" not in run.stderr
    # Balanced's discovery weight is chosen on them too, per pick bucket, from the grid;
    # lesser-known's knee from its own; the export carries them.
    weights = choices["discovery_weights"]
    mix = choices["neighbor_mix"]  # the grid is in units of the mix, the scores' scale
    assert len(weights["balanced"]) == 4
    assert all(w in [g * mix for g in config["discovery_grid"]] for w in weights["balanced"])
    for setting in ("popular", "lesser-known"):
        assert len(weights[setting]) == 4
    for popular, balanced, lesser in zip(
        weights["popular"], weights["balanced"], weights["lesser-known"], strict=True
    ):
        assert popular < balanced <= lesser
    metadata = json.loads((out / "model" / "web" / "metadata.json").read_text())
    entry = metadata["discovery"]
    assert entry["weights"] == {s: weights[s] for s in entry["settings"]} and len(entry["popularity"]) == 60
    assert entry["lesser_known"]["knee"] == weights["lesser_knee"]
    assert entry["lesser_known"]["steps"] == weights["lesser_steps"]
    assert "discovery weight (balanced) for 1+ picks" in run.stderr


def test_the_embedding_size_is_chosen_on_real_readers_and_ships(chosen_on_readers):
    out, run = chosen_on_readers
    config = json.loads((out / "model" / "config.json").read_text())
    dim = config["choices"]["embedding_dim"]
    assert config["embedding_dims"] == [8, 16] and dim in (8, 16)
    sizes = json.loads((out / "model" / "history.json").read_text())["split"]["embedding_sizes"]
    assert set(sizes) == {"8", "16"}  # both trained and measured on the check readers
    assert "embedding size by real readers' shown10 (Recall@10 above " in run.stderr
    if dim == 16:  # the larger ships only when it wins by more than the tolerance
        assert sizes["16"] > sizes["8"] + config["embedding_tolerance"]
    for path in (out / "model" / "model.keras", out / "model" / "split" / "model.keras"):
        assert load_model(path).get_layer("book_embedding").get_weights()[0].shape[1] == dim, path
    assert json.loads((out / "model" / "web" / "metadata.json").read_text())["embedding_dim"] == dim


def test_what_only_real_readers_do_reaches_the_models(chosen_on_readers):
    out, _ = chosen_on_readers
    one, two = READER_PAIR[0] - 1, READER_PAIR[1] - 1  # book ids 1..60 are rows 0..59
    for path in (out / "model" / "model.keras", out / "model" / "split" / "model.keras"):
        model = load_model(path)
        assert two in neighbors_of(model, one) and one in neighbors_of(model, two), path


def test_the_evaluation_reports_on_readers_nothing_was_chosen_on(chosen_on_readers):
    out, _ = chosen_on_readers
    report = json.loads((out / "eval" / "eval.json").read_text())
    readers = [r for r in report["ranking"] if r["protocol"].startswith("real readers")]
    protocols = {r["protocol"] for r in readers}
    assert protocols == {
        "real readers, 5 picks",
        "real readers, 10 picks",
        "real readers, half of liked",
        "real readers, import (80% of all ratings)",
    }
    models = {r["model"] for r in readers}
    assert "Shelf model" in models and any(m.startswith("EASE + ") and "cut to" in m for m in models)
    assert any("the same real readers" in m and "(reference)" in m for m in models)
    assert all(r["visitors"] <= 40 for r in readers)  # the report half of 80 readers
    assert any(s["task"] == "real readers, half given" for s in report["stars"])
    assert "real readers, 5 picks" in report["margins"]
    assert "### Real readers" in (out / "eval" / "eval.md").read_text()
    # The cards as shown: every report protocol and one pick, Shelf at each setting and as
    # ranked, the anchors arranged the same way; arrange's guarantees hold on every list.
    shown = report["shown"]
    assert {r["protocol"] for r in shown} == protocols | {"real readers, one pick"}
    shelf = {r["setting"] for r in shown if r["model"] == "Shelf model"}
    assert shelf == {"popular", "balanced", "lesser-known", "as ranked"}
    assert any(r["model"].startswith("EASE") and r["setting"] == "" for r in shown)
    arranged = [r for r in shown if r["setting"] != "as ranked"]
    assert all(r["later_volume_unstarted"] == 0 and r["series_on_3"] == 0 for r in arranged)
    assert all(0 <= r["shown10"] <= 1 and r["recall_with_next"] >= 0 for r in arranged)
    assert "### What readers see" in (out / "eval" / "eval.md").read_text()


def test_without_readers_the_build_says_it_chooses_on_its_own_split(synthetic_data, tmp_path):
    out = tmp_path / "artifacts"
    run = train(synthetic_data, out, *SYNTHETIC_TRAIN_ARGS)
    lines = [line for line in run.stderr.splitlines() if "own split" in line]
    assert len(lines) == 1 and "--real-readers or REAL_READERS" in lines[0]
    assert json.loads((out / "model" / "config.json").read_text())["choices"]["chosen_on"] == "split"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "file not found"),
        ("", "the file is empty"),
        ("user,book_id,rating\n100001,1,5\n", "missing column 'user_id'"),
        ("user_id,book_id,rating\n100001,1,5\n100001,2,five\n", "line 3: rating 'five' is not an integer"),
        ("user_id,book_id,rating\n100001,1,5\n100001,999,4\n", "line 3: book_id 999 is not in books.csv"),
        ("user_id,book_id,rating\n100001,1,5\n3,2,4\n", "line 3: user_id 3 is also in ratings.csv"),
        ("user_id,book_id,rating\n100001,1,5\n100001,2,4\n100002,1,5\n", "1 readers with two ratings"),
    ],
)
def test_a_bad_reader_file_is_one_line_and_writes_nothing(synthetic_data, tmp_path, content, message):
    path = tmp_path / "readers.csv"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "artifacts"
    run = train(synthetic_data, out, "--real-readers", str(path), check=False)
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(path) in errors[0] and message in errors[0]
    assert "Traceback" not in run.stderr and not out.exists()


def test_the_environment_names_the_file_too(synthetic_data, readers_file, tmp_path):
    bad = tmp_path / "readers.csv"
    shutil.copy(readers_file, bad)
    with bad.open("a") as f:
        f.write("100001,999,4\n")
    out = tmp_path / "artifacts"
    run = train(synthetic_data, out, check=False, env={"REAL_READERS": str(bad)})
    assert run.returncode == 2 and f"error: {bad} line " in run.stderr and "book_id 999" in run.stderr
    assert not out.exists()
