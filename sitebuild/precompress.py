"""The brotli and gzip forms written beside the site's files (server/site.py sends them)."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import brotli

# Written beside every file of these kinds (server/site.py sends them to clients that accept
# them): brotli at its best quality, gzip at 9; only when at least PAYS smaller, and for files of
# at least PRECOMPRESS_MIN_BYTES (server/__init__.py GZIP_MIN_BYTES).
PRECOMPRESS_SUFFIXES = (
    ".html",
    ".js",
    ".mjs",
    ".css",
    ".json",
    ".svg",
    ".txt",
    ".wasm",
    ".bin",
    ".map",
    ".webmanifest",
)
PRECOMPRESS_MIN_BYTES = 512
PAYS = 0.95
BROTLI_QUALITY = 11


def compressed(data: bytes, coding: str, cache: Path | None) -> bytes:
    """``data`` in ``coding`` ("br" or "gzip", reproducible: same bytes in, same bytes out),
    taken from ``cache`` when an earlier build compressed the same bytes."""
    key = f"{hashlib.sha256(data).hexdigest()}.{coding}{BROTLI_QUALITY if coding == 'br' else 9}"
    if cache is not None and (cache / key).is_file():
        return (cache / key).read_bytes()
    if coding == "br":
        body = brotli.compress(data, quality=BROTLI_QUALITY)
    else:
        body = gzip.compress(data, compresslevel=9, mtime=0)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f".{key}.{os.getpid()}"
        partial.write_bytes(body)
        partial.replace(cache / key)  # another build may write the same key: either will do
    return body


def precompress(site: Path, cache: Path | None) -> int:
    """Write ``<file>.br`` and ``<file>.gz`` beside each text, JSON, wasm and weight file of
    ``site`` where they are at least 5% smaller; returns how many were written.

    Runs last, on the final bytes: the build id and the hashes are of the files themselves,
    and server/site.py sends a compressed form only when it decodes to the file beside it.
    """
    written = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        if path.suffix.lower() not in PRECOMPRESS_SUFFIXES or path.stat().st_size < PRECOMPRESS_MIN_BYTES:
            continue
        data = path.read_bytes()
        for coding, suffix in (("br", ".br"), ("gzip", ".gz")):
            body = compressed(data, coding, cache)
            if len(body) <= PAYS * len(data):
                path.with_name(path.name + suffix).write_bytes(body)
                written += 1
    return written
