"""model/goodreads.py matches the Goodreads fixtures as tests/golden/goodreads.json says (the
file web/js/goodreads.js is held to under ``node --test``: tests/js/goodreads-golden.test.js),
and the file's catalogue is what model.export writes for the synthetic books. Seconds."""

from __future__ import annotations

import json

import pytest

from model import goodreads
from model.data import load_books
from model.export import book_catalogue, goodreads_json
from tests.conftest import REPO
from tests.golden.make_goodreads import EXPORTS, matches

GOLDEN = REPO / "tests" / "golden" / "goodreads.json"


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_golden_catalogue_is_the_synthetic_export(golden, synthetic_data):
    books = load_books(synthetic_data)
    assert golden["books"] == [
        {k: b[k] for k in ("book_id", "title", "authors")} for b in book_catalogue(books)
    ]
    assert golden["goodreads"] == goodreads_json(books)


@pytest.mark.parametrize("name", EXPORTS)
def test_every_row_matches_as_the_golden_file_says(golden, name):
    index = goodreads.match_index(golden["books"], golden["goodreads"])
    assert matches(name, index) == golden["exports"][name]
