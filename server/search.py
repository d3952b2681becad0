"""Search over the catalogue: the same normalisation and ranking as web/js/search.js.

The page ranks by scanning every book (``matchTier`` in search.js); ``match_tier`` and
``search_rows_by_scan`` here are that scan, line for line, and the reference the tests hold the
fast path to. The API answers with ``search_rows``, which gives the identical order from sorted
indexes built once per catalogue: a query costs a few binary searches and numpy operations over
the 10,000 books instead of a Python loop that computes a tier for each.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Above every character normalize() can output, so [key, key + _AFTER) holds the keys that
# start with ``key``.
_AFTER = "\U0010ffff"
_NOT_ASCII_ALNUM = re.compile("[^a-z0-9]+")


def normalize(text: str) -> str:
    """Fold case and accents and turn punctuation into single spaces ("Éric-M." -> "eric m").

    Mirrors ``normalize`` in web/js/search.js: NFKD, drop combining marks (Unicode category
    M), lower-case, keep letters and digits (categories L and N), collapse the rest.
    """
    if text.isascii():  # the same steps, for the common case, at C speed
        return " ".join(_NOT_ASCII_ALNUM.sub(" ", text.lower()).split())
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] == "M":
            continue
        out.append(char.lower() if category[0] in "LN" else " ")
    return " ".join("".join(out).split())


class PrefixIndex:
    """Sorted (key, value) pairs: the values of every key that starts with a given prefix.

    Keys sharing a prefix sit next to each other once sorted, so their values are one slice
    of ``values``, found by two binary searches.
    """

    def __init__(self, pairs: list[tuple[str, int]]):
        pairs.sort()
        self.keys = [key for key, _ in pairs]
        self.values = np.array([value for _, value in pairs], dtype=np.int64)

    def span(self, prefix: str) -> tuple[int, int]:
        """[lo, hi): the positions of the keys that start with ``prefix``."""
        lo = bisect.bisect_left(self.keys, prefix)
        return lo, bisect.bisect_left(self.keys, prefix + _AFTER, lo)

    def starting_with(self, prefix: str) -> np.ndarray:
        """Values (with repeats) of the keys that start with ``prefix``."""
        lo, hi = self.span(prefix)
        return self.values[lo:hi]

    def equal_to(self, key: str) -> np.ndarray:
        """Values of the keys equal to ``key``."""
        lo = bisect.bisect_left(self.keys, key)
        return self.values[lo : bisect.bisect_right(self.keys, key, lo)]


class WordIndex:
    """The books' words: which rows hold a word starting with, or containing, a query word.

    ``vocabulary`` is sorted, so the words starting with a prefix are a range of word ids,
    and the rows of that range are one slice of ``rows`` (grouped by word id). A word contains
    a string iff one of its tails starts with it: ``tails`` maps every tail to its word ids.
    """

    def __init__(self, texts: list[str]):
        words_of = [set(text.split()) for text in texts]
        self.vocabulary = sorted(set().union(*words_of))
        word_id = {word: i for i, word in enumerate(self.vocabulary)}
        pairs = sorted((word_id[word], row) for row, words in enumerate(words_of) for word in words)
        self.word_of_entry = np.array([word for word, _ in pairs], dtype=np.int64)
        self.rows = np.array([row for _, row in pairs], dtype=np.int64)
        # rows[starts[w]:starts[w + 1]] hold word w
        self.starts = np.searchsorted(self.word_of_entry, np.arange(len(self.vocabulary) + 1))
        self.tails = PrefixIndex(
            [(word[i:], wid) for wid, word in enumerate(self.vocabulary) for i in range(len(word))]
        )
        self.count = len(texts)

    def rows_with_word_starting(self, prefix: str) -> np.ndarray:
        """Bool [num_books]: some word of the row starts with ``prefix``."""
        lo = bisect.bisect_left(self.vocabulary, prefix)
        hi = bisect.bisect_left(self.vocabulary, prefix + _AFTER, lo)
        return _mask(self.count, self.rows[self.starts[lo] : self.starts[hi]])

    def rows_with_word_containing(self, fragment: str) -> np.ndarray:
        """Bool [num_books]: some word of the row contains ``fragment``."""
        words = np.flatnonzero(_mask(len(self.vocabulary), self.tails.starting_with(fragment)))
        # The rows of each word are one slice rows[starts[w]:starts[w + 1]]: gather the slices
        # without a Python loop (costs what they hold, not the whole table).
        begins, lengths = self.starts[words], self.starts[words + 1] - self.starts[words]
        offsets = np.repeat(begins - (np.cumsum(lengths) - lengths), lengths)
        return _mask(self.count, self.rows[offsets + np.arange(int(lengths.sum()))])


def word_starts(text: str) -> list[str]:
    """``text`` from each of its words on: "a b c" -> ["a b c", "b c", "c"]."""
    words = text.split(" ") if text else []
    return [" ".join(words[i:]) for i in range(len(words))]


@dataclass(frozen=True)
class SearchIndex:
    """Normalised titles and authors, the popularity order and the prefix indexes over them."""

    titles: list[str]
    authors: list[str]
    haystacks: list[str]  # " " + title + " " + authors + " ", for word-boundary tests
    popularity: list[int]  # rows sorted by ratings_count desc, then row asc
    popularity_rank: np.ndarray  # int64 [num_books]: each row's position in ``popularity``
    whole_titles: PrefixIndex  # title -> row (tiers 0 and 1)
    title_starts: PrefixIndex  # the title from each of its words on -> row (tier 2)
    author_starts: PrefixIndex  # the authors from each of their words on -> row (tier 3)
    words: WordIndex  # the words of title and authors (tiers 4 and 5)


def build_search_index(books: list[dict]) -> SearchIndex:
    """Precompute what ``search_rows`` needs for ``books`` (in book_index order)."""
    titles = [normalize(b.get("title") or "") for b in books]
    authors = [normalize(b.get("authors") or "") for b in books]
    haystacks = [f" {t} {a} " for t, a in zip(titles, authors, strict=True)]
    popularity = sorted(range(len(books)), key=lambda row: (-(books[row].get("ratings_count") or 0), row))
    rank = np.empty(len(books), dtype=np.int64)
    rank[popularity] = np.arange(len(books))
    rows = range(len(books))
    return SearchIndex(
        titles=titles,
        authors=authors,
        haystacks=haystacks,
        popularity=popularity,
        popularity_rank=rank,
        whole_titles=PrefixIndex([(title, row) for row, title in enumerate(titles)]),
        title_starts=PrefixIndex([(start, row) for row in rows for start in word_starts(titles[row])]),
        author_starts=PrefixIndex([(start, row) for row in rows for start in word_starts(authors[row])]),
        words=WordIndex([f"{t} {a}" for t, a in zip(titles, authors, strict=True)]),
    )


def match_tier(index: SearchIndex, row: int, query: str, tokens: list[str]) -> int | None:
    """How well book ``row`` matches the normalised ``query``: 0 best .. 5 worst, None = no match.

    0 exact title, 1 title starts with the query, 2 the query starts a word of the title,
    3 the query starts a word of the authors, 4 every query word starts a word of the title
    or authors, 5 every query word occurs somewhere in them.
    """
    haystack = index.haystacks[row]
    if not all(token in haystack for token in tokens):
        return None
    title = index.titles[row]
    if title == query:
        return 0
    if title.startswith(query):
        return 1
    if f" {query}" in f" {title}":
        return 2
    if f" {query}" in f" {index.authors[row]}":
        return 3
    if all(f" {token}" in haystack for token in tokens):
        return 4
    return 5


def search_rows_by_scan(index: SearchIndex, query: str) -> list[int]:
    """``searchRows`` of web/js/search.js: a tier for every book, best tier first, then popularity."""
    query = normalize(query)
    if not query:
        return list(index.popularity)
    tokens = query.split()
    tiers = []
    for row in index.popularity:
        tier = match_tier(index, row, query, tokens)
        if tier is not None:
            tiers.append((tier, row))
    tiers.sort(key=lambda pair: pair[0])  # stable: popularity order within a tier
    return [row for _, row in tiers]


def search_rows(index: SearchIndex, query: str) -> np.ndarray:
    """All rows matching ``query``, best first: the order of ``search_rows_by_scan``.

    Each tier's rows are read off an index; a tier's condition implies the weaker ones', so
    writing the better tiers last leaves each book its best. The matches (every query word
    inside a word of title or authors) are then sorted by (tier, popularity). An empty query
    (after normalisation) returns every book, most popular first.
    """
    query = normalize(query)
    if not query:
        return np.array(index.popularity, dtype=np.int64)
    tokens = query.split()
    matches = index.words.rows_with_word_containing(tokens[0])
    every_word_starts = index.words.rows_with_word_starting(tokens[0])
    for token in tokens[1:]:
        matches &= index.words.rows_with_word_containing(token)
        every_word_starts &= index.words.rows_with_word_starting(token)
    tier = np.full(len(index.titles), 5, dtype=np.int8)
    tier[every_word_starts] = 4
    tier[index.author_starts.starting_with(query)] = 3
    tier[index.title_starts.starting_with(query)] = 2
    tier[index.whole_titles.starting_with(query)] = 1
    tier[index.whole_titles.equal_to(query)] = 0
    rows = np.flatnonzero(matches)
    return rows[np.lexsort((index.popularity_rank[rows], tier[rows]))]


def _mask(count: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(count, dtype=bool)
    mask[rows] = True
    return mask
