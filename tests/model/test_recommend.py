"""The batch recommendation CLI's contract, bad lines included."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_module


@pytest.fixture(scope="module")
def outputs(trained_artifacts):
    lines = [
        json.dumps({"liked": [2, 4, 6], "k": 5}),
        json.dumps({"ratings": {"3": 5, "5": 4, "8": 1}, "k": 3, "predict": [7, 8, 10]}),
        json.dumps({"liked": [2], "ratings": {"2": 3}}),
        "{not json",
        json.dumps({"liked": [99999]}),
        json.dumps({"ratings": {"3": 6}}),
        json.dumps({"liked": [2], "k": 0}),
        json.dumps([1, 2]),
        json.dumps({"liked": ["abc"]}),
        json.dumps({"favourites": [1]}),
        "",
        json.dumps({}),
    ]
    result = run_module(
        "model.recommend", "--artifacts", str(trained_artifacts), stdin="\n".join(lines) + "\n"
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_output_line_per_input_line_in_order(outputs):
    assert len(outputs) == 12
    assert ["error" in o for o in outputs] == [False, False, False] + [True] * 8 + [False]


def test_top_k_excludes_the_visitors_books(outputs):
    first = outputs[0]
    assert len(first["book_ids"]) == len(first["scores"]) == len(first["stars"]) == 5
    assert set(first["book_ids"]).isdisjoint({2, 4, 6})
    assert all(b % 2 == 0 for b in first["book_ids"])  # the planted group
    assert first["scores"] == sorted(first["scores"], reverse=True)
    assert all(1 <= s <= 5 for s in first["stars"])
    second = outputs[1]
    assert set(second["book_ids"]).isdisjoint({3, 5, 8})
    assert set(second["predicted"]) == {"7", "8", "10"}
    assert second["predicted"]["7"] > second["predicted"]["10"]  # loves odd books, hates even ones
    assert outputs[11]["book_ids"] and outputs[11]["predicted"] == {}


@pytest.mark.parametrize(
    "index, message",
    [
        (3, "bad JSON"),
        (4, "unknown book id 99999"),
        (5, "must be a number from 1 to 5, got 6"),
        (6, '"k" must be an integer from 1 to 60, got 0'),
        (7, "must be a JSON object"),
        (8, "book id 'abc' is not an integer"),
        (9, "unknown key(s): favourites"),
        (10, "empty line"),
    ],
)
def test_bad_lines_are_explained(outputs, index, message):
    assert message in outputs[index]["error"]


def test_missing_model_is_a_clear_error(tmp_path):
    result = run_module("model.recommend", "--artifacts", str(tmp_path), stdin="{}\n", check=False)
    assert result.returncode == 2
    assert "run `make build`" in result.stderr and "Traceback" not in result.stderr
