"""Serving static/: caching, compression, security headers, no listings, no traversal;
the site build; and firebase.json sending the same headers as the Flask server."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.servers import ROOT, import_build_site
from harness.sites import write_tiny_site
from server import create_app
from server.http import SECURITY_HEADERS
from server.site import _HASHED_NAME, IMMUTABLE, REVALIDATE, cache_control_for
from tests.conftest import ESBUILD

SHARD = "model/group1-shard1of1.0123456789abcdef.bin"


@pytest.mark.parametrize(
    ("path", "mimetype", "cache_control"),
    [
        ("/", "text/html", REVALIDATE),
        ("/index.html", "text/html", REVALIDATE),
        ("/metadata.json", "application/json", REVALIDATE),
        ("/js/main.js", "text/javascript", REVALIDATE),
        ("/model/model.json", "application/json", REVALIDATE),
        (f"/{SHARD}", "application/octet-stream", IMMUTABLE),
    ],
)
def test_static_files_types_and_caching(client, path, mimetype, cache_control):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Cache-Control"] == cache_control
    assert response.headers["ETag"]
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_csp_allows_only_own_scripts(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    # WebAssembly may compile (TF.js's long.js), JavaScript may not eval, nothing inline.
    assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert "'unsafe-inline'" not in csp.split() and "'unsafe-eval'" not in csp.split()
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_etag_revalidation_gives_304(client):
    first = client.get("/metadata.json")
    again = client.get("/metadata.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_a_weak_if_none_match_gives_304(client):
    etag = client.get("/metadata.json").headers["ETag"]
    assert client.get("/metadata.json", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    zipped = client.get("/js/main.js", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    again = client.get("/js/main.js", headers={"Accept-Encoding": "gzip", "If-None-Match": f"W/{zipped}"})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("range_header", "status", "part"),
    [
        ("bytes=0-9", 206, slice(0, 10)),
        ("bytes=10-", 206, slice(10, None)),
        ("bytes=-16", 206, slice(-16, None)),
        ("bytes=99999999-", 416, None),
        ("lines=1-2", 200, slice(None)),  # not a byte range: ignored, the whole file
        ("bytes=0-1,4-5", 200, slice(None)),  # several ranges: ignored too
    ],
)
def test_range_requests_resume_a_download(client, tiny_site, range_header, status, part):
    """A shard cut off on a flaky phone resumes: byte ranges of the file itself (never of its
    gzip form), advertised on every file."""
    data = (tiny_site / SHARD).read_bytes()
    assert client.get(f"/{SHARD}").headers["Accept-Ranges"] == "bytes"
    response = client.get(f"/{SHARD}", headers={"Range": range_header, "Accept-Encoding": "gzip"})
    assert response.status_code == status
    assert "Content-Encoding" not in response.headers
    if status == 206:
        start = part.start % len(data)
        end = len(data) - 1 if part.stop is None else part.stop - 1
        assert response.data == data[part]
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"
    elif status == 416:
        assert response.headers["Content-Range"] == f"bytes */{len(data)}"
    else:
        assert response.data == data
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_if_range_with_another_etag_gives_the_whole_file(client, tiny_site):
    data = (tiny_site / SHARD).read_bytes()
    etag = client.get(f"/{SHARD}").headers["ETag"]
    same = client.get(f"/{SHARD}", headers={"Range": "bytes=0-3", "If-Range": etag})
    assert same.status_code == 206 and same.data == data[:4]
    other = client.get(f"/{SHARD}", headers={"Range": "bytes=0-3", "If-Range": '"from-another-build"'})
    assert other.status_code == 200 and other.data == data


def conditional_cases(etag: str, length: int) -> list[tuple[dict, int, str | None]]:
    """(request headers, status, Content-Range) for RFC 9110's conditional and range rules,
    each a case where the hand-written handling, or Werkzeug's own, answered otherwise."""
    return [
        # A suffix longer than the file is the whole file (14.1.2), not a 416.
        ({"Range": "bytes=-99999999"}, 206, f"bytes 0-{length - 1}/{length}"),
        ({"Range": f"bytes=-{length}"}, 206, f"bytes 0-{length - 1}/{length}"),
        # If-None-Match is evaluated before Range (13.2.2): a match is a 304, weak or strong.
        ({"Range": "bytes=0-3", "If-None-Match": etag}, 304, None),
        ({"Range": "bytes=0-3", "If-None-Match": f"W/{etag}"}, 304, None),
        ({"Range": "bytes=0-3", "If-None-Match": '"another"'}, 206, f"bytes 0-3/{length}"),
        # If-Range needs a strong match (13.1.5): a weak tag or a date gives the whole file.
        ({"Range": "bytes=0-3", "If-Range": etag}, 206, f"bytes 0-3/{length}"),
        ({"Range": "bytes=0-3", "If-Range": f"W/{etag}"}, 200, None),
        ({"Range": "bytes=0-3", "If-Range": "Sun, 06 Nov 1994 08:49:37 GMT"}, 200, None),
        ({"Range": f"bytes={length}-"}, 416, f"bytes */{length}"),
        ({"Range": "bytes=0-"}, 206, f"bytes 0-{length - 1}/{length}"),
    ]


def check_conditional(status: int, headers, body: bytes, expected, data: bytes) -> None:
    """One answer of ``conditional_cases`` against the file's own ``data``."""
    want_status, want_range = expected
    assert status == want_status
    assert headers.get("Content-Range") == want_range
    # Every answer names the file's version and caching, the 416 and the 304 too.
    assert headers["Cache-Control"] == IMMUTABLE
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["ETag"]
    assert "Content-Encoding" not in headers
    if status == 206:
        start, end = (int(n) for n in want_range.split()[1].split("/")[0].split("-"))
        assert body == data[start : end + 1]
    elif status == 200:
        assert body == data


