"""The page's search as a scan (``searchRows`` in web/js/search.js), line for line, with
``typo_cost`` computed word by word: the reference the tests hold the API's indexed
``server.search.search_rows`` to. Test code only: the server never scans.
"""

from __future__ import annotations

from server.search import NO_MATCH, TYPOS_BELOW, SearchIndex, normalize, typo_cost


def match_tier(
    index: SearchIndex, row: int, query: str, tokens: list[str], typos: list[list[int]]
) -> tuple[int, int] | None:
    """(tier, typo cost) of book ``row`` for the normalized ``query``, or None: no match.

    Each query word must start a word of the title or authors, else be within typos of one
    (``typos[t][row]``: the least ``typo_cost`` of word t over the book's words), else occur
    inside one. Tiers: 0 exact title, 1 title starts with the query, 2 the query starts a word of
    the title, 3 the query starts a word of the authors, 4 every query word starts a word, 5 the
    others with typos, 6 some word only inside another. The cost sums the typo costs.
    """
    haystack = index.haystacks[row]
    every_start, inside, cost = True, False, 0
    for token, typo in zip(tokens, typos, strict=True):
        if f" {token}" in haystack:
            continue
        every_start = False
        if typo[row] != NO_MATCH:
            cost += typo[row]
        elif token in haystack:
            inside = True
        else:
            return None
    if not every_start:
        return (6 if inside else 5), cost
    title = index.titles[row]
    if title == query:
        return 0, 0
    if title.startswith(query):
        return 1, 0
    if f" {query}" in f" {title}":
        return 2, 0
    if f" {query}" in f" {index.authors[row]}":
        return 3, 0
    return 4, 0


def search_rows_by_scan(index: SearchIndex, query: str) -> list[int]:
    """``searchRows`` of web/js/search.js: a tier and cost for every book, then popularity."""
    query = normalize(query)
    if not query:
        return list(index.popularity)
    tokens = query.split()
    exact = sum(all(f" {token}" in haystack for token in tokens) for haystack in index.haystacks)
    typos = [
        [
            min((typo_cost(token, word) for word in haystack.split()), default=NO_MATCH)
            if exact < TYPOS_BELOW
            else NO_MATCH
            for haystack in index.haystacks
        ]
        for token in tokens
    ]
    matches = []
    for row in index.popularity:
        match = match_tier(index, row, query, tokens, typos)
        if match is not None:
            matches.append((match, row))
    matches.sort(key=lambda pair: pair[0])  # stable: popularity order within a tier and cost
    return [row for _, row in matches]
