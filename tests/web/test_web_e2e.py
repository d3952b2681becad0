"""End to end in real headless Chromium, against real gunicorn and the Firebase Hosting emulator.

The site is built from a model trained on the planted synthetic catalogue (see conftest.py).
Every test runs once per server (``site_url`` is parametrised). Screenshots of the main
states go to test-artifacts/web/.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from harness.browser import local_only
from harness.servers import recommend_cli
from server.search import search_rows
from server.site import IMMUTABLE, REVALIDATE

pytestmark = pytest.mark.browser

XSS_TITLE = "<img src=x onerror=alert(1)>"
# Three picks found by searching, as a visitor would: (query typed, book_id picked).
PICKS = [("petit prince edition", 2), ("even book 4", 4), ("img src", 1)]
PICK_IDS = [book_id for _, book_id in PICKS]


@pytest.fixture(scope="session")
def python_recommendations(site_artifacts):
    """``python -m model.recommend`` for the picks the browser makes: plain, then book 4 at 3 stars."""
    visitors = [
        {"liked": PICK_IDS, "k": 10},
        {"ratings": {"2": 5, "4": 3, "1": 5}, "k": 10},
    ]
    return recommend_cli(site_artifacts, visitors)


def open_site(page, url: str) -> None:
    """Load the page and wait for the model; fail at once (with the page's message) if it errors."""
    page.goto(url)
    page.wait_for_selector("body[data-state=ready], body[data-state=error]", timeout=30_000)
    if page.get_attribute("body", "data-state") == "error":
        pytest.fail(f"the page could not load the model: {page.text_content('#status-text')}")


def pick_by_search(page, query: str, book_id: int) -> None:
    page.fill("#search", query)
    page.click(f"#search-results li[data-book-id='{book_id}'] button[data-action=pick]")


def ids(page, list_selector: str) -> list[int]:
    return page.eval_on_selector_all(
        f"{list_selector} > li", "items => items.map(li => Number(li.dataset.bookId))"
    )


def shared_shelf(page) -> dict:
    """The ?shelf= link decoded by the page's own code: {"picks": [[id, stars]], "marks": [[id, mark]]}."""
    return page.evaluate(
        """async () => {
        const { decodeShelf } = await import("./js/shelf.js");
        const shelf = decodeShelf(new URL(location.href).searchParams.get("shelf"));
        return { picks: [...shelf.picks], marks: [...shelf.marks] };
    }"""
    )


def suggestions(page) -> list[tuple[int, float]]:
    return page.eval_on_selector_all(
        "#suggestions > li",
        "lis => lis.map(li => [Number(li.dataset.bookId),"
        " Number(li.querySelector('.book-predicted').dataset.stars)])",
    )


def wait_for_suggestions_without(page, book_ids: list[int]) -> None:
    """Wait until the suggestions were recomputed for the current picks."""
    page.wait_for_function(
        "ids => { const shown = [...document.querySelectorAll('#suggestions > li')];"
        " return shown.length === 20 && !shown.some(li => ids.includes(Number(li.dataset.bookId))); }",
        arg=book_ids,
    )


@pytest.fixture
def name(site_url, request):
    """'gunicorn' or 'firebase', for screenshot names."""
    return request.node.callspec.params["site_url"]


def test_start_state_search_and_cover_placeholders(page, site_url, catalogue, screenshot_dir, name):
    open_site(page, site_url)
    assert page.text_content("#results-heading") == "Popular books to start from"
    assert ids(page, "#search-results") == [
        catalogue.books[r]["book_id"] for r in catalogue.index.popularity[:20]
    ]
    assert page.is_visible("#suggestions-hint")
    # Covers point at an outside host the test browser may not reach: each becomes a placeholder.
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results .cover-placeholder').length >= 3"
    )
    page.screenshot(path=screenshot_dir / f"{name}-start.png")

    # The page ranks exactly like server/search.py (which /api/books uses), typos included.
    queries = ["even book 1", "EVEN", "petit prince edition", "édition", "author b", "odd 4", "kafka"]
    for query in [*queries, "evne bok 12", "petit prnce", "kafak"]:
        page.fill("#search", query)
        expected = [catalogue.books[r]["book_id"] for r in search_rows(catalogue.index, query)[:20]]
        assert ids(page, "#search-results") == expected, query
        assert expected or query not in ("evne bok 12", "petit prnce"), query  # typos found them
    page.fill("#search", "no such book anywhere")
    assert ids(page, "#search-results") == []
    assert "No books match" in page.text_content("#search-summary")
    page.screenshot(path=screenshot_dir / f"{name}-no-results.png")

    page.fill("#search", "even")
    assert page.is_visible("#search-more")
    page.click("#search-more")
    assert ids(page, "#search-results") == [
        catalogue.books[r]["book_id"] for r in search_rows(catalogue.index, "even")[:40]
    ]
    assert page.is_hidden("#search-more")  # fewer than 40 books match
    assert page.js_errors == []


