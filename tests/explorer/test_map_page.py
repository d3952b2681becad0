"""The map page in a real headless Chromium: points drawn, hover shows a title, click opens a book.

The page is served from a temporary directory (web/ sources + the synthetic map.json of
harness/map_page.py) on 127.0.0.1 (harness.browser.serve_directory).
"""

from __future__ import annotations

import json

import pytest

from harness.browser import launch_browser, serve_directory
from harness.map_page import NUM_BOOKS, K, map_json, open_map, write_map_site, zoom_in

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser  # skipped without Chromium (tests/conftest.py)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    data = map_json()
    write_map_site(root, data)
    with serve_directory(root) as base:
        yield f"{base}/map.html", data


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    yield pg
    context.close()
    assert not errors, errors


COUNT_INK = """() => {
  const c = document.getElementById('map-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) ink++;
  return ink;
}"""


def test_ten_thousand_points_are_drawn_and_zooming_redraws_them(page, site):
    url, _ = site
    open_map(page, url)
    stats = page.evaluate("window.shelfMap.stats")
    assert stats["pointsDrawn"] == NUM_BOOKS
    ink = page.evaluate(COUNT_INK)
    assert ink > 5_000  # non-background pixels
    assert page.locator("#map-legend li").count() == 12
    zoom_in(page, 10)
    # Zoomed in, part of the map leaves the frame: fewer points are drawn, each over more pixels.
    assert page.evaluate("window.shelfMap.stats.pointsDrawn") < NUM_BOOKS
    # Each redraw is timed for benchmarks/bench_map.py (the 60 fps budget is measured there).
    assert len(page.evaluate("window.shelfMap.stats.recentDrawMs")) > 0


def test_hover_shows_the_title_and_click_opens_the_book(page, site):
    url, data = site
    open_map(page, url)
    page.select_option("#map-choice", "tags")
    row = 7  # the title with markup in it: rendered as text
    pos = page.evaluate(f"window.shelfMap.screenPosition({row})")
    page.mouse.move(pos["x"], pos["y"])
    tooltip = page.locator("#map-tooltip")
    tooltip.wait_for(state="visible")
    hovered = tooltip.text_content()
    # another point may sit within a pixel of this one; whichever is hovered, its title shows
    assert hovered.split(" — ")[0] in data["titles"]
    page.mouse.click(pos["x"], pos["y"])
    heading = page.locator("#book-heading").text_content()
    selected = page.evaluate("window.shelfMap.selectedRow()")
    assert heading == data["titles"][selected] and hovered.startswith(heading)
    assert page.locator("#book-heading b").count() == 0
    assert page.locator("#similar-tags li").count() == K
    assert page.locator("#similar-rating li").count() == K
    page.locator("#similar-tags li button").first.click()
    assert page.evaluate("window.shelfMap.selectedRow()") == (selected + 12) % NUM_BOOKS


def test_picks_from_the_url_are_highlighted_and_picking_is_saved(page, site):
    url, _ = site
    open_map(page, url + "?picks=101,202:4")
    drawn = page.evaluate("window.shelfMap.stats.drawCount")
    page.select_option("#map-choice", "tags")
    page.wait_for_function("n => window.shelfMap.stats.drawCount > n", arg=drawn)
    pos = page.evaluate("window.shelfMap.screenPosition(100)")  # book_id 101 is row 100
    box = page.locator("#map-canvas").bounding_box()
    ratio = page.evaluate("window.devicePixelRatio")
    px = page.evaluate(
        "([x, y]) => Array.from("
        "document.getElementById('map-canvas').getContext('2d').getImageData(x, y, 1, 1).data)",
        [round((pos["x"] - box["x"] + 1) * ratio), round((pos["y"] - box["y"]) * ratio)],
    )
    assert px[:3] == [0xF6, 0xC3, 0x43]  # the pick colour, not the genre colour
    page.locator("#map-query").fill("Title 303")
    page.locator("#map-find button").click()
    assert page.locator("#book-heading").text_content() == "Title 303"
    page.locator("#book-pick").click()
    # Someone's list from a link: shown and carried on, never saved over the visitor's shelf.
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") is None
    assert _decoded_open_link(page) == {"picks": [[101, 5], [202, 4], [304, 5]], "marks": []}


def test_picking_on_the_map_keeps_unreadable_saved_entries_as_the_main_page_does(page, site):
    """The saved shelf has an entry nobody can read: picking on the map saves the shelf (picks
    and marks) and writes that entry back as it was, never drops it."""
    url, _ = site
    page.add_init_script(
        "localStorage.setItem('shelf.picks.v1', '101,zz!,202:4');"
        " localStorage.setItem('shelf.marks.v1', '5:r,6:q')"
    )
    open_map(page, url)
    page.locator("#map-query").fill("Title 303")
    page.locator("#map-find button").click()
    page.locator("#book-pick").click()
    saved = page.evaluate("""["shelf.picks.v1", "shelf.marks.v1"].map((key) => localStorage.getItem(key))""")
    assert saved == ["101,202:4,304,zz!", "5:r,6:q"]


def _decoded_open_link(page) -> dict:
    """The map's "See my suggestions" link: index.html?shelf=..., decoded by the page's code."""
    href = page.locator("#book-open").get_attribute("href")
    assert href.startswith("index.html?shelf=") and "picks=" not in href, href
    return page.evaluate(
        """async (href) => {
        const { decodeShelf } = await import("./js/shelf-link.js");
        const shelf = decodeShelf(new URL(href, location.href).searchParams.get("shelf"));
        return { picks: [...shelf.picks], marks: [...shelf.marks] };
    }""",
        href,
    )


