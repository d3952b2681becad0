"""Precompressed static files: the site build writes ``.br`` and ``.gz`` beside each text, JSON
and weight file where they pay; the server sends one only to a client that accepts it, only when
it decodes to the file beside it (never a stale or cut-off one), with its own ETag and length."""

from __future__ import annotations

import gzip
import json
import os

import brotli
import pytest

from server import create_app
from server.http import accepted_encodings, choose_encoding
from sitebuild.precompress import precompress

BIG = "catalogue.json"  # a file big enough to compress, written into the tiny site


@pytest.fixture
def site(tiny_site):
    """The tiny site with a compressible JSON file and its two precompressed forms, as built."""
    rows = [{"book_id": i, "title": f"Book number {i}", "authors": "Someone"} for i in range(400)]
    (tiny_site / BIG).write_text(json.dumps(rows), encoding="utf-8")
    assert precompress(tiny_site, cache=None) > 0
    return tiny_site


@pytest.fixture
def client(site):
    return create_app({"TESTING": True, "STATIC_DIR": str(site)}).test_client()


def test_the_build_writes_forms_that_decode_to_each_file_where_they_pay(site, tmp_path):
    data = (site / BIG).read_bytes()
    assert brotli.decompress((site / f"{BIG}.br").read_bytes()) == data
    assert gzip.decompress((site / f"{BIG}.gz").read_bytes()) == data
    assert len((site / f"{BIG}.br").read_bytes()) < len((site / f"{BIG}.gz").read_bytes()) < len(data)
    # Too small to pay, incompressible, or not a text/JSON/weight kind: none.
    (site / "small.json").write_text('{"a": 1}')
    (site / "noise.json").write_bytes(os.urandom(4096))  # incompressible
    (site / "cover.png").write_bytes(b"\0" * 4096)
    precompress(site, cache=tmp_path / "cache")
    assert not (site / "noise.json.br").exists() and not (site / "noise.json.gz").exists()
    assert not (site / "cover.png.gz").exists() and not (site / "small.json.gz").exists()
    # The cache gives the same bytes back on the next build.
    again = tmp_path / "again"
    again.mkdir()
    (again / BIG).write_bytes(data)
    precompress(again, cache=tmp_path / "cache")
    precompress(again, cache=tmp_path / "cache")
    assert (again / f"{BIG}.br").read_bytes() == (site / f"{BIG}.br").read_bytes()


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("br, gzip, deflate", "br"),
        ("gzip, deflate, br, zstd", "br"),
        ("gzip, deflate", "gzip"),
        ("x-gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("*, br;q=0", "gzip"),
        ("*;q=0", None),
        ("identity", None),
        ("zstd", None),  # a coding the server does not have: the file's own bytes
        ("deflate, compress", None),
        ("gzip;q=0, br;q=0", None),
        ("gzip;q=abc", None),
        ("br;q=2", None),
        ("", None),
        (None, None),
    ],
)
def test_only_a_coding_the_client_accepts_is_sent(client, site, accept, coding):
    headers = {} if accept is None else {"Accept-Encoding": accept}
    response = client.get(f"/{BIG}", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == coding
    assert response.headers["Vary"] == "Accept-Encoding"
    assert int(response.headers["Content-Length"]) == len(response.data)
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding]
    assert decode(response.data) == (site / BIG).read_bytes()
    suffix = {"br": "-br", "gzip": "-gz", None: ""}[coding]
    assert response.headers["ETag"].strip('"').endswith(suffix)


def test_each_form_has_its_own_etag_and_304(client):
    etags = {
        accept: client.get(f"/{BIG}", headers={"Accept-Encoding": accept}).headers["ETag"]
        for accept in ("br", "gzip", "identity")
    }
    assert len(set(etags.values())) == 3
    again = client.get(f"/{BIG}", headers={"Accept-Encoding": "br", "If-None-Match": etags["br"]})
    assert again.status_code == 304
    # The gzip form's tag does not stand for the brotli one.
    other = client.get(f"/{BIG}", headers={"Accept-Encoding": "br", "If-None-Match": etags["gzip"]})
    assert other.status_code == 200 and other.headers["Content-Encoding"] == "br"


