"""What every response gets: security headers, JSON errors and gzip compression."""

from __future__ import annotations

import gzip

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

# Own scripts and styles only. Covers come from Goodreads' image hosts; the model, the
# catalogue and TF.js are fetched from this origin. 'wasm-unsafe-eval' lets WebAssembly compile
# (never JavaScript's eval): TF.js's bundled long.js builds a tiny WebAssembly module when it
# loads, which was reported as a 'wasm-eval' violation on every page that computes suggestions.
COVER_HOSTS = "https://images.gr-assets.com https://s.gr-assets.com"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    f"img-src 'self' data: {COVER_HOSTS}; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/octet-stream",  # model shards: float weights still shrink a little
    "image/svg+xml",
)


def json_error(status: int, message: str) -> tuple[Response, int]:
    """A JSON error body: ``{"error": message, "status": status}``."""
    return jsonify(error=message, status=status), status


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Gzip ``data`` reproducibly (mtime 0) so the same file gives the same bytes and ETag."""
    return gzip.compress(data, compresslevel=level, mtime=0)


def accepted_encodings(header: str | None) -> dict[str, float]:
    """``Accept-Encoding`` as {coding (lower case): q}; a q that is not a number counts as 0.

    Parsed here rather than with werkzeug's ``Accept``, which gives ``br`` the q of ``*`` in
    ``*, br;q=0`` (it matches the first item by quality, not the most specific one).
    """
    codings: dict[str, float] = {}
    for item in (header or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if not coding:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                q = q if 0.0 <= q <= 1.0 else 0.0  # also NaN
        codings[coding.lower()] = q
    if "x-gzip" in codings:
        codings.setdefault("gzip", codings["x-gzip"])
    return codings


def choose_encoding(header: str | None, available) -> str | None:
    """The content coding to send among ``available`` (best first, e.g. ``("br", "gzip")``), or
    None for the file's own bytes: the client's highest q above 0, ties to the earlier one.

    A coding the client named gets its own q, else the q of ``*``; one it did not accept (q=0,
    absent, or no ``Accept-Encoding`` at all) is never chosen.
    """
    codings = accepted_encodings(header)
    best, best_q = None, 0.0
    for coding in available:
        q = codings.get(coding, codings.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


def accepts_gzip() -> bool:
    """Whether the client accepts gzip (``Accept-Encoding``; q=0 refuses it)."""
    return choose_encoding(request.headers.get("Accept-Encoding"), ("gzip",)) == "gzip"


def is_compressible(mimetype: str | None) -> bool:
    """Whether a body of this type is worth compressing."""
    return bool(mimetype) and mimetype.startswith(COMPRESSIBLE_TYPES)


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the JSON API's (errors in JSON, no-cache, gzip made here)."""
    return path.startswith("/api/") or path == "/healthz"


def install_response_policy(app: Flask) -> None:
    """Register the error handlers and the before- and after-request hooks on ``app``."""

    @app.before_request
    def api_options():
        # Flask's automatic OPTIONS answer is an empty text/html 200; the API's is a 204 with
        # ``Allow``, like the static files'. An unknown API path is the site blueprint's JSON 404.
        rule = request.url_rule
        if request.method == "OPTIONS" and is_api_path(request.path) and request.blueprint != "site" and rule:
            response = Response(status=204, headers={"Allow": ", ".join(sorted(rule.methods or ()))})
            del response.headers["Content-Type"]  # no body, so no type (Flask's default is HTML)
            return response
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_path(request.path):
            response, status = json_error(error.code or 500, error.description or error.name)
            for name, value in error.get_headers():  # e.g. a 405's Allow
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response, status
        return error

    @app.after_request
    def finish(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if is_api_path(request.path):
            response.headers.setdefault("Cache-Control", "no-cache")
            compress_dynamic(app, response)
        return response


def compress_dynamic(app: Flask, response: Response) -> None:
    """Gzip an API response in place when the client accepts it and it is big enough."""
    response.vary.add("Accept-Encoding")
    if (
        response.direct_passthrough
        or "Content-Encoding" in response.headers
        or not is_compressible(response.mimetype)
        or not accepts_gzip()
    ):
        return
    data = response.get_data()
    if len(data) < app.config["GZIP_MIN_BYTES"]:
        return
    response.set_data(gzip_bytes(data))
    response.headers["Content-Encoding"] = "gzip"
