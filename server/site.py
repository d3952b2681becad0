"""Serves the built site from ``STATIC_DIR``: caching, compression, no listings, no traversal.

Compression: sitebuild/precompress.py writes ``<file>.br`` and ``<file>.gz`` beside each text,
JSON, wasm and weight file where they pay; each is sent only to a client that accepts that
coding and only when it decodes to exactly the file beside it (else gzip made here, or the
file's own bytes). Byte ranges are always of the file's own bytes.

Caching: files whose name carries a content hash (the model shards, the vendored TF.js) are
cached for a year as immutable; everything else (HTML, JSON, our own JS and CSS, the licence)
is ``no-cache``, i.e. revalidated with its ETag each time. firebase.json has the same rule.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Blueprint, Response, abort, current_app, request
from werkzeug.datastructures import ContentRange, Range
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.security import safe_join

from server.http import choose_encoding, gzip_bytes, is_compressible

bp = Blueprint("site", __name__)
log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# "group1-shard1of1.3fa2c9d1e0.bin", "tf.fesm.min.0123abcd4567ef01.js": a hex content hash before
# the suffix (firebase.json's immutable rule is this regex too).
_HASHED_NAME = re.compile(r"[.-][0-9a-f]{8,}\.[a-z0-9]+$")
_MAX_CACHED_BYTES = 64 * 1024 * 1024
_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".bin": "application/octet-stream",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".map": "application/json",
}


# The precompressed forms sitebuild/precompress.py writes beside a file, best first.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
_ETAG_SUFFIX = {"br": "-br", "gzip": "-gz"}


@dataclass(frozen=True)
class StaticFile:
    """One file's bytes, its compressed forms that decode to exactly those bytes, and its ETag.

    ``encoded`` maps a content coding ("br", "gzip") to its body; the ETag of each form is
    ``etag`` plus ``-br`` / ``-gz``, so a cache never mixes the forms up.
    """

    data: bytes
    encoded: dict[str, bytes]
    etag: str
    mimetype: str


def decodes_to(coding: str, body: bytes, data: bytes) -> bool:
    """Whether ``body``, a ``coding`` form of a file, decodes to exactly ``data``.

    A precompressed file that is truncated, corrupt or of another build than the file beside
    it (a rebuild in between, a half-copied deploy) fails this and is never sent.
    """
    try:
        if coding == "gzip":
            decoder = zlib.decompressobj(wbits=31)  # gzip header and trailer (CRC, length)
            decoded = decoder.decompress(body, len(data) + 1)
            # (nothing after the gzip member either: a browser may refuse trailing bytes)
            return decoder.eof and not decoder.unconsumed_tail and not decoder.unused_data and decoded == data
        decompressor = brotli.Decompressor()
        decoded = decompressor.process(body)
        return decompressor.is_finished() and decoded == data
    except (zlib.error, brotli.error):
        return False


def _open_stat(path: Path):
    """(open file, its stat key) or (None, None) when there is no such file."""
    try:
        file = open(path, "rb")  # closed by the caller
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None, None
    stat = os.fstat(file.fileno())
    return file, (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class StaticFileCache:
    """Keeps read files and their checked compressed forms in memory, keyed by path and the
    mtime, size and inode of the file and of each precompressed form beside it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._files: dict[str, tuple[tuple, StaticFile]] = {}

    def get(self, path: Path) -> StaticFile | None:
        """The file at ``path``, or None when there is none (any more).

        Each open file gives both its part of the key and its bytes, so a rebuild swapping
        ``static/`` in between cannot pair one build's key with the other's bytes; a
        precompressed form of another build than the file is dropped (``decodes_to``).
        """
        file, key = _open_stat(path)
        if file is None:
            return None
        variants = {
            coding: _open_stat(path.with_name(path.name + suffix)) for coding, suffix in PRECOMPRESSED
        }
        try:
            full_key = (key, *(variant[1] for variant in variants.values()))
            with self._lock:
                cached = self._files.get(str(path))
            if cached and cached[0] == full_key:
                return cached[1]
            data = file.read()
            bodies = {
                coding: variant[0].read() for coding, variant in variants.items() if variant[0] is not None
            }
        finally:
            file.close()
            for variant, _ in variants.values():
                if variant is not None:
                    variant.close()
        entry = self._entry(path, data, bodies)
        if len(data) <= _MAX_CACHED_BYTES:
            with self._lock:
                self._files[str(path)] = (full_key, entry)
        return entry

    @staticmethod
    def _entry(path: Path, data: bytes, bodies: dict[str, bytes]) -> StaticFile:
        mimetype = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        mimetype = mimetype or "application/octet-stream"
        encoded = {}
        for coding, body in bodies.items():
            if decodes_to(coding, body, data):
                encoded[coding] = body
            else:
                log.warning(
                    "%s%s does not decode to %s (stale or corrupt): not served",
                    path.name,
                    dict(PRECOMPRESSED)[coding],
                    path,
                )
        compressible = is_compressible(mimetype) and len(data) >= current_app.config["GZIP_MIN_BYTES"]
        if "gzip" not in encoded and compressible:
            gzipped = gzip_bytes(data, level=9)  # once per file and worker, then cached
            if len(gzipped) < len(data):
                encoded["gzip"] = gzipped
        return StaticFile(data, encoded, hashlib.sha256(data).hexdigest()[:32], mimetype)


