"""The page across builds, in real headless Chromium: its offline copy (a second visit with no
network), a new build that waits until the page reloads whole, a rebuild while the page loads or
before an import (never two builds' files paired), the map page's modules never mixed with the
service worker's cache. Bad networks: test_web_network.py."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

from harness.browser import local_only
from harness.servers import ROOT, ServerError, start_gunicorn, stop
from sitebuild.build import build_site
from sitebuild.common import SiteConfig
from tests.goodreads_fixture import FIXTURE
from tests.web.shelf_page import ids, status_text, wait_state

pytestmark = pytest.mark.browser

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


class TwoBuilds:
    """Build A (the trained site) and build B (one title, the model file, the Goodreads table
    and one module, js/picks.js, changed) of one site into one static/ directory, served by one
    gunicorn, as a deploy would."""

    def __init__(self, site_artifacts, tmp_path):
        self.static_dir = tmp_path / "static"
        self.artifacts = {"A": site_artifacts, "B": tmp_path / "artifacts-b"}
        second = self.artifacts["B"]
        shutil.copytree(site_artifacts, second)
        books = json.loads((second / "model" / "web" / "books.json").read_text())
        books[3]["title"] = "Even Book 4, Second Edition"
        (second / "model" / "web" / "books.json").write_text(json.dumps(books))
        self.changed_book = books[3]["book_id"]
        model_json = second / "model" / "web" / "model" / "model.json"
        model_json.write_text(json.dumps({**json.loads(model_json.read_text()), "note": "build B"}))
        table = json.loads((second / "model" / "web" / "goodreads.json").read_text())
        table["goodreads_book_ids"] = table["goodreads_book_ids"][::-1]  # rows mean other books now
        (second / "model" / "web" / "goodreads.json").write_text(json.dumps(table))
        self.web = {"A": ROOT / "web", "B": tmp_path / "web-b"}
        shutil.copytree(ROOT / "web", self.web["B"])
        with open(self.web["B"] / "js" / "picks.js", "a") as module:
            module.write("// build B\n")

    def build(self, variant: str) -> str:
        config = SiteConfig(
            self.artifacts[variant], self.static_dir, self.web[variant], ROOT / "node_modules"
        )
        build_site(config)
        return built_id(self.static_dir)


@pytest.fixture
def two_builds(site_artifacts, tmp_path):
    builds = TwoBuilds(site_artifacts, tmp_path)
    builds.first_id = builds.build("A")
    try:
        builds.base, proc = start_gunicorn(builds.static_dir, tmp_path / "gunicorn.log")
    except ServerError as error:
        pytest.fail(str(error))
    yield builds
    stop(proc)


@pytest.fixture
def page_without_worker(browser):
    """A page whose browser runs no service worker: every file comes from the network."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", local_only)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()


def search_ids(page, query: str) -> list[int]:
    page.fill("#search", query)
    return ids(page, "#search-results")


# Resolves to true once a new service worker is installed and waiting (within 60 s).
WAITING_WORKER_JS = """async () => {
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
        const registration = await navigator.serviceWorker.getRegistration();
        if (registration?.waiting?.state === "installed") return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
}"""


def test_a_new_build_waits_until_the_page_reloads_whole(page, two_builds):
    """A rebuild under an open page: the new worker caches build B but never takes the page
    over; the page keeps getting build A's files, says a new version is ready, and on the
    visitor's word reloads whole into build B."""
    builds = two_builds
    page.goto(builds.base)
    wait_state(page, "ready")
    assert wait_for_offline_copy(page, builds.first_id) == f"shelf-{builds.first_id}"
    page.reload()  # now the worker of build A controls the page
    wait_state(page, "ready")
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    a_books = page.evaluate("fetch('books.json').then((r) => r.text())")

    second_id = builds.build("B")
    assert second_id != builds.first_id
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    assert page.evaluate(WAITING_WORKER_JS)
    page.wait_for_selector("#update:not([hidden])")
    assert "A new version of Shelf is ready" in page.text_content("#update")
    # Still build A in every file the open page fetches: the new worker waits.
    assert page.evaluate("fetch('books.json').then((r) => r.text())") == a_books
    assert search_ids(page, "second edition") == []
    assert page.evaluate("caches.keys()").count(f"shelf-{builds.first_id}") == 1

    page.wait_for_load_state("networkidle")  # the search's covers: no request at the worker (SERVING.md)
    with page.expect_navigation():
        page.click("#update-reload")
    wait_state(page, "ready")
    assert page.get_attribute("meta[name=shelf-build]", "content") == second_id
    assert search_ids(page, "second edition") == [builds.changed_book]
    assert wait_for_offline_copy(page, second_id) == f"shelf-{second_id}"  # build A's cache is gone

    page.context.set_offline(True)
    try:
        page.reload()
        wait_state(page, "ready")
        assert search_ids(page, "second edition") == [builds.changed_book]
    finally:
        page.context.set_offline(False)
    assert page.js_errors == []


