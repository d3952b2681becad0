"""Serving static/: caching, compression, security headers, no listings, no traversal; and
firebase.json sending the same headers as the Flask server. (The site build: tests/sitebuild/.)"""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request

import pytest

from harness.servers import ROOT
from server import create_app
from server.http import SECURITY_HEADERS
from server.site import _HASHED_NAME, IMMUTABLE, REVALIDATE, cache_control_for

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
