"""Wikipedia book articles as (book, link) pairs: the raw ndjson, streamed line by line.

One JSON array per line: ``[title, infobox, wikilinks, external_links, timestamp, length]``
(the format of the Wikipedia book-embeddings project's ``found_books_filtered.ndjson``, 37,020
books, and of its 1,413-book sample). Malformed lines are counted, reported with their line
numbers and skipped.

The file is named by ``--wiki FILE`` or the environment variable ``WIKIPEDIA_BOOKS``, as the
goodbooks directory is by ``--data`` or ``GOODBOOKS_DIR``; with neither, the Wikipedia model is
skipped.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explorer.pairs import WIKIPEDIA, Pairs
from model.data import DataError

log = logging.getLogger(__name__)

WIKI_ENV = "WIKIPEDIA_BOOKS"
FULL_FILE_URL = "https://raw.githubusercontent.com/WillKoehrsen/wikipedia-data-science/master/data/found_books_filtered.ndjson"

# Links that every book article has, which say nothing about the book (the original
# Wikipedia book-embeddings project removed the same formats and WikiProject banners).
GENERIC_LINKS = frozenset(
    {
        "hardcover",
        "paperback",
        "hardback",
        "e-book",
        "ebook",
        "print",
        "audiobook",
        "wikipedia:wikiproject books",
        "wikipedia:wikiproject novels",
    }
)


def resolve_wiki_file(wiki_arg: str | None, environ=os.environ) -> Path | None:
    """The ndjson file to read: ``--wiki``, else ``$WIKIPEDIA_BOOKS``; None skips the model.

    ``--wiki none`` skips it too. A named file that does not exist is a DataError; with no
    file named at all, one log line says the model is skipped and where the full file is.
    """
    if wiki_arg and wiki_arg.lower() == "none":
        log.info("--wiki none: skipping the Wikipedia model")
        return None
    named, how = (wiki_arg, "--wiki") if wiki_arg else (environ.get(WIKI_ENV), WIKI_ENV)
    if not named:
        log.info(
            "no Wikipedia books file (--wiki FILE or %s=FILE): skipping the Wikipedia model; "
            "the full 37,020-book file is %s",
            WIKI_ENV,
            FULL_FILE_URL,
        )
        return None
    if not Path(named).is_file():
        raise DataError(
            f"{named} (from {how}): file not found (pass --wiki none to skip the Wikipedia model)"
        )
    return Path(named)


@dataclass
class WikiBook:
    """One parsed article: the links are lower-cased and de-duplicated, in first-seen order."""

    title: str
    author: str
    genre: str
    links: list[str]


@dataclass
class ParseReport:
    """What streaming the ndjson file found: counts and (line number, reason) per bad line."""

    path: str
    lines: int = 0
    books: int = 0
    empty_link_lists: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)

    def summary(self, show: int = 10) -> str:
        text = f"{self.path}: {self.books} books from {self.lines} lines"
        if self.bad_lines:
            shown = "; ".join(f"line {n}: {why}" for n, why in self.bad_lines[:show])
            more = f" (and {len(self.bad_lines) - show} more)" if len(self.bad_lines) > show else ""
            text += f", {len(self.bad_lines)} malformed lines skipped: {shown}{more}"
        return text


def _infobox_text(infobox: dict, key: str) -> str:
    value = infobox.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def parse_wiki_line(line: str) -> WikiBook:
    """Parse one ndjson line; raise ValueError saying what is wrong with it.

    The infobox may be missing (``{}`` or null) and the link list may be empty; the title and
    the link list must be present and of the right type.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, list) or len(record) < 3:
        raise ValueError(
            "expected a JSON array [title, infobox, wikilinks, external_links, timestamp, length]"
        )
    title, infobox, wikilinks = record[0], record[1], record[2]
    if not isinstance(title, str) or not title.strip():
        raise ValueError("the title (first element) is not a non-empty string")
    if infobox is None:
        infobox = {}
    if not isinstance(infobox, dict):
        raise ValueError("the infobox (second element) is not an object")
    if not isinstance(wikilinks, list):
        raise ValueError("the wikilinks (third element) are not a list")
    links = dict.fromkeys(
        link.strip().lower() for link in wikilinks if isinstance(link, str) and link.strip()
    )
    return WikiBook(
        title=title.strip(),
        author=_infobox_text(infobox, "author"),
        genre=_infobox_text(infobox, "genre"),
        links=list(links),
    )


def iter_wiki_ndjson(lines: Iterable[str], report: ParseReport) -> Iterator[WikiBook]:
    """Yield the good articles of an ndjson stream, recording bad lines in ``report``."""
    for number, line in enumerate(lines, start=1):
        report.lines = number
        if not line.strip():
            continue
        try:
            book = parse_wiki_line(line)
        except ValueError as err:
            report.bad_lines.append((number, str(err)))
            continue
        report.books += 1
        report.empty_link_lists += not book.links
        yield book


def read_wiki_ndjson(path: Path) -> tuple[list[WikiBook], ParseReport]:
    """Stream ``path`` once and log its summary once (a warning when lines were skipped); raise
    DataError if it has no usable article."""
    path = Path(path)
    report = ParseReport(str(path))
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            books = list(iter_wiki_ndjson(f, report))
    except OSError as err:
        raise DataError(f"{path}: cannot read ({err.strerror})") from err
    if report.bad_lines:
        log.warning(report.summary())
    if not books:
        raise DataError(
            f"{report.summary()}. Nothing usable is left: is this the Wikipedia books ndjson file?"
        )
    if not report.bad_lines:
        log.info(report.summary())
    return books, report


def wiki_pairs(books: list[WikiBook], min_count: int = 4, drop: frozenset[str] = GENERIC_LINKS) -> Pairs:
    """Pairs from articles: drop generic links and links that fewer than ``min_count`` books share.

    Books left without any link are dropped too; each (book, link) pair has weight 1.
    """
    counts = Counter(link for book in books for link in book.links)
    keep = {link for link, n in counts.items() if n >= min_count and link not in drop}
    link_names = sorted(keep)
    link_row = {name: i for i, name in enumerate(link_names)}
    book_rows, link_rows, kept = [], [], []
    seen_titles = set()
    for book in books:
        rows = [link_row[link] for link in book.links if link in keep]
        if not rows or book.title in seen_titles:
            continue
        seen_titles.add(book.title)
        book_rows.extend([len(kept)] * len(rows))
        link_rows.extend(rows)
        kept.append(book)
    if not kept:
        raise DataError(
            f"no Wikipedia book has a link shared by {min_count} or more books; lower --min-link-count"
        )
    titles = [b.title for b in kept]
    return Pairs(
        WIKIPEDIA,
        book_rows,
        link_rows,
        np.ones(len(book_rows)),
        titles,
        titles,
        [b.author for b in kept],
        [b.genre for b in kept],
        link_names,
    )
