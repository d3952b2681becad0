"""Batch recommendations from the exported artifacts, scored exactly as the browser does.

    .venv/bin/python -m model.recommend [--artifacts artifacts] < visitors.jsonl
    .venv/bin/python -m model.recommend --goodreads goodreads_library_export.csv [--k 10] [--json]

Each input line is a visitor: ``{"liked": [book_id, ...], "k": 10}`` and/or
``{"ratings": {"<book_id>": stars, ...}, "predict": [book_id, ...]}`` (liked books count as 5
stars; an explicit rating wins), with optional ``"marks": {"<book_id>": "read" | "reading" |
"to_read" | "not_interested"}`` as the page's shelf marks books. Each output line, in input
order, is ``{"book_ids": [...], "scores": [...], "stars": [...], "more_in_series": [...],
"next_in_series": [...], "next_scores": [...], "next_stars": [...], "predicted":
{"<book_id>": stars}}``: the page's main list exactly (``model.scoring.arrange``: one card per
series, a series not started as its first volume with how many more it has, never a picked,
marked or started series' book) and its "Next in your series" row (the next volume of each
series the picks and read books started), or ``{"error": "..."}`` for a bad line: a bad line
(invalid JSON or UTF-8, nested 100,000 deep, a 5,001-digit number, an unknown id) costs only
itself. Book ids are integers or strings of ASCII digits. Output ends quietly when the reader
goes away (``| head -1``). TensorFlow's start-up log stays off stderr unless ``--verbose``.

``--goodreads FILE`` reads a Goodreads library export instead, matched as the page matches it
(``model/goodreads.py``): rated books are the picks, every book of the file is left out of the
suggestions, and a table of the top ``--k`` (with predicted stars and the pick that explains
each) is printed; ``--json`` prints one object instead: ``{"rows", "matched", "matched_by":
{"id", "isbn", "title"}, "unmatched": [titles], "book_ids", "stars", "reasons": [book_id]}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import reprlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from model import goodreads, show_tensorflow_logs
from model.discovery import DEFAULT, DiscoveryError, check_setting
from model.goodreads_csv import GoodreadsError, preview, read_export_file
from model.layout import missing, model_dir
from model.metadata import read_metadata
from model.scoring import (
    CHUNK,
    MARKS,
    discovery_arrange,
    goodreads_recommendations,
    predict_batch,
    shelf_rows,
)
from model.series import SeriesTable, table_from_metadata
from model.split import DEFAULT_PICK_STARS

log = logging.getLogger(__name__)

_ID_DIGITS = re.compile("[0-9]{1,18}")  # not \\d or int(): those also read "１" and "٣"


class VisitorError(ValueError):
    """A bad input line, explained."""


def _book_id(value, row_of: dict[int, int], where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise VisitorError(f"{where}: book id {reprlib.repr(value)} is not an integer")
    if isinstance(value, str) and not _ID_DIGITS.fullmatch(value):
        raise VisitorError(f"{where}: book id {reprlib.repr(value)} is not an integer (ASCII digits)")
    book_id = int(value)
    if book_id not in row_of:
        raise VisitorError(f"{where}: unknown book id {reprlib.repr(book_id)}")
    return book_id


def parse_visitor(line: str, row_of: dict[int, int], num_books: int) -> dict:
    """Validate one input line; return {"rows", "stars", "marks" (row -> mark), "k", "predict_ids"}."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        raise VisitorError(f"bad JSON: {err.msg} at column {err.colno}") from None
    except RecursionError:
        raise VisitorError("bad JSON: nested too deeply") from None
    except ValueError as err:  # int() refuses numbers of more than 4,300 digits
        raise VisitorError(f"bad JSON: a number is too long ({str(err).split(';')[0]})") from None
    if not isinstance(obj, dict):
        raise VisitorError("each line must be a JSON object")
    unknown = set(obj) - {"liked", "ratings", "marks", "k", "predict", "discovery"}
    if unknown:
        raise VisitorError(f"unknown key(s): {', '.join(sorted(unknown))}")
    picks: dict[int, float] = {}
    liked = obj.get("liked", [])
    if not isinstance(liked, list):
        raise VisitorError('"liked" must be a list of book ids')
    for value in liked:
        picks[_book_id(value, row_of, "liked")] = float(DEFAULT_PICK_STARS)
    ratings = obj.get("ratings", {})
    if not isinstance(ratings, dict):
        raise VisitorError('"ratings" must be an object {"<book_id>": stars}')
    for key, value in ratings.items():
        book_id = _book_id(key, row_of, "ratings")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 5:
            raise VisitorError(
                f"ratings: stars for book {book_id} must be a number from 1 to 5, got {reprlib.repr(value)}"
            )
        picks[book_id] = float(value)
    marks = obj.get("marks", {})
    if not isinstance(marks, dict):
        raise VisitorError('"marks" must be an object {"<book_id>": mark}')
    marked: dict[int, str] = {}
    for key, value in marks.items():
        book_id = _book_id(key, row_of, "marks")
        if value not in MARKS:
            raise VisitorError(
                f"marks: book {book_id}'s mark must be one of {', '.join(MARKS)}, got {reprlib.repr(value)}"
            )
        if book_id not in picks:  # a picked book is never only marked (web/js/shelf-edits.js)
            marked[row_of[book_id]] = value
    k = obj.get("k", 10)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= num_books:
        raise VisitorError(f'"k" must be an integer from 1 to {num_books}, got {reprlib.repr(k)}')
    predict = obj.get("predict", [])
    if not isinstance(predict, list):
        raise VisitorError('"predict" must be a list of book ids')
    predict_ids = [_book_id(value, row_of, "predict") for value in predict]
    try:
        setting = check_setting(obj.get("discovery", DEFAULT))
    except DiscoveryError as err:
        raise VisitorError(f"{err}, got {reprlib.repr(obj['discovery'])}") from None
    return {
        "discovery": setting,
        "rows": np.array([row_of[b] for b in picks], np.int32),
        "stars": np.array(list(picks.values()), np.float32),
        "marks": marked,
        "k": k,
        "predict_ids": predict_ids,
    }


