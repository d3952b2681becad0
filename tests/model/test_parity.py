"""The Python side of the golden parity file (model/parity.py): ``python -m model.recommend``
and the server's similar books give the answers the export wrote."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.scoring import model_tables, reason_for
from tests.conftest import run_module


@pytest.fixture(scope="module")
def golden(trained_artifacts):
    return json.loads((trained_artifacts / "model" / "parity.json").read_text())


def test_the_golden_file_covers_liked_mixed_unliked_and_empty_visitors(golden):
    visitors = golden["visitors"]
    assert len(visitors) == 5 and visitors[-1]["picks"] == {}
    assert all(len(v["top"]) == golden["k"] for v in visitors)
    mixed = visitors[1]
    disliked = {int(b) for b, s in mixed["picks"].items() if s < 4}
    assert disliked and not disliked & set(mixed["reasons"])  # a 1-2 star pick explains nothing
    assert visitors[2]["reasons"] == [int(b) for b in visitors[2]["picks"]] * golden["k"]  # its only pick
    assert all(r is None for r in visitors[-1]["reasons"])


def test_model_recommend_gives_the_golden_suggestions_and_stars(trained_artifacts, golden):
    """The CLI scores as the golden model does (its stars for the golden top books), and its list
    is that ranking as the page shows it: metadata.json's default discovery setting, then one
    card per series (``arrange``; tests/golden/scoring.json pins it in both languages)."""
    from model.discovery import discovery_scores
    from model.layers import load_model
    from model.metadata import read_metadata
    from model.scoring import arrange, predict_batch
    from model.series import table_from_metadata

    metadata = read_metadata(trained_artifacts / "model" / "web" / "metadata.json")
    model = load_model(trained_artifacts / "model" / "model.keras")
    series = table_from_metadata(metadata)
    lines = [
        json.dumps({"ratings": v["picks"], "k": golden["k"], "predict": v["top"]}) for v in golden["visitors"]
    ]
    run = run_module("model.recommend", "--artifacts", str(trained_artifacts), stdin="\n".join(lines) + "\n")
    for want, line in zip(golden["visitors"], run.stdout.splitlines(), strict=True):
        got = json.loads(line)
        np.testing.assert_allclose([got["predicted"][str(b)] for b in want["top"]], want["stars"], atol=1e-4)
        rows = np.array([int(b) - 1 for b in want["picks"]], np.int32)  # synthetic ids are rows + 1
        scores, _ = predict_batch(model, [(rows, np.array(list(want["picks"].values()), np.float32))])
        # The golden top is the model's own order: the CLI ranked by the same scores.
        assert [r + 1 for r in np.argsort(-scores[0], kind="stable") if r not in rows][:3] == want["top"][:3]
        discovery = metadata["discovery"]
        ranked = discovery_scores(scores[0], discovery, discovery["default"], len(rows))
        started = [int(r) for r in rows]
        main, _, _ = arrange(ranked, set(started), series, started, [], golden["k"])
        assert got["book_ids"] == [r + 1 for r in main]


def test_reason_for_reproduces_the_golden_reasons(trained_artifacts, golden):
    from model.layers import load_model

    model = load_model(trained_artifacts / "model" / "model.keras")
    table = model_tables(model)
    for visitor in golden["visitors"]:
        rows = [int(b) - 1 for b in visitor["picks"]]  # synthetic ids are rows + 1
        liked = [r for r in rows if visitor["picks"][str(r + 1)] >= 4] or rows
        got = [reason_for(*table, b - 1, liked) for b in visitor["top"]]
        assert [None if r is None else r + 1 for r in got] == visitor["reasons"]


def test_the_server_gives_the_golden_similar_books(trained_artifacts, golden):
    from server.catalogue import CatalogueCache

    catalogue = CatalogueCache(trained_artifacts / "model" / "web").get()
    for book_id, want in golden["similar"].items():
        assert [book["book_id"] for book, _ in catalogue.similar(int(book_id), golden["k"])] == want