def test_picks_give_suggestions_equal_to_python(page, site_url, python_recommendations, screenshot_dir, name):
    open_site(page, site_url)
    for query, book_id in PICKS:
        pick_by_search(page, query, book_id)
    assert ids(page, "#picks") == PICK_IDS
    wait_for_suggestions_without(page, PICK_IDS)
    page.fill("#search", "")
    page.screenshot(path=screenshot_dir / f"{name}-suggestions.png", full_page=True)

    shown = suggestions(page)
    assert not set(PICK_IDS) & {book_id for book_id, _ in shown}
    expected = python_recommendations[0]
    assert [book_id for book_id, _ in shown[:10]] == expected["book_ids"]
    assert [stars for _, stars in shown[:10]] == pytest.approx(expected["stars"], abs=1e-3)
    reasons = page.eval_on_selector_all("#suggestions .book-reason cite", "cs => cs.map(c => c.textContent)")
    assert len(reasons) == 20
    picked_titles = set(page.eval_on_selector_all("#picks .book-title", "ts => ts.map(t => t.textContent)"))
    assert set(reasons) <= picked_titles

    # Book 4 down to 3 stars: the page recomputes and still matches Python.
    recomputed = page.evaluate("window.shelf.stats.recomputeCount")
    page.select_option("#picks li[data-book-id='4'] select", "3")
    page.wait_for_function("n => window.shelf.stats.recomputeCount > n", arg=recomputed)
    shown = suggestions(page)
    assert [book_id for book_id, _ in shown[:10]] == python_recommendations[1]["book_ids"]
    assert [stars for _, stars in shown[:10]] == pytest.approx(python_recommendations[1]["stars"], abs=1e-3)
    assert shared_shelf(page) == {"picks": [[2, 5], [4, 3], [1, 5]], "marks": []}
    # A 3-star pick is not liked: it no longer explains a suggestion while others are liked.
    reasons = page.eval_on_selector_all("#suggestions .book-reason cite", "cs => cs.map(c => c.textContent)")
    book_4 = page.inner_text("#picks li[data-book-id='4'] .book-title")
    assert reasons and book_4 not in reasons and set(reasons) <= picked_titles

    page.click("#suggestions-more")
    page.wait_for_function("() => document.querySelectorAll('#suggestions > li').length === 40")
    assert page.js_errors == []
    # Everything ran under the served Content-Security-Policy (own scripts only, no eval).
    assert [m for m in page.console_messages if "Content Security Policy" in m] == []


