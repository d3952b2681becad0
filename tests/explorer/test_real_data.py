"""The pair sources on the real files; skipped when ../shared/data (or $GOODBOOKS_DIR) is absent."""

from __future__ import annotations

import pytest

from explorer.tags import is_content_tag, tag_pairs
from explorer.wikipedia import GENERIC_LINKS, read_wiki_ndjson, wiki_pairs
from model.data import load_book_tags, load_books, load_tags
from tests.explorer.conftest import real_goodbooks_dir, real_wiki_file

pytestmark = pytest.mark.slow  # reads the real goodbooks-10k files


@pytest.mark.skipif(real_goodbooks_dir() is None, reason="goodbooks-10k not available")
def test_goodbooks_shelves_are_content_only_and_cover_every_book():
    data = real_goodbooks_dir()
    books = load_books(data)
    pairs = tag_pairs(books, load_tags(data), load_book_tags(data, books))
    assert pairs.num_books == len(books) == 10_000
    assert set(pairs.book_rows.tolist()) == set(range(pairs.num_books))
    assert 1_000 < pairs.num_links < 5_000
    for shelf in (
        "to-read",
        "currently-reading",
        "favorites",
        "owned",
        "books-i-own",
        "kindle",
        "read-in-2015",
    ):
        assert shelf not in pairs.link_names
    assert all(is_content_tag(name) for name in pairs.link_names)
    assert {"fantasy", "science-fiction", "romance", "vampires"} <= set(pairs.link_names)
    assert sum(1 for g in pairs.genres if g) > 9_900


@pytest.mark.skipif(real_wiki_file() is None, reason="Wikipedia books sample not available")
def test_wikipedia_sample_parses_cleanly():
    books, report = read_wiki_ndjson(real_wiki_file())
    assert report.books == report.lines == len(books) == 1413 and not report.bad_lines
    pairs = wiki_pairs(books)
    assert not GENERIC_LINKS & set(pairs.link_names)
    assert all(name == name.lower() for name in pairs.link_names)
    assert pairs.num_books > 1_300
