"""What every step of the site build shares: the repository's root, the build's error, its
configuration and the content-hashed names of the files it writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Brotli at quality 11 takes seconds per megabyte; the same bytes (TF.js above all) come back
# build after build, so their compressed forms are kept here by content hash (precompress.py).
COMPRESS_CACHE = ROOT / ".cache" / "precompressed"
# What the site build adds (build, site_files, catalogue_parts) goes in a file of its own: the
# stages' files (metadata.json, map.json) reach static/ as their stage wrote them, one writer each.
SITE_FACTS = "site.json"


class BuildError(Exception):
    """The inputs are missing or inconsistent; the message says what to run."""


@dataclass
class SiteConfig:
    artifacts: Path
    out: Path
    web: Path
    node_modules: Path
    compress_cache: Path | None = field(default=COMPRESS_CACHE)


def versioned_name(name: str, data: bytes) -> str:
    """``tf.fesm.min.js`` -> ``tf.fesm.min.<first 16 hex of its sha256>.js``."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:16]}{dot}{suffix}"
