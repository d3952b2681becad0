"""model/layout.py: one folder per stage, and an artifacts/ from before that named with `make build`."""

from __future__ import annotations

import json

import pytest

from explorer.vectors import MissingArtifact, load_book_embeddings, load_link_space
from model.data import DataError
from model.evaluate import load_split
from model.layout import eval_dir, is_flat, links_dir, maps_dir, missing, model_dir, web_dirs


@pytest.fixture
def flat(tmp_path):
    """artifacts/ as every build wrote it before each stage had its folder."""
    root = tmp_path / "artifacts"
    (root / "web").mkdir(parents=True)
    (root / "web" / "metadata.json").write_text(json.dumps({"book_ids": [1, 2]}))
    (root / "model.keras").write_bytes(b"an old model")
    (root / "links" / "tags").mkdir(parents=True)
    return root


def test_each_stage_has_one_folder_and_the_web_folders_are_theirs(tmp_path):
    folders = [model_dir(tmp_path), eval_dir(tmp_path), links_dir(tmp_path), maps_dir(tmp_path)]
    assert [f.relative_to(tmp_path).as_posix() for f in folders] == [
        "model",
        "eval",
        "explorer/links",
        "explorer/maps",
    ]
    assert [w.parent for w in web_dirs(tmp_path)] == [folders[0], folders[2], folders[3]]


def test_an_old_flat_folder_is_named_with_make_build(flat):
    assert is_flat(flat)
    message = missing(flat, model_dir(flat) / "config.json", "run model.train")
    assert "before each stage had its own folder" in message and "`make build`" in message
    with pytest.raises(DataError, match="`make build`"):
        load_split(flat, None)
    with pytest.raises(MissingArtifact, match="`make build`"):
        load_book_embeddings(flat)
    with pytest.raises(MissingArtifact, match="`make build`"):
        load_link_space(flat, "tags")


def test_a_new_folder_missing_a_file_says_what_makes_it(flat):
    (model_dir(flat) / "web").mkdir(parents=True)
    (model_dir(flat) / "web" / "metadata.json").write_text("{}")
    assert not is_flat(flat)  # make build has run model.train since: the old files are ignored
    assert missing(flat, model_dir(flat) / "config.json", "run model.train").endswith(": run model.train")
    with pytest.raises(MissingArtifact, match="has no link model: run `python -m explorer.links"):
        load_link_space(flat, "tags")
