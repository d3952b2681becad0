"""The TF.js model, loaded by tf.loadLayersModel in real headless Chromium, scores like Keras
and gives the golden answers of parity.json (model/parity.py)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from harness.browser import evaluate_page
from model.layers import load_model
from model.metadata import read_metadata
from model.ranking import top_k
from model.scoring import predict_batch
from tests.conftest import REPO

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><meta charset="utf-8"><title>parity</title>
<script type="module">
import * as tf from "./vendor/tf.fesm.min.js";
import "./js/layers.js";
import { fetchMetadata } from "./js/checked-fetch.js";
import {
  reasonFor, rowIndex, scorePicks, similarRows, similarityMatrix, topSuggestions,
} from "./js/recommend.js";
window.runParity = async (visitors, k) => {
  await tf.setBackend("cpu");
  const metadata = await fetchMetadata();
  const model = await tf.loadLayersModel("model/model.json");
  const sim = similarityMatrix(model, metadata);
  const rowOf = rowIndex(metadata);
  const out = [];
  for (const picks of visitors) {
    const result = await scorePicks(model, picks, metadata, rowOf);
    const top = topSuggestions(result, metadata, k);
    out.push({
      scores: Array.from(result.scores),
      predicted: Array.from(result.stars),
      top: top.map((s) => s.book_id),
      stars: top.map((s) => s.stars),
      reasons: top.map((s) => {
        const reason = reasonFor(sim, s.row, result.reasonRows);
        return reason === null ? null : metadata.book_ids[reason];
      }),
    });
  }
  return out;
};
window.runSimilar = async (bookIds, k) => {
  await tf.setBackend("cpu");
  const metadata = await fetchMetadata();
  const model = await tf.loadLayersModel("model/model.json");
  const sim = similarityMatrix(model, metadata);
  const rowOf = rowIndex(metadata);
  return bookIds.map((id) => similarRows(sim, rowOf.get(id), k).map((row) => metadata.book_ids[row]));
};
window.runLiked = async (visitors, likedStars) => {
  await tf.setBackend("cpu");
  const metadata = { ...(await fetchMetadata()), liked_stars: likedStars };
  const model = await tf.loadLayersModel("model/model.json");
  let unset = null; // the model run before scorePicks handed it metadata's threshold
  try {
    tf.tidy(() => model.predict([tf.tensor2d([[0]], [1, 1], "int32"), tf.tensor2d([[5]], [1, 1])]));
  } catch (error) {
    unset = error.message;
  }
  const rowOf = rowIndex(metadata);
  const scores = [];
  for (const picks of visitors) {
    scores.push(Array.from((await scorePicks(model, picks, metadata, rowOf)).scores));
  }
  return { unset, scores };
};
window.parityReady = true;
</script>"""

VISITORS = [{"2": 5, "4": 5, "6": 5}, {"3": 5, "5": 4, "8": 1, "10": 2}, {"1": 3}, {}]


def make_site(root, web, tfjs_bundle, model=None):
    """A site to load in Chromium: ``web`` (the artifacts' web/), TF.js as the site bundles it
    (``tfjs_bundle``), the page's modules and the parity page; ``model`` (Keras) replaces the
    TF.js model when given."""
    from model.export import save_tfjs

    shutil.copytree(web, root, dirs_exist_ok=True)
    if model is not None:
        shutil.rmtree(root / "model")
        save_tfjs(model, root / "model")
    (root / "vendor").mkdir()
    (root / "vendor" / "tf.fesm.min.js").write_bytes(tfjs_bundle.code)
    shutil.copytree(REPO / "web" / "js", root / "js")
    (root / "parity.html").write_text(PAGE)
    return root


@pytest.fixture(scope="module")
def shifted_model(trained_artifacts):
    """The trained model with its popularity shift turned well up (the planted data leaves
    gamma at 0), so that the browser has to mirror every op of it. Rounded to the precision
    each weight ships in (model/precision.py), as the build does."""
    from model.layers import build_model
    from model.precision import round_for_browser

    trained = load_model(trained_artifacts / "model" / "model.keras")
    stars = trained.get_layer("predicted_stars")
    embedding_dim = trained.get_layer("book_embedding").get_weights()[0].shape[1]
    # Built afresh (a reloaded model converts with unscoped weight names), same weights.
    model = build_model(stars.num_books, embedding_dim, stars.global_mean, stars.num_neighbors)
    model.set_weights(trained.get_weights())
    layer = model.get_layer("neighbor_scores")
    ratios = np.linspace(-1.5, 1.5, layer.num_books)[np.random.default_rng(0).permutation(layer.num_books)]
    layer.log_ratio.assign(ratios.astype(np.float32))
    layer.gamma.assign([0.75])
    round_for_browser(model)
    return model


def run_page(site, script, *args):
    return evaluate_page(site, "parity.html", "parityReady", script, list(args))


def test_browser_scores_equal_keras_op_for_op(trained_artifacts, shifted_model, tfjs_bundle, tmp_path):
    site = make_site(tmp_path / "site", trained_artifacts / "model" / "web", tfjs_bundle, shifted_model)
    results = run_page(site, "([visitors, k]) => window.runParity(visitors, k)", VISITORS, 10)
    book_ids = read_metadata(site / "metadata.json")["book_ids"]
    for visitor, result in zip(VISITORS, results, strict=True):
        rows = np.array([int(b) - 1 for b in visitor], np.int32)
        stars = np.array(list(visitor.values()), np.float32)
        scores, predicted = predict_batch(shifted_model, [(rows, stars)])
        np.testing.assert_allclose(result["scores"], scores[0], atol=1e-4)
        np.testing.assert_allclose(result["predicted"], predicted[0], atol=1e-4)
        assert result["top"] == [book_ids[r] for r in top_k(scores[0], 10, exclude=rows)]


