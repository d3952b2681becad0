"""The TF.js model, loaded by tf.loadLayersModel in real headless Chromium, scores like Keras."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from model.layers import load_model
from model.recommend import predict_batch, top_k
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
def site(trained_artifacts, tmp_path_factory):
    if not TFJS.is_file():
        pytest.skip("node_modules/@tensorflow/tfjs is missing (make install runs npm ci)")
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(trained_artifacts / "web", root, dirs_exist_ok=True)
    (root / "vendor").mkdir()
    shutil.copy(TFJS, root / "vendor" / TFJS.name)
    shutil.copytree(REPO / "web" / "js", root / "js")
    (root / "parity.html").write_text(PAGE)
    return root


def test_browser_scores_equal_keras(site, trained_artifacts):
    with serve_directory(site) as base, launch_browser() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(f"{base}/parity.html")
        page.wait_for_function("window.parityReady === true", timeout=30_000)
        results = page.evaluate("visitors => window.runParity(visitors)", VISITORS)
        assert not errors, errors

    model = load_model(trained_artifacts / "model.keras")
    book_ids = json.loads((site / "metadata.json").read_text())["book_ids"]
    for visitor, result in zip(VISITORS, results, strict=True):
        rows = np.array([int(b) - 1 for b in visitor], np.int32)
        stars = np.array(list(visitor.values()), np.float32)
        scores, predicted = predict_batch(model, [(rows, stars)])
        np.testing.assert_allclose(result["scores"], scores[0], atol=1e-4)
        np.testing.assert_allclose(result["stars"], predicted[0], atol=1e-4)
        assert result["top"] == [book_ids[r] for r in top_k(scores[0], rows, 10)]


def test_similar_books_and_reasons_agree_with_the_server(site):
    from server.catalogue import load_catalogue

    rows = [0, 1, 2, 9, 30]
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
    # Picks are rows 1, 3, 5, 6 (books 2, 4, 6, 7): the reason for an even book is an even pick.
    assert result["reasons"][1] in (1, 3, 5) and result["reasons"][3] in (1, 3, 5)
    assert result["reasons"][2] == 6  # book 3 (odd): the only odd pick
