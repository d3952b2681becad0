"""Maps, map.json and Embedding Projector files; the two stages end to end on tiny data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from explorer import links, maps
from explorer.genres import GENRES
from explorer.vectors import Space
from tests.explorer.conftest import WIKI_LINES, add_rating_model, planted_pairs, write_goodbooks_csvs


def _read_projector(folder):
    vecs = np.loadtxt(folder / "vecs.tsv", delimiter="\t", ndmin=2)
    lines = (folder / "meta.tsv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0].split("\t"), [line.split("\t") for line in lines[1:]]
    return vecs, header, rows


def test_maps_without_a_rating_model(tiny_artifacts, planted, caplog):
    caplog.set_level("INFO")
    assert maps.main(["--artifacts", str(tiny_artifacts), "--method", "pca", "--k", "4"]) == 0
    assert "no rating model yet" in caplog.text
    assert (tiny_artifacts / "explorer" / "maps" / "tags_model.png").stat().st_size > 10_000
    assert not (tiny_artifacts / "explorer" / "maps" / "rating_model.png").exists()

    data = json.loads((tiny_artifacts / "explorer" / "maps" / "web" / "map.json").read_text())
    assert data["num_books"] == planted.num_books and data["book_ids"] == planted.book_keys
    assert list(data["maps"]) == ["tags"]
    xy = np.array(data["maps"]["tags"]["xy"]).reshape(-1, 2)
    assert xy.shape == (planted.num_books, 2) and xy.min() >= 0 and xy.max() <= 1
    assert len(data["maps"]["tags"]["neighbors"]) == 4 * planted.num_books
    assert data["genre_names"] == list(GENRES) and len(data["genre_colours"]) == len(GENRES)
    assert set(data["genres"]) == {list(GENRES).index("fantasy"), list(GENRES).index("romance")}
    genres = json.loads((tiny_artifacts / "explorer" / "maps" / "web" / "genres.json").read_text())
    assert genres == {key: data[key] for key in ("format_version", "book_ids", "genre_names", "genres")}
    # planted groups land apart: the groups' x ranges (first principal axis) do not overlap
    half = planted.num_books // 2
    assert xy[:half, 0].max() < xy[half:, 0].min() or xy[half:, 0].max() < xy[:half, 0].min()


def test_projector_files_parse_back_with_the_right_shapes(tiny_artifacts, planted):
    add_rating_model(tiny_artifacts, planted)
    assert maps.main(["--out", str(tiny_artifacts), "--method", "pca"]) == 0  # the old name of --artifacts
    projector = tiny_artifacts / "explorer" / "maps" / "projector"
    config = json.loads((projector / "projector_config.json").read_text())
    names = [e["tensorName"] for e in config["embeddings"]]
    assert names == [
        "books (tags model)",
        "tags (tags model)",
        "books (rating model)",
    ]
    for entry in config["embeddings"]:
        vecs, header, rows = _read_projector(projector / entry["tensorPath"].rsplit("/", 1)[0])
        assert list(vecs.shape) == entry["tensorShape"]
        assert len(rows) == vecs.shape[0] and all(len(r) == len(header) for r in rows)
        assert (projector / entry["metadataPath"]).is_file()
    _, header, rows = _read_projector(projector / "books")
    assert header == ["title", "author", "genre", "book_id"] and rows[0][:2] == ["Book 0", "Author 0"]
    assert (tiny_artifacts / "explorer" / "maps" / "rating_model.png").is_file()
    data = json.loads((tiny_artifacts / "explorer" / "maps" / "web" / "map.json").read_text())
    assert set(data["maps"]) == {"tags", "rating"}
    assert len(data["maps"]["rating"]["neighbors"]) == data["k"] * planted.num_books


def test_missing_link_model_is_a_clear_error(tmp_path, caplog):
    assert maps.main(["--artifacts", str(tmp_path), "--method", "pca"]) == 2
    assert "run `python -m explorer.links" in caplog.text


# UMAP is left to the real-data test: numba compiles it for ~15 s on first use.
@pytest.mark.parametrize("method", ["pca", pytest.param("tsne", marks=pytest.mark.slow)])
def test_projection_methods_give_unit_square_coordinates(method):
    vecs = np.random.default_rng(0).normal(size=(60, 5))
    xy = maps.project(vecs, method)
    assert xy.shape == (60, 2) and xy.min() == 0 and np.isclose(xy.max(axis=0), 1).all()


@pytest.mark.slow  # trains both link models
def test_links_and_maps_stages_end_to_end(tmp_path, caplog):
    caplog.set_level("INFO")
    pairs = planted_pairs(books_per_group=10, links_per_group=6, links_per_book=3)
    data = tmp_path / "goodbooks"
    write_goodbooks_csvs(data, pairs)
    wiki = tmp_path / "books.ndjson"
    extra = [
        json.dumps([f"Novel {i}", {"author": f"W{i % 3}"}, ["Dragons", "Magic", f"x{i % 2}"], [], "t", 1])
        for i in range(6)
    ]
    wiki.write_text("\n".join(WIKI_LINES + ["{broken"] + extra) + "\n", encoding="utf-8")
    out = tmp_path / "artifacts"
    argv = [
        "--out",
        str(out),
        "--data",
        str(data),
        "--wiki",
        str(wiki),
        "--min-tag-books",
        "2",
        "--epochs",
        "2",
        "--wiki-epochs",
        "2",
        "--batch-size",
        "16",
        "--min-link-count",
        "2",
    ]
    assert links.main(argv) == 0
    assert "line 5: not valid JSON" in caplog.text
    report = json.loads((out / "explorer" / "links" / "report.json").read_text())
    assert set(report["sources"]) == {"tags", "wikipedia"}
    assert report["wikipedia_parse"]["malformed_lines"] == 1
    tags = report["sources"]["tags"]
    assert tags["books"] == pairs.num_books and tags["held_out_pairs"] == round(0.05 * tags["pairs"])
    # the planted groups are the genres: a book's nearest books share its genre beyond chance
    assert tags["genre_agreement"]["share"] > tags["genre_agreement"]["chance"] + 0.2
    index = json.loads((out / "explorer" / "links" / "tags" / "index.json").read_text())
    assert "to-read" not in index["links"] and len(index["book_keys"]) == pairs.num_books
    similar = json.loads((out / "explorer" / "links" / "web" / "content_similar.json").read_text())
    assert similar["k"] == 10 and len(similar["neighbors"]) == pairs.num_books
    assert "# Link-embedding quality" in (out / "explorer" / "links" / "report.md").read_text()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp dirs left

    assert maps.main(["--artifacts", str(out), "--method", "pca"]) == 0
    config = json.loads((out / "explorer" / "maps" / "projector" / "projector_config.json").read_text())
    assert [e["tensorName"] for e in config["embeddings"]][-2:] == [
        "books (wikipedia model)",
        "links (wikipedia model)",
    ]

    assert links.main(argv + ["--wiki", str(tmp_path / "nope.ndjson")]) == 2
    assert "pass --wiki none" in caplog.text


def test_rating_map_is_reindexed_by_tags_model_row():
    tags = Space("tags", np.zeros((4, 2)), ["a", "b", "c", "d"], [""] * 4, [10, 20, 30, 40])
    rating_ids = [30, 99, 10]  # 99 is unknown to the tags model, 20 and 40 have no rating vector
    xy = np.array([[0.3, 0.3], [0.9, 0.9], [0.1, 0.1]], dtype=np.float32)
    near = np.array([[2, 1], [0, 2], [0, 1]])  # rating rows
    out_xy, neighbors = maps.rating_in_tags_rows(tags, rating_ids, xy, near, 2)
    assert np.allclose(out_xy[[0, 2]], [[0.1, 0.1], [0.3, 0.3]]) and np.isnan(out_xy[[1, 3]]).all()
    assert neighbors.tolist() == [[2, -1], [-1, -1], [0, -1], [-1, -1]]


def _files(root) -> dict:
    return {
        p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    }


def _changed(before: dict, after: dict) -> set:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@pytest.mark.slow  # trains the tags link model
def test_each_explorer_stage_writes_its_own_folder_alone_and_whole(tmp_path):
    """explorer.links changes nothing outside artifacts/explorer/links/, explorer.maps nothing
    outside artifacts/explorer/maps/ (model/layout.py), and a rerun replaces its folder whole."""
    pairs = planted_pairs(books_per_group=10, links_per_group=6, links_per_book=3)
    data = tmp_path / "goodbooks"
    write_goodbooks_csvs(data, pairs)
    out = tmp_path / "artifacts"
    add_rating_model(out, pairs)  # artifacts/model/, as model.train writes it
    (out / "eval").mkdir()
    (out / "eval" / "eval.md").write_text("# the evaluation")
    argv = ["--out", str(out), "--data", str(data), "--wiki", "none", "--min-tag-books", "2"]
    argv += ["--epochs", "1", "--batch-size", "16", "--min-link-count", "2"]

    before = _files(out)
    assert links.main(argv) == 0
    changed = _changed(before, _files(out))
    assert Path("explorer/links/web/content_similar.json") in changed
    assert all(p.parts[:2] == ("explorer", "links") for p in changed), sorted(changed)

    before = _files(out)
    assert maps.main(["--artifacts", str(out), "--method", "pca"]) == 0
    changed = _changed(before, _files(out))
    assert {Path("explorer/maps/web/map.json"), Path("explorer/maps/web/genres.json")} <= changed
    assert any(p.parts[:3] == ("explorer", "maps", "projector") for p in changed)
    assert all(p.parts[:2] == ("explorer", "maps") for p in changed), sorted(changed)

    (out / "explorer" / "maps" / "stray.txt").write_text("not the stage's")
    assert maps.main(["--artifacts", str(out), "--method", "pca"]) == 0
    assert not (out / "explorer" / "maps" / "stray.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == ["eval", "explorer", "model"]
    assert sorted(p.name for p in (out / "explorer").iterdir()) == ["links", "maps"]