def parse_line(line: str | bytes, row_of: dict[int, int], num_books: int) -> dict | str:
    """``parse_visitor`` for one raw input line, or the message explaining why it is bad."""
    try:
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as err:
                raise VisitorError(f"not valid UTF-8 (byte {err.start + 1})") from None
        if not line.strip():
            return "empty line"
        return parse_visitor(line, row_of, num_books)
    except VisitorError as err:
        return str(err)


def recommend_lines(
    lines: Iterable[str | bytes],
    model,
    book_ids: np.ndarray,
    series: SeriesTable | None = None,
    discovery: dict | None = None,
) -> Iterator[dict]:
    """One output dict per input line, in order; bad lines give {"error": ...}. ``series``:
    metadata.json's table (``table_from_metadata``); None: no book is in a series. Each line's
    ``discovery`` setting re-scores its books with metadata.json's ``discovery`` entry and the
    line's number of picks (model/discovery.py; without one, the model's scores as they are)
    before ``arrange`` (``scoring.discovery_arrange``); ``scores`` are what the books were
    ranked by.

    Lines may be bytes (stdin as it comes): each is decoded as UTF-8 on its own, so a bad
    byte costs only its line.
    """
    row_of = {int(b): i for i, b in enumerate(book_ids)}
    series = series or table_from_metadata({"num_books": len(book_ids)})
    chunk: list[tuple[int, dict | str]] = []

    def flush():
        good = [v for _, v in chunk if isinstance(v, dict)]
        scores, stars = (
            predict_batch(model, [(v["rows"], v["stars"]) for v in good]) if good else (None, None)
        )
        j = 0
        for _, v in chunk:
            if isinstance(v, str):
                yield {"error": v}
                continue
            hidden, started, dismissed = shelf_rows(v["rows"], v["marks"])
            setting, num_picks = v["discovery"], len(v["rows"])
            ranked, (top, more, following) = discovery_arrange(
                scores[j], discovery, setting, num_picks, hidden, series, started, dismissed, v["k"]
            )
            yield {
                "book_ids": [int(book_ids[r]) for r in top],
                "scores": [round(float(ranked[r]), 6) for r in top],
                "stars": [round(float(stars[j, r]), 4) for r in top],
                "more_in_series": more,
                "next_in_series": [int(book_ids[r]) for r in following],
                "next_scores": [round(float(ranked[r]), 6) for r in following],
                "next_stars": [round(float(stars[j, r]), 4) for r in following],
                "predicted": {str(b): round(float(stars[j, row_of[b]]), 4) for b in v["predict_ids"]},
            }
            j += 1

    for number, line in enumerate(lines, start=1):
        chunk.append((number, parse_line(line, row_of, len(book_ids))))
        if len(chunk) >= CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()


