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
    return SeriesTable(index, position, end, series["names"])


def test_the_golden_series_table_is_the_parsers(golden):
    from model.series import series_table

    data, _ = golden
    parsed, stored = series_table(data["series"]["titles"]), golden_series_table(data)
    assert parsed.names == stored.names and parsed.index.tolist() == stored.index.tolist()
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
    for case in data["discovery"]["cases"]:
        values = discovery_scores(np.array(case["scores"], np.float32), entry, case["setting"])
        assert values.tolist() == case["values"]
        assert top_k(values, data["k"]).tolist() == case["rows"]
