"""Goodreads library exports: match the rows of an export (read by model/goodreads_csv.py)
to the catalogue, and build a shelf.

A visitor's export ("My Books" -> "Import and export" -> "Export Library") is matched to the
catalogue by Goodreads id, then ISBN, then normalized title + first author. These are the rules
of ``web/js/csv.js`` and ``web/js/goodreads.js``, which do the same in the browser:
``tests/model/test_goodreads_parity.py`` runs both on the same files. Pure functions, no
TensorFlow; ``model.scoring`` scores the shelf, ``python -m
model.recommend --goodreads FILE`` prints its suggestions, ``model.export`` writes
``goodreads.json`` (what the page matches ids and ISBNs against) with ``catalogue_isbns``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

# decode_export and read_export are imported for the callers that read an export through this
# module (model/scoring.py).
from model.goodreads_csv import (
    ExportRow,
    GoodreadsError,
    decode_export,  # noqa: F401
    isbn13_check_digit,
    isbn13_of,
    read_export,  # noqa: F401
)

# A row's place on the visitor's shelf, strongest first: where one book appears in two rows
# (two editions), the stronger wins. "pick" is a rated book (it carries the stars).
STATUSES = ("pick", "read", "reading", "to_read")
SHELF_STATUS = {"to-read": "to_read", "currently-reading": "reading"}  # any other shelf: "read"
METHODS = ("id", "isbn", "title")

_PARENTHESES = re.compile(r"\([^()]*\)")
# The entities exports write (and numeric ones); the browser decodes exactly these too.
_ENTITY = re.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}


# ---------------------------------------------------------------------------------------
# ISBNs of the catalogue (an export's are goodreads_csv.isbn13_of's)


def catalogue_isbns(isbn: str, isbn13: str) -> list[str]:
    """The ISBN-13s a books.csv row is known by, from its ``isbn`` and ``isbn13`` cells.

    books.csv lost the ISBN-10's leading zeros (``439023483``) and wrote the ISBN-13 as a
    float with 12 significant digits (``9.78043902348e+12``), so the ISBN-13 is taken from the
    ISBN-10 when there is one. Without one, the rounded ISBN-13 stands for every valid ISBN-13
    it can be rounded from (one or two of the ten); an exact 13-digit cell is itself.
    """
    isbn = (isbn or "").strip()
    if re.fullmatch(r"[0-9]{1,9}[0-9Xx]", isbn):
        return [isbn13_of(isbn.zfill(10))]
    text = (isbn13 or "").strip()
    exact = re.fullmatch(r"([0-9]{13})(?:\.0*)?", text)
    if exact:
        return [exact.group(1)]
    try:
        value = float(text)
    except ValueError:
        return []
    if not math.isfinite(value) or not 1e12 <= value < 1e13:
        return []
    rounded = round(value)
    found = []
    for candidate in range(rounded - 5, rounded + 6):  # +5: a tie rounds half to even
        digits = str(candidate)
        if float(f"{candidate:.12g}") == value and digits[12] == isbn13_check_digit(digits[:12]):
            found.append(digits)
    return found


# ---------------------------------------------------------------------------------------
# Titles and authors


def unescape_entities(text: str) -> str:
    """``&amp;``, ``&lt;``, ``&gt;``, ``&quot;``, ``&apos;``, ``&nbsp;`` and ``&#...;`` decoded;
    anything else (and a code point that is not a character) left as it is."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if not name.startswith("#"):
            return _NAMED[name]
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ENTITY.sub(replace, text)


def normalize_text(text: str) -> str:
    """Letters and digits only, lower case, without accents, HTML entities decoded and "&" as
    "and": "Harry Potter &amp; the Philosopher’s Stone" -> "harrypotterandthephilosophersstone"."""
    text = unescape_entities(text or "").lower().replace("&", " and ")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def title_key(title: str, author: str) -> str | None:
    """What title matching compares: the title without its parenthesised parts (the series,
    "(Harry Potter, #1)") and the first author, both normalized; None without a title."""
    title = normalize_text(_PARENTHESES.sub(" ", title or ""))
    if not title:
        return None
    return title + "|" + normalize_text((author or "").split(",")[0])


