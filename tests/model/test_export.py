"""Export round trips: the saved Keras model, the TF.js files and the metadata agree."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from model.layers import load_model
from model.metadata import read_metadata
from model.precision import affine_uint8, weight_dtype, weight_levels, weight_name
from model.scoring import predict_batch

pytestmark = pytest.mark.slow  # trains the synthetic model once (tests/conftest.py)


def test_artifacts_follow_the_contract(trained_artifacts):
    web = trained_artifacts / "model" / "web"
    metadata = read_metadata(web / "metadata.json")
    books = json.loads((web / "books.json").read_text())
    assert metadata["num_books"] == len(metadata["book_ids"]) == len(books) == 60
    assert [b["book_id"] for b in books] == metadata["book_ids"]
    assert metadata["book_id_runs"] == [[1, 60]]  # the synthetic catalogue's ids, written as one run
    assert books[0]["title"] == "<img src=x onerror=alert(1)>"
    assert books[4]["year"] is None and books[5]["year"] == 1956
    assert set(books[0]) == {
        "book_id",
        "title",
        "authors",
        "year",
        "cover_url",
        "average_rating",
        "ratings_count",
        "series",
    }
    assert books[0]["series"] is None and books[52]["series"] is None  # "(Penguin Readers, Level 5)"
    assert books[47]["series"] == {"name": "Even Saga", "position": 1}
    assert books[57]["series"] == {"name": "Even Saga", "position": 1, "end": 3}
    assert books[44]["series"] == {"name": "Odd Trilogy", "position": 0.5}
    assert metadata["series"] == {
        "count": 2,
        "rows": [44, 46, 47, 48, 51, 55, 57],
        "index": [0, 0, 1, 0, 1, 1, 1],
        "position": [0.5, 2, 1, 3, 2, 3, 1],
        "end": [0.5, 2, 1, 3, 2, 3, 3],
    }
    assert metadata["config"]["embedding_dims"] == [16]  # the one size tests/conftest.py allows
    served_paths = [v for v in metadata["config"].values() if isinstance(v, str) and v.startswith("/")]
    assert served_paths == []  # no folder of the build machine reaches a visitor (export.without_paths)
    assert metadata["config"]["choices"]["embedding_dim"] == metadata["embedding_dim"] == 16
    for name in ("model.keras", "config.json", "history.json", "training_curves.png", "book_embeddings.npy"):
        assert (trained_artifacts / "model" / name).is_file(), name
    assert np.load(trained_artifacts / "model" / "book_embeddings.npy").shape == (60, 16)


def test_tfjs_model_json_and_hashed_shards(trained_artifacts):
    model_dir = trained_artifacts / "model" / "web" / "model"
    model_json = json.loads((model_dir / "model.json").read_text())
    assert model_json["format"] == "layers-model"
    paths = [p for group in model_json["weightsManifest"] for p in group["paths"]]
    assert sorted(paths) == sorted(p.name for p in model_dir.glob("*.bin"))
    assert all(len(p.split(".")) == 3 and len(p.split(".")[1]) == 16 for p in paths)  # name.<hash>.bin
    # Cut in two (model/shards.py): the later part is the row tables' rows after the first tenth.
    later = model_json["userDefinedMetadata"]["later_shards"]
    assert sorted(later) == sorted(p for p in paths if "shard2of2" in p) and len(later) == 3
    assert all((model_dir / p).stat().st_size == size for p, size in later.items())
    num_books = model_json["weightsManifest"][1]["weights"][0]["shape"][0]
    assert model_json["userDefinedMetadata"]["first_rows"] == -(-num_books // 10)
    weights = [w for group in model_json["weightsManifest"] for w in group["weights"]]
    kinds = {w["name"]: w["quantization"]["dtype"] for w in weights}
    assert kinds.pop("neighbor_rows/neighbor_rows") == "uint16"  # row numbers, exact once rounded
    one_byte = ["book_embedding/embeddings", "book_scores/kernel", "neighbor_scores/neighbor_weights"]
    one_byte += ["predicted_stars/star_weights", "book_scores/bias", "neighbor_scores/log_ratio"]
    assert all(kinds.pop(name) == "uint8" for name in one_byte + ["predicted_stars/book_bias"])
    assert kinds and set(kinds.values()) == {"float16"}  # the visitor layer, scalars
    layer_classes = {
        layer["class_name"] for layer in model_json["modelTopology"]["model_config"]["config"]["layers"]
    }
    assert {
        "PickPooling",
        "CatalogueRows",
        "PickSimilarity",
        "NeighborRows",
        "NeighborScores",
        "StarPredictor",
        "Embedding",
        "Dense",
    } <= layer_classes


def test_keras_reload_gives_identical_predictions(trained_artifacts, tmp_path):
    model = load_model(trained_artifacts / "model" / "model.keras")
    model.save(tmp_path / "again.keras")
    again = load_model(tmp_path / "again.keras")
    picks = [(np.array([1, 3, 8], np.int32), np.array([5.0, 4.0, 1.0], np.float32))]
    for a, b in zip(predict_batch(model, picks), predict_batch(again, picks), strict=True):
        np.testing.assert_array_equal(a, b)


def test_weights_are_what_the_browser_dequantizes(trained_artifacts):
    # The Keras model holds exactly what the browser dequantizes from the uint8 / float16 shards.
    model = load_model(trained_artifacts / "model" / "model.keras")
    for layer in model.layers:
        for w in layer.weights:
            name = weight_name(layer, w)
            dtype = weight_dtype(name)
            if dtype == "uint8":
                np.testing.assert_allclose(affine_uint8(w.numpy()), w.numpy(), atol=1e-6)
                assert len(np.unique(w.numpy())) <= weight_levels(name)
            elif dtype == "float16":
                np.testing.assert_array_equal(w.numpy(), w.numpy().astype(np.float16).astype(np.float32))
    rows = model.get_layer("neighbor_rows").neighbor_rows.numpy()
    np.testing.assert_array_equal(rows, np.round(rows))
    assert rows.min() >= 0 and rows.max() < 60


def test_export_swaps_its_whole_folder_and_touches_no_other(trained_artifacts, tmp_path):
    """A second export replaces artifacts/model/ whole (an older build's shard is gone) and
    leaves the other stages' folders as they were."""
    from model import export
    from model.config import Choices, TrainConfig
    from model.data import load_books

    out = tmp_path / "artifacts"
    shutil.copytree(trained_artifacts / "model", out / "model")
    (out / "model" / "web" / "model" / "group1-shard1of1.old.bin").write_text("old")
    (out / "explorer" / "maps" / "web").mkdir(parents=True)
    (out / "explorer" / "maps" / "web" / "map.json").write_text("{}")  # another stage's file
    (out / "eval").mkdir()
    (out / "eval" / "eval.md").write_text("# eval")
    model = load_model(out / "model" / "model.keras")
    books = load_books(json.loads((out / "model" / "config.json").read_text())["data"])
    histories = json.loads((out / "model" / "history.json").read_text())
    export.export_artifacts(
        model,
        model,
        books,
        TrainConfig(),
        Choices(to_read_weight=0.5, popularity_gamma=0.2, neighbor_mix=10.0, star_scale=2.0, epochs=4),
        histories,
        out,
    )
    assert not (out / "model" / "web" / "model" / "group1-shard1of1.old.bin").exists()
    assert (out / "model" / "web" / "model" / "model.json").is_file()
    assert (out / "explorer" / "maps" / "web" / "map.json").read_text() == "{}"
    assert (out / "eval" / "eval.md").read_text() == "# eval"
    assert sorted(p.name for p in out.iterdir()) == ["eval", "explorer", "model"]  # no staging left


def test_failed_export_leaves_previous_artifacts_untouched(trained_artifacts, tmp_path, monkeypatch):
    from model import export
    from model.config import Choices, TrainConfig
    from model.data import load_books

    out = tmp_path / "artifacts"
    shutil.copytree(trained_artifacts, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(model, model_dir):
        (model_dir / "model.json").parent.mkdir(parents=True, exist_ok=True)
        (model_dir / "model.json").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(export, "save_tfjs", broken)
    model = load_model(out / "model" / "model.keras")
    books = load_books(json.loads((out / "model" / "config.json").read_text())["data"])
    with pytest.raises(OSError, match="disk full"):
        choices = Choices(
            to_read_weight=0.5, popularity_gamma=0.2, neighbor_mix=10.0, star_scale=2.0, epochs=4
        )
        export.export_artifacts(model, model, books, TrainConfig(), choices, {"split": {}}, out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no staging left