def goodreads_table(result: dict, shelf: goodreads.Shelf, books: list[dict], book_ids: list[int]) -> str:
    """``--goodreads``'s readable output: the summary, then one line per suggestion."""
    book_of = {int(b): books[i] for i, b in enumerate(book_ids)}
    hidden = len(shelf.marks)
    lines = [
        goodreads.summary_line(result),
        f"{len(shelf.picks):,} rated book{'s' if len(shelf.picks) != 1 else ''} are your picks; "
        f"{hidden:,} read, reading or to-read book{'s' if hidden != 1 else ''} and the picks "
        "are never suggested.",
        "",
        f"{'#':>3}  {'stars':>5}  {'suggestion':<52}  because you rated",
    ]
    for rank, (book_id, stars, reason) in enumerate(
        zip(result["book_ids"], result["stars"], result["reasons"], strict=True), start=1
    ):
        book = book_of[book_id]
        because = "-"
        if reason is not None:
            because = f"{preview(book_of[reason]['title'], 40)} ({shelf.picks[reason]} stars)"
        more = result["more_in_series"][rank - 1]
        tail = f" +{more} in series" if more else ""  # the page's "+N more in the series"
        suggestion = preview(f"{book['title']} - {book['authors'].split(',')[0]}", 52 - len(tail)) + tail
        lines.append(f"{rank:>3}  {stars:>5.1f}  {suggestion:<52}  {because}")
    if result["next_in_series"]:
        lines += ["", "Next in your series:"]
        nexts = zip(result["next_in_series"], result["next_stars"], result["next_reasons"], strict=True)
        for book_id, stars, reason in nexts:
            because = "-" if reason is None else f"{preview(book_of[reason]['title'], 40)}"
            lines.append(f"{'':>3}  {stars:>5.1f}  {preview(book_of[book_id]['title'], 52):<52}  {because}")
    return "\n".join(lines)


def run_goodreads(args, artifacts: Path, model, data: bytes) -> int:
    """``--goodreads FILE``: print the table (or ``--json``'s object); 2 for a bad file."""
    web = model_dir(artifacts) / "web"
    metadata = read_metadata(web / "metadata.json")
    if not (web / "goodreads.json").is_file():
        print(f"error: {web / 'goodreads.json'} is missing; rebuild with `make build`", file=sys.stderr)
        return 2
    books = json.loads((web / "books.json").read_text(encoding="utf-8"))
    goodreads_file = json.loads((web / "goodreads.json").read_text())
    k = 10 if args.k is None else args.k
    if not 1 <= k <= metadata["num_books"]:
        print(f"error: --k must be from 1 to {metadata['num_books']}, got {k}", file=sys.stderr)
        return 2
    try:
        result, shelf = goodreads_recommendations(model, metadata, books, goodreads_file, data, k)
    except GoodreadsError as err:
        print(f"error: {args.goodreads}: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(goodreads_table(result, shelf, books, metadata["book_ids"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Recommend books for visitors given as JSON lines on stdin, or for a Goodreads export."
    )
    parser.add_argument(
        "--artifacts", default="artifacts", help="artifacts root (reads model/, written by model.train)"
    )
    parser.add_argument(
        "--goodreads",
        metavar="FILE",
        help="a Goodreads library export (CSV): print suggestions for it instead of reading stdin",
    )
    parser.add_argument("--k", type=int, help="with --goodreads: how many suggestions (default 10)")
    parser.add_argument("--json", action="store_true", help="with --goodreads: print one JSON object")
    parser.add_argument(
        "--verbose", action="store_true", help="also show TensorFlow's start-up log on stderr"
    )
    args = parser.parse_args(argv)
    if args.goodreads is None and (args.json or args.k is not None):
        parser.error("--k and --json go with --goodreads FILE")
    if args.verbose:
        show_tensorflow_logs()
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    artifacts = Path(args.artifacts)
    metadata_path = model_dir(artifacts) / "web" / "metadata.json"
    model_path = model_dir(artifacts) / "model.keras"
    for path in (metadata_path, model_path):
        if not path.is_file():
            print(
                f"error: {missing(artifacts, path, 'run `make build` (or python -m model.train)')}",
                file=sys.stderr,
            )
            return 2
    data = None
    if args.goodreads is not None:
        # The file first: a missing or oversized one is told at once, not after the model's
        # few seconds of loading, and is never read whole into memory.
        try:
            data = read_export_file(args.goodreads)
        except OSError as err:
            print(f"error: cannot read {args.goodreads}: {err.strerror or err}", file=sys.stderr)
            return 2
        except GoodreadsError as err:
            print(f"error: {args.goodreads}: {err}", file=sys.stderr)
            return 2
    from model.layers import load_model

    model = load_model(model_path)
    if args.goodreads is not None:
        return run_goodreads(args, artifacts, model, data)
    metadata = read_metadata(metadata_path)
    book_ids, series = np.asarray(metadata["book_ids"]), table_from_metadata(metadata)
    try:
        for result in recommend_lines(sys.stdin.buffer, model, book_ids, series, metadata.get("discovery")):
            sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (`| head -1`): end quietly, as Unix tools do. stdout goes
        # to /dev/null so the interpreter's own last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # killed by SIGPIPE, in shell terms
    return 0


if __name__ == "__main__":
    sys.exit(main())