@dataclass
class MatchIndex:
    """Catalogue keys -> book_id. Built in row order, first come first kept, so between two
    books with the same key the lower row wins; a goodreads_book_id beats a best_book_id."""

    by_id: dict[int, int] = field(default_factory=dict)
    by_isbn: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, int] = field(default_factory=dict)


def match_index(books: list[dict], goodreads: dict) -> MatchIndex:
    """The index from books.json (titles, authors) and goodreads.json (ids, ISBNs)."""
    if goodreads.get("num_books") != len(books):
        raise GoodreadsError("goodreads.json does not match books.json (a rebuild in progress?); retry")
    index = MatchIndex()
    for book, goodreads_id in zip(books, goodreads["goodreads_book_ids"], strict=True):
        index.by_id.setdefault(int(goodreads_id), book["book_id"])
    for row, best_id in sorted((int(row), best_id) for row, best_id in goodreads["best_book_ids"].items()):
        index.by_id.setdefault(int(best_id), books[row]["book_id"])
    for book, isbns in zip(books, goodreads["isbn13"], strict=True):
        for isbn in isbns:
            index.by_isbn.setdefault(isbn, book["book_id"])
    for book in books:
        key = title_key(book["title"], book["authors"])
        if key is not None:
            index.by_title.setdefault(key, book["book_id"])
    return index


# ---------------------------------------------------------------------------------------
# Matching and the shelf


@dataclass(frozen=True)
class Match:
    """The catalogue book an export row is (None: not in the catalogue) and how it was found."""

    book_id: int | None
    method: str | None


def match_row(row: ExportRow, index: MatchIndex) -> Match:
    """By Goodreads id, then by ISBN (ISBN, then ISBN13), then by title + first author."""
    if row.goodreads_id is not None and row.goodreads_id in index.by_id:
        return Match(index.by_id[row.goodreads_id], "id")
    for isbn in row.isbns:
        if isbn in index.by_isbn:
            return Match(index.by_isbn[isbn], "isbn")
    key = title_key(row.title, row.author)
    if key is not None and key in index.by_title:
        return Match(index.by_title[key], "title")
    return Match(None, None)


def row_status(row: ExportRow) -> str:
    """ "pick" (rated), else from the shelf: "to_read", "reading", or "read" (read, or a custom shelf)."""
    return "pick" if row.stars > 0 else SHELF_STATUS.get(row.shelf, "read")


@dataclass
class Shelf:
    """What an import adds: ``picks`` book_id -> stars, ``marks`` book_id -> "read" |
    "reading" | "to_read" (never suggested), both in the order books first appear."""

    picks: dict[int, int]
    marks: dict[int, str]


def build_shelf(rows: list[ExportRow], matches: list[Match]) -> Shelf:
    """One entry per matched book: the strongest status of its rows (``STATUSES``); between two
    ratings of one book, the later row's."""
    best: dict[int, tuple[str, int]] = {}
    for row, match in zip(rows, matches, strict=True):
        if match.book_id is None:
            continue
        status = row_status(row)
        old = best.get(match.book_id)
        if old is None or STATUSES.index(status) <= STATUSES.index(old[0]):
            best[match.book_id] = (status, row.stars)
    picks = {b: stars for b, (status, stars) in best.items() if status == "pick"}
    marks = {b: status for b, (status, _) in best.items() if status != "pick"}
    return Shelf(picks, marks)


def summarize(rows: list[ExportRow], matches: list[Match]) -> dict:
    """{"rows", "matched", "matched_by": {"id", "isbn", "title"}, "unmatched": [titles]}."""
    matched_by = {method: sum(m.method == method for m in matches) for method in METHODS}
    return {
        "rows": len(rows),
        "matched": sum(matched_by.values()),
        "matched_by": matched_by,
        "unmatched": [row.title for row, m in zip(rows, matches, strict=True) if m.book_id is None],
    }


def summary_line(summary: dict) -> str:
    """ "412 rows, 287 matched (260 by id, 19 by ISBN, 8 by title), 125 not in the catalogue"."""
    by = summary["matched_by"]
    unmatched = summary["rows"] - summary["matched"]
    return (
        f"{summary['rows']:,} row{'s' if summary['rows'] != 1 else ''}, {summary['matched']:,} matched "
        f"({by['id']:,} by id, {by['isbn']:,} by ISBN, {by['title']:,} by title), "
        f"{unmatched:,} not in the catalogue"
    )
