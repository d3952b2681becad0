"""The model's loading in real headless Chromium, against real gunicorn and the Firebase Hosting
emulator: its progress, a failure and Retry, TF.js versioned and licensed, the model run in its
Web Worker (or on the page where the browser has no module workers), the first files asked for
early. Every test runs once per server (``site_url`` is parametrised); screenshots go to
test-artifacts/web/.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from harness.servers import wait_until
from server.site import IMMUTABLE, REVALIDATE
from tests.web.shelf_page import (
    PICK_IDS,
    PICKS,
    ids,
    open_site,
    pick_by_search,
    suggestions,
    wait_for_suggestions_without,
)

pytestmark = pytest.mark.browser


def test_model_failure_shows_error_then_retry_works(page, site_url, screenshot_dir, server_name):
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
    page.screenshot(path=screenshot_dir / f"{server_name}-model-failed.png")

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


# A browser without <link rel=prefetch> (Safari): its relList says so.
NO_LINK_PREFETCH = """
const supports = DOMTokenList.prototype.supports;
DOMTokenList.prototype.supports = function (token) {
  return token === "prefetch" ? false : supports.call(this, token);
};
"""


@pytest.mark.parametrize("link_prefetch", [True, False], ids=["rel=prefetch", "no rel=prefetch"])
def test_a_first_visit_asks_for_tfjs_and_the_first_part_at_once(page, site_url, link_prefetch):
    """index.html names TF.js, the model's first part and the catalogue's first two parts
    (sitebuild/catalogue.py add_first_files); once the first screen is painted the page asks for
    them as <link rel=prefetch> where the browser can (web/js/boot.js firstFiles, prefetchOnPage),
    and the model's worker asks for them too (model-host.js "prefetch"), for the worker's own
    requests (and the page's for the parts) to find in the HTTP cache. A visit the service
    worker serves prefetches nothing (no network), but reads the catalogue's first parts from
    its cache once the first screen is painted, not only once the picks are scored."""
    if not link_prefetch:
        page.add_init_script(NO_LINK_PREFETCH)
    open_site(page, site_url)
    names = page.get_attribute("meta[name=shelf-first-files]", "content").split()
    model_json = json.loads(urllib.request.urlopen(site_url + "model/model.json").read())
    later = set(model_json["userDefinedMetadata"]["later_shards"])
    shards = [f"model/{path}" for group in model_json["weightsManifest"] for path in group["paths"]]
    assert later and re.fullmatch(r"vendor/tf\.fesm\.min\.[0-9a-f]{16}\.js", names[0])
    first_part = [shard for shard in shards if shard.removeprefix("model/") not in later]
    parts = json.loads(urllib.request.urlopen(site_url + "site.json").read())["catalogue_parts"]["files"][:2]
    assert names[1:] == first_part + parts
    prefetched = "() => [...document.querySelectorAll('link[rel=prefetch]')].map(l => l.getAttribute('href'))"
    asked = "() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname.slice(1))"
    [worker] = [worker for worker in page.workers if worker.url.endswith("/model-worker.js")]
    assert page.evaluate(prefetched) == (names if link_prefetch else [])
    # The worker itself never needs the catalogue: its parts there are the early asks.
    in_worker = lambda: set(names) <= set(worker.evaluate(asked))  # noqa: E731
    assert wait_until(in_worker, timeout=30), worker.evaluate(asked)
    on_page = [name for name in page.evaluate(asked) if name in names]
    assert sorted(on_page) == (sorted(names) if link_prefetch else [])  # the links' only
    pick_by_search(page, "even book 4", 4)
    wait_for_suggestions_without(page, [4])
    # (That the later requests then come from the HTTP cache is for bench_phone.py --requests to
    # show: Playwright's request routing, which these pages use, turns the HTTP cache off.)

    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    open_site(page, site_url)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    [worker] = [worker for worker in page.workers if worker.url.endswith("/model-worker.js")]
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)  # the worker's model is in
    assert page.evaluate(prefetched) == []
    assert not [name for name in worker.evaluate(asked) if name in parts]
    # Read with no pick made (asked once the first screen is painted: its entry may come a moment
    # after the page is ready).
    assert wait_until(lambda: set(parts) <= set(page.evaluate(asked)), timeout=10), page.evaluate(asked)
    assert page.js_errors == []


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
