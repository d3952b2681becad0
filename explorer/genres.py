"""The genres that colour the maps: genre tags of goodbooks-10k, and a colour for each."""

from __future__ import annotations

import pandas as pd

# The genres that colour the maps, with the tags that count for each.
GENRES = {
    "fantasy": ("fantasy",),
    "science fiction": ("science-fiction", "sci-fi", "scifi"),
    "romance": ("romance",),
    "mystery & thriller": ("mystery", "thriller", "crime"),
    "horror": ("horror",),
    "historical fiction": ("historical-fiction",),
    "young adult": ("young-adult", "ya"),
    "children's": ("childrens", "children", "children-s", "picture-books"),
    "classics": ("classics", "classic"),
    "non-fiction": ("non-fiction", "nonfiction", "history", "biography", "memoir", "science"),
    "comics": ("graphic-novels", "comics", "manga", "graphic-novel"),
    "poetry & plays": ("poetry", "plays"),
}


def top_genres(books: pd.DataFrame, tags: pd.DataFrame, book_tags: pd.DataFrame) -> list[str]:
    """Per book of ``books``, the genre of ``GENRES`` its readers tagged it with most ("" if none)."""
    tag_genre = {tag: genre for genre, tags_ in GENRES.items() for tag in tags_}
    names = tags.set_index("tag_id")["tag_name"].str.lower()
    genre = book_tags["tag_id"].map(names).map(tag_genre)
    bt = book_tags.assign(genre=genre).dropna(subset=["genre"])
    totals = bt.groupby(["book_id", "genre"])["count"].sum().reset_index()
    best = totals.sort_values(["book_id", "count"], ascending=[True, False]).drop_duplicates("book_id")
    by_book = dict(zip(best["book_id"], best["genre"], strict=True))
    return [by_book.get(b, "") for b in books["book_id"]]


# One colour per genre of GENRES, in that order; books without a genre are grey.
GENRE_COLOURS = [
    "#4e79a7",
    "#59a14f",
    "#e15759",
    "#76448a",
    "#2f2f2f",
    "#b07aa1",
    "#f28e2b",
    "#edc948",
    "#9c755f",
    "#17becf",
    "#ff9da7",
    "#8cd17d",
]
NO_GENRE_COLOUR = "#c8c8c8"
