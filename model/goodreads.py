"""Goodreads library exports: read the CSV, match its rows to the catalogue, build a shelf.

A visitor's export ("My Books" -> "Import and export" -> "Export Library") is matched to the
catalogue by Goodreads id, then ISBN, then normalised title + first author. These are the rules
of ``web/js/csv.js`` and ``web/js/goodreads.js``, which do the same in the browser:
``tests/model/test_goodreads_parity.py`` runs both on the same files. Pure functions but
``read_export_file``, no TensorFlow; ``model.scoring`` scores the shelf, ``python -m
model.recommend --goodreads FILE`` prints its suggestions, ``model.export`` writes
``goodreads.json`` (what the page matches ids and ISBNs against) with ``catalogue_isbns``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field

# A library of several thousand books with reviews is a few MB; a bigger file is another file.
MAX_FILE_BYTES = 20_000_000
REQUIRED_COLUMNS = ("Book Id", "Title", "Author", "My Rating", "Exclusive Shelf")
HOW_TO_EXPORT = "Export it on Goodreads: My Books → Import and export → Export Library."
# A row's place on the visitor's shelf, strongest first: where one book appears in two rows
# (two editions), the stronger wins. "pick" is a rated book (it carries the stars).
STATUSES = ("pick", "read", "reading", "to_read")
SHELF_STATUS = {"to-read": "to_read", "currently-reading": "reading"}  # any other shelf: "read"
METHODS = ("id", "isbn", "title")

_GOODREADS_ID = re.compile("[0-9]{1,15}")  # exact as a JavaScript number too
_PARENTHESES = re.compile(r"\([^()]*\)")
# The entities exports write (and numeric ones); the browser decodes exactly these too.
_ENTITY = re.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}


class GoodreadsError(ValueError):
    """A file that is not a usable Goodreads export; the message says where and what to do."""


# ---------------------------------------------------------------------------------------
# ISBNs: every ISBN is compared as an ISBN-13 string


def isbn13_check_digit(first12: str) -> str:
    """The check digit of an ISBN-13 from its first 12 digits."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn13_of(text: str) -> str | None:
    """An export's ISBN or ISBN13 cell (``="0439023483"``, ``=""``, ``978-0-...``) as an
    ISBN-13, or None. An ISBN-10 becomes 978 + its first nine digits + a new check digit."""
    value = re.sub(r"[=\"'\s-]", "", text or "").upper()
    if re.fullmatch(r"[0-9]{9}[0-9X]", value):
        core = "978" + value[:9]
        return core + isbn13_check_digit(core)
    if re.fullmatch(r"[0-9]{13}", value):
        return value
    return None


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
    "(Harry Potter, #1)") and the first author, both normalised; None without a title."""
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
# The export side


@dataclass(frozen=True)
class ExportRow:
    """One book of the export. ``row`` counts data rows from 1; ``line`` is the file's line
    where the row starts (a review may span lines). ``stars`` 0 = not rated."""

    row: int
    line: int
    goodreads_id: int | None
    title: str
    author: str
    isbns: tuple[str, ...]
    stars: int
    shelf: str


def too_big_message(size: int, more: bool = False) -> str:
    """Why a file of ``size`` bytes (``more``: at least that many) is not imported."""
    what = f"more than {MAX_FILE_BYTES / 1e6:.0f} MB" if more else f"{size / 1e6:.1f} MB"
    return (
        f"The file is {what}; a Goodreads export is a few MB at most "
        f"(the limit is {MAX_FILE_BYTES / 1e6:.0f} MB). Is it the right file?"
    )


# What to do with a file a spreadsheet re-saved (in UTF-16, or with other separators).
def read_export_file(path: str) -> bytes:
    """The bytes of the export at ``path``, never more than ``MAX_FILE_BYTES`` of them
    read: a regular file is sized before it is read, anything else (a pipe, ``/dev/zero``) is
    read up to one byte past the limit. Raises OSError, or GoodreadsError for a file too big."""
    limit = MAX_FILE_BYTES
    with open(path, "rb") as file:
        info = os.fstat(file.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise GoodreadsError(too_big_message(info.st_size))
        data = file.read(limit + 1)
    if len(data) > limit:
        raise GoodreadsError(too_big_message(len(data), more=True))
    return data


RESAVE = (
    "Export it again from Goodreads (My Books → Import and export → Export Library), or save it "
    "from your spreadsheet as “CSV UTF-8 (comma delimited)”."
)
SEPARATORS = {";": "semicolons (as spreadsheets save CSV in some languages)", "\t": "tabs (a TSV file)"}


def looks_utf16(data: bytes) -> bool:
    """Whether ``data`` looks like UTF-16 text: a UTF-16 byte-order mark, or (ASCII text in
    UTF-16) zero bytes in at least 40% of the odd or of the even places of the first 512, none
    in the other (``looksUtf16`` in web/js/goodreads.js)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[: min(len(data), 512) // 2 * 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    n = len(head)
    return n >= 4 and ((odd >= 0.2 * n and even == 0) or (even >= 0.2 * n and odd == 0))


def decode_export(data: bytes) -> str:
    """The export's bytes as text (UTF-8, a byte-order mark dropped), or a GoodreadsError."""
    if len(data) == 0:
        raise GoodreadsError(f"The file is empty. {HOW_TO_EXPORT}")
    if len(data) > MAX_FILE_BYTES:
        raise GoodreadsError(too_big_message(len(data)))
    if looks_utf16(data):
        raise GoodreadsError(
            "This file is UTF-16 text (what spreadsheets save as “Unicode Text”), but a Goodreads "
            f"export is UTF-8 text with commas. {RESAVE}"
        )
    if b"\0" in data:
        raise GoodreadsError(f"This is not a CSV file (it holds binary data). {HOW_TO_EXPORT}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise GoodreadsError(
            f"This is not a UTF-8 CSV file (line {line} is not UTF-8 text). {HOW_TO_EXPORT}"
        ) from None


def csv_records(text: str):
    """(line, fields) for each non-blank record of ``text``: quotes, "" in quotes, newlines in
    quoted fields, CRLF / LF / CR. Strict: a quote left open or text after a closing quote is
    a GoodreadsError naming the line (csv.Error's own wording is not for visitors)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    csv.field_size_limit(MAX_FILE_BYTES)
    line = 0
    while True:
        start = line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            if "unexpected end of data" in str(err):
                problem = "a quoted field is never closed (a missing closing quote)"
            else:
                problem = "a closing quote is followed by more text (a quote inside a field must be doubled)"
            raise GoodreadsError(f"Line {start}: {problem}. Nothing was imported.") from None
        line = reader.line_num
        if len(fields) == 0 or (len(fields) == 1 and not fields[0].strip()):
            continue
        yield start, fields


def preview(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_header(fields: list[str]) -> dict[str, int]:
    """Column name -> position, or a GoodreadsError naming the missing columns."""
    columns: dict[str, int] = {}
    for position, name in enumerate(fields):
        columns.setdefault(name.strip(), position)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        line = ",".join(fields)
        for separator, what in SEPARATORS.items():
            names = {name.strip() for name in line.split(separator)}
            if all(name in names for name in REQUIRED_COLUMNS):
                raise GoodreadsError(
                    f"This file's columns are separated by {what}, but a Goodreads export "
                    f"separates them with commas. {RESAVE}"
                )
        raise GoodreadsError(
            f"This is not a Goodreads library export: its first line lacks the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} (it starts "
            f"“{preview(','.join(fields))}”). {HOW_TO_EXPORT}"
        )
    return columns


def export_row(row: int, line: int, fields: list[str], columns: dict[str, int], width: int) -> ExportRow:
    """One record as an ExportRow, or a GoodreadsError naming the row and what is wrong."""
    where = f"Row {row} (line {line})"
    if len(fields) != width:
        raise GoodreadsError(
            f"{where} has {len(fields)} field{'s' if len(fields) != 1 else ''} where the header has "
            f"{width} (it starts “{preview(','.join(fields))}”). Nothing was imported."
        )

    def cell(name: str) -> str:
        return fields[columns[name]].strip() if name in columns else ""

    rating = cell("My Rating") or "0"
    if not re.fullmatch("[0-5]", rating):
        raise GoodreadsError(
            f"{where}: My Rating “{preview(rating, 20)}” is not a number from 0 to 5. Nothing was imported."
        )
    goodreads_id = cell("Book Id")
    if goodreads_id and not _GOODREADS_ID.fullmatch(goodreads_id):
        raise GoodreadsError(
            f"{where}: Book Id “{preview(goodreads_id, 20)}” is not a Goodreads book id "
            "(digits only, at most 15). Nothing was imported."
        )
    isbns = tuple(dict.fromkeys(i for i in (isbn13_of(cell("ISBN")), isbn13_of(cell("ISBN13"))) if i))
    return ExportRow(
        row=row,
        line=line,
        goodreads_id=int(goodreads_id) if goodreads_id else None,
        title=cell("Title"),
        author=cell("Author"),
        isbns=isbns,
        stars=int(rating),
        shelf=cell("Exclusive Shelf").lower(),
    )


def read_export(text: str) -> list[ExportRow]:
    """Every book of an export's text, or a GoodreadsError for the first problem (which row,
    what is wrong): nothing is half-read."""
    records = csv_records(text)
    first = next(records, None)
    if first is None:
        raise GoodreadsError(f"The file is empty. {HOW_TO_EXPORT}")
    header = first[1]
    columns = check_header(header)
    rows = [
        export_row(number, line, fields, columns, len(header))
        for number, (line, fields) in enumerate(records, start=1)
    ]
    if not rows:
        raise GoodreadsError(f"The file has a header but no books. {HOW_TO_EXPORT}")
    return rows


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
