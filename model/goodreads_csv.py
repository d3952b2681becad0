"""A Goodreads library export read into rows: the file's bytes checked and decoded, its CSV
records, its header and each row's cells (``ExportRow``), or a ``GoodreadsError`` that says
what is wrong and what to do. The browser reads exports the same way (``web/js/csv.js``,
``web/js/goodreads.js``); model/goodreads.py matches the rows to the catalogue.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from dataclasses import dataclass

# A library of several thousand books with reviews is a few MB; a bigger file is another file.
MAX_FILE_BYTES = 20_000_000
REQUIRED_COLUMNS = ("Book Id", "Title", "Author", "My Rating", "Exclusive Shelf")
HOW_TO_EXPORT = "Export it on Goodreads: My Books → Import and export → Export Library."

_GOODREADS_ID = re.compile("[0-9]{1,15}")  # exact as a JavaScript number too


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
