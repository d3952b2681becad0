"""The site build (``python -m sitebuild``): the sources, each stage's web files and TF.js
assembled; the build id, site.json and the service worker's list; the catalogue by line, in
parts and its most popular books in index.html; a failed build keeps the old site."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.servers import ROOT
from harness.sites import write_tiny_site
from server.site import IMMUTABLE, cache_control_for
from sitebuild.bundle import worker_files
from sitebuild.cli import main
from tests.conftest import ESBUILD

SHARD = "model/group1-shard1of1.0123456789abcdef.bin"  # the tiny site's (harness/sites.py)


def build(args: list[str]):
    return main(args)


@pytest.fixture
def fake_artifacts(tmp_path) -> Path:
    """An artifacts root whose model/web/ is the tiny hand-made site (model/layout.py)."""
    artifacts = tmp_path / "artifacts"
    write_tiny_site(artifacts / "model" / "web")
    # (its js/main.js is the route tests': a model's artifacts carry no page code)
    for name in ("index.html", ".secret", "js/main.js"):
        (artifacts / "model" / "web" / name).unlink()
    (artifacts / "explorer" / "maps" / "web").mkdir(parents=True)  # for the explorer's files
    return artifacts


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_build_site_assembles_sources_artifacts_and_tfjs(fake_artifacts, tfjs_bundle, tmp_path):
    out = tmp_path / "static"
    out.mkdir()
    (out / "stale.txt").write_text("from an older build")
    (tmp_path / ".static-staging-k2j3h4").mkdir()  # a build killed half-way (before pids in names)
    (fake_artifacts / "model" / "web" / ".static-staging-123-x").mkdir()  # hidden files are not the site's
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    tfjs = f"vendor/tf.fesm.min.{hashlib.sha256(tfjs_bundle.code).hexdigest()[:16]}.js"
    source = (ROOT / "web" / "index.html").read_text()
    built = (out / "index.html").read_text()
    popular = re.search(r'<script type="application/json" id="popular-books">.*?</script>', built)
    expected = source.replace("<!-- sitebuild: popular books -->", popular.group(0))
    # TF.js, the model's first part and the catalogue's first parts named for the page to ask for
    # early (add_first_files)
    parts = " ".join(json.loads((out / "site.json").read_text())["catalogue_parts"]["files"][:2])
    first = f'<meta name="shelf-first-files" content="{tfjs} {SHARD} {parts}" />\n    <script type="module"'
    expected = expected.replace('<script type="module"', first)
    build_id = precache_manifest(out)["build"]
    meta = f'<meta charset="utf-8" />\n    <meta name="shelf-build" content="{build_id}" />'
    assert (out / "index.html").read_text() == expected.replace('<meta charset="utf-8" />', meta)
    assert (out / "js" / "ui.js").is_file()
    assert (out / "metadata.json").is_file() and (out / SHARD).is_file()
    # TF.js, bundled afresh (the same bytes every time), under a name that carries its hash, every
    # reference to it rewritten; its licences and its sources' notices beside it.
    # (and their brotli and gzip forms: tests/web/test_web_precompressed.py)
    vendored = sorted(p.name for p in (out / "vendor").iterdir() if p.suffix not in (".br", ".gz"))
    assert vendored == sorted([Path(tfjs).name, "tfjs-LICENSE.txt", "tfjs-NOTICES.txt"])
    assert (out / "vendor" / f"{Path(tfjs).name}.br").is_file()
    assert (out / tfjs).read_bytes() == tfjs_bundle.code
    assert "Apache License" in (out / "vendor" / "tfjs-LICENSE.txt").read_text()
    assert (out / "vendor" / "tfjs-NOTICES.txt").read_text() == tfjs_bundle.notices
    for page in [*out.glob("*.html"), *out.glob("js/*.js")]:
        assert "vendor/tf.fesm.min.js" not in page.read_text(), page
    # TF.js is no part of the first screen: loader.js imports it (index.html only names it: boot.js)
    assert not re.search(r"<(?:script|link)\b[^>]*tf\.fesm\.min", built)
    assert f'import("../{tfjs}")' in (out / "js" / "loader.js").read_text()
    assert not (out / "stale.txt").exists()  # replaced whole, not merged
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp dirs left
    assert not list(out.glob(".*"))


def test_build_site_without_artifacts_fails_and_keeps_the_old_site(tmp_path, caplog):
    out = tmp_path / "static"
    out.mkdir()
    (out / "index.html").write_text("old site")
    assert build(["--artifacts", str(tmp_path / "none"), "--out", str(out)]) == 1
    assert "python -m model.train" in caplog.text
    assert (out / "index.html").read_text() == "old site"


@pytest.mark.slow  # a Python process
def test_python_m_sitebuild_is_the_command_line(tmp_path):
    """``python -m sitebuild`` runs the build: without artifacts, one line naming what to run
    (no stack trace), exit status 1, and the old site stays."""
    out = tmp_path / "static"
    out.mkdir()
    (out / "index.html").write_text("old site")
    command = ["-m", "sitebuild", "--artifacts", str(tmp_path / "none"), "--out", str(out)]
    result = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "sitebuild:" in result.stderr and "python -m model.train" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "index.html").read_text() == "old site"


def test_build_site_names_an_old_flat_artifacts_folder_with_make_build(tmp_path, caplog):
    """artifacts/ from before each stage had its folder (web/, model.keras at its top): one
    line naming `make build`, never a stack trace, and the old site stays."""
    flat = tmp_path / "artifacts"
    write_tiny_site(flat / "web")
    (flat / "model.keras").write_bytes(b"an old model")
    out = tmp_path / "static"
    out.mkdir()
    (out / "index.html").write_text("old site")
    assert build(["--artifacts", str(flat), "--out", str(out)]) == 1
    assert "before each stage had its own folder" in caplog.text and "`make build`" in caplog.text
    assert "Traceback" not in caplog.text
    assert (out / "index.html").read_text() == "old site"


def files_under(root: Path) -> dict:
    """Every entry under ``root``: a file's bytes and modification time, a folder's name."""
    return {
        p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else "dir"
        for p in root.rglob("*")
    }


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_site_build_copies_each_stage_folder_and_writes_nothing_under_artifacts(fake_artifacts, tmp_path):
    """The site is assembled from artifacts/model/web, explorer/links/web and explorer/maps/web;
    the site build alone writes static/ and leaves every file under artifacts/ as it was."""
    (fake_artifacts / "explorer" / "maps" / "web" / "map.json").write_text('{"num_books": 5}')
    (fake_artifacts / "explorer" / "links" / "web").mkdir(parents=True)
    (fake_artifacts / "explorer" / "links" / "web" / "content_similar.json").write_text('{"k": 1}')
    before = files_under(fake_artifacts)
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    assert files_under(fake_artifacts) == before
    # metadata.json and map.json reach static/ as their stage wrote them (the site's facts: site.json)
    assert (out / "metadata.json").read_bytes() == (
        fake_artifacts / "model" / "web" / "metadata.json"
    ).read_bytes()
    assert (out / "map.json").read_text() == '{"num_books": 5}'
    assert (out / "content_similar.json").read_text() == '{"k": 1}'
    assert json.loads((out / "map.json").read_text())["num_books"] == 5
    assert (out / "model" / "model.json").is_file() and (out / "books.json").is_file()


def precache_manifest(site: Path) -> dict:
    """The PRECACHE object build_site wrote into sw.js."""
    found = re.search(r"const PRECACHE = (\{.*?\n\});", (site / "sw.js").read_text(), re.S)
    return json.loads(found.group(1))


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_service_worker_lists_every_file_the_page_loads_with_its_hash(fake_artifacts, tfjs_bundle, tmp_path):
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    manifest = precache_manifest(out)
    files = manifest["files"]
    # (js/loader.js and js/ui.js are in main.js: sitebuild/bundle.py bundles them)
    for name in ["index.html", "js/main.js", "model-worker.js", "js/recommend.js", "css/style.css"]:
        assert name in files
    for name in ["favicon.svg", "metadata.json", "books.json", "model/model.json", SHARD]:
        assert name in files
    assert [name for name in files if name.startswith("vendor/")] == [
        f"vendor/tf.fesm.min.{hashlib.sha256(tfjs_bundle.code).hexdigest()[:16]}.js"
    ]
    assert "map.html" not in files and "sw.js" not in files  # the map page needs the network
    for name, digest in files.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name

    # Another catalogue is another build: a new id, so browsers replace their offline copy.
    books = json.loads((fake_artifacts / "model" / "web" / "books.json").read_text())
    books[0]["title"] = "Changed"
    (fake_artifacts / "model" / "web" / "books.json").write_text(json.dumps(books))
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    again = precache_manifest(out)
    assert again["build"] != manifest["build"]
    # books.json with the part of it that changed (a new name), and the files that carry the
    # build id: the page and site.json (metadata.json is the model's, as exported).
    assert {n for n in files if files[n] != again["files"].get(n)} == {
        "books.json",
        "index.html",
        "site.json",
        min(n for n in files if n.startswith("catalogue/")),
    }


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_books_json_is_written_one_book_per_line(fake_artifacts, tmp_path):
    """The page parses books.json a slice of lines at a time (loader.js parseBookLines): the
    build writes the same list one book per line, a title's own newline escaped."""
    books = json.loads((fake_artifacts / "model" / "web" / "books.json").read_text())
    books[0]["title"] = "Two\nlines, [and] {braces},"
    (fake_artifacts / "model" / "web" / "books.json").write_text(json.dumps(books, indent=2))
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    text = (out / "books.json").read_text()
    lines = text.split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""] and len(lines) == len(books) + 3
    assert [json.loads(line.removesuffix(",")) for line in lines[1:-2]] == books
    assert json.loads(text) == books


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_index_html_carries_the_most_popular_books(fake_artifacts, tmp_path):
    """The first screen: the books with the most ratings (ties to the lower row, as search.js
    orders them), as in books.json, with their rows and the pick stars; a title with
    "</script>" cannot end the data block."""
    books = json.loads((fake_artifacts / "model" / "web" / "books.json").read_text())
    books[-1]["title"] = "</script><script>alert(1)</script>"
    books[-1]["ratings_count"] = max(book.get("ratings_count") or 0 for book in books) + 1
    (fake_artifacts / "model" / "web" / "books.json").write_text(json.dumps(books))
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    block = re.search(r'<script type="application/json" id="popular-books">(.*?)</script>', page)
    popular = json.loads(block.group(1))
    order = sorted(range(len(books)), key=lambda row: (-(books[row].get("ratings_count") or 0), row))
    assert popular["rows"] == order[:40] and popular["rows"][0] == len(books) - 1
    assert popular["books"] == [books[row] for row in popular["rows"]]
    assert popular["books_json_bytes"] == (out / "books.json").stat().st_size
    assert page.count("<script") == 2  # the data block and main.js: nothing in the data starts one


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_the_catalogue_is_cut_into_hashed_parts_that_site_json_lists(fake_artifacts, tmp_path):
    """catalogue/part-NNN.<hash>.json: 100 books each in row order (a first suggestion's names
    come from a few of them), listed in site.json; immutable, and precached (a visit the
    service worker serves names its first suggestions with them too)."""
    books = [{"book_id": i + 1, "title": f"Book {i + 1}"} for i in range(250)]
    (fake_artifacts / "model" / "web" / "books.json").write_text(json.dumps(books))
    metadata = json.loads((fake_artifacts / "model" / "web" / "metadata.json").read_text())
    (fake_artifacts / "model" / "web" / "metadata.json").write_text(
        json.dumps({**metadata, "num_books": 250})
    )
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    parts = json.loads((out / "site.json").read_text())["catalogue_parts"]
    assert parts["rows"] == 100
    assert [re.sub(r"\.[0-9a-f]{16}\.", ".#.", name) for name in parts["files"]] == [
        "catalogue/part-000.#.json",
        "catalogue/part-001.#.json",
        "catalogue/part-002.#.json",
    ]
    read = [json.loads((out / name).read_text()) for name in parts["files"]]
    assert [len(part) for part in read] == [100, 100, 50]
    assert [book for part in read for book in part] == books
    for name in parts["files"]:
        assert hashlib.sha256((out / name).read_bytes()).hexdigest().startswith(name.split(".")[1])
        assert cache_control_for(name) == IMMUTABLE
    cached = precache_manifest(out)["files"]
    assert sorted(name for name in cached if name.startswith("catalogue/")) == parts["files"]


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_one_build_id_names_every_file_the_page_checks(fake_artifacts, tmp_path):
    """The build id is in every page, in site.json (with the SHA-256 and size of each file the
    page fetches and checks) and in sw.js; any change to any file makes a new one. The stages'
    files (metadata.json, map.json) are served as their stage wrote them: one writer each."""
    (fake_artifacts / "model" / "web" / "goodreads.json").write_text('{"num_books": 5}')
    (fake_artifacts / "explorer" / "maps" / "web" / "map.json").write_text('{"num_books": 5}')
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    build_id = precache_manifest(out)["build"]
    assert (out / "map.json").read_text() == '{"num_books": 5}'
    exported = fake_artifacts / "model" / "web" / "metadata.json"
    assert (out / "metadata.json").read_bytes() == exported.read_bytes()
    assert re.fullmatch("[0-9a-f]{16}", build_id)
    for page in ["index.html", "map.html"]:
        assert f'<meta name="shelf-build" content="{build_id}" />' in (out / page).read_text(), page
    facts = json.loads((out / "site.json").read_text())
    assert facts["build"] == build_id and "catalogue_parts" in facts
    # The worker's modules too: a rebuild between the page and its worker is caught like any other.
    # Found from model-worker.js (bundled with model-host.js and loader.js) by its imports, dynamic
    # ones and those of its modules included (recommend.js imports rank.js, which imports
    # series.js): a module left out would run from another build unchecked.
    checked_modules = worker_files(out)
    modules = ["js/layers.js", "js/rank.js", "js/recommend.js", "js/series.js", "model-worker.js"]
    assert checked_modules == modules
    assert "createModelHost" in (out / "model-worker.js").read_text()  # bundled: no import of it
    checked = [
        "metadata.json",
        "books.json",
        "goodreads.json",
        "map.json",
        "model/model.json",
        *checked_modules,
    ]
    assert sorted(facts["site_files"]) == sorted(checked)
    for name, expected in facts["site_files"].items():
        data = (out / name).read_bytes()
        assert expected == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}, name

    (fake_artifacts / "model" / "web" / "goodreads.json").write_text('{"num_books": 5, "changed": true}')
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    assert precache_manifest(out)["build"] != build_id
    assert json.loads((out / "site.json").read_text())["build"] == precache_manifest(out)["build"]


