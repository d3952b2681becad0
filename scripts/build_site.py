"""Assemble the static site: web/ sources + each stage's web/ folder (model/layout.py) + TF.js.

    python scripts/build_site.py --artifacts artifacts --out static

The result is built in a hidden staging directory next to ``--out`` and swapped into place
only when complete, in one atomic step where Linux allows (``model/atomic.py``), so a running
server never sees a half-built site or a moment without one. A build killed half-way leaves its
staging directory behind; the next build removes it. SIGTERM cleans up at once.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import logging
import os
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.atomic import atomic_dir  # noqa: E402  (no TensorFlow)
from model.layout import missing, model_dir, web_dirs  # noqa: E402

log = logging.getLogger("build_site")
POPULAR_MARKER = "<!-- build_site: popular books -->"
# The most popular books, written into index.html: the first screen can be searched and picked
# before books.json (2 MB) and the model arrive. Two pages of the page's 20.
POPULAR_BOOKS = 40
# books.json cut into parts of this many rows (catalogue/part-NNN.<hash>.json): before the
# catalogue is in, a phone fetches only the parts that hold the books its first suggestions name.
CATALOGUE_PART_ROWS = 100
# The catalogue's parts the page asks for as its code starts (first_files): the 200 most rated
# books, of which a first suggestion (a popular book picked) names most; a few KiB each.
FIRST_PARTS = 2
PRECACHE_PLACEHOLDER = '{ build: "unbuilt", files: {} }'  # in web/sw.js
# What the site build adds (build, site_files, catalogue_parts) goes in a file of its own: the
# stages' files (metadata.json, map.json) reach static/ as their stage wrote them, one writer each.
SITE_FACTS = "site.json"
# What index.html loads: the href of its <link>s and the src of its <script>s.
_PAGE_FILE = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"')
# Fetched by the page when they exist: the explorer writes content_similar.json and genres.json;
# goodreads.json comes with the model (an older build has none).
OPTIONAL_PRECACHE = ("content_similar.json", "genres.json", "goodreads.json")
# Fetched by index.html's modules after the first screen (not named in the page, so that they
# never compete with it): the catalogue (+ the model's worker and its modules: worker_files,
# TF.js, the model) and the site build's own facts.
LATER_PRECACHE = (SITE_FACTS, "metadata.json", "books.json")
TFJS_FILE = "tf.fesm.min.js"  # one ES module; web/js/*.js import ../vendor/tf.fesm.min.js
# The page's entry module and the model's worker, each bundled at build (bundle_modules) into one
# file in place of its source: on a phone every module is a request and every level of imports
# a round trip (30 modules took a second of them before the first suggestion could start).
# Left out of both, as modules of their own beside TF.js: the modules that import TF.js
# (BUNDLE_EXTERNAL; a bundle would import it from its first line, and the page never needs it)
# and TF.js itself. map.html keeps the sources as they are.
PAGE_ENTRY = "js/main.js"
BUNDLE_EXTERNAL = ("./vendor/*", "./js/recommend.js", "./js/layers.js")
BUNDLE_OPTIONS = (
    "--bundle",
    "--format=esm",
    "--platform=browser",
    "--target=es2020",
    "--minify",
    "--keep-names",  # LoadError and the rest keep their names in messages and stack traces
    "--charset=utf8",
    "--allow-overwrite",  # each bundle replaces its entry's source
    "--log-level=error",
)
# What the page uses of TF.js (scripts/tfjs-entry.js), bundled by esbuild into TFJS_FILE: all at
# the version the model was exported for (metadata.json's tfjs_version).
TFJS_PACKAGES = ("@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs-backend-cpu")
TFJS_ENTRY = ROOT / "scripts" / "tfjs-entry.js"
# One minified ES module for the browsers that run module workers (the model runs in one). The
# sources' licence comments go to TFJS_NOTICES rather than into every visitor's download.
ESBUILD_OPTIONS = (
    "--bundle",
    "--format=esm",
    "--platform=browser",
    "--target=es2020",
    "--minify",
    "--legal-comments=external",
    "--log-level=error",
)
TFJS_BANNER = "/*! TensorFlow.js {version} (core, layers, cpu backend): vendor/tfjs-LICENSE.txt */"
# The licences of the TF.js we ship (the npm packages have no licence file of their own; their
# package.json says Apache-2.0) and of the packages bundled with it: web/vendor/tfjs-LICENSE.txt,
# served beside it, which names each of them (bundle_tfjs checks). TFJS_NOTICES: the copyright
# and licence comments of the bundled sources, as esbuild collected them.
TFJS_LICENSE = "vendor/tfjs-LICENSE.txt"
TFJS_NOTICES = "vendor/tfjs-NOTICES.txt"
# The files the page checks against site.json's site_files (the build they belong to).
BUILD_FILES = (
    "metadata.json",
    "books.json",
    "goodreads.json",
    "genres.json",
    "content_similar.json",
    "map.json",
)
# The model's worker, from which its modules are found (worker_files): they are not
# content-hashed (TF.js is), so a rebuild between the page and its worker's requests would run
# another build's code beside the page; the page checks them against site_files too
# (web/js/model-client.js: the .js names of site_files).
WORKER = "model-worker.js"
# A module's relative imports, static (`from "./x.js"`) or dynamic (`import("./x.js")`).
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}/[^"']+\.m?js)["']""")
BUILD_META = '<meta name="shelf-build" content="{build}" />'
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
# Brotli at quality 11 takes seconds per megabyte; the same bytes (TF.js above all) come back
# build after build, so their compressed forms are kept here by content hash.
COMPRESS_CACHE = ROOT / ".cache" / "precompressed"


