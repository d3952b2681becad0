"""The page on a bad network, in real headless Chromium: a model shard that 404s, is cut short
or corrupt, a books.json that never comes, no network at all on a second visit, and a new
build replacing the offline copy. The page says which file failed and offers Retry; picks are
never lost. Request interception (Playwright routes), offline mode and a fake clock, no sleeps.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.web.servers import ROOT, ServerError, import_build_site, start_gunicorn, stop
from tests.web.test_web_e2e import ids

pytestmark = pytest.mark.browser

SHARDS = "**/model/*.bin"
STORAGE_KEY = "shelf.picks.v1"


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f"body[data-state={state}]", timeout=60_000)


def status_text(page) -> str:
    return page.text_content("#status-text")


def truncated(route) -> None:
    response = route.fetch()
    route.fulfill(response=response, body=response.body()[: len(response.body()) // 2])


def corrupt(route) -> None:
    response = route.fetch()
    body = bytearray(response.body())
    body[len(body) // 2] ^= 0xFF  # same length, one byte flipped
    route.fulfill(response=response, body=bytes(body))


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
    assert re.search(r"model/group1-shard1of1\.[0-9a-f]{16}\.bin", text), text
    assert problem in text and "Your 2 picks are kept." in text
    assert page.is_visible("#retry")
    assert page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == (None if picks_in == "url" else "2,4:3")

    page.unroute(SHARDS)
    page.click("#retry")
    wait_state(page, "ready")
    assert ids(page, "#picks") == [2, 4]
    assert page.input_value("#picks li[data-book-id='4'] select") == "3"
    page.wait_for_selector("#suggestions > li")
    assert page.js_errors == []


def test_a_books_json_that_never_comes_times_out_and_retry_recovers(page, gunicorn_url):
    held = []
    page.route("**/books.json", lambda route: held.append(route))
    page.clock.install()  # real time flows; fast_forward jumps it
    page.goto(gunicorn_url + "?picks=2")
    # The loader has started the catalogue downloads (and their stall timers) once it says so.
    page.wait_for_function("() => document.querySelector('#status-text').textContent.includes('catalogue')")
    assert held
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


# Resolves, once the service worker is active with exactly one complete "shelf-" cache (build's
# when given), to that cache's name; checks again on each worker event, at least every 100 ms.
OFFLINE_COPY_JS = """async (build) => {
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
        const registration = await navigator.serviceWorker.getRegistration();
        if (!registration) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            continue;
        }
        if (registration.active?.state === "activated") {
            const keys = (await caches.keys()).filter((key) => key.startsWith("shelf-"));
            if (keys.length === 1 && (!build || keys[0] === `shelf-${build}`)) return keys[0];
        }
        await new Promise((resolve) => {
            registration.addEventListener("updatefound", resolve, { once: true });
            for (const worker of [registration.installing, registration.waiting, registration.active]) {
                worker?.addEventListener("statechange", resolve, { once: true });
            }
            setTimeout(resolve, 100);
        });
    }
    return "no offline copy within 60 s";
}"""


def wait_for_offline_copy(page, build: str | None = None) -> str:
    """Wait until the service worker is active with one complete cache; return its name."""
    return page.evaluate(OFFLINE_COPY_JS, build)


def test_a_second_visit_works_offline(page, site_url):
    page.goto(site_url)
    wait_state(page, "ready")
    page.fill("#search", "even book 4")
    page.click("#search-results li[data-book-id='4'] button[data-action=pick]")
    page.wait_for_selector("#suggestions > li")
    assert wait_for_offline_copy(page).startswith("shelf-")

    page.context.set_offline(True)
    try:
        page.reload()
        wait_state(page, "ready")
        assert ids(page, "#picks") == [4]
        page.wait_for_selector("#suggestions > li")
        page.fill("#search", "odd")
        assert ids(page, "#search-results")
        page.goto(site_url + "?picks=2,6")  # a shared link, offline too
        wait_state(page, "ready")
        assert ids(page, "#picks") == [2, 6]
    finally:
        page.context.set_offline(False)
    assert page.js_errors == []


def built_id(static_dir) -> str:
    return re.search(r'"build": "([0-9a-f]+)"', (static_dir / "sw.js").read_text()).group(1)


def test_a_new_build_replaces_the_offline_copy(page, site_artifacts, tmp_path):
    build_site = import_build_site()

    # Build B: the same model, one title changed.
    second = tmp_path / "artifacts-b"
    shutil.copytree(site_artifacts, second)
    books_path = second / "web" / "books.json"
    books = json.loads(books_path.read_text())
    books[3]["title"] = "Even Book 4, Second Edition"
    books_path.write_text(json.dumps(books))
    static_dir = tmp_path / "static"

    def build(artifacts) -> str:
        config = build_site.SiteConfig(artifacts, static_dir, ROOT / "web", ROOT / "node_modules")
        build_site.build_site(config)
        return built_id(static_dir)

    first_id = build(site_artifacts)
    try:
        base, proc = start_gunicorn(static_dir, tmp_path / "gunicorn.log")
    except ServerError as error:
        pytest.fail(str(error))
    try:
        page.goto(base)
        wait_state(page, "ready")
        assert wait_for_offline_copy(page, first_id) == f"shelf-{first_id}"

        second_id = build(second)
        assert second_id != first_id
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        # The new worker caches build B whole, takes over and deletes build A's cache.
        assert wait_for_offline_copy(page, second_id) == f"shelf-{second_id}"
        page.reload()
        wait_state(page, "ready")
        page.fill("#search", "second edition")
        assert ids(page, "#search-results") == [books[3]["book_id"]]

        page.context.set_offline(True)
        page.reload()
        wait_state(page, "ready")
        page.fill("#search", "second edition")
        assert ids(page, "#search-results") == [books[3]["book_id"]]
        page.context.set_offline(False)
    finally:
        stop(proc)
