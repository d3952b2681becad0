"""server/search.py gives tests/golden/search.json's answers (web/js/search.js is held to the
same file by tests/js/search-golden.test.js): one source of truth for both languages."""

from __future__ import annotations

import json

import pytest

from server.search import build_search_index, search_rows
from tests.golden.make_search import BOOKS, GOLDEN, QUERIES

GOLDEN_FILE = json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_golden_file_is_the_generator_s_catalogue_and_queries():
    assert GOLDEN_FILE["books"] == BOOKS and list(GOLDEN_FILE["queries"]) == QUERIES


@pytest.mark.parametrize("query", QUERIES)
def test_server_search_gives_the_golden_answer(query):
    index = build_search_index(GOLDEN_FILE["books"])
    assert [int(r) for r in search_rows(index, query)] == GOLDEN_FILE["queries"][query]