def test_picks_survive_reload_and_travel_in_the_url(browser, page, site_url, screenshot_dir, name):
    open_site(page, site_url)
    for query, book_id in PICKS:
        pick_by_search(page, query, book_id)
    computed = page.evaluate("window.shelf.stats.recomputeCount")
    page.select_option("#picks li[data-book-id='2'] select", "4")
    # (the list from before the 4 stars has none of the picks either: wait for the new one)
    page.wait_for_function("n => window.shelf.stats.recomputeCount > n", arg=computed)
    wait_for_suggestions_without(page, PICK_IDS)
    shared_url = page.url
    assert "shelf=" in shared_url and "picks=" not in shared_url
    before = suggestions(page)

    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    wait_for_suggestions_without(page, PICK_IDS)
    assert ids(page, "#picks") == PICK_IDS
    assert page.input_value("#picks li[data-book-id='2'] select") == "4"
    assert suggestions(page) == before

    # The bare address (no ?picks) restores them from localStorage.
    open_site(page, site_url)
    assert ids(page, "#picks") == PICK_IDS

    # The shared link in a fresh browser (empty localStorage) restores the same list.
    friend = browser.new_context(viewport={"width": 1024, "height": 800})
    friend.route("**/*", local_only)
    try:
        other = friend.new_page()
        open_site(other, shared_url)
        wait_for_suggestions_without(other, PICK_IDS)
        assert ids(other, "#picks") == PICK_IDS
        assert other.input_value("#picks li[data-book-id='2'] select") == "4"
        assert suggestions(other) == before
        other.screenshot(path=screenshot_dir / f"{name}-shared-link.png")
        other.click("#clear-picks")
        assert ids(other, "#picks") == []
        assert "shelf=" not in other.url
        assert other.is_visible("#suggestions-hint")
    finally:
        friend.close()


def test_hostile_title_renders_as_text(page, site_url):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_site(page, site_url)
    page.fill("#search", "<img")
    assert page.text_content("#search-results li[data-book-id='1'] .book-title") == XSS_TITLE
    pick_by_search(page, "img src", 1)
    assert page.text_content("#picks li[data-book-id='1'] .book-title") == XSS_TITLE
    page.wait_for_selector("#suggestions > li")
    # Every image the page loads eagerly (an injected <img> would) has loaded or failed, and
    # the events that follow have run: an injected onerror would have fired by now.
    page.wait_for_function(
        "[...document.images].every((image) => image.complete || image.loading === 'lazy')"
    )
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.eval_on_selector_all("img[src='x'], img:not([src^='https://'])", "imgs => imgs.length") == 0
    assert dialogs == []
    assert page.js_errors == []


def test_model_failure_shows_error_then_retry_works(page, site_url, screenshot_dir, name):
    page.route("**/model/model.json", lambda route: route.fulfill(status=503, body="unavailable"))
    page.goto(site_url)
    page.wait_for_selector("body[data-state=error]", timeout=30_000)
    assert page.is_visible("#retry")
    assert "Could not load the recommender" in page.text_content("#status-text")
    # The catalogue came: the visitor can still search and pick; the picks wait for the model.
    assert page.is_enabled("#search")
    page.click("#search-results button[data-action=pick] >> nth=0")
    page.wait_for_selector("#picks li")
    assert "Retry" in page.text_content("#suggestions-hint")
    page.screenshot(path=screenshot_dir / f"{name}-model-failed.png")

    page.unroute("**/model/model.json")
    page.click("#retry")
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    assert page.is_hidden("#status")
    assert len(ids(page, "#search-results")) == 20
    page.wait_for_selector("#suggestions li")  # the pick made while the model was missing
    assert len(ids(page, "#picks")) == 1


def test_loading_state_shows_progress(page, site_url):
    # Hold the biggest weights back (the first part's group 1: the tables' first rows come, so
    # the progress moves) so the loading state can be seen. The model's worker may ask for them
    # only now (its modules load first): once released, a late request goes straight through.
    held = []
    released = False

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/model/group1-*.bin", hold)
    page.goto(site_url)
    page.wait_for_function(
        "() => document.body.dataset.state === 'loading'"
        " && document.querySelector('#load-progress').value > 0"
    )
    assert "Loading" in page.text_content("#status-text")
    released = True
    for route in held:
        route.continue_()
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)


def test_similar_books_dialog(page, site_url, catalogue, screenshot_dir, name):
    open_site(page, site_url)
    pick_by_search(page, "even book 4", 4)
    page.click("#picks li[data-book-id='4'] button[data-action=similar]")
    page.wait_for_selector("#similar[open]")
    shown = ids(page, "#similar-rating")
    expected = [book["book_id"] for book, _ in catalogue.similar(4, 10)]
    assert len(shown) == 10 and 4 not in shown
    # Browser (float32 JS) and server (numpy) agree; allow a swap of two near-equal neighbors.
    assert shown[:5] == expected[:5] or sorted(shown) == sorted(expected)
    assert page.text_content("#similar-title") == "Similar to “Even Book 4”"
    page.screenshot(path=screenshot_dir / f"{name}-similar.png")
    page.keyboard.press("Escape")
    page.wait_for_selector("#similar", state="hidden")