@pytest.mark.skipif(not ESBUILD.is_file(), reason="node_modules/.bin/esbuild missing: run `make install`")
def test_service_worker_caches_every_module_and_the_import_files(fake_artifacts, tmp_path):
    """Offline, the page needs every module main.js imports (directly or not: the sources'
    modules are bundled into it, the modules that bring TF.js are not), and an import needs
    goodreads.json; the genre filter genres.json."""
    (fake_artifacts / "model" / "web" / "goodreads.json").write_text('{"num_books": 0}')
    (fake_artifacts / "explorer" / "maps" / "web" / "genres.json").write_text('{"genres": []}')
    out = tmp_path / "static"
    assert build(["--artifacts", str(fake_artifacts), "--out", str(out)]) == 0
    files = precache_manifest(out)["files"]
    assert "goodreads.json" in files and "genres.json" in files
    bundle = (out / "js" / "main.js").read_text()
    # goodreads.js and import-box.js in it (--keep-names keeps their functions' names)
    assert "matchIndex" in bundle and "createImportBox" in bundle
    imported = re.findall(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["']\./([\w-]+\.js)["']""", bundle)
    assert sorted(imported) == ["layers.js", "recommend.js"]
    modules = {"js/main.js", "js/layers.js", "js/recommend.js", "js/rank.js", "js/series.js"}
    assert modules <= set(files)
    assert "js/shelf-edits.js" not in files and "js/boot.js" not in files  # in main.js