# Holds the page's own fetch of books.json until window.releaseCatalogue() is called: the page
# stays loading (its catalogue not in) for as long as a test needs. Only the tab's first page:
# after a reload it loads as any other.
HOLD_CATALOGUE_JS = """(() => {
    if (sessionStorage.getItem("held")) return;
    sessionStorage.setItem("held", "1");
    const held = new Promise((resolve) => { window.releaseCatalogue = resolve; });
    const realFetch = window.fetch;
    window.fetch = (url, ...rest) => {
        const go = () => realFetch(url, ...rest);
        return String(url).endsWith("books.json") ? held.then(go) : go();
    };
})();"""


def test_a_tab_still_loading_is_told_when_another_tab_lets_the_new_build_in(page, two_builds):
    """Tab 2 is still loading when tab 1's "Reload to use it" lets build B's worker in, which
    takes tab 2 over too: tab 2 says a new version is ready at once (not only once one of its
    downloads fails), and its own button reloads it whole into build B, its shelf kept."""
    builds = two_builds
    page.goto(builds.base + "?picks=4,6")
    wait_state(page, "ready")
    assert wait_for_offline_copy(page, builds.first_id) == f"shelf-{builds.first_id}"
    page.goto(builds.base)  # now the worker of build A controls the page; the shelf is saved
    wait_state(page, "ready")
    second_id = builds.build("B")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    assert page.evaluate(WAITING_WORKER_JS)
    page.wait_for_selector("#update:not([hidden])")

    loading = page.context.new_page()
    errors = []
    loading.on("pageerror", lambda error: errors.append(str(error)))
    loading.add_init_script(HOLD_CATALOGUE_JS)
    loading.goto(builds.base)
    loading.wait_for_function("navigator.serviceWorker.controller && window.releaseCatalogue !== undefined")
    loading.wait_for_selector("#picks > li")
    assert ids(loading, "#picks") == [4, 6]
    # Its model in and its first suggestions drawn (named by the catalogue's parts), with no
    # request left at the worker: with DevTools attached to the service workers (Playwright),
    # a skip-waiting that meets the old worker busy waits five minutes (docs/SERVING.md).
    loading.wait_for_selector("#suggestions > li")
    loading.wait_for_load_state("networkidle")
    assert loading.is_hidden("#update")
    with page.expect_navigation():
        page.click("#update-reload")
    wait_state(page, "ready")
    assert page.get_attribute("meta[name=shelf-build]", "content") == second_id

    loading.wait_for_selector("#update:not([hidden])")
    assert loading.get_attribute("body", "data-state") != "ready"  # told while still loading
    assert loading.get_attribute("meta[name=shelf-build]", "content") == builds.first_id
    with loading.expect_navigation():
        loading.click("#update-reload")
    wait_state(loading, "ready")
    assert loading.get_attribute("meta[name=shelf-build]", "content") == second_id
    assert ids(loading, "#picks") == [4, 6]
    assert page.js_errors == [] and errors == []


def test_a_rebuild_while_the_page_loads_is_caught_and_reloads_whole(page_without_worker, two_builds):
    """No worker: build B lands while the page loads (when model.json is asked for: the
    page's preload may ask before or after metadata.json). The page pairs none of B's files
    with its own build A; it names the first it met, and Retry reloads the whole page, into B."""
    page, builds = page_without_worker, two_builds
    rebuilt = []

    def rebuild_first(route):
        if not rebuilt:
            rebuilt.append(builds.build("B"))
        route.continue_()

    page.route("**/model/model.json", rebuild_first)
    page.goto(builds.base)
    wait_state(page, "error")
    text = status_text(page)
    assert re.search(r"(metadata|books|model/model)\.json: is from a newer version of the site", text), text
    assert page.is_visible("#update")
    page.unroute("**/model/model.json")
    with page.expect_navigation():
        page.click("#retry")
    wait_state(page, "ready")
    assert page.get_attribute("meta[name=shelf-build]", "content") == rebuilt[0]
    assert search_ids(page, "second edition") == [builds.changed_book]