def test_the_open_link_is_short_and_the_main_pages_own_for_a_big_shelf(page, site):
    """900 picks: the Open link is the ?shelf= form the main page writes for this very shelf
    (so it opens the whole saved shelf), within 1,800 characters; as ?picks= it took 4,539 bytes
    and gunicorn refused the request line."""
    url, _ = site
    picks = ",".join(f"{1 + 7 * i}:{1 + i % 5}" for i in range(900))
    page.add_init_script(
        f"localStorage.setItem('shelf.picks.v1', '{picks}');"
        " localStorage.setItem('shelf.marks.v1', '5:r,9:n')"
    )
    open_map(page, url)
    page.locator("#map-query").fill("Title 303")
    page.locator("#map-find button").click()
    href = page.locator("#book-open").get_attribute("href")
    assert href.startswith("index.html?shelf=") and len(href) <= len("index.html?shelf=") + 1800
    own = page.evaluate(
        """async () => {
        const { parsePicks } = await import("./js/picks.js");
        const { parseMarks } = await import("./js/marks.js");
        const { shareShelf } = await import("./js/shelf-link.js");
        const stored = [localStorage.getItem("shelf.picks.v1"), localStorage.getItem("shelf.marks.v1")];
        return shareShelf(parsePicks(stored[0]), parseMarks(stored[1])).param;
    }"""
    )
    assert href == f"index.html?shelf={own}"


def test_missing_map_json_says_what_to_run(page, site):
    url, _ = site
    page.route("**/map.json", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    assert "make build" in page.locator("#map-status").text_content()


def test_a_map_json_of_another_build_is_refused(page, site):
    """A built map page names its build; map.json of another one (a rebuild while it loaded:
    the server's site.json names another build) is not drawn, and the page says to reload."""
    url, _ = site
    other = json.dumps({"build": "fedcba9876543210", "site_files": {}})
    page.route("**/site.json", lambda route: route.fulfill(body=other, content_type="application/json"))

    def built_page(route):
        html = route.fetch().text()
        route.fulfill(
            body=html.replace("<head>", '<head><meta name="shelf-build" content="0123456789abcdef" />'),
            content_type="text/html",
        )

    page.route("**/map.html", built_page)
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    assert "Shelf was updated while this page loaded" in page.locator("#map-status").text_content()


def _built_map_page(route):
    html = route.fetch().text()
    route.fulfill(
        body=html.replace("<head>", '<head><meta name="shelf-build" content="0123456789abcdef" />'),
        content_type="text/html",
    )


def test_a_built_map_page_without_site_json_says_reload_not_make_build(page, site):
    """A built map page on a server with no site.json (a site from before it): not this page's
    build, so "reload", never "the map is not built yet"."""
    url, _ = site
    page.route("**/site.json", lambda route: route.fulfill(status=404, body="not found"))
    page.route("**/map.html", _built_map_page)
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    text = page.locator("#map-status").text_content()
    assert "Shelf was updated while this page loaded" in text and "make build" not in text


def test_a_map_json_cut_off_by_the_network_says_so_not_make_build(page, site):
    url, _ = site
    page.route("**/map.json", lambda route: route.abort("internetdisconnected"))
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.state === 'error'")
    text = page.locator("#map-status").text_content()
    assert text.startswith("Could not load the map (map.json:") and "make build" not in text, text


def _pick_on_map(page, title: str) -> None:
    page.locator("#map-query").fill(title)
    page.locator("#map-find button").click()
    page.locator("#book-pick").click()


def test_a_map_tab_adding_a_book_keeps_the_main_tabs_picks(page, site):
    """The main page's tab picks book 12 after the map opened: the map's pick is added to it
    (re-read before the write), never written over it."""
    url, _ = site
    page.add_init_script(
        "sessionStorage.getItem('s') || (sessionStorage.setItem('s', 1),"
        " localStorage.setItem('shelf.picks.v1', '101'))"
    )
    open_map(page, url)
    main = page.context.new_page()
    main.goto(url.replace("map.html", "map.json"))  # the same origin: the main page's tab
    main.evaluate(
        "localStorage.setItem('shelf.picks.v1', '101,12:4'); localStorage.setItem('shelf.marks.v1', '5:r')"
    )
    _pick_on_map(page, "Title 303")
    assert page.evaluate("localStorage.getItem('shelf.picks.v1')") == "101,12:4,304"
    assert page.evaluate("localStorage.getItem('shelf.marks.v1')") == "5:r"
    assert _decoded_open_link(page) == {"picks": [[101, 5], [12, 4], [304, 5]], "marks": [[5, "read"]]}


def test_a_damaged_picks_link_and_an_empty_search_are_said(page, site):
    url, _ = site
    page.add_init_script("localStorage.setItem('shelf.picks.v1', '101')")
    open_map(page, url + "?picks=abc")
    status = page.text_content("#map-status")
    assert "could not be read (it is damaged or cut short), so your saved picks are shown" in status
    assert page.is_visible("#map-status")
    page.locator("#map-query").fill("")
    page.locator("#map-find button").click()
    assert page.text_content("#map-find-status") == "Type a few letters of a title to find it."
