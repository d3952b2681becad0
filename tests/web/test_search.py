"""The API's indexed search gives exactly the ranking of the page's scan (web/js/search.js).

``search_rows_by_scan`` mirrors search.js line for line (and the browser tests hold the page to
the API); here the indexed ``search_rows`` is held to the scan on random catalogues and queries,
and on the real goodbooks titles when they are present.
"""

from __future__ import annotations

import random

import pytest

from server.search import build_search_index, normalize, search_rows, search_rows_by_scan
from tests.web.conftest import TINY_BOOKS

# Words that share prefixes and inner fragments, with accents, case and punctuation to fold.
WORDS = [
    "the", "then", "theory", "other", "lord", "lords", "ring", "rings", "bring", "king", "Kings",
    "a", "an", "and", "Anna", "éclair", "Émile", "eclairs", "harry", "Harry's", "potter", "po",
    "1984", "19", "84", "x", "ab", "abc", "b", "saint-exupéry", "o'brien", "ÿ", "prince",
]  # fmt: skip


def random_books(rng: random.Random, count: int) -> list[dict]:
    def text(low: int, high: int) -> str:
        return rng.choice(["", " ", "-"]).join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))

    return [
        {"book_id": i + 1, "title": text(0, 5), "authors": text(0, 3), "ratings_count": rng.randint(0, 20)}
        for i in range(count)
    ]


def random_queries(rng: random.Random, books: list[dict], count: int) -> list[str]:
    """What people type: prefixes and inner pieces of titles and authors, words, junk."""
    queries = ["", " ", "--", "zzz", "the lord", "a b", "ring ring", "É", "HARRY POTTER"]
    for _ in range(count):
        book = rng.choice(books)
        text = rng.choice([book["title"], book["authors"], " ".join(rng.sample(WORDS, 2))])
        start = rng.choice([0, 0, rng.randint(0, max(0, len(text) - 1))])
        queries.append(text[start : start + rng.randint(1, 14)])
    return queries


def assert_same_ranking(books: list[dict], queries: list[str]) -> None:
    index = build_search_index(books)
    for query in queries:
        assert search_rows(index, query).tolist() == search_rows_by_scan(index, query), query


def test_tiny_catalogue():
    assert_same_ranking(TINY_BOOKS, ["", "prince", "le petit prince", "emile", "ince", "<img", "s", "zzz"])


@pytest.mark.parametrize("seed", range(5))
def test_random_catalogues(seed):
    rng = random.Random(seed)
    books = random_books(rng, 300)
    assert_same_ranking(books, random_queries(rng, books, 300))


def test_real_titles(real_data):
    from model.data import load_books

    books = load_books(real_data)[["book_id", "title", "authors", "ratings_count"]].to_dict("records")
    rng = random.Random(0)
    assert_same_ranking(books, random_queries(rng, books, 150) + ["a", "e", "th", "the", "harry potter"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le Petit Prince — Édition", "le petit prince edition"),
        ("  Harry  Potter, #1 ", "harry potter 1"),
        ("Saint-Exupéry", "saint exupery"),
        ("ＡＢＣ１２３", "abc123"),  # full-width forms fold (NFKD)
        ("\t\x00x\x1fy", "x y"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected
