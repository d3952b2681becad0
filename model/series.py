"""Series in book titles: Goodreads writes a book's series at the end of its title, as in
"Harry Potter and the Chamber of Secrets (Harry Potter, #2)".

The rules (issue 24, "The measure"): the title's last parenthesised group, closing the title,
holds "Series Name, #n" or "Series Name #n". Of "(A, #1; B, #4)" the book belongs to A (the
first part before a ";"). An omnibus "#1-3" (or "#1–3", "#0.1 - 0.4") is a position and an end;
a part "#3: Part 2 of 2" or "#5, Part 1" belongs to its series at position 3 or 5 (what follows
the number is not read). "#0.5" is a position. ``web/js/series.js`` reads what the export wrote
and never parses a title, so this is the one parser.

Titles that only look like a series are not one: a group without "#n" ("(Disney Princess, 5)",
"(Vol. 2)", "(Penguin Readers, Level 5)": a publisher's line or an edition, with no position in
a series), a group not at the end ("The Talisman (Volume 1): The Road of Trials"), a "#1"
outside parentheses ("Saga #1", "Nancy Drew: #1-64") and a "#" with no name before it. A group
may hold parentheses of its own ("Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)": the series is
"Ranma ½ (US 2nd)").
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import numpy as np

# "Name, #1", "Name #1", "Name,# 2", "Name#1", "Name, #1-3", "Name, #0.1 - 0.4", "Name #1–3"
SEGMENT = re.compile(
    r"^(?P<name>.*?\S)\s*,?\s*#\s*(?P<position>\d{1,6}(?:\.\d{1,6})?)"
    r"(?:\s*[-–]\s*(?P<end>\d{1,6}(?:\.\d{1,6})?)(?![\d.]))?"
)


class Series(NamedTuple):
    name: str  # as the title spells it (series_key lower-cases it)
    position: float  # 1 for "#1", 0.5 for "#0.5", 1 for an omnibus "#1-3"
    end: float | None  # 3 for an omnibus "#1-3"; None for a single volume


class SeriesTable(NamedTuple):
    """Per catalogue row: ``index``, the number of its series (0 .. count - 1, in the order
    their first books come; -1 for a book with no series), its ``position`` and ``end``
    (= position for a single volume; NaN without a series). A series' name is its books'
    (books.json's ``series``): the table never needs it."""

    index: np.ndarray  # int32 [N]
    position: np.ndarray  # float64 [N]
    end: np.ndarray  # float64 [N]
    count: int  # the number of series


def _trailing_group(title: str) -> str | None:
    """The text inside the parenthesised group that closes ``title`` (nested groups kept), or
    None when the title does not end with ")" or its "(" is missing."""
    text = title.rstrip()
    if not text.endswith(")"):
        return None
    depth = 0
    for at in range(len(text) - 1, -1, -1):
        if text[at] == ")":
            depth += 1
        elif text[at] == "(":
            depth -= 1
            if depth == 0:
                return text[at + 1 : -1]
    return None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def parse_series(title) -> Series | None:
    """The series ``title`` names (module docstring), or None. Never raises: anything that is
    not a string, or not a series, is None."""
    if not isinstance(title, str):
        return None
    group = _trailing_group(title)
    if group is None:
        return None
    segment = group.split(";", 1)[0].strip()
    match = SEGMENT.match(segment)
    if match is None:
        return None
    name = " ".join(match["name"].split()).rstrip(",").strip()
    position = _number(match["position"])
    end = _number(match["end"])
    if not any(c.isalnum() for c in name) or position is None:
        return None
    if end is not None and end <= position:
        end = None  # "#1-1": one volume
    return Series(name, position, end)


def key_of_name(name: str) -> str:
    """A series name as a key: lower case, spaces collapsed ("Wheel of time" is "Wheel of Time")."""
    return " ".join(name.split()).lower()


def series_key(title, book_id) -> str:
    """The key the issue's measure groups books by: the lower-case series name, or
    ``"book:<book_id>"`` for a book with no series (it is its own series)."""
    found = parse_series(title)
    return key_of_name(found.name) if found else f"book:{book_id}"


def series_table(titles, book_ids=None) -> SeriesTable:
    """The series of each row of a catalogue (``titles`` in row order). Series are numbered in
    the order their first book comes. ``book_ids`` (row order) are not needed for the table:
    a book without a series has index -1 rather than a key of its own."""
    del book_ids
    n = len(titles)
    index = np.full(n, -1, np.int32)
    position = np.full(n, np.nan)
    end = np.full(n, np.nan)
    number_of: dict[str, int] = {}
    for row, title in enumerate(titles):
        found = parse_series(title)
        if found is None:
            continue
        key = key_of_name(found.name)
        number_of.setdefault(key, len(number_of))
        index[row] = number_of[key]
        position[row] = found.position
        end[row] = found.position if found.end is None else found.end
    return SeriesTable(index, position, end, len(number_of))


def series_json(found: Series | None) -> dict | None:
    """A book's ``series`` in books.json and the API: {"name", "position"} plus "end" for an
    omnibus; null without a series. Whole numbers are written as integers ("#2" is 2)."""
    if found is None:
        return None
    out = {"name": found.name, "position": _plain(found.position)}
    if found.end is not None:
        out["end"] = _plain(found.end)
    return out


def series_metadata(table: SeriesTable) -> dict:
    """metadata.json's ``series``: the table compactly, only the rows in a series, so the page
    can arrange its suggestions before books.json arrives (web/js/series.js seriesTable):
    {"count": the number of series, "rows": rows in a series (ascending), "index", "position",
    "end": per such row}. Whole numbers are written as integers. (The series' names are in
    books.json, not here: 11 KiB compressed before the first suggestion that nothing read.)"""
    rows = np.flatnonzero(np.asarray(table.index) >= 0)
    return {
        "count": int(table.count),
        "rows": rows.tolist(),
        "index": table.index[rows].tolist(),
        "position": [_plain(v) for v in table.position[rows]],
        "end": [_plain(v) for v in table.end[rows]],
    }


def table_from_metadata(metadata: dict) -> SeriesTable:
    """metadata.json's ``series`` back as a SeriesTable of ``num_books`` rows (web/js/series.js
    seriesTable); a metadata.json from before series (none) gives a table with no series."""
    n = int(metadata["num_books"])
    index, position, end = np.full(n, -1, np.int32), np.full(n, np.nan), np.full(n, np.nan)
    found = metadata.get("series")
    if not found:
        return SeriesTable(index, position, end, 0)
    rows = np.asarray(found["rows"], np.int64)
    index[rows] = found["index"]
    position[rows] = found["position"]
    end[rows] = found["end"]
    # An older file (format_version 1) listed the series' names instead of counting them.
    count = found["count"] if "count" in found else len(found["names"])
    return SeriesTable(index, position, end, int(count))


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def volume_order(table: SeriesTable, rows) -> list[int]:
    """``rows`` of one series in reading order: positions >= 1 first (a prequel "#0.5" comes
    after them), by position, a single volume before an omnibus at the same position, then by
    row. The first is the series' first volume (``arrange``)."""
    return sorted(
        (int(r) for r in rows),
        key=lambda r: (bool(table.position[r] < 1), float(table.position[r]), float(table.end[r]), r),
    )
