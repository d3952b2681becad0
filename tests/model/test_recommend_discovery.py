"""The batch CLI's ``discovery`` on each line: the three settings, and one error line for any
other value."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model.recommend import parse_line
from tests.model.test_recommend import run_recommend

ROW_OF = {b: b - 1 for b in range(1, 61)}


@pytest.mark.parametrize("value", ["popular", "balanced", "lesser-known"])
def test_each_setting_is_read(value):
    assert parse_line(json.dumps({"liked": [2], "discovery": value}), ROW_OF, 60)["discovery"] == value
    assert parse_line(json.dumps({"liked": [2]}), ROW_OF, 60)["discovery"] == "balanced"


@pytest.mark.parametrize("value", ["obscure", "Popular", 1, None, ["popular"]])
def test_another_value_is_one_error_naming_the_allowed_ones(value):
    error = parse_line(json.dumps({"liked": [2], "discovery": value}), ROW_OF, 60)
    assert error.startswith('"discovery" must be one of "popular", "balanced", "lesser-known", got ')


@pytest.mark.slow
def test_lesser_known_lines_suggest_less_read_books_than_popular_ones(trained_artifacts):
    liked = {"liked": [2, 4, 6, 8], "k": 10}
    lines = [
        json.dumps({**liked, "discovery": s}) for s in ("popular", "balanced", "lesser-known", "obscure")
    ]
    run = run_recommend(trained_artifacts, ("\n".join(lines) + "\n").encode())
    assert run.returncode == 0, run.stderr
    popular, balanced, lesser, bad = [json.loads(line) for line in run.stdout.splitlines()]
    alone = json.loads(run_recommend(trained_artifacts, (json.dumps(liked) + "\n").encode()).stdout)
    # Balanced is the default; the scores may differ in the 6th digit (another batch size).
    assert balanced["book_ids"] == alone["book_ids"]
    assert balanced["scores"] == pytest.approx(alone["scores"], abs=1e-5)
    catalogue = json.loads((trained_artifacts / "model" / "web" / "books.json").read_text())
    books = {b["book_id"]: b for b in catalogue}

    def mean_count(result):
        return np.mean([np.log(books[b]["ratings_count"] + 1) for b in result["book_ids"]])

    # Only the head of the catalogue moves (discovery.KNEE), so balanced may equal either end.
    assert mean_count(lesser) <= mean_count(balanced) <= mean_count(popular)
    assert mean_count(lesser) < mean_count(popular)
    assert bad == {
        "error": '"discovery" must be one of "popular", "balanced", "lesser-known", got \'obscure\''
    }
