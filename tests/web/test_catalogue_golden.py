"""The server's similar books (server/catalogue.py, ``Catalogue.similar``: the API's "readers also
liked") give tests/golden/scoring.json's answers, the file model/scoring.py
(tests/model/test_scoring_golden.py) and web/js/recommend.js (tests/js/recommend-golden.test.js)
are held to. The golden tables plant the ties (equal votes, no votes, one vector for two books,
a zero vector). No model, no files: a Catalogue built from the golden tables as read_catalogue
builds one from a site's."""

from __future__ import annotations

import json

import numpy as np
import pytest

from server.catalogue import Catalogue, unit_rows
from server.search import build_search_index
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "scoring.json"


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue(golden):
    """The golden tables as the server holds a site's: float32 vectors as the TF.js weights give
    them, the neighbor table as (int rows, float32 weights); book_id = row + 100 (ids are not rows)."""
    n = golden["num_books"]
    books = [{"book_id": row + 100, "title": f"Book {row}", "authors": "An Author"} for row in range(n)]
    metadata = {"num_books": n, "book_ids": [b["book_id"] for b in books]}
    neighbors = (
        np.array(golden["neighbor_rows"], np.int64),
        np.array(golden["neighbor_weights"], np.float32),
    )
    return Catalogue(
        books=books,
        metadata=metadata,
        row_of={b["book_id"]: row for row, b in enumerate(books)},
        index=build_search_index(books),
        unit_vectors=unit_rows(np.array(golden["vectors"], np.float32)),
        content_similar=None,
        neighbors=neighbors,
    )


def test_similar_books_are_the_golden_rows_for_every_book(golden, catalogue):
    got = [
        [book["book_id"] - 100 for book, _ in catalogue.similar(row + 100, golden["k"])]
        for row in range(golden["num_books"])
    ]
    assert got == golden["similar"]


def test_unit_rows_leave_a_zero_vector_zero_and_scale_the_rest_to_one(golden):
    unit = unit_rows(np.array(golden["vectors"], np.float32))
    lengths = np.linalg.norm(unit, axis=1)
    assert ((np.abs(lengths - 1) < 1e-6) | (lengths == 0)).all() and (lengths == 0).sum() == 1