class BuildError(Exception):
    """The inputs are missing or inconsistent; the message says what to run."""


@dataclass
class SiteConfig:
    artifacts: Path
    out: Path
    web: Path
    node_modules: Path
    compress_cache: Path | None = field(default=COMPRESS_CACHE)


def parse_args(argv: list[str] | None = None) -> SiteConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="artifacts root (reads model/, explorer/)")
    parser.add_argument("--out", default="static", help="where to write the site (replaced atomically)")
    parser.add_argument("--web", default=str(ROOT / "web"), help="the page's sources")
    parser.add_argument("--node-modules", default=str(ROOT / "node_modules"), help="npm install location")
    parser.add_argument(
        "--compress-cache",
        default=str(COMPRESS_CACHE),
        help="where brotli/gzip forms are kept by content hash between builds ('' for none)",
    )
    args = parser.parse_args(argv)
    cache = Path(args.compress_cache) if args.compress_cache else None
    return SiteConfig(Path(args.artifacts), Path(args.out), Path(args.web), Path(args.node_modules), cache)


def installed_tfjs_version(node_modules: Path) -> str:
    """The version of the TFJS_PACKAGES installed in ``node_modules``, which must all have one."""
    versions = {}
    for package in TFJS_PACKAGES:
        manifest = node_modules / package / "package.json"
        if not manifest.is_file():
            raise BuildError(f"{manifest} is missing. Install the npm packages: `make install` (npm ci).")
        versions[package] = json.loads(manifest.read_text())["version"]
    if len(set(versions.values())) != 1:
        found = ", ".join(f"{package} {version}" for package, version in versions.items())
        raise BuildError(f"node_modules mixes TF.js versions ({found}); run `make install` (npm ci).")
    return versions[TFJS_PACKAGES[0]]


def check_inputs(cfg: SiteConfig) -> str:
    """Return the version of TF.js to bundle after checking every input."""
    artifacts_web = model_dir(cfg.artifacts) / "web"
    for name in ("metadata.json", "books.json", "model/model.json"):
        if not (artifacts_web / name).is_file():
            how = f"train the model first: `python -m model.train --out {cfg.artifacts}` (or `make build`)."
            raise BuildError(missing(cfg.artifacts, artifacts_web / name, how))
    if not (cfg.web / "index.html").is_file():
        raise BuildError(f"{cfg.web / 'index.html'} is missing: --web must point at the page's sources.")
    if not (cfg.web / TFJS_LICENSE).is_file():
        raise BuildError(f"{cfg.web / TFJS_LICENSE} is missing: the site ships TF.js, so its licence too.")
    version = installed_tfjs_version(cfg.node_modules)
    wanted = json.loads((artifacts_web / "metadata.json").read_text()).get("tfjs_version")
    if wanted and wanted != version:
        raise BuildError(
            f"the model was exported for TF.js {wanted} but node_modules has {version}; "
            "run `make install` (npm ci) so package-lock.json's pinned version is installed."
        )
    return version


@dataclass(frozen=True)
class TfjsBundle:
    """TF.js as the site ships it: ``code`` (TFJS_FILE's bytes), ``notices`` (the licence
    comments of its sources) and ``packages``, the npm packages whose code it holds."""

    code: bytes
    notices: str
    packages: tuple[str, ...]


