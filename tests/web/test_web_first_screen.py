"""The first screen comes before any download: index.html carries the most popular books, which
can be searched and picked while the catalogue and the model are still on their way; a pick
made then waits for them (the page says how far the model is) and is never lost."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from server.search import search_rows
from tests.goodreads_fixture import FIXTURE
from tests.web.shelf_page import ids

pytestmark = pytest.mark.browser

HELD = ("**/books.json", "**/metadata.json", "**/model/*", "**/vendor/tf.fesm.min.*.js")


def hold(page, patterns=HELD) -> list:
    """Hold back every request matching ``patterns``; returns the held routes to let go later."""
    held = []
    for pattern in patterns:
        page.route(pattern, lambda route: held.append(route))
    return held


def let_go(page, held, patterns=HELD) -> None:
    for pattern in patterns:
        page.unroute(pattern)
    for route in held:
        try:
            route.continue_()
        except PlaywrightError:
            pass  # unroute let it go already


def test_popular_books_can_be_searched_and_picked_before_any_download(page, gunicorn_url, catalogue):  # noqa: F811
    held = hold(page)
    page.goto(gunicorn_url)
    page.wait_for_selector("#search-results button[data-action=pick]")
    assert page.is_enabled("#search")
    assert page.get_attribute("body", "data-state") == "loading"  # nothing of the catalogue yet
    popular = [catalogue.books[row]["book_id"] for row in search_rows(catalogue.index, "")]
    assert ids(page, "#search-results") == popular[:20]
    page.click("#search-more")
    assert ids(page, "#search-results") == popular[:40]

    # Search among the popular books only, and say so.
    page.fill("#search", "even")
    found = ids(page, "#search-results")
    assert found and set(found) <= set(popular[:40])
    assert "until the whole catalogue has loaded" in page.text_content("#search-summary")

    # A pick now waits for the model; the suggestions say so.
    page.fill("#search", "")
    first = popular[0]
    page.evaluate("document.querySelectorAll('#search-results > li').forEach((li) => (li.shelfDrawn = true))")
    page.click(f"#search-results li[data-book-id='{first}'] button[data-action=pick]")
    assert ids(page, "#picks") == [first]
    # Only the picked book's item is drawn again (a short task on a phone; no cover reloaded),
    # and keyboard focus stays on its button.
    items = "[...document.querySelectorAll('#search-results > li')]"
    kept = page.evaluate(f"{items}.map((li) => !!li.shelfDrawn)")
    assert kept == [False] + [True] * 19, kept
    button = f"#search-results li[data-book-id='{first}'] button[data-action=unpick]"
    assert page.get_attribute(button, "aria-pressed") == "true"
    assert page.evaluate("document.activeElement.dataset.action") == "unpick"
    assert "as soon as the model has loaded" in page.text_content("#suggestions-hint")

    let_go(page, held)
    page.wait_for_selector("body[data-state=ready]", timeout=60_000)
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    assert ids(page, "#picks") == [first]
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") == str(first)
    # With the catalogue in, search is over every book: the same rows as the API's search.
    page.fill("#search", "even")
    expected = [catalogue.books[row]["book_id"] for row in search_rows(catalogue.index, "even")[:20]]
    assert ids(page, "#search-results") == expected
    assert "until the whole catalogue" not in page.text_content("#search-summary")
    assert page.js_errors == []


def test_a_pick_before_the_model_keeps_the_saved_shelf_and_adds_to_it(page, gunicorn_url, catalogue):  # noqa: F811
    """The saved shelf is opened before any download; a pick made then is saved onto it at once."""
    saved = catalogue.books[5]["book_id"]
    page.add_init_script(
        f"localStorage.getItem('shelf.picks.v1') ?? localStorage.setItem('shelf.picks.v1', '{saved}:4')"
    )
    held = hold(page)
    page.goto(gunicorn_url)
    first = [catalogue.books[row]["book_id"] for row in search_rows(catalogue.index, "")][0]
    page.click(f"#search-results li[data-book-id='{first}'] button[data-action=pick]")
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") == f"{saved}:4,{first}"  # added
    let_go(page, held)
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    assert sorted(ids(page, "#picks")) == sorted({saved, first})
    assert page.input_value(f"#picks li[data-book-id='{saved}'] select") == "4"
    assert page.js_errors == []


def test_the_model_loads_with_progress_while_the_catalogue_works(page, gunicorn_url, catalogue):  # noqa: F811
    """Only the shards held: on a first visit the catalogue waits for the model (the status
    says only the model loads), but a search starts it: it comes in (search over every book),
    and a pick's suggestions come when the shards do."""
    patterns = ("**/model/*.bin",)
    held = hold(page, patterns)
    page.goto(gunicorn_url)
    page.wait_for_function(
        "() => document.querySelector('#status-text').textContent.startsWith('Loading the model')"
    )
    page.fill("#search", "even")
    expected = [catalogue.books[row]["book_id"] for row in search_rows(catalogue.index, "even")[:20]]
    page.wait_for_function(
        "(expected) => [...document.querySelectorAll('#search-results > li')]"
        ".map((li) => Number(li.dataset.bookId)).join() === expected.join()",
        arg=expected,
    )
    page.click("#search-results button[data-action=pick] >> nth=0")
    page.wait_for_function(
        "() => document.querySelector('#suggestions-hint').textContent.includes('as soon as the model')"
    )
    let_go(page, held, patterns)
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    assert page.is_hidden("#status")
    assert page.js_errors == []


