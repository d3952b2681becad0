"""The API's indexed search gives exactly the ranking of the page's scan (web/js/search.js).

``search_rows_by_scan`` (tests/web/search_scan.py) mirrors search.js line for line, with typo
costs computed word by word (and the browser tests hold the page to the API); here the indexed
``search_rows`` and the vocabulary trie ``TypoIndex`` are held to them on random catalogues and
queries, typos included, and on the real goodbooks titles when they are present.
"""

from __future__ import annotations

import random

import pytest

from harness.sites import TINY_BOOKS
from server.search import (
    NO_MATCH,
    TypoIndex,
    WordIndex,
    build_search_index,
    joined_initials,
    max_edits,
    normalize,
    search_rows,
    typo_cost,
)
from tests.web.search_scan import search_rows_by_scan

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


def misspell(rng: random.Random, text: str) -> str:
    """``text`` with up to three typos: a letter dropped, added, changed, or two swapped."""
    chars = list(text)
    for _ in range(rng.randint(0, 3)):
        if not chars:
            break
        i, edit = rng.randrange(len(chars)), rng.randint(0, 3)
        if edit == 0:
            del chars[i]
        elif edit == 1:
            chars.insert(i, rng.choice("aehiosy "))
        elif edit == 2:
            chars[i] = rng.choice("aeiouy")
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def random_queries(rng: random.Random, books: list[dict], count: int) -> list[str]:
    """What people type: prefixes and inner pieces of titles and authors, words, junk, typos."""
    queries = ["", " ", "--", "zzz", "the lord", "a b", "ring ring", "É", "HARRY POTTER", "hary poter", "teh"]
    for _ in range(count):
        book = rng.choice(books)
        text = rng.choice([book["title"], book["authors"], " ".join(rng.sample(WORDS, 2))])
        start = rng.choice([0, 0, rng.randint(0, max(0, len(text) - 1))])
        query = text[start : start + rng.randint(1, 14)]
        queries.append(misspell(rng, query) if rng.random() < 0.5 else query)
    return queries


def assert_same_ranking(books: list[dict], queries: list[str]) -> None:
    index = build_search_index(books)
    for query in queries:
        assert search_rows(index, query).tolist() == search_rows_by_scan(index, query), query


def test_tiny_catalogue():
    assert_same_ranking(TINY_BOOKS, ["", "prince", "le petit prince", "emile", "ince", "<img", "s", "zzz"])


@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in range(1, 5))])
def test_random_catalogues(seed):
    rng = random.Random(seed)
    books = random_books(rng, 300)
    assert_same_ranking(books, random_queries(rng, books, 300))


def test_real_titles(real_data):
    from model.data import load_books

    books = load_books(real_data)[["book_id", "title", "authors", "ratings_count"]].to_dict("records")
    rng = random.Random(0)
    # The scan computes typo costs word by word over 10,000 books: a few seconds per query word.
    fixed = ["a", "e", "th", "the", "harry potter", "hobit", "tolkein", "dostoevsky"]
    assert_same_ranking(books, random_queries(rng, books, 40) + fixed)


@pytest.mark.parametrize(
    ("token", "word", "cost"),
    [
        ("hobit", "hobbit", 2),  # a letter missing: one typo, a whole word: 2
        ("hobbbbit", "hobbit", 4),  # two too many (8 letters allow two typos)
        ("tolkein", "tolkien", 2),  # neighbours swapped: one typo
        ("dostoevsky", "dostoyevsky", 2),  # transliteration
        ("dostoev", "dostoyevsky", 3),  # still typing: the start of the word, one typo
        ("hobit", "chobits", 3),  # "chobit" is one typo away
        ("woman", "women", 2),
        ("abcd", "xyzw", NO_MATCH),
        ("ab", "ac", NO_MATCH),  # two letters: no typos forgiven
        ("harry", "harry", 0),  # a word start (0 or 1): the ranking takes those first
        ("𠮷abc", "𠮷abd", 2),  # code points: 4 characters, not 5 UTF-16 units
        ("𠮷abxy", "𠮷abcd", NO_MATCH),  # 5 code points: one typo allowed, not two
    ],
)
def test_typo_cost(token, word, cost):
    assert typo_cost(token, word) == cost


@pytest.mark.parametrize(
    ("authors", "joined"),
    [
        ("j k rowling mary grandpre", "jk"),
        ("j r r tolkien c s lewis", "jrr cs"),
        ("george r r martin", "rr"),
        ("a b", "ab"),
        ("frank herbert x", ""),
        ("𠮷 x", "𠮷x"),  # one code point is one letter (web/js/search.js counts the same)
        ("", ""),
    ],
)
def test_joined_initials(authors, joined):
    assert joined_initials(authors) == joined


def test_max_edits():
    assert [max_edits(n) for n in (1, 2, 3, 5, 6, 12)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in range(1, 3))])
def test_the_trie_gives_typo_cost_for_every_word(seed):
    """``TypoIndex.word_costs`` (a level-by-level walk that drops hopeless prefixes) against the
    word-by-word definition, over words of a small alphabet that share prefixes and collide."""
    rng = random.Random(seed)
    letters = "abcdeé𠮷"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(1, 9)))

    texts = [" ".join(word() for _ in range(rng.randint(1, 3))) for _ in range(300)]
    typos = TypoIndex(WordIndex(texts))
    for token in [word() for _ in range(100)]:
        expected = [typo_cost(token, w) for w in typos.words.vocabulary]
        assert typos.word_costs(token).tolist() == expected, token


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
