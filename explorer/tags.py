"""goodbooks-10k tags as (book, tag) pairs, the input of the ``tags`` model.

A tag is a shelf readers put books on (``book_tags.csv`` + ``tags.csv``). A book and a tag are
paired, weighted by how many readers tagged the book so, without the tags that say nothing
about content (to-read, owned, kindle, read-in-2015, ...).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from explorer.genres import top_genres
from explorer.pairs import TAGS, Pairs
from model.data import DataError, load_book_tags, load_books, load_tags
from model.download import ensure_data

# Tags that describe the reader's copy or plans, not the book's content.
NON_CONTENT_TAGS = frozenset(
    {
        "to-read",
        "currently-reading",
        "favorites",
        "favourites",
        "favorite",
        "favourite",
        "default",
        "books",
        "book",
        "maybe",
        "have",
        "general",
        "english",
        "school",
        "re-read",
        "reread",
        "abandoned",
        "dnf",
        "did-not-finish",
        "book-club",
        "bookclub",
        "book-group",
        "wish-list",
        "wishlist",
        "library",
        "home-library",
        "borrowed",
        "nook",
        "shelfari-favorites",
        "on-hold",
        "unfinished",
        "didn-t-finish",
        "finished",
        "calibre",
        "reviewed",
        "not-finished",
        "gave-up",
        "giveaways",
        "netgalley",
        "arc",
        "bookshelf",
        "physical-books",
        "hardcover",
        "paperback",
    }
)
NON_CONTENT_PATTERN = re.compile(
    r"read|(^|-)own(ed|s)?($|-)|i-own|favou?rite|kindle|e-?books?|audio|audible|wish|to-buy|"
    r"buy|bought|shelf|tbr|\d{4}|stars?$|borrow|library|my-|-i-|mine|owned|gift|loan|"
    r"dnf|did-not|not-finish|abandon|book-?club|to-get|want|someday|default|have|"
    r"favs?$|faves|best-of|must|lists?$|books-i|^re-|^to-|^\W"
)


def is_content_tag(name: str) -> bool:
    """False for tags about the reader's copy, plans or ratings rather than the book."""
    name = name.strip().lower()
    return bool(name) and name not in NON_CONTENT_TAGS and not NON_CONTENT_PATTERN.search(name)


def tag_pairs(
    books: pd.DataFrame,
    tags: pd.DataFrame,
    book_tags: pd.DataFrame,
    min_books: int = 20,
    max_tags_per_book: int = 30,
) -> Pairs:
    """Book <-> content-tag pairs weighted by log(1 + count), every book of ``books`` a row.

    Keeps tags that at least ``min_books`` books carry and, per book, its ``max_tags_per_book``
    most-used content tags.
    """
    names = tags.set_index("tag_id")["tag_name"]
    content_ids = names.index[names.map(is_content_tag).to_numpy()]
    bt = book_tags[book_tags["tag_id"].isin(content_ids) & (book_tags["count"] > 0)]
    spread = bt.groupby("tag_id")["book_id"].transform("size")
    bt = bt[spread >= min_books]
    bt = bt.sort_values(["book_id", "count"], ascending=[True, False], kind="stable")
    bt = bt.groupby("book_id", sort=False).head(max_tags_per_book)
    if bt.empty:
        raise DataError("no content tag is used by enough books; lower --min-tag-books")
    tag_ids = np.sort(bt["tag_id"].unique())
    book_ids = books["book_id"].to_numpy()
    book_row = pd.Series(np.arange(len(book_ids)), index=book_ids)
    tag_row = pd.Series(np.arange(len(tag_ids)), index=tag_ids)
    return Pairs(
        TAGS,
        book_row[bt["book_id"].to_numpy()].to_numpy(),
        tag_row[bt["tag_id"].to_numpy()].to_numpy(),
        np.log1p(bt["count"].to_numpy(dtype=np.float64)),
        book_ids.tolist(),
        books["title"].tolist(),
        books["authors"].tolist(),
        top_genres(books, tags, book_tags),
        names[tag_ids].tolist(),
    )


def load_tag_pairs(data: str | None, min_books: int = 20, max_tags_per_book: int = 30) -> Pairs:
    """``tag_pairs`` of the goodbooks-10k directory ``data`` (None: $GOODBOOKS_DIR, else download)."""
    data_dir = ensure_data(data)
    books = load_books(data_dir)
    return tag_pairs(
        books, load_tags(data_dir), load_book_tags(data_dir, books), min_books, max_tags_per_book
    )
