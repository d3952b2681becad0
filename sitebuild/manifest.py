"""The build's stamp: one build id for the whole site, site.json (the build's facts and the
files the page checks) and the service worker's precache list in sw.js."""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
from pathlib import Path

from sitebuild.bundle import module_graph, worker_files
from sitebuild.common import SITE_FACTS, BuildError

PRECACHE_PLACEHOLDER = '{ build: "unbuilt", files: {} }'  # in web/sw.js
# What index.html loads: the href of its <link>s and the src of its <script>s.
_PAGE_FILE = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"')
# Fetched by the page when they exist: the explorer writes content_similar.json and genres.json;
# goodreads.json comes with the model (an older build has none).
OPTIONAL_PRECACHE = ("content_similar.json", "genres.json", "goodreads.json")
# Fetched by index.html's modules after the first screen (not named in the page, so that they
# never compete with it): the catalogue (+ the model's worker and its modules: worker_files,
# TF.js, the model) and the site build's own facts.
LATER_PRECACHE = (SITE_FACTS, "metadata.json", "books.json")
# The files the page checks against site.json's site_files (the build they belong to).
BUILD_FILES = (
    "metadata.json",
    "books.json",
    "goodreads.json",
    "genres.json",
    "content_similar.json",
    "map.json",
)
BUILD_META = '<meta name="shelf-build" content="{build}" />'


def later_files(site: Path) -> set[str]:
    """What the page fetches after its first screen: LATER_PRECACHE, TF.js, model.json, shards."""
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    model_url = metadata.get("model_url", "model/model.json")
    model_json = json.loads((site / model_url).read_text(encoding="utf-8"))
    base = posixpath.dirname(model_url)
    shards = {
        posixpath.join(base, path) for group in model_json["weightsManifest"] for path in group["paths"]
    }
    tfjs = {p.relative_to(site).as_posix() for p in (site / "vendor").glob("tf.fesm.min.*.js")}
    # (where the sources have them: a test's tiny sources do not)
    later = {name for name in LATER_PRECACHE if (site / name).is_file()}
    later.update(worker_files(site))
    # The catalogue's parts: a visit the service worker serves names its first suggestions with
    # them too, before books.json (web/js/page-state.js, catalogueWaitsForModel).
    facts = json.loads((site / SITE_FACTS).read_text(encoding="utf-8"))
    parts = facts.get("catalogue_parts", {}).get("files", [])
    return {*later, model_url, *shards, *tfjs, *parts}


def precache_files(site: Path) -> list[str]:
    """The files a visit to index.html needs, relative to the site: the service worker's list."""
    page = (site / "index.html").read_text(encoding="utf-8")
    files = {"index.html"}
    for ref in _PAGE_FILE.findall(page):
        ref = html.unescape(ref)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", ref):  # another origin, data:, absolute, fragment
            continue
        files.add(posixpath.normpath(ref))
    # What the page's modules import (its bundle: the modules with TF.js, should it run the model itself).
    files.update(module_graph(site, [name for name in files if name.endswith(".js")]))
    files.update(name for name in OPTIONAL_PRECACHE if (site / name).is_file())
    files.update(later_files(site))
    missing = sorted(name for name in files if not (site / name).is_file())
    if missing:
        raise BuildError(f"index.html loads {', '.join(missing)}, which the site lacks")
    return sorted(files)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stamp_build(site: Path, facts: dict) -> str:
    """Give the site one build id and make every file the page fetches checkable against it.

    The id is a hash of every file of the assembled site, so any change makes a new one. It
    goes into each page (``<meta name="shelf-build">``) and into ``site.json`` (``build``), with
    ``facts`` and ``site_files``: the SHA-256 and size of ``metadata.json``, ``books.json``,
    ``model.json``, the optional JSON files and the model worker's modules (``worker_files``). No
    stage's file is rewritten. The page checks ``site.json`` against its own build and each of
    those files against ``site_files`` (the
    shards are checked against ``model.json``), so it never pairs one build's files with
    another's (web/js/checked-fetch.js, model-client.js). Returns the id.
    """
    files = sorted(p for p in site.rglob("*") if p.is_file())
    digests = {p.relative_to(site).as_posix(): file_digest(p) for p in files}
    build = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()[:16]
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    names = [*BUILD_FILES, *worker_files(site), metadata.get("model_url", "model/model.json")]
    site_files = {
        name: {"sha256": file_digest(site / name), "bytes": (site / name).stat().st_size}
        for name in sorted(names)
        if (site / name).is_file()
    }
    stamped = {**facts, "build": build, "site_files": site_files}
    (site / SITE_FACTS).write_text(json.dumps(stamped, ensure_ascii=False), encoding="utf-8")
    meta = BUILD_META.format(build=build)
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        charset = re.search(r"<meta charset=[^>]*>", text) or re.search(r"<head[^>]*>", text)
        at = charset.end() if charset else 0
        page.write_text(f"{text[:at]}\n    {meta}{text[at:]}", encoding="utf-8")
    return build


def add_precache_manifest(site: Path, build: str) -> None:
    """Write into sw.js the build's id and the SHA-256 of every file it caches.

    A build that changes any file changes the id, hence sw.js, which is what makes browsers
    install the new service worker (which waits until the page asks for it: web/sw.js).
    """
    digests = {name: file_digest(site / name) for name in precache_files(site)}
    worker = site / "sw.js"
    text = worker.read_text(encoding="utf-8") if worker.is_file() else ""
    if PRECACHE_PLACEHOLDER not in text:
        raise BuildError(f"{worker} lacks the precache placeholder {PRECACHE_PLACEHOLDER}")
    manifest = json.dumps({"build": build, "files": digests}, indent=2)
    worker.write_text(text.replace(PRECACHE_PLACEHOLDER, manifest), encoding="utf-8")