def test_a_library_chosen_before_the_catalogue_is_imported_once_it_is_in(page, gunicorn_url):
    """The import box works from the first screen: the file waits for the catalogue."""
    held = hold(page)
    page.goto(gunicorn_url)
    page.wait_for_selector("#search-results button[data-action=pick]")
    page.set_input_files("#import-file", str(FIXTURE))
    page.wait_for_function(
        "() => document.querySelector('#import-status').textContent.includes('as soon as the catalogue')"
    )
    assert page.evaluate("window.shelf.stats.importCount") == 0
    let_go(page, held)
    page.wait_for_function("() => window.shelf.stats.importCount === 1", timeout=60_000)
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    assert "matched" in page.text_content("#import-status")
    assert len(page.query_selector_all("#picks > li")) > 0
    assert page.js_errors == []


TITLES_JS = """() => [...document.querySelectorAll('#suggestions > li')].map(
    (li) => [Number(li.dataset.bookId), li.querySelector('.book-title').textContent])"""


def test_the_first_suggestions_come_before_the_catalogue_named_by_its_parts(page, gunicorn_url, catalogue):
    """A first visit: books.json waits for the model (asked for only once the model's first part
    is in) and is held back here, yet a pick's suggestions come, every one named right: the
    page fetched the parts of the catalogue that hold them. Then the catalogue comes."""
    requests = []
    page.context.on("request", lambda request: requests.append(request.url))
    held = hold(page, ("**/books.json",))
    page.goto(gunicorn_url)
    page.click("#search-results button[data-action=pick] >> nth=0")
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    shown = page.evaluate(TITLES_JS)
    titles = {book["book_id"]: book["title"] for book in catalogue.books}
    assert shown and all(title == titles[book_id] for book_id, title in shown), shown
    assert page.get_attribute("body", "data-state") == "loading"  # the catalogue is still held
    first_part = [i for i, url in enumerate(requests) if "shard1of" in url]
    asked = next(i for i, url in enumerate(requests) if url.endswith("/books.json"))
    assert first_part and asked > max(first_part)
    assert any("/catalogue/part-" in url for url in requests)
    # Picked and "not interested" on the first suggestions, still before the catalogue: books
    # beyond the popular ones, known by their parts; the shelf shows them, the suggestions leave
    # them out, and the catalogue's arrival keeps both.
    popular_js = "JSON.parse(document.querySelector('#popular-books').textContent).books"
    popular = {book["book_id"] for book in page.evaluate(popular_js)}
    others = [book_id for book_id, _ in shown if book_id not in popular]
    assert len(others) >= 2, shown
    not_wanted, wanted = others[0], others[1]
    page.click(f"#suggestions li[data-book-id='{not_wanted}'] button[data-action=not-interested]")
    page.click(f"#suggestions li[data-book-id='{wanted}'] button[data-action=pick]")
    page.wait_for_function(
        "([a, b]) => ![...document.querySelectorAll('#suggestions > li')].some("
        "(li) => [a, b].includes(Number(li.dataset.bookId)))",
        arg=[not_wanted, wanted],
    )
    assert ids(page, "#picks")[-1] == wanted and page.get_attribute("body", "data-state") == "loading"
    let_go(page, held, ("**/books.json",))
    page.wait_for_selector("body[data-state=ready]")
    assert wanted in ids(page, "#picks")
    assert page.evaluate("localStorage.getItem('shelf.marks.v1')") == f"{not_wanted}:n"
    shown_now = [book_id for book_id, _ in page.evaluate(TITLES_JS)]
    assert not_wanted not in shown_now and wanted not in shown_now
    assert page.js_errors == []


def test_a_catalogue_part_that_fails_leaves_the_names_to_the_whole_catalogue(page, gunicorn_url, catalogue):
    page.route("**/catalogue/part-*", lambda route: route.fulfill(status=404, body="Not found."))
    page.goto(gunicorn_url)
    page.click("#search-results button[data-action=pick] >> nth=0")
    page.wait_for_selector("#suggestions > li", timeout=60_000)
    titles = {book["book_id"]: book["title"] for book in catalogue.books}
    assert all(title == titles[book_id] for book_id, title in page.evaluate(TITLES_JS))
    page.wait_for_selector("body[data-state=ready]")
    assert page.is_hidden("#retry")


def test_a_change_before_the_catalogue_is_in_is_the_addresss_too(page, gunicorn_url, catalogue):  # noqa: F811
    """The catalogue may be slow or never come: a change made meanwhile is written to the address
    (and history.state) at once, so a reload shows the visitor's own shelf as it is now, never the
    link the page was opened with as someone else's list, nor a change undone since."""
    popular = [catalogue.books[row]["book_id"] for row in search_rows(catalogue.index, "")]
    first, second, third, fourth = popular[:4]
    page.goto(f"{gunicorn_url}favicon.svg")  # the site's origin, no service worker to answer for the server
    share = 'async (p) => (await import("./js/shelf-link.js")).shareShelf(new Map(p), new Map()).param'
    link = page.evaluate(share, [[first, 5], [second, 4]])
    held = hold(page, ("**/books.json",))
    page.goto(f"{gunicorn_url}?shelf={link}")  # nothing saved: the link's list is the visitor's own
    page.click(f"#search-results li[data-book-id='{third}'] button[data-action=pick]")
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") == f"{first},{second}:4,{third}"
    page.click(f"#picks li[data-book-id='{first}'] button[data-action=unpick]")
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") == f"{second}:4,{third}"
    page.reload()  # the catalogue still held
    page.wait_for_selector(f"#picks li[data-book-id='{third}']")
    assert page.is_hidden("#shared-view")
    assert ids(page, "#picks") == [second, third]
    page.click(f"#search-results li[data-book-id='{fourth}'] button[data-action=pick]")
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") == f"{second}:4,{third},{fourth}"
    let_go(page, held, ("**/books.json",))
    page.wait_for_selector("body[data-state=ready]", timeout=60_000)
    assert ids(page, "#picks") == [second, third, fourth]
    assert page.js_errors == []
