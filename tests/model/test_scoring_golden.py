"""model/scoring.py gives tests/golden/scoring.json's answers (reasons, similar books, top-k),
the file web/js/recommend.js is held to under ``node --test`` (tests/js/recommend-golden.test.js)
and the server's similar books (tests/web/test_catalogue_golden.py).
Written by tests/golden/make_scoring.py; no model, no TensorFlow: seconds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.ranking import top_k, unit_rows
from model.scoring import reason_for, similar_rows
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "scoring.json"


@pytest.fixture(scope="module")
def golden():
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    tables = (
        np.array(data["neighbor_rows"], np.int64),
        np.array(data["neighbor_weights"], np.float32),
        unit_rows(np.array(data["vectors"], np.float32).astype(np.float64)),
    )
    return data, tables


def test_reasons(golden):
    data, tables = golden
    got = [reason_for(*tables, case["suggestion"], case["candidates"]) for case in data["reasons"]]
    assert got == [case["reason"] for case in data["reasons"]]


def test_similar_rows(golden):
    data, tables = golden
    assert [similar_rows(*tables, row, data["k"]) for row in range(data["num_books"])] == data["similar"]


def test_top_k(golden):
    data, _ = golden
    for case in data["top"]:
        scores = np.array(case["scores"], np.float32)
        assert top_k(scores, case["k"], exclude=case["exclude"]).tolist() == case["rows"]


def test_the_golden_file_plants_the_ties_it_is_for(golden):
    """Equal votes, no votes, equal and zero vectors: what the tie rules decide."""
    data, (rows, weights, unit) = golden
    assert (weights == 0).all(axis=1).any()  # a book that votes for nothing
    assert (weights[:, 0] == weights[:, 1]).any()  # a book whose two strongest votes are equal
    assert (np.abs(unit).sum(axis=1) == 0).any()  # a zero vector
    assert len({tuple(v) for v in data["vectors"]}) < data["num_books"]  # two books, one vector


def golden_series_table(data):
    """The golden file's series table (metadata.json's shape) as model/series.py's SeriesTable."""
    from model.series import SeriesTable

    series = data["series"]
    n = len(series["titles"])
    index, position, end = np.full(n, -1, np.int32), np.full(n, np.nan), np.full(n, np.nan)
    index[series["rows"]] = series["index"]
    position[series["rows"]] = series["position"]
    end[series["rows"]] = series["end"]
    return SeriesTable(index, position, end, series["count"])


def test_the_golden_series_table_is_the_parsers(golden):
    from model.series import series_table

    data, _ = golden
    parsed, stored = series_table(data["series"]["titles"]), golden_series_table(data)
    assert parsed.count == stored.count and parsed.index.tolist() == stored.index.tolist()
    np.testing.assert_array_equal(parsed.position, stored.position)
    np.testing.assert_array_equal(parsed.end, stored.end)


def test_arrange(golden):
    from model.scoring import arrange

    data, _ = golden
    table = golden_series_table(data)
    assert len(data["arrange"]) >= 20
    for case in data["arrange"]:
        got = arrange(
            np.array(case["scores"], np.float32),
            case["hidden"],
            table,
            case["started"],
            case["dismissed"],
            case["k"],
        )
        assert got == (case["main_rows"], case["more_counts"], case["next_rows"]), case["name"]


def test_discovery_scores(golden):
    from model.scoring import discovery_scores

    data, _ = golden
    entry = data["discovery"]["entry"]
    assert {c["setting"] for c in data["discovery"]["cases"]} == set(entry["settings"])
    assert len({c["num_picks"] for c in data["discovery"]["cases"]}) >= 4  # every bucket
    for case in data["discovery"]["cases"]:
        scores = np.array(case["scores"], np.float32)
        values = discovery_scores(scores, entry, case["setting"], case["num_picks"])
        assert values.tolist() == case["values"]
        assert top_k(values, data["k"]).tolist() == case["rows"]


def test_discovery_arrange(golden):
    """Each setting re-scored for the number of picks, then arranged; lesser-known's search
    stops at different steps across the cases (written by make_scoring, checked in JS too)."""
    from model.scoring import discovery_arrange
    from model.series import series_table

    data, _ = golden
    table = series_table(data["series"]["titles"])
    entry = data["discovery_arrange"]["entry"]
    for case in data["discovery_arrange"]["cases"]:
        picks = case["picks"]
        ranked, got = discovery_arrange(
            np.array(case["scores"], np.float32),
            entry,
            case["setting"],
            len(picks),
            picks,
            table,
            picks,
            [],
            case["k"],
        )
        assert ranked.tolist() == case["ranked"]
        assert got == (case["main_rows"], case["more_counts"], case["next_rows"])


def test_lesser_known_leans_only_as_far_as_the_list_needs():
    """Known answer: books 0-2 are the most-rated (z 2.4, 0.9 past the knee). At step 0 books 0
    and 1 are on the ten cards; step 0.6 (a shift of 0.54) takes book 1 off and keeps book 0:
    at most one, so the search stops there and never reaches the last step (10, all off)."""
    from model.discovery import metadata_entry
    from model.scoring import discovery_arrange
    from model.series import series_table

    counts = np.array([1e7, 1e7, 1e7] + [100.0] * 17)
    entry = metadata_entry(counts, {"popular": -1.0, "balanced": 0.0, "lesser-known": 0.0})
    entry["lesser_known"].update(steps=[0.0, 0.6, 10.0], most_rated=[0, 1, 2], knee=1.5)
    scores = np.array([1.0, 0.9, 0.2, *np.linspace(0.85, 0.0, 17)], np.float32)
    table = series_table([f"Book {i}" for i in range(20)])
    ranked, (main, _, _) = discovery_arrange(scores, entry, "lesser-known", 1, [19], table, [19], [], 10)
    assert [r for r in main if r < 3] == [0] and ranked[0] == pytest.approx(1.0 - 0.6 * 0.9)
    _, (plain, _, _) = discovery_arrange(scores, entry, "balanced", 1, [19], table, [19], [], 10)
    assert [r for r in plain if r < 3] == [0, 1]