def test_keyboard_only_on_a_phone(page, site_url, screenshot_dir, name):
    page.set_viewport_size({"width": 390, "height": 844})
    open_site(page, site_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'search'")
    page.keyboard.type("even book 4")
    page.wait_for_function("() => document.querySelector('#search-results > li')?.dataset.bookId === '4'")
    page.keyboard.press("Tab")  # the first result's Pick button
    assert page.evaluate("document.activeElement.dataset.action") == "pick"
    page.keyboard.press("Enter")
    page.wait_for_selector("#picks li[data-book-id='4']")
    # Focus stays on the same book's (now "Picked") button, so the visitor keeps their place.
    assert page.evaluate("document.activeElement.getAttribute('aria-pressed')") == "true"
    page.wait_for_selector("#suggestions > li")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshot_dir / f"{name}-phone.png", full_page=True)


def test_similar_content_from_content_similar_json(page, site_url):
    # The explorer's content_similar.json is optional; when served, the dialog shows it too.
    neighbors = {"k": 3, "neighbors": {"4": [10, 999999, 12]}}  # an unknown id is skipped
    page.route("**/content_similar.json", lambda route: route.fulfill(json=neighbors))
    open_site(page, site_url)
    pick_by_search(page, "even book 4", 4)
    page.click("#picks li[data-book-id='4'] button[data-action=similar]")
    page.wait_for_selector("#similar-content-section:not([hidden])")
    assert ids(page, "#similar-content") == [10, 12]
    page.click("#similar-content li[data-book-id='10'] button[data-action=pick]")
    page.wait_for_selector("#similar-content li[data-book-id='10'] button[aria-pressed=true]")
    assert ids(page, "#picks") == [4, 10]


def test_vendored_tfjs_is_versioned_and_its_licence_ships(site_url):
    """TF.js is cached a year only under a name that carries its hash (gunicorn and Firebase
    alike), and vendor/tfjs-LICENSE.txt, the licence of what we ship, is served."""
    with urllib.request.urlopen(site_url + "js/loader.js") as response:
        loader = response.read().decode()  # loader.js imports it once the first screen is up
    name = re.search(r'"\.\./(vendor/tf\.fesm\.min\.[0-9a-f]{16}\.js)"', loader).group(1)
    with urllib.request.urlopen(site_url + name) as response:
        assert response.headers["Cache-Control"] == IMMUTABLE
    with urllib.request.urlopen(site_url + "vendor/tfjs-LICENSE.txt") as response:
        assert response.status == 200 and response.headers["Cache-Control"] == REVALIDATE
        assert "Apache License" in response.read().decode()


def test_no_content_security_policy_violation_while_suggesting(page, site_url):
    """Every violation the browser reports (TF.js probing WebAssembly reported 'wasm-eval' on
    every page that computed suggestions) is caught by a listener set before the page runs."""
    page.add_init_script(
        "window.__violations = [];"
        " document.addEventListener('securitypolicyviolation', (event) => window.__violations.push("
        "`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));"
    )
    open_site(page, site_url)
    pick_by_search(page, "even book 4", 4)
    wait_for_suggestions_without(page, [4])
    # A violation made now is reported after any made before it: wait for that one, not a time.
    page.evaluate("() => { new Image().src = 'http://127.0.0.2:9/after-the-suggestions.png'; }")
    page.wait_for_function("() => window.__violations.some((v) => v.includes('after-the-suggestions'))")
    assert [v for v in page.evaluate("window.__violations") if "after-the-suggestions" not in v] == []


