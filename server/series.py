"""A book's series and its author's other books, from books.json's ``series`` and ``authors``
(docs/ARTIFACTS.md): what ``/api/books/<id>/similar`` adds as ``series`` and ``by_author``.
web/js/series.js (seriesVolumes, byAuthor) answers the same on the static site, where there is
no API. The titles were parsed at export (model/series.py); nothing is parsed here.
"""

from __future__ import annotations

from collections import defaultdict


def series_key(series) -> str | None:
    """A book's series (books.json's ``series``) as a key: its name in lower case, spaces
    collapsed (model/series.py key_of_name); None without a series."""
    if not isinstance(series, dict) or not isinstance(series.get("name"), str):
        return None
    return " ".join(series["name"].split()).lower() or None


def first_author(authors) -> str:
    """The first of books.json's comma-separated ``authors``, as a key ("" for none)."""
    return authors.split(",", 1)[0].strip().lower() if isinstance(authors, str) else ""


def _volume_key(books: list[dict], row: int) -> tuple:
    """Reading order (model/series.py volume_order): positions >= 1 first, by position, a
    single volume before an omnibus at the same position, then by row."""
    series = books[row]["series"]
    position = float(series.get("position", 0))
    return (position < 1, position, float(series.get("end", position)), row)


class SeriesIndex:
    """Per series key its rows in reading order; per first author the rows, most rated first."""

    def __init__(self, books: list[dict]):
        members: dict[str, list[int]] = defaultdict(list)
        by_author: dict[str, list[int]] = defaultdict(list)
        for row, book in enumerate(books):
            key = series_key(book.get("series"))
            if key is not None:
                members[key].append(row)
            author = first_author(book.get("authors"))
            if author:
                by_author[author].append(row)
        self.members = {
            key: sorted(rows, key=lambda r: _volume_key(books, r)) for key, rows in members.items()
        }
        count = [book.get("ratings_count") or 0 for book in books]
        self.by_author = {a: sorted(rows, key=lambda r: (-count[r], r)) for a, rows in by_author.items()}
        self.books = books

    def volumes(self, row: int) -> list[int]:
        """The rows of ``row``'s series in reading order (with itself); [] without a series."""
        key = series_key(self.books[row].get("series"))
        return list(self.members.get(key, [])) if key is not None else []

    def by_author_rows(self, row: int, k: int) -> list[int]:
        """Up to ``k`` other books of ``row``'s first author, outside its series, most rated
        first (ties to the lower row)."""
        own = set(self.volumes(row)) | {row}
        rows = self.by_author.get(first_author(self.books[row].get("authors")), [])
        return [r for r in rows if r not in own][:k]
