"""The JSON API over the catalogue: search, one book, similar books.

Errors are JSON: 400 for a bad parameter (the message says which and what is allowed),
404 for an unknown book, 503 when the site's artifacts are not built yet.

Numbers are written one way only: ASCII digits 0-9, no sign (except a minus where a range
check explains the answer), no spaces, underscores, leading zeros or other scripts' digits
("²", "①", "１", "٣" are all 400), and at most 18 digits, so every id has exactly one URL.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Blueprint, current_app, jsonify, request

from server.catalogue import Catalogue
from server.http import json_error
from server.sitedir import ArtifactsInvalid, ArtifactsMissing

bp = Blueprint("api", __name__, url_prefix="/api")


# [0-9], not \d or str.isdigit(): those also take "²", "１" and "٣"; int() then fails on the
# first (a 500) and silently reads the others.
_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")
_BOOK_ID = re.compile(r"[1-9][0-9]{0,17}")
_SHOWN_CHARS = 40  # a rejected value is echoed back, cut to this length


class BadParameter(Exception):
    """A query or path parameter the API cannot use; the message goes to the client."""


def shown(raw: str) -> str:
    """``raw`` quoted for an error message, cut short when long."""
    return repr(raw if len(raw) <= _SHOWN_CHARS else raw[:_SHOWN_CHARS] + "...")


def int_param(name: str, default: int, low: int, high: int) -> int:
    """Query parameter ``name`` as an int in [low, high]; ``default`` when absent."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadParameter(
            f"{name} must be an integer written with the digits 0-9 (no spaces, underscores, "
            f"+ or leading zeros), got {shown(raw)}"
        )
    value = int(raw)
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_book_id(raw: str) -> int:
    """A path's book_id as a positive int, written in its one canonical form."""
    if not _BOOK_ID.fullmatch(raw):
        raise BadParameter(
            f"book_id must be a positive integer written with the digits 0-9 and no leading zeros, "
            f"got {shown(raw)}"
        )
    return int(raw)


def catalogue() -> Catalogue:
    return current_app.extensions["shelf_catalogue"].get()


def book_or_404(cat: Catalogue, book_id: int):
    if book_id not in cat.row_of:
        return None
    return cat.books[cat.row_of[book_id]]


@bp.before_request
def query_is_utf8():
    """A query string that is not percent-encoded UTF-8 is a 400: Werkzeug keeps such bytes as
    the text ``%FF`` (``?q=%ff%fe`` searched for "%FF%FE")."""
    for item in request.query_string.split(b"&"):
        name, _, value = item.partition(b"=")
        try:
            unquote_to_bytes(name.replace(b"+", b" ")).decode()
            unquote_to_bytes(value.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            shown_name = unquote_to_bytes(name).decode(errors="replace")
            raise BadParameter(
                f"{shown_name or 'the query string'} is not valid UTF-8 (percent-encode its UTF-8 bytes)"
            ) from None


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return json_error(400, str(error))


@bp.errorhandler(ArtifactsMissing)
def artifacts_missing(error: ArtifactsMissing):
    command = current_app.config["BUILD_COMMAND"]
    return json_error(503, f"The model and catalogue are not built yet (missing {error}). Run `{command}`.")


@bp.errorhandler(ArtifactsInvalid)
def artifacts_invalid(error: ArtifactsInvalid):
    command = current_app.config["BUILD_COMMAND"]
    return json_error(503, f"The built site files are inconsistent ({error}). Rebuild with `{command}`.")


@bp.get("/books")
def search_books():
    """``?q=&limit=&offset=``: books matching q, ranked like the page's search box."""
    query = request.args.get("q", "")
    max_chars = current_app.config["MAX_QUERY_CHARS"]
    if len(query) > max_chars:
        raise BadParameter(f"q must be at most {max_chars} characters, got {len(query)}")
    limit = int_param("limit", 20, 1, current_app.config["MAX_LIMIT"])
    offset = int_param("offset", 0, 0, 10**9)
    total, books = catalogue().search(query, limit, offset)
    return jsonify(query=query, total=total, limit=limit, offset=offset, books=books)


@bp.get("/books/<raw_id>")
def get_book(raw_id: str):
    """One book of the catalogue by book_id."""
    book_id = parse_book_id(raw_id)
    book = book_or_404(catalogue(), book_id)
    if book is None:
        return json_error(404, f"No book with book_id {book_id} in the catalogue.")
    return jsonify(book)


@bp.get("/books/<raw_id>/similar")
def similar_books(raw_id: str):
    """``?k=``: the k books nearest by the rating model's book vectors (cosine), plus the
    tags model's neighbors under ``content`` when content_similar.json was built, the book's
    whole series in reading order under ``series`` ([] without one) and up to k other books of
    its first author outside that series, most rated first, under ``by_author``."""
    book_id = parse_book_id(raw_id)
    k = int_param("k", 10, 1, current_app.config["MAX_K"])
    cat = catalogue()
    book = book_or_404(cat, book_id)
    if book is None:
        return json_error(404, f"No book with book_id {book_id} in the catalogue.")
    similar = [{**other, "similarity": round(sim, 6)} for other, sim in cat.similar(book_id, k)]
    return jsonify(
        book=book,
        k=k,
        similar=similar,
        content=cat.content_neighbors(book_id, k),
        series=cat.series_books(book_id),
        by_author=cat.by_author(book_id, k),
    )