def test_the_pages_liked_threshold_is_metadata_s(
    trained_artifacts, shifted_model, tfjs_bundle, tmp_path, monkeypatch
):
    """web/js/layers.js keeps no liked threshold of its own: run before scorePicks hands it
    metadata.json's liked_stars, the model refuses; with liked_stars 5 a 4-star pick is not liked,
    and the page scores as Keras built with LIKED_STARS = 5."""
    from model import layers

    site = make_site(tmp_path / "site", trained_artifacts / "model" / "web", tfjs_bundle, shifted_model)
    result = run_page(site, "([visitors, liked]) => window.runLiked(visitors, liked)", VISITORS, 5)
    assert "likedStars is not set" in result["unset"]
    monkeypatch.setattr(layers, "LIKED_STARS", 5)
    stars = shifted_model.get_layer("predicted_stars")
    dim = shifted_model.get_layer("book_embedding").get_weights()[0].shape[1]
    fives = layers.build_model(stars.num_books, dim, stars.global_mean, stars.num_neighbors)
    fives.set_weights(shifted_model.get_weights())
    for visitor, got in zip(VISITORS, result["scores"], strict=True):
        rows = np.array([int(b) - 1 for b in visitor], np.int32)
        picks = [(rows, np.array(list(visitor.values()), np.float32))]
        np.testing.assert_allclose(got, predict_batch(fives, picks)[0][0], atol=1e-4)
        if 4 in visitor.values():  # liked at 4 stars, not at 5: the threshold moved the scores
            assert not np.allclose(got, predict_batch(shifted_model, picks)[0][0], atol=1e-3)


def test_browser_gives_the_golden_answers(trained_artifacts, tfjs_bundle, tmp_path):
    golden = json.loads((trained_artifacts / "model" / "parity.json").read_text())
    site = make_site(tmp_path / "site", trained_artifacts / "model" / "web", tfjs_bundle)
    visitors = [v["picks"] for v in golden["visitors"]]
    results = run_page(site, "([visitors, k]) => window.runParity(visitors, k)", visitors, golden["k"])
    for want, got in zip(golden["visitors"], results, strict=True):
        assert got["top"] == want["top"]
        np.testing.assert_allclose(got["stars"], want["stars"], atol=1e-4)
        assert got["reasons"] == want["reasons"]
    book_ids = [int(b) for b in golden["similar"]]
    similar = run_page(site, "([ids, k]) => window.runSimilar(ids, k)", book_ids, golden["k"])
    assert dict(zip(golden["similar"], similar, strict=True)) == golden["similar"]
    for book_id, ids in golden["similar"].items():
        # "Readers also liked" stays within the planted group first.
        assert all(b % 2 == int(book_id) % 2 for b in ids[:5]), (book_id, ids)


# ---------------------------------------------------------------------------------------
# A whole Goodreads library: 2,000 picks in a model the size of the real one

BIG_BOOKS = 10_000
BIG_PICKS = 2_000


@pytest.fixture(scope="module")
def big_artifacts(tfjs_bundle, tmp_path_factory):
    """A 10,000-book model with random float16-exact weights (the real model's size), as
    artifacts (model.keras, web/metadata.json) and as a site with its TF.js conversion."""
    from model.export import build_metadata, save_tfjs
    from model.layers import build_model
    from model.precision import round_for_browser

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
    round_for_browser(model)  # as model.train does: uint8 where the export ships uint8
    artifacts = tmp_path_factory.mktemp("big-artifacts")
    trained = artifacts / "model"  # model/layout.py: model.train's folder
    (trained / "web").mkdir(parents=True)
    model.save(trained / "model.keras")
    metadata = build_metadata(np.arange(1, BIG_BOOKS + 1), 32, {})
    (trained / "web" / "metadata.json").write_text(json.dumps(metadata))
    save_tfjs(model, trained / "web" / "model")
    site = make_site(tmp_path_factory.mktemp("big-site"), trained / "web", tfjs_bundle)
    return artifacts, site, model


def test_two_thousand_picks_score_alike_in_keras_the_browser_and_the_cli(big_artifacts):
    """A 2,000-book library: the browser's scores equal Keras', and python -m model.recommend
    (JSON lines) returns the same top 10."""
    from tests.conftest import run_module

    artifacts, site, model = big_artifacts
    rng = np.random.default_rng(11)
    rows = rng.choice(BIG_BOOKS, BIG_PICKS, replace=False).astype(np.int32)
    stars = rng.integers(1, 6, BIG_PICKS).astype(np.float32)
    visitor = {str(int(r) + 1): int(s) for r, s in zip(rows, stars, strict=True)}
    [result] = run_page(site, "([visitors, k]) => window.runParity(visitors, k)", [visitor], 10)

    scores, predicted = predict_batch(model, [(rows, stars)])
    np.testing.assert_allclose(result["scores"], scores[0], atol=1e-3)
    np.testing.assert_allclose(result["predicted"], predicted[0], atol=1e-3)
    top = [int(r) + 1 for r in top_k(scores[0], 10, exclude=rows)]
    assert result["top"] == top
    line = json.dumps({"ratings": visitor, "k": 10}) + "\n"
    cli = json.loads(run_module("model.recommend", "--artifacts", str(artifacts), stdin=line).stdout)
    assert cli["book_ids"] == top
