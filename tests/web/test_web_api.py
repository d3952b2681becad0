"""Route tests for the JSON API on the hand-made five-book site (answers known in advance)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import numpy as np
import pytest

from harness.servers import ROOT
from harness.sites import TINY_VECTORS, write_tiny_site
from server import create_app
from server.catalogue import CatalogueCache
from server.tfjs_weights import read_weight


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "num_books": 5, "format_version": 1}


@pytest.mark.parametrize(
    ("query", "expected_ids"),
    [
        ("", [50, 20, 10, 30, 40]),  # start state: most ratings first
        ("prince", [50, 20, 10]),  # title starts with "prince" first, then word matches by popularity
        ("PRINCE", [50, 20, 10]),  # case-insensitive
        ("le petit prince", [10]),  # exact title
        ("emile", [30]),  # accent-insensitive: "Émile"
        ("exupery", [10]),  # author, accents folded
        ("saint exupéry", [10]),  # punctuation in "Saint-Exupéry" folds to a space
        ("rousseau", [30]),
        ("<img", [40]),  # the hostile title is findable like any other
        ("ince", [50, 20, 10]),  # inner substring matches rank last (popularity among them)
        ("prnce", [50, 20, 10]),  # a letter missing: one typo forgiven, popularity among them
        ("russeau rousseau", [30]),  # a typo'd word beside an exact one
        ("sant exupery", [10]),
        ("zzz", []),
    ],
)
def test_search_ranking(client, query, expected_ids):
    response = client.get("/api/books", query_string={"q": query})
    assert response.status_code == 200
    body = response.get_json()
    assert [book["book_id"] for book in body["books"]] == expected_ids
    assert body["total"] == len(expected_ids)


@pytest.mark.parametrize(
    ("params", "expected_ids", "total"),
    [
        ({"limit": "2"}, [50, 20], 5),
        ({"limit": "2", "offset": "2"}, [10, 30], 5),
        ({"offset": "4"}, [40], 5),
        ({"offset": "9"}, [], 5),
        ({"q": "prince", "limit": "1", "offset": "1"}, [20], 3),
    ],
)
def test_search_paging(client, params, expected_ids, total):
    body = client.get("/api/books", query_string=params).get_json()
    assert [book["book_id"] for book in body["books"]] == expected_ids
    assert body["total"] == total


@pytest.mark.parametrize(
    ("url", "message_part"),
    [
        ("/api/books?limit=0", "limit must be between 1 and 100"),
        ("/api/books?limit=101", "limit must be between 1 and 100"),
        ("/api/books?limit=ten", "limit must be an integer"),
        ("/api/books?offset=-1", "offset must be between 0"),
        ("/api/books?offset=1.5", "offset must be an integer"),
        ("/api/books?q=" + "a" * 201, "q must be at most 200 characters"),
        ("/api/books/abc", "book_id must be a positive integer"),
        ("/api/books/0", "book_id must be a positive integer"),
        ("/api/books/-3", "book_id must be a positive integer"),
        ("/api/books/10/similar?k=0", "k must be between 1 and 100"),
        ("/api/books/10/similar?k=many", "k must be an integer"),
        ("/api/books/x/similar", "book_id must be a positive integer"),
        # Only ASCII digits, one way: other scripts' digits, signs, spaces, "_" and leading zeros are 400.
        ("/api/books/%C2%B2", "book_id must be a positive integer written with the digits 0-9"),  # ²
        ("/api/books/%E2%91%A0", "got '①'"),
        ("/api/books/1%C2%B2", "got '1²'"),
        ("/api/books/%EF%BC%91%EF%BC%90", "got '１０'"),  # full-width
        ("/api/books/%D9%A3", "got '٣'"),  # Arabic-Indic
        ("/api/books/0001", "no leading zeros, got '0001'"),
        ("/api/books/+1", "book_id must be a positive integer"),
        ("/api/books/1_0", "book_id must be a positive integer"),
        ("/api/books/%201", "book_id must be a positive integer"),
        ("/api/books/" + "9" * 5001, "got '" + "9" * 40 + "...'"),  # int() would refuse 4,300+ digits
        ("/api/books/%C2%B2/similar", "book_id must be a positive integer"),
        ("/api/books/%EF%BC%91/similar", "book_id must be a positive integer"),
        ("/api/books?limit=1_0", "limit must be an integer written with the digits 0-9"),
        ("/api/books?limit=%EF%BC%95", "got '５'"),
        ("/api/books?limit=%D9%A5", "got '٥'"),
        ("/api/books?limit=05", "limit must be an integer"),
        ("/api/books?limit=%2B5", "limit must be an integer"),  # +5
        ("/api/books?limit=%205", "limit must be an integer"),
        ("/api/books?limit=", "limit must be an integer"),
        ("/api/books?offset=-0", "offset must be an integer"),
        ("/api/books?offset=" + "9" * 5001, "offset must be an integer"),
        ("/api/books?offset=" + "9" * 18, "offset must be between 0 and 1000000000"),
        ("/api/books/10/similar?k=1%C2%B2", "k must be an integer"),
    ],
)
def test_bad_parameters_are_400_json(client, url, message_part):
    response = client.get(url)
    assert response.status_code == 400
    assert response.is_json
    assert message_part in response.get_json()["error"]


def test_largest_well_formed_id_is_a_404_not_an_error(client):
    assert client.get("/api/books/" + "9" * 18).status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("post", "/api/books", {"GET", "HEAD", "OPTIONS"}),
        ("delete", "/api/books/10", {"GET", "HEAD", "OPTIONS"}),
        ("put", "/api/books/10/similar", {"GET", "HEAD", "OPTIONS"}),
        ("post", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_wrong_method_is_405_json_with_allow(client, method, url, allowed):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response.is_json and response.get_json()["status"] == 405
    assert set(response.headers["Allow"].split(", ")) == allowed


@pytest.mark.parametrize("url", ["/api/books", "/api/books/10", "/api/books/10/similar", "/healthz"])
def test_options_on_the_api_is_a_204_with_allow(client, url):
    """Not Flask's automatic text/html 200: the API's OPTIONS is a 204 with Allow, as the site's is."""
    response = client.open(url, method="OPTIONS")
    assert response.status_code == 204
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.data == b"" and "text/html" not in response.headers.get("Content-Type", "")