@pytest.mark.parametrize("case", range(len(conditional_cases('"x"', 10))))
def test_conditional_requests_follow_rfc_9110(client, tiny_site, case):
    data = (tiny_site / SHARD).read_bytes()
    etag = client.get(f"/{SHARD}").headers["ETag"]
    headers, *expected = conditional_cases(etag, len(data))[case]
    response = client.get(f"/{SHARD}", headers={**headers, "Accept-Encoding": "gzip, br"})
    check_conditional(response.status_code, response.headers, response.data, expected, data)


@pytest.mark.parametrize("case", range(len(conditional_cases('"x"', 10))))
def test_conditional_requests_follow_rfc_9110_under_gunicorn(gunicorn_url, built_site, case):
    """The same answers from `make serve`'s gunicorn, on a real weight shard."""
    shard = next((built_site / "model").glob("group1-shard1of*.bin"))
    url = f"{gunicorn_url}/model/{shard.name}"
    data = shard.read_bytes()
    etag = urllib.request.urlopen(url).headers["ETag"]
    headers, *expected = conditional_cases(etag, len(data))[case]
    request = urllib.request.Request(url, headers={**headers, "Accept-Encoding": "gzip, br"})
    try:
        with urllib.request.urlopen(request) as response:
            status, answer_headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, body = error.code, error.headers, error.read()
    check_conditional(status, answer_headers, body, expected, data)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_another_method_is_404_for_a_missing_file_and_405_for_a_file(client, method):
    assert client.open("/nothing.txt", method=method).status_code == 404
    assert client.open("/js/nope.js", method=method).status_code == 404
    found = client.open("/index.html", method=method)
    assert found.status_code == 405
    assert found.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/nothing.txt", 404), ("/js/nope.js", 404), ("/api/nothing", 404), ("/index.html", 204), ("/", 204)],
)
def test_options_is_not_a_200_for_any_path(client, path, status):
    response = client.open(path, method="OPTIONS")
    assert response.status_code == status
    if status == 204:
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_gzip_when_accepted(client, tiny_site):
    plain = client.get("/js/main.js")
    zipped = client.get("/js/main.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.data) == (tiny_site / "js" / "main.js").read_bytes()
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert len(zipped.data) < len(plain.data)


@pytest.mark.parametrize(
    "path",
    [
        "/js/",  # a directory without index.html: no listing
        "/model",
        "/../conftest.py",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/js/..%2f..%2fbooks.json",
        "/..%5c..%5cetc%5cpasswd",
        "/.secret",
        "/nothing.txt",
        "/%00",  # NUL and other control characters: no file has them, and open() raised (a 500)
        "/index.html%00",
        "/js/%00main.js",
        "/js/main.js%00.png",
        "/%01",
        "/js/main.js%0a",
        "/" + "a" * 300,  # a name longer than a file system allows: open() raised (a 500)
        "/js/" + "b" * 256 + "/main.js",
        "/%C3%A9" * 128,
    ],
)
def test_no_listing_no_traversal_no_hidden_files(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"shelf" not in response.data.lower() or b"Not found" in response.data


def test_unbuilt_site_says_how_to_build(tmp_path):
    client = create_app({"STATIC_DIR": str(tmp_path / "nothing")}).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert b"make build" in response.data


# Which paths are cached a year: only names that carry their content's hash, so a new TF.js
# (or model) is a new name; vendor/tf.fesm.min.js under its plain name was immutable before.
CACHE_CASES = [
    (SHARD, IMMUTABLE),
    ("vendor/tf.fesm.min.0123456789abcdef.js", IMMUTABLE),
    ("vendor/tf.fesm.min.js", REVALIDATE),
    ("vendor/tfjs-LICENSE.txt", REVALIDATE),
    ("model/model.json", REVALIDATE),
    ("index.html", REVALIDATE),
    ("js/main.js", REVALIDATE),
    ("metadata.json", REVALIDATE),
]


@pytest.mark.parametrize(("path", "cache_control"), CACHE_CASES)
def test_only_content_hashed_names_are_immutable(path, cache_control):
    assert cache_control_for(path) == cache_control


def test_firebase_json_sends_the_same_headers():
    config = json.loads((ROOT / "firebase.json").read_text())["hosting"]
    assert config["public"] == "static"
    everything = next(rule for rule in config["headers"] if rule.get("source") == "**")
    headers = {h["key"]: h["value"] for h in everything["headers"]}
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    assert headers["Cache-Control"] == REVALIDATE
    hashed = next(rule for rule in config["headers"] if "regex" in rule)
    assert hashed["headers"] == [{"key": "Cache-Control", "value": IMMUTABLE}]
    assert hashed["regex"] == _HASHED_NAME.pattern  # the same rule as server/site.py
    for path, cache_control in CACHE_CASES:
        assert bool(re.search(hashed["regex"], "/" + path)) == (cache_control == IMMUTABLE), path


# ---------------------------------------------------------------------------------------
# scripts/build_site.py


def build(args: list[str]):
    return import_build_site().main(args)


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
    expected = source.replace("<!-- build_site: popular books -->", popular.group(0))
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
    # (js/loader.js and js/ui.js are in main.js: build_site.py bundles them)
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
    worker_files = import_build_site().worker_files(out)
    modules = ["js/layers.js", "js/rank.js", "js/recommend.js", "js/series.js", "model-worker.js"]
    assert worker_files == modules
    assert "createModelHost" in (out / "model-worker.js").read_text()  # bundled: no import of it
    checked = ["metadata.json", "books.json", "goodreads.json", "map.json", "model/model.json", *worker_files]
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
    assert "js/shelf.js" not in files and "js/boot.js" not in files  # in main.js