def test_a_model_worker_of_another_build_is_never_used(page_without_worker, site_artifacts, tmp_path):
    """A first visit: metadata.json (build A) is in, the request for model-worker.js is held
    while build B (only js/model-host.js changed, the model and catalogue the same) lands. The
    worker so runs build B's modules; the page checks them against its build's site_files, never
    uses that model, and offers the new version, as for any other file; Retry reloads into B."""
    page = page_without_worker
    builds = TwoBuilds(site_artifacts, tmp_path)
    builds.artifacts["B"] = site_artifacts  # the same model and catalogue: only the worker's code
    shutil.copytree(ROOT / "web", builds.web["B"], dirs_exist_ok=True)  # undo TwoBuilds' picks.js edit
    with open(builds.web["B"] / "js" / "model-host.js", "a") as module:
        # (code, not a comment: the bundle of model-worker.js, minified, keeps no comment)
        module.write('globalThis.shelfBuild = "B";\n')
    first_id = builds.build("A")
    try:
        base, proc = start_gunicorn(builds.static_dir, tmp_path / "gunicorn.log")
    except ServerError as error:
        pytest.fail(str(error))
    try:
        held = []
        # The first request held; any later one (the page reloaded into build B) goes through.
        page.route("**/model-worker.js", lambda route: route.continue_() if held else held.append(route))
        with page.expect_response("**/metadata.json"):
            page.goto(base)
        # Waits for the held request: Playwright hands it to the route only while it waits itself.
        deadline = time.monotonic() + 60
        while not held and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert held, "the page never asked for model-worker.js"
        second_id = builds.build("B")
        assert second_id != first_id
        held[0].continue_()
        wait_state(page, "error")
        text = status_text(page)
        # (model-host.js is bundled into model-worker.js: sitebuild/bundle.py)
        assert "model-worker.js: is from a newer version of the site" in text, text
        assert page.is_visible("#update")
        assert page.evaluate("window.shelf.stats.readyAtMs") is None  # the worker's model never used
        with page.expect_navigation():
            page.click("#retry")
        wait_state(page, "ready")
        assert page.get_attribute("meta[name=shelf-build]", "content") == second_id
    finally:
        stop(proc)


def test_an_import_after_a_rebuild_never_pairs_two_builds(page_without_worker, two_builds):
    """The page holds build A's books.json; the server now has build B's goodreads.json (rows
    that mean other books). The import refuses it, changes nothing and offers the reload."""
    page, builds = page_without_worker, two_builds
    page.goto(builds.base)
    wait_state(page, "ready")
    builds.build("B")
    page.set_input_files("#import-file", str(FIXTURE))
    page.wait_for_selector("#import-status[data-kind=error]")
    message = page.text_content("#import-status")
    assert "Shelf was updated since this page was opened" in message and "Reload the page" in message
    assert ids(page, "#picks") == [] and page.evaluate("window.shelf.stats.importCount") == 0
    assert page.is_visible("#update")
    with page.expect_navigation():
        page.click("#update-reload")
    wait_state(page, "ready")
    page.set_input_files("#import-file", str(FIXTURE))
    page.wait_for_function("() => window.shelf.stats.importCount === 1")
    assert page.get_attribute("#import-status", "data-kind") == "done"


def test_the_map_page_never_mixes_cached_and_network_modules(page, two_builds):
    """The worker caches build A for the main page; the map page (not cached) loads from the
    network, so after a rebuild all of its modules are build B's, none the worker's build A."""
    builds = two_builds
    page.goto(builds.base)
    wait_state(page, "ready")
    assert wait_for_offline_copy(page, builds.first_id) == f"shelf-{builds.first_id}"
    builds.build("B")
    modules = {}
    page.on("response", lambda response: modules.setdefault(response.url, response))
    page.goto(builds.base + "map.html")
    page.wait_for_function("() => document.body.dataset.state !== 'loading'")  # no map.json here: an error
    assert modules[builds.base + "map.html"].text().count("shelf-build") == 1
    assert modules[builds.base + "js/picks.js"].text().endswith("// build B\n")