def test_options_on_an_unknown_api_path_is_a_404_json(client):
    response = client.open("/api/nothing", method="OPTIONS")
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/books?q=%ff%fe", "q"),
        ("/api/books?q=%C3", "q"),  # a UTF-8 sequence cut short
        ("/api/books?q=prince&limit=%ff", "limit"),
        ("/api/books/10/similar?k=%80", "k"),
    ],
)
def test_a_query_that_is_not_utf8_is_a_400_json(client, url, name):
    """Werkzeug keeps bytes that are not UTF-8 as the text "%FF": it searched for "%FF%FE"."""
    response = client.get(url)
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["error"].startswith(f"{name} is not valid UTF-8")


def test_a_utf8_query_still_searches(client):
    assert [b["book_id"] for b in client.get("/api/books?q=%C3%A9mile").get_json()["books"]] == [30]


@pytest.mark.parametrize("url", ["/api/books/99", "/api/books/99/similar"])
def test_unknown_book_is_404_json(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["error"] == "No book with book_id 99 in the catalogue."


def test_unknown_api_route_is_404_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.is_json


def test_get_book(client):
    response = client.get("/api/books/30")
    assert response.status_code == 200
    assert response.get_json()["title"] == "Émile"


@pytest.mark.parametrize(
    ("book_id", "k", "expected_ids"),
    [(10, 1, [20]), (20, 1, [10]), (30, 1, [40]), (40, 2, [30, 20]), (50, 4, [10, 20, 30, 40])],
)
def test_similar_books(client, book_id, k, expected_ids):
    body = client.get(f"/api/books/{book_id}/similar", query_string={"k": k}).get_json()
    assert [book["book_id"] for book in body["similar"]] == expected_ids
    assert body["book"]["book_id"] == book_id
    assert body["content"] is None  # no content_similar.json in this site
    sims = [book["similarity"] for book in body["similar"]]
    assert sims == sorted(sims, reverse=True)


def test_similar_includes_content_neighbors_when_built(tiny_site, client):
    (tiny_site / "content_similar.json").write_text(json.dumps({"k": 2, "neighbors": {"10": [50, 30]}}))
    body = client.get("/api/books/10/similar").get_json()
    assert [book["book_id"] for book in body["content"]] == [50, 30]


def with_series_and_authors(tiny_site):
    """The tiny site's books.json with one author for four books and a series of three:
    20 is S #1, the box 40 is S #1-2, 10 is S #2 (listed out of order on purpose)."""
    books = json.loads((tiny_site / "books.json").read_text(encoding="utf-8"))
    series = {10: {"name": "S", "position": 2}, 20: {"name": "s", "position": 1}}
    series[40] = {"name": "S", "position": 1, "end": 2}
    for book in books:
        book["series"] = series.get(book["book_id"])
        if book["book_id"] in (10, 20, 30, 50):
            book["authors"] = "Same Author" if book["book_id"] != 20 else "Same Author, An Illustrator"
    (tiny_site / "books.json").write_text(json.dumps(books, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("book_id", "k", "series_ids", "by_author_ids"),
    [
        (10, 10, [20, 40, 10], [50, 30]),
        (10, 1, [20, 40, 10], [50]),
        (30, 2, [], [50, 20]),
        (40, 10, [20, 40, 10], []),
    ],
)
def test_similar_carries_the_series_in_order_and_more_by_the_author(
    tiny_site, client, book_id, k, series_ids, by_author_ids
):
    with_series_and_authors(tiny_site)
    body = client.get(f"/api/books/{book_id}/similar", query_string={"k": k}).get_json()
    assert [book["book_id"] for book in body["series"]] == series_ids
    assert [book["book_id"] for book in body["by_author"]] == by_author_ids
    assert body["book"]["series"] == (
        {"name": "S", "position": 2} if book_id == 10 else body["book"]["series"]
    )
    assert client.get("/api/books/40").get_json()["series"] == {"name": "S", "position": 1, "end": 2}


def test_a_catalogue_without_series_answers_empty_lists(client):
    body = client.get("/api/books/50/similar").get_json()
    assert body["series"] == [] and body["by_author"] == []


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_vectors_read_from_tfjs_weights(tmp_path, dtype):
    static_dir = tmp_path / "static"
    write_tiny_site(static_dir, dtype=dtype)
    model_json = json.loads((static_dir / "model" / "model.json").read_text())
    model_dir = static_dir / "model"
    vectors = read_weight(lambda path: (model_dir / path).read_bytes(), model_json, "book_embedding")
    np.testing.assert_allclose(vectors, TINY_VECTORS, atol=1e-3 if dtype == "float16" else 0)
    assert CatalogueCache(static_dir).get().unit_vectors.shape == (5, 3)


@pytest.mark.parametrize("url", ["/api/books?q=x", "/api/books/1", "/api/books/1/similar", "/healthz"])
def test_missing_artifacts_are_503_naming_make_build(tmp_path, url):
    app = create_app({"TESTING": True, "STATIC_DIR": str(tmp_path / "not-built")})
    response = app.test_client().get(url)
    assert response.status_code == 503
    assert response.is_json
    assert "make build" in response.get_json()["error"]


def truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize(
    ("damage", "message_part"),
    [
        (lambda site: truncate(site / "books.json"), "books.json is not valid JSON"),
        (lambda site: truncate(site / "metadata.json"), "metadata.json is not valid JSON"),
        (lambda site: (site / "books.json").write_bytes(b"\xff\xfe[]"), "books.json is not valid JSON"),
        (lambda site: (site / "metadata.json").write_text("[]"), "metadata.json should hold a JSON dict"),
        (lambda site: (site / "books.json").write_text("{}"), "books.json should hold a JSON list"),
        (lambda site: (site / "metadata.json").write_text("{}"), "do not fit together"),
        (lambda site: (site / "books.json").write_text("[1, 2, 3, 4, 5]"), "list of book objects"),
        (lambda site: (site / "metadata.json").write_text("[" * 100_000), "metadata.json is not valid JSON"),
        (
            lambda site: truncate(next((site / "model").glob("*.bin")), 0.9),
            "39 bytes where model.json needs 44; truncated?",
        ),
    ],
)
@pytest.mark.parametrize("url", ["/api/books?q=prince", "/api/books/10/similar", "/healthz"])
def test_corrupt_site_files_are_503_naming_the_file(tiny_site, client, damage, message_part, url):
    damage(tiny_site)
    for _ in range(2):  # the second answer comes from the remembered failure
        response = client.get(url)
        assert response.status_code == 503
        assert message_part in response.get_json()["error"]
        assert "make build" in response.get_json()["error"]


def test_a_repaired_site_is_served_again(tiny_site, client):
    good = (tiny_site / "books.json").read_bytes()
    truncate(tiny_site / "books.json")
    assert client.get("/api/books/10").status_code == 503
    (tiny_site / "books.json").write_bytes(good)
    assert client.get("/api/books/10").get_json()["title"] == "Le Petit Prince"


def test_site_rebuilt_under_a_running_app_is_picked_up(tiny_site, client):
    assert client.get("/api/books/10").status_code == 200
    books = json.loads((tiny_site / "books.json").read_text())
    books[0]["title"] = "Renamed"
    (tiny_site / "books.json").write_text(json.dumps(books) + "\n")  # new size -> new stamp
    assert client.get("/api/books/10").get_json()["title"] == "Renamed"


def test_api_responses_are_gzipped_and_not_cached(client):
    response = client.get("/api/books", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = json.loads(gzip.decompress(response.data))
    assert body["total"] == 5


@pytest.mark.slow  # a fresh Python process
def test_server_never_imports_tensorflow_model_or_explorer(tiny_site):
    """At run time, answering a request (tests/test_layout.py checks the import statements)."""
    code = (
        "import sys; from server import create_app; "
        f"client = create_app({{'STATIC_DIR': {str(tiny_site)!r}}}).test_client(); "
        "assert client.get('/api/books/10/similar').status_code == 200; "
        "banned = ('tensorflow', 'keras', 'tf_keras', 'model', 'explorer'); "
        "assert not [m for m in sys.modules if m.split('.')[0] in banned], 'imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
