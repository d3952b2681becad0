"""The page on a bad network, in real headless Chromium: a model shard that 404s, is cut short
or corrupt, a later part that fails, a model worker that cannot start, a books.json changed on
the server or that never comes. The page says which file failed and offers Retry; picks are
never lost. Request interception (Playwright routes) and a fake clock, no sleeps. Offline and
across builds: test_web_builds.py.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.web.shelf_page import ids, status_text, wait_state

pytestmark = pytest.mark.browser

SHARDS = "**/model/*.bin"
STORAGE_KEY = "shelf.picks.v1"


def wait_for_picks(page, count: int) -> None:
    """Wait until the shelf lists `count` picks: the catalogue is in (it opens the link's picks)."""
    page.wait_for_function("(count) => document.querySelectorAll('#picks > li').length === count", arg=count)


def truncated(route) -> None:
    response = route.fetch()
    route.fulfill(response=response, body=response.body()[: len(response.body()) // 2])


def corrupt(route) -> None:
    response = route.fetch()
    body = bytearray(response.body())
    body[len(body) // 2] ^= 0xFF  # same length, one byte flipped
    route.fulfill(response=response, body=bytes(body))


def retry_recovers_the_picks(page) -> None:
    """Retry: the page gets ready with the picks 2 and 4:3 of ?picks=2,4:3 and suggests."""
    page.click("#retry")
    wait_state(page, "ready")
    assert ids(page, "#picks") == [2, 4]
    assert page.input_value("#picks li[data-book-id='4'] select") == "3"
    page.wait_for_selector("#suggestions > li")
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("fault", "problem", "picks_in"),
    [
        (lambda route: route.fulfill(status=404, body="Not found."), "HTTP 404", "url"),
        (truncated, "is cut short", "storage"),
        (corrupt, "is corrupt (its content does not match the hash in its name)", "storage"),
    ],
    ids=["404", "truncated", "corrupt"],
)
def test_a_bad_model_shard_is_named_and_retry_recovers_with_the_picks(
    page, gunicorn_url, fault, problem, picks_in
):
    url = gunicorn_url
    if picks_in == "url":
        url += "?picks=2,4:3"
    else:
        page.add_init_script(
            f"localStorage.getItem('{STORAGE_KEY}') ?? localStorage.setItem('{STORAGE_KEY}', '2,4:3')"
        )
    page.route(SHARDS, fault)
    page.goto(url)
    wait_state(page, "error")
    text = status_text(page)
    assert re.search(r"model/group\d+-shard\dof\d\.[0-9a-f]{16}\.bin", text), text  # the first that failed
    assert problem in text and "Your 2 picks are kept." in text
    assert page.is_visible("#retry")
    # The catalogue comes (only the model failed; the two arrive independently, so maybe after
    # the model's error), and the link's picks are opened and saved.
    wait_for_picks(page, 2)
    assert page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "2,4:3"
    assert ids(page, "#picks") == [2, 4]

    page.unroute(SHARDS)
    retry_recovers_the_picks(page)


LATER_SHARDS = "**/model/*shard2of2.*.bin"  # model/shards.py: the tables' rows after the first tenth


def test_the_first_suggestions_need_only_the_first_part_and_a_later_pick_waits_for_the_rest(
    page, gunicorn_url, catalogue
):
    """The model's later part (the tables' rows of the less rated books) held back: a pick among
    the first rows gets its suggestions; a pick beyond them, and its similar books, wait for the
    later part, then use it (the server's answer, computed from the whole table)."""
    held = []
    page.route(LATER_SHARDS, lambda route: held.append(route))
    page.goto(gunicorn_url + "?picks=2")  # row 1: in the first part
    wait_state(page, "ready")
    page.wait_for_selector("#suggestions > li")
    assert ids(page, "#picks") == [2]
    page.wait_for_function("() => window.shelf.stats.recomputeCount === 1")
    page.fill("#search", "even book 50")  # row 49: only in the later part
    page.click("#search-results li[data-book-id='50'] button[data-action=pick]")
    page.click("#picks li[data-book-id='50'] button[data-action=similar]")
    wait_for_picks(page, 2)
    assert page.evaluate("window.shelf.stats.recomputeCount") == 1  # waiting, not scored without its rows
    assert not page.is_visible("#similar[open]")
    assert len(held) == 3, [route.request.url for route in held]
    for route in held:
        route.continue_()
    page.wait_for_selector("#similar[open]")
    expected = [book["book_id"] for book, _ in catalogue.similar(50, 10)]
    shown = ids(page, "#similar-rating")
    assert shown[:5] == expected[:5] or sorted(shown) == sorted(expected)
    page.wait_for_function("() => window.shelf.stats.recomputeCount === 2")
    assert 50 not in ids(page, "#suggestions") and len(ids(page, "#suggestions")) > 0
    assert page.js_errors == []


@pytest.mark.parametrize("close", [True, False], ids=["closed", "left-open"])
def test_a_superseded_similar_is_dropped(page, gunicorn_url, catalogue, close):
    """The later part held: Similar on book 50 (row 49, whose neighbor row is in the later part)
    waits; Similar on book 2 opens at once; Esc closes it (or not). When the later part comes,
    book 50's answer is dropped: a closed dialog stays closed, also after a pick; an open one
    keeps showing book 2."""
    held = []
    page.route(LATER_SHARDS, lambda route: held.append(route))
    page.goto(gunicorn_url + "?picks=2,50")
    wait_state(page, "ready")
    wait_for_picks(page, 2)
    page.click("#picks li[data-book-id='50'] button[data-action=similar]")
    page.click("#picks li[data-book-id='2'] button[data-action=similar]")
    page.wait_for_selector("#similar[open]")
    title_2 = f"Similar to “{catalogue.books[1]['title']}”"
    assert page.text_content("#similar-title") == title_2
    if close:
        page.keyboard.press("Escape")
        page.wait_for_selector("#similar", state="hidden")
    assert held, "the later part was not asked for"
    for route in held:
        route.continue_()
    # The suggestions for picks 2 and 50 need the later part too; the worker answers the
    # waiting Similar ("whole") before it has scored them, so by the time they show, book 50's
    # similar books would have been shown.
    page.wait_for_selector("#suggestions > li")
    if close:
        assert not page.is_visible("#similar")
        page.fill("#search", "even book 4")
        page.click("#search-results li[data-book-id='4'] button[data-action=pick]")
        wait_for_picks(page, 3)
        assert not page.is_visible("#similar")
    else:
        assert page.text_content("#similar-title") == title_2
        page.click("#similar-rating li button[data-action=pick]")  # a pick refreshes the dialog
        wait_for_picks(page, 3)
        assert page.text_content("#similar-title") == title_2
    assert page.js_errors == []


def test_a_later_part_that_fails_shows_retry_when_a_pick_needs_it_and_keeps_the_picks(page, gunicorn_url):
    page.route(LATER_SHARDS, lambda route: route.fulfill(status=404, body="Not found."))
    page.goto(gunicorn_url + "?picks=2")
    wait_state(page, "ready")
    page.wait_for_selector("#suggestions > li")  # the first part did; the later part failed quietly
    page.fill("#search", "even book 50")
    page.click("#search-results li[data-book-id='50'] button[data-action=pick]")
    wait_state(page, "error")
    text = status_text(page)
    assert re.search(r"model/group\d-shard2of2\.[0-9a-f]{16}\.bin: HTTP 404", text), text
    assert "Your 2 picks are kept." in text
    assert page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "2,50"

    page.unroute(LATER_SHARDS)
    page.click("#retry")
    wait_state(page, "ready")
    assert ids(page, "#picks") == [2, 50]
    page.wait_for_function("() => window.shelf.stats.recomputeCount >= 2")
    assert 50 not in ids(page, "#suggestions") and len(ids(page, "#suggestions")) > 0


def test_a_model_worker_that_cannot_start_shows_retry_and_keeps_the_picks(page, gunicorn_url):
    """The model's worker script (web/model-worker.js) itself fails: the page names it, offers
    Retry and keeps the picks; Retry starts a new worker and the suggestions come."""
    page.route("**/model-worker.js", lambda route: route.fulfill(status=404, body="Not found."))
    page.goto(gunicorn_url + "?picks=2,4:3")
    wait_state(page, "error")
    text = status_text(page)
    assert "model-worker.js: could not be started" in text and "Your 2 picks are kept." in text, text
    assert page.is_visible("#retry")
    wait_for_picks(page, 2)  # the catalogue came
    assert ids(page, "#picks") == [2, 4]

    page.unroute("**/model-worker.js")
    retry_recovers_the_picks(page)


def test_a_books_json_changed_on_the_server_is_named_and_retry_does_not_reload(page, gunicorn_url):
    """books.json edited by hand on the server (metadata.json, and so the build, unchanged): the
    page says the file was changed or damaged, not that the site has a newer version; Retry
    fetches it again without reloading the page (which would meet the same file), and the
    saved shelf is kept."""
    served = []

    def hand_edited(route):
        response = route.fetch()
        books = json.loads(response.body())
        books[0]["title"] += " (edited)"
        served.append(route.request.url)
        route.fulfill(response=response, body=json.dumps(books), headers={"Content-Type": "application/json"})

    page.add_init_script(
        f"localStorage.getItem('{STORAGE_KEY}') ?? localStorage.setItem('{STORAGE_KEY}', '2,4:3')"
    )
    page.route("**/books.json", hand_edited)
    page.goto(gunicorn_url)
    wait_state(page, "error")
    text = status_text(page)
    assert "(books.json: was changed or damaged on the server" in text, text
    assert "newer version" not in text and "connection" not in text
    assert text.endswith("Your 2 picks are kept. Retry later, once the site is fixed.")
    assert not page.is_visible("#update")
    page.evaluate("window.notReloaded = true")
    with page.expect_response("**/books.json"):
        page.click("#retry")  # the page goes back to loading at once, then fails again
    wait_state(page, "error")
    assert len(served) == 2
    assert page.evaluate("window.notReloaded") is True
    assert status_text(page) == text
    assert not page.is_visible("#update")
    assert page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "2,4:3"


def test_a_books_json_that_never_comes_times_out_and_retry_recovers(page, gunicorn_url):
    held = []
    page.route("**/books.json", lambda route: held.append(route))
    page.clock.install()  # real time flows; fast_forward jumps it
    page.goto(gunicorn_url + "?picks=2")
    # The loader has started the catalogue downloads (and their stall timers) once it says so.
    page.wait_for_function("() => document.querySelector('#status-text').textContent.includes('catalogue')")
    assert held
    # The model in first (its suggestions come before the catalogue), so that the jump stalls the
    # catalogue alone: a model download still under way would time out with it (a loaded machine).
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    page.clock.fast_forward("00:31")
    wait_state(page, "error")
    assert "books.json: no data for 30 s (the connection stalled)" in status_text(page)
    assert "Your 1 pick is kept." in status_text(page)

    page.unroute("**/books.json")
    for route in held:  # let go of what is still waiting (index.html's preload, say)
        try:
            route.continue_()
        except PlaywrightError:
            pass  # the page aborted it
    page.click("#retry")
    wait_state(page, "ready")
    assert ids(page, "#picks") == [2]
    # Only the catalogue failed: Retry took up the model's healthy download, no second worker.
    assert len(page.workers) == 1, [worker.url for worker in page.workers]


def test_a_server_without_the_pages_site_json_is_a_newer_version_not_a_network_error(page, gunicorn_url):
    """A built page meets a server with no site.json (rolled back to a build from before it, or a
    half-copied deploy): that server's site is not this page's build. The page says "newer
    version" and offers the reload, never "check your connection" with a Retry that meets the same
    404; the saved shelf is kept."""
    page.add_init_script(
        f"localStorage.getItem('{STORAGE_KEY}') ?? localStorage.setItem('{STORAGE_KEY}', '2,4:3')"
    )
    page.route("**/site.json", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(gunicorn_url)
    wait_state(page, "error")
    text = status_text(page)
    assert "metadata.json: is from a newer version of the site" in text and "connection" not in text, text
    assert page.is_visible("#update")
    assert page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "2,4:3"