def bundled_packages(metafile: dict) -> tuple[str, ...]:
    """The npm packages with code in the output of esbuild's ``metafile``, sorted.

    ``{"outputs": {"x.js": {"inputs": {"node_modules/long/src/long.js": {"bytesInOutput": 9}}}}}``
    -> ``("long",)``; an input esbuild left empty (``(disabled):crypto``) holds none.
    """
    packages = set()
    for output in metafile["outputs"].values():
        for path, used in output.get("inputs", {}).items():
            found = re.search(r".*node_modules/((?:@[^/]+/)?[^/]+)/", path)
            if found and used["bytesInOutput"] > 0 and not path.startswith("(disabled):"):
                packages.add(found.group(1))
    return tuple(sorted(packages))


def bundle_tfjs(node_modules: Path, version: str) -> TfjsBundle:
    """Bundle scripts/tfjs-entry.js with the TF.js packages of ``node_modules`` (and its esbuild).

    The entry goes in on stdin, so that its imports resolve in ``node_modules`` (not in the
    node_modules beside this script); the same inputs give the same bytes.
    """
    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise BuildError(
            f"{esbuild} is missing: the site bundles TF.js with it. Run `make install` (npm ci)."
        )
    with tempfile.TemporaryDirectory(prefix="shelf-tfjs-") as work:
        out, meta = Path(work) / TFJS_FILE, Path(work) / "meta.json"
        command = [
            str(esbuild),
            *ESBUILD_OPTIONS,
            f"--banner:js={TFJS_BANNER.format(version=version)}",
            f"--sourcefile={TFJS_ENTRY.name}",
            f"--outfile={out}",
            f"--metafile={meta}",
        ]
        try:
            result = subprocess.run(
                command,
                cwd=node_modules.parent,
                input=TFJS_ENTRY.read_bytes(),
                capture_output=True,
                timeout=300,
            )
        except OSError as error:  # esbuild's launcher needs node
            raise BuildError(f"esbuild could not run ({error}); run `make install`.") from error
        if result.returncode != 0:
            lines = result.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
            first = next((line for line in lines if "[ERROR]" in line), lines[0])
            reason = re.sub(r"^.*?\[ERROR\]\s*", "", first).strip()
            raise BuildError(f"esbuild could not bundle TF.js ({reason}); run `make install` (npm ci).")
        legal = out.with_name(out.name + ".LEGAL.txt")
        notices = legal.read_text(encoding="utf-8") if legal.is_file() else ""
        return TfjsBundle(out.read_bytes(), notices, bundled_packages(json.loads(meta.read_text())))


def check_licences(bundle: TfjsBundle, licence: str) -> None:
    """Every npm package with code in the bundle is named in the licence file that ships with it."""
    unnamed = [
        package
        for package in bundle.packages
        if not re.search(rf"(?<![\w@/.-]){re.escape(package)}(?![\w/.-])", licence)
    ]
    if unnamed:
        raise BuildError(
            f"TF.js bundles {', '.join(unnamed)}, which {TFJS_LICENSE} does not name: add its licence there."
        )


