"""The TF.js model, loaded by tf.loadLayersModel in real headless Chromium, scores like Keras."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from model.layers import load_model
from model.ranking import top_k
from model.recommend import predict_batch, reason_for
from tests.browser import launch_browser, serve_directory
from tests.conftest import REPO

pytestmark = pytest.mark.browser

TFJS = REPO / "node_modules" / "@tensorflow" / "tfjs" / "dist" / "tf.fesm.min.js"
PAGE = """<!doctype html><meta charset="utf-8"><title>parity</title>
<script type="module">
import * as tf from "./vendor/tf.fesm.min.js";
import "./js/layers.js";
import {
  reasonFor, rowIndex, scorePicks, similarRows, similarityMatrix, topSuggestions,
} from "./js/recommend.js";
window.runParity = async (visitors) => {
  await tf.setBackend("cpu");
  const metadata = await (await fetch("metadata.json")).json();
  const model = await tf.loadLayersModel("model/model.json");
  const rowOf = rowIndex(metadata);
  const out = [];
  for (const picks of visitors) {
    const result = await scorePicks(model, picks, metadata, rowOf);
    out.push({
      scores: Array.from(result.scores),
      stars: Array.from(result.stars),
      top: topSuggestions(result, metadata, 10).map((s) => s.book_id),
    });
  }
  return out;
};
window.runSimilar = async (rows, k) => {
  await tf.setBackend("cpu");
  const metadata = await (await fetch("metadata.json")).json();
  const model = await tf.loadLayersModel("model/model.json");
  const sim = similarityMatrix(model, metadata);
  return {
    similar: rows.map((row) => similarRows(sim, row, k)),
    reasons: rows.map((row) => reasonFor(sim, row, [1, 3, 5, 6])),
  };
};
window.parityReady = true;
</script>"""

VISITORS = [{"2": 5, "4": 5, "6": 5}, {"3": 5, "5": 4, "8": 1, "10": 2}, {"1": 3}, {}]


@pytest.fixture(scope="module")
def keras_model(trained_artifacts, tmp_path_factory):
    """The trained model with its popularity shift turned well up (the planted data leaves
    gamma at 0), so that the browser has to mirror every op of it. float16-exact values."""
    from model.layers import build_model

    trained = load_model(trained_artifacts / "model.keras")
    stars = trained.get_layer("predicted_stars")
    embedding_dim = trained.get_layer("book_embedding").get_weights()[0].shape[1]
    # Built afresh (a reloaded model converts with unscoped weight names), same weights.
    model = build_model(stars.num_books, embedding_dim, stars.global_mean, stars.num_neighbors)
    model.set_weights(trained.get_weights())
    layer = model.get_layer("neighbor_scores")
    ratios = np.linspace(-1.5, 1.5, layer.num_books)[np.random.default_rng(0).permutation(layer.num_books)]
    layer.log_ratio.assign(ratios.astype(np.float16).astype(np.float32))
    layer.gamma.assign([0.75])
    return model


@pytest.fixture(scope="module")
def site(trained_artifacts, keras_model, tmp_path_factory):
    from model.export import save_tfjs

    if not TFJS.is_file():
        pytest.skip("node_modules/@tensorflow/tfjs is missing (make install runs npm ci)")
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(trained_artifacts / "web", root, dirs_exist_ok=True)
    shutil.rmtree(root / "model")
    save_tfjs(keras_model, root / "model")
    (root / "vendor").mkdir()
    shutil.copy(TFJS, root / "vendor" / TFJS.name)
    shutil.copytree(REPO / "web" / "js", root / "js")
    (root / "parity.html").write_text(PAGE)
    return root


def test_browser_scores_equal_keras(site, keras_model):
    with serve_directory(site) as base, launch_browser() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(f"{base}/parity.html")
        page.wait_for_function("window.parityReady === true", timeout=30_000)
        results = page.evaluate("visitors => window.runParity(visitors)", VISITORS)
        assert not errors, errors

    model = keras_model
    book_ids = json.loads((site / "metadata.json").read_text())["book_ids"]
    for visitor, result in zip(VISITORS, results, strict=True):
        rows = np.array([int(b) - 1 for b in visitor], np.int32)
        stars = np.array(list(visitor.values()), np.float32)
        scores, predicted = predict_batch(model, [(rows, stars)])
        np.testing.assert_allclose(result["scores"], scores[0], atol=1e-4)
        np.testing.assert_allclose(result["stars"], predicted[0], atol=1e-4)
        assert result["top"] == [book_ids[r] for r in top_k(scores[0], 10, exclude=rows)]


def test_similar_books_and_reasons_agree_with_the_server(site, keras_model):
    from server.catalogue import load_catalogue

    rows = [0, 1, 2, 9, 30]
    picks = [1, 3, 5, 6]  # books 2, 4, 6, 7
    with serve_directory(site) as base, launch_browser() as browser:
        page = browser.new_page()
        page.goto(f"{base}/parity.html")
        page.wait_for_function("window.parityReady === true", timeout=30_000)
        result = page.evaluate("([rows, k]) => window.runSimilar(rows, k)", [rows, 8])

    catalogue = load_catalogue(site)
    for row, browser_rows in zip(rows, result["similar"], strict=True):
        book_id = row + 1  # synthetic ids are rows + 1
        server_ids = [book["book_id"] for book, _ in catalogue.similar(book_id, 8)]
        assert [r + 1 for r in browser_rows] == server_ids
        assert book_id not in server_ids
        # "Readers also liked" stays within the planted group first.
        assert all(b % 2 == book_id % 2 for b in server_ids[:5]), server_ids
    table = keras_model.get_layer("neighbor_rows").neighbor_rows.numpy().round().astype(int)
    votes = keras_model.get_layer("neighbor_scores").neighbor_weights.numpy()
    vectors = keras_model.get_layer("book_embedding").get_weights()[0]
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    voted = 0
    for row, reason in zip(rows, result["reasons"], strict=True):
        assert reason == reason_for(table, votes, vectors, row, picks)
        if any(row in table[p] for p in picks):
            # A pick that votes for the book explains it, and votes stay within a group.
            assert row in table[reason] and reason % 2 == row % 2
            voted += 1
    assert voted >= 1


# ---------------------------------------------------------------------------------------
# A whole Goodreads library: 2,000 picks in a model the size of the real one

BIG_BOOKS = 10_000
BIG_PICKS = 2_000


@pytest.fixture(scope="module")
def big_artifacts(tmp_path_factory):
    """A 10,000-book model with random float16-exact weights (the real model's size), as
    artifacts (model.keras, web/metadata.json) and as a site with its TF.js conversion."""
    from model.export import build_metadata, save_tfjs
    from model.layers import build_model

    if not TFJS.is_file():
        pytest.skip("node_modules/@tensorflow/tfjs is missing (make install runs npm ci)")
    rng = np.random.default_rng(10)
    model = build_model(BIG_BOOKS, 32, 3.9, 16)
    weights = []
    for weight in model.weights:
        shape = tuple(weight.shape)
        if weight.name.split("/")[-1].startswith("neighbor_rows"):
            weights.append(rng.integers(0, BIG_BOOKS, size=shape).astype(np.float32))
        else:
            weights.append((rng.normal(size=shape) * 0.05).astype(np.float16).astype(np.float32))
    model.set_weights(weights)
    artifacts = tmp_path_factory.mktemp("big-artifacts")
    model.save(artifacts / "model.keras")
    metadata = build_metadata(np.arange(1, BIG_BOOKS + 1), 32, {})
    site = artifacts / "web"
    site.mkdir()
    (site / "metadata.json").write_text(json.dumps(metadata))
    save_tfjs(model, site / "model")
    (site / "vendor").mkdir()
    shutil.copy(TFJS, site / "vendor" / TFJS.name)
    shutil.copytree(REPO / "web" / "js", site / "js")
    (site / "parity.html").write_text(PAGE)
    return artifacts, model


def test_two_thousand_picks_score_alike_in_keras_the_browser_and_the_cli(big_artifacts):
    """A 2,000-book library: the browser's scores equal Keras', and python -m model.recommend
    (JSON lines) returns the same top 10."""
    from tests.conftest import run_module

    artifacts, model = big_artifacts
    rng = np.random.default_rng(11)
    rows = rng.choice(BIG_BOOKS, BIG_PICKS, replace=False).astype(np.int32)
    stars = rng.integers(1, 6, BIG_PICKS).astype(np.float32)
    visitor = {str(int(r) + 1): int(s) for r, s in zip(rows, stars, strict=True)}
    with serve_directory(artifacts / "web") as base, launch_browser() as browser:
        page = browser.new_page()
        page.goto(f"{base}/parity.html")
        page.wait_for_function("window.parityReady === true", timeout=30_000)
        [result] = page.evaluate("visitors => window.runParity(visitors)", [visitor])

    scores, predicted = predict_batch(model, [(rows, stars)])
    np.testing.assert_allclose(result["scores"], scores[0], atol=1e-3)
    np.testing.assert_allclose(result["stars"], predicted[0], atol=1e-3)
    top = [int(r) + 1 for r in top_k(scores[0], 10, exclude=rows)]
    assert result["top"] == top
    line = json.dumps({"ratings": visitor, "k": 10}) + "\n"
    cli = json.loads(run_module("model.recommend", "--artifacts", str(artifacts), stdin=line).stdout)
    assert cli["book_ids"] == top