def test_a_range_is_of_the_files_own_bytes_whatever_is_accepted(client, site):
    response = client.get(f"/{BIG}", headers={"Accept-Encoding": "br, gzip", "Range": "bytes=10-19"})
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert response.data == (site / BIG).read_bytes()[10:20]


def test_a_head_request_gives_the_length_of_the_form_it_would_send(client, site):
    head = client.head(f"/{BIG}", headers={"Accept-Encoding": "br"})
    assert head.headers["Content-Encoding"] == "br"
    assert int(head.headers["Content-Length"]) == (site / f"{BIG}.br").stat().st_size


def bump(path):
    """Give ``path`` a new mtime, as a rewrite by a later build would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda body: body[: len(body) // 2], id="truncated"),
        pytest.param(lambda body: body[:100] + bytes(b ^ 0xFF for b in body[100:]), id="corrupt"),
        pytest.param(lambda body: b"", id="empty"),
        pytest.param(lambda body: b"not compressed at all", id="garbage"),
        pytest.param(lambda body: body + b"trailing bytes", id="trailing"),
    ],
)
def test_a_broken_compressed_form_is_never_sent(client, site, damage, caplog):
    for suffix in (".br", ".gz"):
        path = site / f"{BIG}{suffix}"
        path.write_bytes(damage(path.read_bytes()))
    data = (site / BIG).read_bytes()
    for accept in ("br", "gzip", "br, gzip"):
        response = client.get(f"/{BIG}", headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        coding = response.headers.get("Content-Encoding")
        assert coding in (None, "gzip")  # the server's own gzip, never the broken file
        assert (gzip.decompress(response.data) if coding else response.data) == data
    assert "does not decode to" in caplog.text


def test_a_stale_compressed_form_is_never_sent_and_a_fresh_one_is(client, site):
    """The file changed after its forms were written (a half-copied deploy, a rebuild between two
    reads): the old forms are not sent; once forms of the new file are written, they are."""
    client.get(f"/{BIG}", headers={"Accept-Encoding": "br"})  # cached
    new = json.dumps([{"book_id": i, "title": f"Another book {i}"} for i in range(300)]).encode()
    (site / BIG).write_bytes(new)
    bump(site / BIG)
    response = client.get(f"/{BIG}", headers={"Accept-Encoding": "br"})
    assert "Content-Encoding" not in response.headers and response.data == new
    zipped = client.get(f"/{BIG}", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.data) == new
    (site / f"{BIG}.br").write_bytes(brotli.compress(new))
    bump(site / f"{BIG}.br")
    fresh = client.get(f"/{BIG}", headers={"Accept-Encoding": "br"})
    assert fresh.headers["Content-Encoding"] == "br" and brotli.decompress(fresh.data) == new


def test_a_missing_compressed_form_falls_back(client, site):
    (site / f"{BIG}.br").unlink()
    (site / f"{BIG}.gz").unlink()
    response = client.get(f"/{BIG}", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "gzip"  # made by the server, as before
    assert gzip.decompress(response.data) == (site / BIG).read_bytes()
    assert "Content-Encoding" not in client.get(f"/{BIG}", headers={"Accept-Encoding": "br"}).headers


@pytest.mark.parametrize("suffix", [".br", ".gz"])
def test_compressed_forms_are_not_files_of_the_site(client, suffix):
    assert client.get(f"/{BIG}{suffix}").status_code == 404


def test_accept_encoding_parsing():
    assert accepted_encodings("gzip;q=0.5, BR , *;q=0") == {"gzip": 0.5, "br": 1.0, "*": 0.0}
    assert accepted_encodings("gzip; q=nan") == {"gzip": 0.0}
    assert choose_encoding("gzip, br", ()) is None
    assert choose_encoding("gzip, br", ("gzip",)) == "gzip"
