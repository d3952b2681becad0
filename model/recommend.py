"""Batch recommendations from the exported artifacts, scored exactly as the browser does.

    .venv/bin/python -m model.recommend [--artifacts artifacts] < visitors.jsonl

Each input line is a visitor: ``{"liked": [book_id, ...], "k": 10}`` and/or
``{"ratings": {"<book_id>": stars, ...}, "predict": [book_id, ...]}`` (liked books count as 5
stars; an explicit rating wins). Each output line, in input order, is
``{"book_ids": [...], "scores": [...], "stars": [...], "predicted": {"<book_id>": stars}}``:
the top k books excluding the visitor's own, or ``{"error": "..."}`` for a bad line: a bad line
(invalid JSON or UTF-8, nested 100,000 deep, a 5,001-digit number, an unknown id) costs only
itself. Book ids are integers or strings of ASCII digits. Output ends quietly when the reader
goes away (``| head -1``). TensorFlow's start-up log stays off stderr unless ``--verbose``.
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

from model import show_tensorflow_logs
from model.ranking import top_k
from model.split import DEFAULT_PICK_STARS, pad_picks

log = logging.getLogger(__name__)

CHUNK = 512  # visitors scored per model call
_ID_DIGITS = re.compile("[0-9]{1,18}")  # not \\d or int(): those also read "１" and "٣"


class VisitorError(ValueError):
    """A bad input line, explained."""


def predict_batch(model, picks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Run the model for many visitors: (scores [V, N], stars [V, N]) as float32 arrays."""
    if not picks:
        return tuple(np.zeros((0, int(out.shape[-1])), np.float32) for out in model.outputs)
    scores, stars = [], []
    for start in range(0, len(picks), CHUNK):
        rows, pick_stars = pad_picks(picks[start : start + CHUNK])
        s, p = model.predict_on_batch([rows, pick_stars])
        scores.append(np.asarray(s))
        stars.append(np.asarray(p))
    return np.concatenate(scores), np.concatenate(stars)


def reason_for(
    neighbor_rows: np.ndarray,
    neighbor_weights: np.ndarray,
    unit_vectors: np.ndarray,
    suggestion: int,
    candidates,
) -> int | None:
    """The pick (a row of ``candidates``: the liked picks, or all picks when none is liked)
    that explains the suggestion ``suggestion``: the one whose neighbor-table vote for it is
    strongest, between equal votes (none, say) the one whose unit vector is closest; the
    first on a full tie; None without candidates. ``reasonFor`` in web/js/recommend.js."""
    best, best_key = None, (-np.inf, -np.inf)
    for row in candidates:
        slots = np.flatnonzero(np.asarray(neighbor_rows[row]) == suggestion)
        vote = float(neighbor_weights[row, slots[0]]) if len(slots) else 0.0
        key = (vote, float(unit_vectors[row] @ unit_vectors[suggestion]))
        if key > best_key:
            best, best_key = int(row), key
    return best


def similar_rows(
    neighbor_rows: np.ndarray, neighbor_weights: np.ndarray, unit_vectors: np.ndarray, row: int, k: int
) -> list[int]:
    """The rows of the ``k`` books most like ``row`` ("readers also liked"), never itself: its
    neighbors with a positive weight, strongest first, then the rest by cosine of
    ``unit_vectors``; ties to the lower row. ``similarRows`` in web/js/recommend.js."""
    weights = np.asarray(neighbor_weights[row], np.float64)
    rows = np.asarray(neighbor_rows[row])
    keep = (weights > 0) & (rows != row)
    chosen = []
    for other in rows[keep][np.lexsort((rows[keep], -weights[keep]))]:
        if len(chosen) < k and int(other) not in chosen:
            chosen.append(int(other))
    if len(chosen) < k:
        cosine = unit_vectors @ unit_vectors[row]
        chosen += top_k(cosine, k - len(chosen), exclude=[row, *chosen]).tolist()
    return chosen


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
    """Validate one input line; return {"rows", "stars", "k", "predict_rows", "predict_ids"}."""
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
    unknown = set(obj) - {"liked", "ratings", "k", "predict"}
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
    k = obj.get("k", 10)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= num_books:
        raise VisitorError(f'"k" must be an integer from 1 to {num_books}, got {reprlib.repr(k)}')
    predict = obj.get("predict", [])
    if not isinstance(predict, list):
        raise VisitorError('"predict" must be a list of book ids')
    predict_ids = [_book_id(value, row_of, "predict") for value in predict]
    return {
        "rows": np.array([row_of[b] for b in picks], np.int32),
        "stars": np.array(list(picks.values()), np.float32),
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


def recommend_lines(lines: Iterable[str | bytes], model, book_ids: np.ndarray) -> Iterator[dict]:
    """One output dict per input line, in order; bad lines give {"error": ...}.

    Lines may be bytes (stdin as it comes): each is decoded as UTF-8 on its own, so a bad
    byte costs only its line.
    """
    row_of = {int(b): i for i, b in enumerate(book_ids)}
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
            top = top_k(scores[j], v["k"], exclude=v["rows"])
            yield {
                "book_ids": [int(book_ids[r]) for r in top],
                "scores": [round(float(scores[j, r]), 6) for r in top],
                "stars": [round(float(stars[j, r]), 4) for r in top],
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recommend books for visitors given as JSON lines on stdin.")
    parser.add_argument("--artifacts", default="artifacts", help="artifacts directory written by model.train")
    parser.add_argument(
        "--verbose", action="store_true", help="also show TensorFlow's start-up log on stderr"
    )
    args = parser.parse_args(argv)
    if args.verbose:
        show_tensorflow_logs()
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    artifacts = Path(args.artifacts)
    metadata_path = artifacts / "web" / "metadata.json"
    model_path = artifacts / "model.keras"
    if not metadata_path.is_file() or not model_path.is_file():
        print(
            f"error: no exported model in {artifacts}; run `make build` (or python -m model.train)",
            file=sys.stderr,
        )
        return 2
    from model.layers import load_model

    book_ids = np.asarray(json.loads(metadata_path.read_text())["book_ids"])
    model = load_model(model_path)
    try:
        for result in recommend_lines(sys.stdin.buffer, model, book_ids):
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