def test_the_model_runs_in_a_worker_never_on_the_page(page, site_url):
    """TF.js, model.json and the shards are fetched (and the model run) by web/model-worker.js:
    the page's own main thread loads none of them (it only asks for TF.js and the first part
    early, as preloads into the HTTP cache: web/js/boot.js), yet its suggestions come."""
    open_site(page, site_url)
    pick_by_search(page, "even book 4", 4)
    wait_for_suggestions_without(page, [4])
    resources = "() => performance.getEntriesByType('resource').map((entry) => entry.name)"
    loaded = "() => performance.getEntriesByType('resource').filter((e) => e.initiatorType !== 'link')"
    on_page = page.evaluate(f"() => ({loaded})().map((entry) => entry.name)")
    assert not [name for name in on_page if "tf.fesm" in name or "/model/" in name], on_page
    assert page.evaluate("() => typeof window.tf") == "undefined"
    workers = [worker for worker in page.workers if worker.url.endswith("/model-worker.js")]
    assert len(workers) == 1, [worker.url for worker in page.workers]
    in_worker = workers[0].evaluate(resources)
    assert any(re.search(r"/vendor/tf\.fesm\.min\.[0-9a-f]{16}\.js$", name) for name in in_worker), in_worker
    assert any(name.endswith("/model/model.json") for name in in_worker), in_worker
    assert page.js_errors == []


def test_a_first_visit_asks_for_tfjs_and_the_first_part_at_once(page, site_url):
    """index.html names TF.js, the model's first part and the catalogue's first two parts
    (build_site.py add_first_files); the page asks for them as its code starts (preloads), for
    the worker's own requests (and the page's for the parts) to find in the HTTP cache. A visit
    the service worker serves asks for nothing early: its cache answers at once."""
    open_site(page, site_url)
    names = page.get_attribute("meta[name=shelf-first-files]", "content").split()
    model_json = json.loads(urllib.request.urlopen(site_url + "model/model.json").read())
    later = set(model_json["userDefinedMetadata"]["later_shards"])
    shards = [f"model/{path}" for group in model_json["weightsManifest"] for path in group["paths"]]
    assert later and re.fullmatch(r"vendor/tf\.fesm\.min\.[0-9a-f]{16}\.js", names[0])
    first_part = [shard for shard in shards if shard.removeprefix("model/") not in later]
    catalogue_parts = json.loads(urllib.request.urlopen(site_url + "site.json").read())["catalogue_parts"]
    assert names[1:] == first_part + catalogue_parts["files"][:2]
    preloads = "() => performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'link')"
    asked = page.evaluate(f"() => ({preloads})().map((e) => new URL(e.name).pathname.slice(1))")
    assert sorted(name for name in asked if name in names) == sorted(names)
    pick_by_search(page, "even book 4", 4)
    wait_for_suggestions_without(page, [4])
    # (That the worker's requests then come from the HTTP cache is for bench_phone.py --requests to
    # show: Playwright's request routing, which these pages use, turns the HTTP cache off.)

    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    open_site(page, site_url)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    asked = page.evaluate(f"() => ({preloads})().map((e) => new URL(e.name).pathname.slice(1))")
    assert not [name for name in asked if name in names], asked


# Browsers without module workers: one whose Worker throws on {type: "module"}, and one that
# ignores the option (it would run model-worker.js as a classic script, which fails).
NO_MODULE_WORKERS = {
    "throws": "window.Worker = function Worker() { throw new TypeError('no module workers'); };",
    "classic only": "window.Worker = class extends Worker { constructor(url) { super(url); } };",
}


@pytest.mark.parametrize("browser_worker", NO_MODULE_WORKERS.values(), ids=NO_MODULE_WORKERS.keys())
def test_without_module_workers_the_model_runs_on_the_page(
    page, site_url, python_recommendations, browser_worker
):
    """A browser that cannot start a module worker (an old one) runs the same host on the page."""
    page.add_init_script(browser_worker)
    open_site(page, site_url)
    for query, book_id in PICKS:
        pick_by_search(page, query, book_id)
    wait_for_suggestions_without(page, PICK_IDS)
    shown = suggestions(page)
    assert [book_id for book_id, _ in shown[:10]] == python_recommendations[0]["book_ids"]
    assert [stars for _, stars in shown[:10]] == pytest.approx(python_recommendations[0]["stars"], abs=1e-3)
    assert page.workers == []
    on_page = page.evaluate("() => performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert any("tf.fesm" in name for name in on_page), on_page
    assert page.js_errors == []