def versioned_name(name: str, data: bytes) -> str:
    """``tf.fesm.min.js`` -> ``tf.fesm.min.<first 16 hex of its sha256>.js``."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:16]}{dot}{suffix}"


def assemble(cfg: SiteConfig, tfjs: TfjsBundle, into: Path) -> None:
    """Copy the sources, the exported model files and TF.js into the empty directory ``into``.

    TF.js goes in under a name that carries its content hash, so browsers may cache it for a
    year (server/site.py, firebase.json) and an upgrade is a new name; the references to it in
    the pages and modules are rewritten to that name. Its notices go beside it.
    """
    shutil.copytree(cfg.web, into, dirs_exist_ok=True)
    # Hidden entries are never part of the site (a killed stage's staging directory, say).
    for web in (d for d in web_dirs(cfg.artifacts) if d.is_dir()):  # each stage's, read only
        shutil.copytree(web, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    (into / "vendor").mkdir(exist_ok=True)
    versioned = versioned_name(TFJS_FILE, tfjs.code)
    (into / "vendor" / versioned).write_bytes(tfjs.code)
    (into / TFJS_NOTICES).write_text(tfjs.notices, encoding="utf-8")
    for source in [*into.glob("*.html"), *into.glob("js/*.js")]:
        text = source.read_text(encoding="utf-8")
        if f"vendor/{TFJS_FILE}" in text:
            source.write_text(text.replace(f"vendor/{TFJS_FILE}", f"vendor/{versioned}"), encoding="utf-8")


def bundle_modules(site: Path, node_modules: Path) -> None:
    """Bundle PAGE_ENTRY and WORKER of ``site`` in place, each with every module it imports
    (dynamically too) but BUNDLE_EXTERNAL, whose import paths esbuild keeps pointing at them.
    An entry the sources lack is left alone."""
    esbuild = node_modules / ".bin" / "esbuild"
    for entry in (PAGE_ENTRY, WORKER):
        if not (site / entry).is_file():
            continue
        command = [
            str(esbuild),
            entry,
            *BUNDLE_OPTIONS,
            *(f"--external:{path}" for path in BUNDLE_EXTERNAL),
            f"--outdir={posixpath.dirname(entry) or '.'}",
        ]
        try:
            result = subprocess.run(command, cwd=site, capture_output=True, timeout=300)
        except OSError as error:
            raise BuildError(f"esbuild could not run ({error}); run `make install`.") from error
        if result.returncode != 0:
            lines = result.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
            raise BuildError(f"esbuild could not bundle {entry}: {lines[0]}")


def write_books_by_line(site: Path) -> None:
    """Rewrite ``books.json`` one book per line (the same JSON value): the page parses it a slice
    of lines at a time, so no single main-thread task parses all 2 MB (web/js/loader.js,
    ``parseBookLines``)."""
    path = site / "books.json"
    books = json.loads(path.read_text(encoding="utf-8"))
    lines = ",\n".join(json.dumps(book, ensure_ascii=False, separators=(",", ":")) for book in books)
    path.write_text(f"[\n{lines}\n]\n" if books else "[\n]\n", encoding="utf-8")


def popular_books(books: list[dict], count: int) -> list[int]:
    """The rows of the ``count`` books with the most ratings, ties to the lower row: the order
    of web/js/search.js's ``popularity``, which shows them when the search box is empty."""
    order = sorted(range(len(books)), key=lambda row: (-(books[row].get("ratings_count") or 0), row))
    return order[:count]


def add_popular_books(site: Path) -> None:
    """Write the most popular books into index.html (``POPULAR_MARKER``), with what picking needs.

    ``<script type="application/json" id="popular-books">`` (data, never run: the CSP allows no
    inline script and needs none): ``{rows, books, default_pick_stars, min_stars, max_stars,
    books_json_bytes}``, ``books`` as in books.json, ``rows`` their rows (web/js/main.js).
    """
    index = site / "index.html"
    text = index.read_text(encoding="utf-8")
    if POPULAR_MARKER not in text:
        return
    books = json.loads((site / "books.json").read_text(encoding="utf-8"))
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    rows = popular_books(books, POPULAR_BOOKS)
    data = {
        "rows": rows,
        "books": [books[row] for row in rows],
        **{key: metadata.get(key) for key in ("default_pick_stars", "min_stars", "max_stars")},
        "books_json_bytes": (site / "books.json").stat().st_size,
    }
    # "<" only ever occurs inside JSON strings, where \u003c means the same: no "</script>".
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    block = f'<script type="application/json" id="popular-books">{payload}</script>'
    index.write_text(text.replace(POPULAR_MARKER, block), encoding="utf-8")


def first_files(site: Path, catalogue_parts: dict) -> list[str]:
    """What the first suggestion waits for beside metadata.json, relative to ``site``: TF.js and
    the shards of the model's first part (model.json's later_shards are not), which the model's
    worker fetches, then the catalogue's first FIRST_PARTS parts, which name most first
    suggestions (goodbooks numbers its books by ratings; downloads.js namesFor)."""
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    model_url = metadata.get("model_url", "model/model.json")
    model_json = json.loads((site / model_url).read_text(encoding="utf-8"))
    later = (model_json.get("userDefinedMetadata") or {}).get("later_shards") or {}
    base = posixpath.dirname(model_url)
    shards = [
        posixpath.join(base, path)
        for group in model_json["weightsManifest"]
        for path in group["paths"]
        if path not in later
    ]
    tfjs = sorted(p.relative_to(site).as_posix() for p in (site / "vendor").glob("tf.fesm.min.*.js"))
    parts = catalogue_parts.get("files", [])[:FIRST_PARTS]
    return [*tfjs, *shards, *parts]


