"""Pair sources: the Wikipedia ndjson parser, link cleaning and goodbooks-10k tags."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explorer.genres import top_genres
from explorer.tags import is_content_tag, tag_pairs
from explorer.wikipedia import (
    FULL_FILE_URL,
    ParseReport,
    iter_wiki_ndjson,
    parse_wiki_line,
    read_wiki_ndjson,
    resolve_wiki_file,
    wiki_pairs,
)
from model.data import DataError
from tests.explorer.conftest import WIKI_LINES


def test_parses_a_full_line_lowercasing_and_deduplicating_links():
    book = parse_wiki_line(WIKI_LINES[0])
    assert book.title == "The Wealthy Barber"
    assert book.author == "David Chilton"
    assert book.genre == "Personal finance"
    # "Personal finance" and "personal finance" are one link; order of first appearance kept
    assert book.links[:3] == ["david barr chilton", "personal finance", "paperback"]
    assert len(book.links) == len(set(book.links)) == 6


@pytest.mark.parametrize(
    "line, title, author, links",
    [
        (WIKI_LINES[1], "Cosmic Consciousness", "", ["richard maurice bucke", "hardcover", "mysticism"]),
        (WIKI_LINES[2], "A Book With No Links", "Nobody", []),
        (WIKI_LINES[3], "Köhler's Medicinal Plants", "", ["franz eugen köhler", "botany"]),
    ],
)
def test_odd_but_valid_lines(line, title, author, links):
    book = parse_wiki_line(line)
    assert (book.title, book.author, book.links) == (title, author, links)


@pytest.mark.parametrize(
    "line, reason",
    [
        ('["Truncated", {"author": "x"}, ["a", "b"', "not valid JSON"),
        ('{"title": "an object"}', "expected a JSON array"),
        ('["Too short"]', "expected a JSON array"),
        ('[null, {}, ["a"], [], "t", 1]', "title"),
        ('["", {}, ["a"], [], "t", 1]', "title"),
        ('["Title", "not a dict", ["a"], [], "t", 1]', "infobox"),
        ('["Title", {}, "not a list", [], "t", 1]', "wikilinks"),
    ],
)
def test_malformed_lines_say_what_is_wrong(line, reason):
    with pytest.raises(ValueError, match=reason):
        parse_wiki_line(line)


def test_malformed_lines_are_counted_with_line_numbers_and_skipped(tmp_path, caplog):
    lines = [WIKI_LINES[0], "not json at all", "", WIKI_LINES[1], '["x"]', WIKI_LINES[3]]
    path = tmp_path / "books.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    books, report = read_wiki_ndjson(path)
    assert [b.title for b in books] == [
        "The Wealthy Barber",
        "Cosmic Consciousness",
        "Köhler's Medicinal Plants",
    ]
    assert [n for n, _ in report.bad_lines] == [2, 5]
    assert report.books == 3 and report.lines == 6
    assert "2 malformed lines skipped" in report.summary()
    assert "line 2" in caplog.text and "line 5" in caplog.text


def test_nothing_usable_is_fatal_with_a_clear_message(tmp_path):
    path = tmp_path / "bad.ndjson"
    path.write_text("garbage\n{}\n", encoding="utf-8")
    with pytest.raises(DataError, match="Nothing usable is left"):
        read_wiki_ndjson(path)
    with pytest.raises(DataError, match="cannot read"):
        read_wiki_ndjson(tmp_path / "missing.ndjson")


def test_streaming_reads_lazily():
    """The parser pulls lines one at a time: a generator of lines is consumed as books are."""
    pulled = []

    def lines():
        for line in WIKI_LINES:
            pulled.append(line)
            yield line

    books = iter_wiki_ndjson(lines(), ParseReport("gen"))
    next(books)
    assert len(pulled) == 1


def test_the_wikipedia_file_comes_from_the_flag_then_the_environment(tmp_path):
    flag, env = tmp_path / "flag.ndjson", tmp_path / "env.ndjson"
    flag.write_text(WIKI_LINES[0])
    env.write_text(WIKI_LINES[1])
    assert resolve_wiki_file(str(flag), {"WIKIPEDIA_BOOKS": str(env)}) == flag
    assert resolve_wiki_file(None, {"WIKIPEDIA_BOOKS": str(env)}) == env
    assert resolve_wiki_file("none", {"WIKIPEDIA_BOOKS": str(env)}) is None
    with pytest.raises(DataError, match=r"nope.ndjson \(from WIKIPEDIA_BOOKS\): file not found"):
        resolve_wiki_file(None, {"WIKIPEDIA_BOOKS": str(tmp_path / "nope.ndjson")})
    with pytest.raises(DataError, match="from --wiki.*pass --wiki none"):
        resolve_wiki_file(str(tmp_path / "nope.ndjson"), {})


def test_with_no_wikipedia_file_named_one_line_says_it_is_skipped_and_where_the_file_is(caplog):
    caplog.set_level("INFO")
    assert resolve_wiki_file(None, {"WIKIPEDIA_BOOKS": ""}) is None
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "skipping the Wikipedia model" in line and "WIKIPEDIA_BOOKS" in line and FULL_FILE_URL in line


def _book(title, links, author=""):
    return parse_wiki_line(json.dumps([title, {"author": author}, links, [], "t", 1]))


def test_wiki_pairs_drop_generic_and_rare_links():
    books = [
        _book("A", ["Hardcover", "Fantasy", "Dragons", "Rare"]),
        _book("B", ["Paperback", "fantasy", "dragons"]),
        _book("C", ["Hardcover", "FANTASY", "Wikipedia:WikiProject Books"]),
        _book("D", ["Hardcover", "only rare things"]),
    ]
    pairs = wiki_pairs(books, min_count=2)
    assert pairs.link_names == ["dragons", "fantasy"]  # hardcover is generic, the others too rare
    assert pairs.titles == ["A", "B", "C"]  # D has no link left
    assert len(pairs) == 5
    assert np.allclose(pairs.weights, 1.0)
    with pytest.raises(DataError, match="min-link-count"):
        wiki_pairs(books, min_count=10)


@pytest.mark.parametrize(
    "name, content",
    [
        ("to-read", False),
        ("currently-reading", False),
        ("favorites", False),
        ("owned", False),
        ("books-i-own", False),
        ("kindle", False),
        ("read-in-2015", False),
        ("audiobook", False),
        ("did-not-finish", False),
        ("5-stars", False),
        ("my-library", False),
        ("wish-list", False),
        ("fantasy", True),
        ("science-fiction", True),
        ("young-adult", True),
        ("19th-century", True),
        ("historical-fiction", True),
        ("vampires", True),
        ("non-fiction", True),
        ("grown-ups", True),
    ],
)
def test_content_tags(name, content):
    assert is_content_tag(name) is content


def test_tag_pairs_weight_by_count_and_drop_non_content_shelves():
    books = pd.DataFrame({"book_id": [1, 2, 3], "title": ["A", "B", "C"], "authors": ["x", "y", "z"]})
    tags = pd.DataFrame({"tag_id": [0, 1, 2, 3], "tag_name": ["to-read", "fantasy", "romance", "rare-tag"]})
    book_tags = pd.DataFrame(
        {
            "book_id": [1, 1, 2, 2, 3, 3, 1],
            "tag_id": [0, 1, 0, 1, 0, 2, 3],
            "count": [999, 100, 999, 10, 999, 50, 5],
        }
    )
    pairs = tag_pairs(books, tags, book_tags, min_books=1, max_tags_per_book=10)
    assert "to-read" not in pairs.link_names
    assert set(pairs.link_names) == {"fantasy", "romance", "rare-tag"}
    assert pairs.book_keys == [1, 2, 3]
    assert abs(pairs.weights.mean() - 1) < 1e-6
    weight = {
        (pairs.book_keys[b], pairs.link_names[lk]): w
        for b, lk, w in zip(pairs.book_rows, pairs.link_rows, pairs.weights, strict=True)
    }
    assert weight[(1, "fantasy")] > weight[(2, "fantasy")] > weight[(1, "rare-tag")]
    assert pairs.genres == ["fantasy", "fantasy", "romance"]
    # min_books drops the tag on one book only; max_tags_per_book keeps the most-used
    assert "rare-tag" not in tag_pairs(books, tags, book_tags, min_books=2).link_names
    one = tag_pairs(books, tags, book_tags, min_books=1, max_tags_per_book=1)
    assert len(one) == 3 and (1, "fantasy") in {
        (one.book_keys[b], one.link_names[lk]) for b, lk in zip(one.book_rows, one.link_rows, strict=True)
    }


def test_top_genres_sums_synonym_shelves():
    books = pd.DataFrame({"book_id": [1, 2]})
    tags = pd.DataFrame({"tag_id": [1, 2, 3], "tag_name": ["sci-fi", "science-fiction", "fantasy"]})
    book_tags = pd.DataFrame({"book_id": [1, 1, 1], "tag_id": [1, 2, 3], "count": [30, 30, 50]})
    assert top_genres(books, tags, book_tags) == ["science fiction", ""]
