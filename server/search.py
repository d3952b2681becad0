"""Search over the catalogue: the same normalization, typo costs and ranking as web/js/search.js.

A book matches when every query word starts a word of its title or authors, is within a few
typos of one (``typo_cost``: optimal-string-alignment distance, so "tolkein", "hobit" and
"dostoevsky" find Tolkien, The Hobbit and Dostoyevsky), or occurs inside one. Exact and prefix
matches rank first (tiers 0-4, as before typos were forgiven), then typo matches by their cost,
then inner matches; popularity breaks ties. docs/SERVING.md#search says why this is written out
in both languages rather than taken from a library.

The page ranks by scanning every book (``matchTier`` in search.js); tests/web/search_scan.py is
that scan, line for line, with ``typo_cost`` computed word by word: the reference the tests hold
this fast path to. The API answers with ``search_rows``, which gives the identical order from
indexes built once per catalogue: a query costs a few binary
searches, a walk down the vocabulary's trie (``TypoIndex``) and numpy operations over the
10,000 books instead of a Python loop that computes a tier for each.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Above every character normalize() can output, so [key, key + _AFTER) holds the keys that
# start with ``key``.
_AFTER = "\U0010ffff"
_NOT_ASCII_ALNUM = re.compile("[^a-z0-9]+")
NO_MATCH = 255  # a typo cost: the word is not within max_edits of the query word
# Typos are looked for only when fewer books than this match every query word at a word start
# (tiers 0-4). Typo matches rank after those anyway, so this changes nothing in the first
# TYPOS_BELOW answers, and spares the typo walk to most of what people type. Mirrors
# TYPOS_BELOW in web/js/search.js.
TYPOS_BELOW = 3


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


def joined_initials(authors: str) -> str:
    """Runs of one-letter words in normalized ``authors`` written together ("j k rowling" ->
    "jk", "j r r tolkien" -> "jrr"): readers type "jk rowling". Mirrors ``joinedInitials``."""
    runs, run = [], []
    for word in [*authors.split(), ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) > 1:
            runs.append("".join(run))
        run = []
    return " ".join(runs)


def max_edits(length: int) -> int:
    """Typos forgiven in a query word of ``length`` characters: none below 3, one up to 5, then two
    (Elasticsearch's "AUTO" fuzziness). Mirrors ``maxEdits`` in web/js/search.js."""
    return 0 if length < 3 else 1 if length < 6 else 2


@functools.lru_cache(maxsize=65536)
def typo_cost(token: str, word: str) -> int:
    """How far the catalogue ``word`` is from the query word ``token`` (both normalized): the
    definition ``TypoIndex`` and web/js/search.js (``typoCost``, ``wordTypoCosts``) compute fast.

    With d the optimal string alignment distance (insert, delete, substitute, or swap two
    neighbouring characters; no substring edited twice) and k = ``max_edits(len(token))``:
    2d when d(token, word) <= k; else 2p + 1 when p, the least d(token, a prefix of word),
    is <= k (the reader may still be typing); else ``NO_MATCH``, always so when k is 0. Characters
    are code points. Costs 0 and 1 (``word`` is or starts with ``token``) never reach the ranking,
    which takes a word start first.
    """
    k, m = max_edits(len(token)), len(token)
    if k == 0:
        return NO_MATCH
    two_back, above = None, list(range(m + 1))  # above[i] = d(token[:i], word[:j - 1])
    best_prefix = m  # least d(token, word[:j]) so far
    for j, char in enumerate(word, 1):
        row = [j] + [0] * m
        for i in range(1, m + 1):
            row[i] = min(above[i] + 1, row[i - 1] + 1, above[i - 1] + (token[i - 1] != char))
            if i > 1 and j > 1 and token[i - 1] == word[j - 2] and token[i - 2] == char:
                row[i] = min(row[i], two_back[i - 2] + 1)  # swap two neighbours
        best_prefix = min(best_prefix, row[m])
        if min(row) > k:  # every longer prefix is further still
            return 2 * best_prefix + 1 if best_prefix <= k else NO_MATCH
        two_back, above = above, row
    if above[m] <= k and above[m] == best_prefix:
        return 2 * above[m]
    return 2 * best_prefix + 1 if best_prefix <= k else NO_MATCH


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
        return _mask(self.count, self.rows_of(words))

    def rows_of(self, words: np.ndarray) -> np.ndarray:
        """The rows holding each of the word ids ``words`` (with repeats)."""
        # The rows of each word are one slice rows[starts[w]:starts[w + 1]]: gather the slices
        # without a Python loop (costs what they hold, not the whole table).
        return self.rows[_ranges(self.starts[words], self.starts[words + 1] - self.starts[words])]


class TypoIndex:
    """Every vocabulary word's ``typo_cost`` for a query word, without computing all 15,000.

    The sorted vocabulary as a trie stored level by level: level d holds the distinct
    d-character prefixes, sorted, each with its last character (``chars``), its parent's
    position in level d - 1 (``parents``), the range [lo, hi) of the vocabulary words that start
    with it, and where its children begin in level d + 1 (``child_starts``). ``word_costs`` walks
    it a level at a time with numpy, one distance row per prefix (a row depends only on its
    parent's and grandparent's), and drops a prefix and everything under it as soon as its row
    is past ``max_edits``: a few hundred prefixes are visited instead of 95,000 characters.
    """

    def __init__(self, words: WordIndex):
        vocabulary = words.vocabulary
        self.words = words
        self.size = len(vocabulary)
        # Typing repeats the words before the last one; remember recent answers.
        self.book_costs = functools.lru_cache(maxsize=256)(self._book_costs)
        self.levels: list[dict[str, np.ndarray]] = []
        position = {"": 0}  # prefix -> position in the level above
        longer = list(enumerate(vocabulary))
        depth = 1
        while longer := [(w, word) for w, word in longer if len(word) >= depth]:
            chars, parents, lo, hi, here = [], [], [], [], {}
            for w, word in longer:
                prefix = word[:depth]
                if prefix in here:
                    hi[-1] = w + 1  # the vocabulary is sorted: a prefix's words are consecutive
                    continue
                here[prefix] = len(chars)
                chars.append(ord(prefix[-1]))
                parents.append(position[prefix[:-1]])
                lo.append(w)
                hi.append(w + 1)
            self.levels.append(
                {
                    "chars": np.array(chars, dtype=np.int32),
                    "parents": np.array(parents, dtype=np.int64),
                    "lo": np.array(lo, dtype=np.int64),
                    "hi": np.array(hi, dtype=np.int64),
                    # the prefix is itself a word (the shortest word of its range comes first)
                    "whole": np.array([len(vocabulary[w]) == depth for w in lo], dtype=bool),
                }
            )
            position, depth = here, depth + 1
        for above, level in zip(self.levels, self.levels[1:], strict=False):
            above["child_starts"] = np.searchsorted(level["parents"], np.arange(len(above["chars"]) + 1))
        if self.levels:
            self.levels[-1]["child_starts"] = np.zeros(len(self.levels[-1]["chars"]) + 1, dtype=np.int64)

    def word_costs(self, token: str) -> np.ndarray:
        """uint8 [vocabulary size]: ``typo_cost(token, word)`` of every word (NO_MATCH: none)."""
        costs = np.full(self.size, NO_MATCH, dtype=np.uint8)
        k, m = max_edits(len(token)), len(token)
        if k == 0 or not self.levels:
            return costs
        text = np.array([ord(char) for char in token], dtype=np.int32)
        steps = np.arange(m + 1, dtype=np.int32)  # distances stay far below 2**31
        # The level being computed: its nodes, their parents' rows (index into rows of the level
        # above) and grandparents' rows; rows[a, i] = d(token[:i], the a-th node's prefix).
        nodes = np.arange(len(self.levels[0]["chars"]))
        parent_of = np.zeros(len(nodes), dtype=np.int64)
        above, two_back, above_parent_of, above_chars = steps[None, :], None, None, None
        # Prefixes (ranges of words) and whole words within k typos, and how many.
        hit_lo, hit_hi, hit_distance, whole_words, whole_distance = [], [], [], [], []
        for depth, level in enumerate(self.levels, 1):
            chars = level["chars"][nodes]
            row = np.empty((len(nodes), m + 1), dtype=np.int32)
            row[:, 0] = depth
            row[:, 1:] = np.minimum(
                above[parent_of, 1:] + 1, above[parent_of, :-1] + (chars[:, None] != text)
            )
            if depth > 1 and m > 1:
                swap = (text[1:] == above_chars[parent_of, None]) & (text[:-1] == chars[:, None])
                swapped = two_back[above_parent_of[parent_of], :-2] + 1
                row[:, 2:] = np.where(swap, np.minimum(row[:, 2:], swapped), row[:, 2:])
            # the insertions: row[i] = min over i' <= i of row[i'] + (i - i')
            row = np.minimum.accumulate(row - steps, axis=1) + steps
            near = row[:, m] <= k
            hit_lo.append(level["lo"][nodes[near]])
            hit_hi.append(level["hi"][nodes[near]])
            hit_distance.append(row[near, m])
            whole = near & level["whole"][nodes]
            whole_words.append(level["lo"][nodes[whole]])
            whole_distance.append(row[whole, m])
            alive = np.flatnonzero(row.min(axis=1) <= k)
            if not len(alive):
                break
            starts = level["child_starts"][nodes[alive]]
            counts = level["child_starts"][nodes[alive] + 1] - starts
            two_back, above, above_parent_of, above_chars = above, row, parent_of, chars
            parent_of = np.repeat(alive, counts)
            nodes = _ranges(starts, counts)
            if not len(nodes):
                break
        # A prefix within p typos costs 2p + 1 for every word under it; lower p wins, written last.
        lo, hi, distance = (np.concatenate(parts) for parts in (hit_lo, hit_hi, hit_distance))
        for p in range(k, -1, -1):
            chosen = distance == p
            costs[_ranges(lo[chosen], hi[chosen] - lo[chosen])] = 2 * p + 1
        words, distance = np.concatenate(whole_words), np.concatenate(whole_distance)
        costs[words] = np.minimum(costs[words], 2 * distance)
        return costs

    def _book_costs(self, token: str) -> np.ndarray:
        """uint8 [num_books]: the least ``typo_cost(token, word)`` over each book's words."""
        word_costs = self.word_costs(token)
        costs = np.full(self.words.count, NO_MATCH, dtype=np.uint8)
        for cost in range(2 * max_edits(len(token)) + 1, -1, -1):  # the least is written last
            costs[self.words.rows_of(np.flatnonzero(word_costs == cost))] = cost
        return costs


def word_starts(text: str) -> list[str]:
    """``text`` from each of its words on: "a b c" -> ["a b c", "b c", "c"]."""
    words = text.split(" ") if text else []
    return [" ".join(words[i:]) for i in range(len(words))]


@dataclass(frozen=True)
class SearchIndex:
    """Normalized titles and authors, the popularity order and the prefix indexes over them."""

    titles: list[str]
    authors: list[str]
    haystacks: list[str]  # " " + title, authors and their joined initials + " ", for word starts
    popularity: list[int]  # rows sorted by ratings_count desc, then row asc
    popularity_rank: np.ndarray  # int64 [num_books]: each row's position in ``popularity``
    whole_titles: PrefixIndex  # title -> row (tiers 0 and 1)
    title_starts: PrefixIndex  # the title from each of its words on -> row (tier 2)
    author_starts: PrefixIndex  # the authors from each of their words on -> row (tier 3)
    words: WordIndex  # the words of title and authors (tiers 4 to 6)
    typos: TypoIndex  # the same words as a trie, for typo costs (tiers 5 and 6)


def build_search_index(books: list[dict]) -> SearchIndex:
    """Precompute what ``search_rows`` needs for ``books`` (in row order)."""
    titles = [normalize(b.get("title") or "") for b in books]
    authors = [normalize(b.get("authors") or "") for b in books]
    texts = [" ".join(filter(None, [t, a, joined_initials(a)])) for t, a in zip(titles, authors, strict=True)]
    haystacks = [f" {text} " for text in texts]
    popularity = sorted(range(len(books)), key=lambda row: (-(books[row].get("ratings_count") or 0), row))
    rank = np.empty(len(books), dtype=np.int64)
    rank[popularity] = np.arange(len(books))
    rows = range(len(books))
    words = WordIndex(texts)
    return SearchIndex(
        titles=titles,
        authors=authors,
        haystacks=haystacks,
        popularity=popularity,
        popularity_rank=rank,
        whole_titles=PrefixIndex([(title, row) for row, title in enumerate(titles)]),
        title_starts=PrefixIndex([(start, row) for row in rows for start in word_starts(titles[row])]),
        author_starts=PrefixIndex([(start, row) for row in rows for start in word_starts(authors[row])]),
        words=words,
        typos=TypoIndex(words),
    )


def search_rows(index: SearchIndex, query: str) -> np.ndarray:
    """All rows matching ``query``, best first: the order of the page's scan (``searchRows``).

    Each condition is a mask over the books read off an index: the books with a word starting
    with, or containing, each query word (``WordIndex``), their typo costs (``TypoIndex``, only
    when fewer than ``TYPOS_BELOW`` books match at word starts), and for tiers 0 to 3 the prefix
    indexes; a tier's condition implies the weaker ones', so writing
    the better tiers last leaves each book its best. The matches are then sorted by (tier, cost,
    popularity). An empty query (after normalization) returns every book, most popular first.
    """
    query = normalize(query)
    if not query:
        return np.array(index.popularity, dtype=np.int64)
    count, tokens = len(index.titles), query.split()
    starts = [index.words.rows_with_word_starting(token) for token in tokens]
    every_start = np.logical_and.reduce(starts)
    look_for_typos = np.count_nonzero(every_start) < TYPOS_BELOW
    matches = np.ones(count, dtype=bool)
    inside, cost = np.zeros(count, dtype=bool), np.zeros(count, dtype=np.int64)
    no_typos = np.full(count, NO_MATCH, dtype=np.uint8)
    for token, at_start in zip(tokens, starts, strict=True):
        typo = index.typos.book_costs(token) if look_for_typos else no_typos
        by_typo = ~at_start & (typo != NO_MATCH)
        only_inside = ~at_start & ~by_typo & index.words.rows_with_word_containing(token)
        matches &= at_start | by_typo | only_inside
        inside |= only_inside
        cost += np.where(by_typo, typo, 0)
    tier = np.where(inside, 6, 5).astype(np.int8)
    tier[every_start] = 4
    tier[index.author_starts.starting_with(query)] = 3
    tier[index.title_starts.starting_with(query)] = 2
    tier[index.whole_titles.starting_with(query)] = 1
    tier[index.whole_titles.equal_to(query)] = 0
    rows = np.flatnonzero(matches)
    return rows[np.lexsort((index.popularity_rank[rows], cost[rows], tier[rows]))]


def _mask(count: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(count, dtype=bool)
    mask[rows] = True
    return mask


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of range(start, start + count) for each pair, without a Python loop."""
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(int(counts.sum()))