def add_first_files(site: Path, catalogue_parts: dict) -> None:
    """Name first_files in index.html (``<meta name="shelf-first-files" content="a b ...">``,
    before main.js): the page asks for them (preload) as soon as its code runs, beside the start
    of the model's worker, which would otherwise ask for TF.js and the shards only once it is
    running and has read model.json, two round trips later on a phone, and the page for the parts
    only once the model has scored the picks (web/js/boot.js). All are content-hashed (cached for
    a year), so the worker's requests find them in the HTTP cache. A page without main.js is left alone."""
    index = site / "index.html"
    text = index.read_text(encoding="utf-8")
    script = f'<script type="module" src="{PAGE_ENTRY}"></script>'
    if script not in text:
        return
    names = html.escape(" ".join(first_files(site, catalogue_parts)))
    meta = f'<meta name="shelf-first-files" content="{names}" />\n    '
    index.write_text(text.replace(script, meta + script, 1), encoding="utf-8")


def add_catalogue_parts(site: Path, rows: int = CATALOGUE_PART_ROWS) -> dict:
    """Cut ``books.json`` into parts of ``rows`` books (the last may be shorter), each a JSON
    list of the same book objects in row order, named with a content hash (cacheable for a
    year); returns ``catalogue_parts`` for ``site.json``: ``{"rows": rows, "files":
    [...]}`` (part k holds rows k * rows onwards). The page fetches the parts its first
    suggestions need while ``books.json`` waits (web/js/downloads.js, namesFor), on a visit the
    service worker serves too (they are precached).
    """
    books = json.loads((site / "books.json").read_text(encoding="utf-8"))
    (site / "catalogue").mkdir(exist_ok=True)
    files = []
    for k, start in enumerate(range(0, len(books), rows)):
        data = json.dumps(books[start : start + rows], ensure_ascii=False, separators=(",", ":")).encode()
        name = f"catalogue/{versioned_name(f'part-{k:03d}.json', data)}"
        (site / name).write_bytes(data)
        files.append(name)
    return {"rows": rows, "files": files}


def module_graph(site: Path, entries: list[str]) -> list[str]:
    """``entries`` and every module they import, directly or not, statically or dynamically,
    relative to ``site``; TF.js (vendor/) left out."""
    found, todo = set(), list(entries)
    while todo:
        name = todo.pop()
        if name in found or name.startswith("vendor/") or not (site / name).is_file():
            continue
        found.add(name)
        source = (site / name).read_text(encoding="utf-8")
        base = posixpath.dirname(name)
        todo += [posixpath.normpath(posixpath.join(base, ref)) for ref in _IMPORT.findall(source)]
    return sorted(found)


def worker_files(site: Path) -> list[str]:
    """The model's worker and every module it imports (module_graph), relative to ``site``: what
    the page checks before it uses the worker's model. TF.js (content-hashed by name) is its own
    check."""
    return module_graph(site, [WORKER])


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
    # them too, before books.json (web/js/main.js, deferCatalogue).
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
    another's (web/js/loader.js, model-client.js). Returns the id.
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


def build_site(cfg: SiteConfig) -> None:
    """Build ``cfg.out`` from the sources, the artifacts and node_modules."""
    version = check_inputs(cfg)
    tfjs = bundle_tfjs(cfg.node_modules, version)
    check_licences(tfjs, (cfg.web / TFJS_LICENSE).read_text(encoding="utf-8"))
    with atomic_dir(cfg.out) as staging:
        assemble(cfg, tfjs, staging)
        bundle_modules(staging, cfg.node_modules)
        write_books_by_line(staging)
        add_popular_books(staging)
        parts = add_catalogue_parts(staging)
        add_first_files(staging, parts)
        build = stamp_build(staging, {"catalogue_parts": parts})
        add_precache_manifest(staging, build)
        precompress(staging, cfg.compress_cache)
    files = sum(1 for path in cfg.out.rglob("*") if path.is_file())
    log.info(
        "built %s: %d files, TF.js %s bundled (%d KB), build %s",
        cfg.out,
        files,
        version,
        len(tfjs.code) // 1000,
        build,
    )


def exit_on_sigterm(signum, frame) -> None:
    """SIGTERM ends the build like Ctrl-C does: through ``finally``, which removes the staging."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cfg = parse_args(argv)
    try:
        build_site(cfg)
    except BuildError as error:
        log.error("build_site: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    sys.exit(main())