_cache = StaticFileCache()


def cache_control_for(relative_path: str) -> str:
    """The Cache-Control value for a file of the site (path relative to ``STATIC_DIR``)."""
    if _HASHED_NAME.search(relative_path):
        return IMMUTABLE
    return REVALIDATE


def not_built() -> Response:
    """503 page for a missing site, naming the command that builds it."""
    command = current_app.config["BUILD_COMMAND"]
    body = (
        f"Shelf's site is not built yet: {current_app.config['STATIC_DIR']} has no index.html.\n"
        f"Run `{command}` (it trains the model and builds the site), then reload.\n"
    )
    return Response(body, status=503, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def not_found() -> Response:
    return Response("Not found.\n", status=404, mimetype="text/plain")


ALLOW = "GET, HEAD, OPTIONS"
# Every method a client commonly sends is routed here, so that a path with no file is a 404
# whatever the method (Werkzeug's routing answered a POST to any path with a 405, as if the
# file existed); a file that exists answers the others with a 405 and ``Allow``.
_ROUTED = ["GET", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]


# OPTIONS is answered here, not by Flask's automatic handler (a 200 for any path at all).
@bp.route("/", defaults={"relative_path": ""}, methods=_ROUTED, provide_automatic_options=False)
@bp.route("/<path:relative_path>", methods=_ROUTED, provide_automatic_options=False)
def serve(relative_path: str) -> Response:
    """A file of the built site; directories give their index.html or 404, never a listing.

    OPTIONS: 204 with ``Allow`` for a file that exists, else 404 (no CORS: same origin only);
    another method than GET, HEAD or OPTIONS: 405 for a file that exists, else 404.
    """
    if relative_path.startswith("api/") or relative_path == "healthz":
        # Not a file lookup. A path the API has, in a method it does not take (this rule takes
        # more methods than the API's, so routing picked it): the API's JSON 405. Else an
        # unknown API route: a JSON 404 (server/http.py).
        rule, _ = current_app.url_map.bind("").match("/" + relative_path, method="GET", return_rule=True)
        if rule.endpoint != request.endpoint:
            abort(405, valid_methods=sorted(rule.methods or ()))
        abort(404)
    static_dir = Path(current_app.config["STATIC_DIR"])
    if not (static_dir / "index.html").is_file():
        return not_built()
    parts = [part for part in relative_path.split("/") if part]
    if any(part.startswith(".") or not part.isprintable() or len(part.encode()) > 255 for part in parts):
        # Hidden files, "..", traversal attempts; control characters and names over the 255
        # bytes a file system allows, which no file of the site has (a NUL, or a name too long,
        # made open() raise: a 500).
        return not_found()
    if parts and parts[-1].endswith(tuple(suffix for _, suffix in PRECOMPRESSED)):
        # A compressed form is another encoding of a file, not a file of the site (Firebase
        # Hosting does not deploy them either): asked for by name, it is not found.
        return not_found()
    joined = safe_join(str(static_dir), *parts) if parts else str(static_dir)
    if joined is None:
        return not_found()
    path = Path(joined)
    if path.is_dir():
        path = path / "index.html"
        relative_path = "/".join([*parts, "index.html"])
    entry = _cache.get(path)
    if entry is None:
        return not_found()
    if request.method == "OPTIONS":
        response = Response(status=204, headers={"Allow": ALLOW})
        del response.headers["Content-Type"]  # no body, so no type
        return response
    if request.method not in ("GET", "HEAD"):
        return Response("Method not allowed.\n", status=405, mimetype="text/plain", headers={"Allow": ALLOW})
    return file_response(entry, relative_path)


def usable_range(entry: StaticFile) -> Range | None:
    """The request's byte range to send, or None for the whole file (RFC 9110, 14.2 and 13.1.5).

    One range of bytes; other units and several ranges are ignored (allowed). ``If-Range``
    must match the file's ETag strongly: a weak tag or a date (no Last-Modified is sent) does
    not, and the whole file is sent (Werkzeug's ``If-Range`` check drops the ``W/``). A suffix
    longer than the file is the whole file (Werkzeug's ``range_for_length`` refused it: a 416).
    """
    wanted = request.range
    if wanted is None or wanted.units != "bytes" or len(wanted.ranges) != 1:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != f'"{entry.etag}"':
        return None
    start, stop = wanted.ranges[0]
    if stop is None and start < 0 and -start > len(entry.data):
        return Range("bytes", [(0, None)])
    return wanted


def file_response(entry: StaticFile, relative_path: str) -> Response:
    """200 (brotli or gzip when accepted), 304, or 206 / 416 for a ``Range``, with Vary, ETag,
    Cache-Control and ``Accept-Ranges``.

    The body is in a coding the client accepted (``choose_encoding``), else the file's own
    bytes; each form has its own ETag and Content-Length. A request with a ``Range`` is
    answered with the file's own bytes, never a compressed form, so a download cut off
    half-way (a shard on a phone) resumes where it stopped.

    RFC 9110's order (13.2.2): ``If-None-Match`` first, compared weakly (a ``W/"..."`` tag a
    cache sent back matches): a match is a 304 even with a ``Range``; then ``If-Range``,
    compared strongly (``usable_range``); then the range itself, cut by Werkzeug's
    ``make_conditional`` (206 with ``Content-Range``). A range past the end is a 416 with the
    same Cache-Control, ETag and Vary as the 200.
    """
    headers = {
        "Cache-Control": cache_control_for(relative_path),
        "Vary": "Accept-Encoding",
        "Accept-Ranges": "bytes",
    }
    ranged = request.range is not None
    coding = None
    if not ranged:
        available = [c for c, _ in PRECOMPRESSED if c in entry.encoded]
        coding = choose_encoding(request.headers.get("Accept-Encoding"), available)
    etag = entry.etag + _ETAG_SUFFIX[coding] if coding else entry.etag
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
    body = entry.encoded[coding] if coding else entry.data
    response = Response(body, mimetype=entry.mimetype, headers=headers)
    response.set_etag(etag)
    if coding:
        response.headers["Content-Encoding"] = coding
    wanted = usable_range(entry) if ranged else None
    if wanted is None:
        return response
    # make_conditional reads the request's headers itself; it is given only the method and
    # the range, the conditions above being answered already (its own order puts Range before
    # If-None-Match, and takes a weak If-Range).
    environ = {"REQUEST_METHOD": request.method, "HTTP_RANGE": wanted.to_header()}
    try:
        return response.make_conditional(environ, accept_ranges=True, complete_length=len(entry.data))
    except RequestedRangeNotSatisfiable:
        unsatisfiable = Response("Range not satisfiable.\n", 416, headers, mimetype="text/plain")
        unsatisfiable.set_etag(etag)
        unsatisfiable.content_range = ContentRange("bytes", None, None, len(entry.data))
        return unsatisfiable
