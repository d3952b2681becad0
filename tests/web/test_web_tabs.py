"""The visitor's saved shelf across tabs and against a storage that cannot keep it, in real
headless Chromium (issue 25): two tabs never undo each other; a shelf that cannot be saved says
so and offers its link; saved books the catalogue does not know stay saved; saved picks show
before the catalogue and keep their stars; links that name nothing readable say so."""

from __future__ import annotations

import pytest

from server.search import search_rows
from tests.web.shelf_page import ids, open_site, pick_by_search
from tests.web.test_web_first_screen import hold, let_go
from tests.web.test_web_shelf_link import SAVED_MARKS, SAVED_PICKS, friend_link, save_shelf, saved

pytestmark = pytest.mark.browser

# A tab that has not had the other tab's `storage` event yet: its write must still re-read.
DEAF = "window.addEventListener('storage', (event) => event.stopImmediatePropagation(), true);"


def two_tabs(page, url: str, picks: str = "2,4:4", marks_text: str = "") -> tuple:
    """Tabs A and B of one browser, both open on the saved shelf `picks`."""
    save_shelf(page, picks, marks_text)
    open_site(page, url)
    other = page.context.new_page()
    other.js_errors = []
    other.on("pageerror", lambda error: other.js_errors.append(str(error)))
    open_site(other, url)
    return page, other


def test_two_tabs_each_picking_a_book_keep_both_picks(page, gunicorn_url):
    a, b = two_tabs(page, gunicorn_url)
    pick_by_search(a, "even book 16", 16)
    pick_by_search(b, "even book 18", 18)
    assert saved(a)[0] == "2,4:4,16,18"
    # Each tab shows the merged shelf (the other's pick came through the storage event).
    a.wait_for_function("() => document.querySelector(\"#picks li[data-book-id='18']\") !== null")
    assert ids(a, "#picks") == ids(b, "#picks") == [2, 4, 16, 18]
    assert a.js_errors == b.js_errors == []


def test_a_stale_tab_never_writes_its_old_shelf_over_a_clear(page, gunicorn_url):
    page.add_init_script(DEAF)
    a, b = two_tabs(page, gunicorn_url, marks_text="8:r")
    b.click("#clear-picks")
    assert saved(b) == ("", "")
    # Tab A still shows the old shelf (it missed the event) and changes book 4's stars.
    a.select_option("#picks li[data-book-id='4'] select", "2")
    # A shows the shelf as saved (waited for: its redraw may come a task later on a busy machine),
    a.wait_for_function("() => document.querySelectorAll('#picks > li').length === 0")
    assert saved(a) == ("", "")  # and re-read before its write: the clear stays
    assert a.js_errors == []


def test_a_tab_shows_another_tabs_clear_at_once(page, gunicorn_url):
    a, b = two_tabs(page, gunicorn_url)
    b.click("#clear-picks")
    a.wait_for_function("() => document.querySelectorAll('#picks > li').length === 0")
    assert saved(a) == ("", "")


def test_a_shelf_that_cannot_be_saved_says_so_and_its_own_link_reopens_as_its_own(page, gunicorn_url):
    save_shelf(page)
    # localStorage full: every write of it throws (sessionStorage still works).
    page.add_init_script(
        "const setItem = Storage.prototype.setItem;"
        "Storage.prototype.setItem = function (key, value) {"
        " if (this === window.localStorage && sessionStorage.getItem('seeded'))"
        "  throw new DOMException('full', 'QuotaExceededError');"
        " return setItem.call(this, key, value); };"
    )
    open_site(page, gunicorn_url)
    assert page.is_hidden("#unsaved")
    pick_by_search(page, "even book 16", 16)
    assert page.is_visible("#unsaved")
    assert "could not be saved" in page.text_content("#unsaved-text")
    assert page.input_value("#unsaved-link") == page.url
    assert saved(page)[0] == "2,4:3,6"  # not saved: the link carries it
    # The page's own address, reopened: the visitor's shelf, never "a shared list".
    page.reload()
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    assert ids(page, "#picks") == [2, 4, 6, 16]
    assert page.is_hidden("#shared-view")
    assert page.js_errors == []


def test_reloading_a_shared_list_shows_it_again_and_never_saves_it(page, gunicorn_url):
    save_shelf(page)
    open_site(page, gunicorn_url)
    open_site(page, gunicorn_url + "?shelf=" + friend_link(page, [[20, 4], [22, 3]]))
    assert page.is_visible("#shared-view")
    for _ in range(2):
        page.reload()
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        assert page.is_visible("#shared-view")
        assert ids(page, "#picks") == [20, 22]
        assert saved(page) == (SAVED_PICKS, SAVED_MARKS)
    assert page.js_errors == []


def test_reloading_a_tab_keeps_what_another_tab_saved_since(page, gunicorn_url):
    page.add_init_script(DEAF)  # tab A never hears of B's pick: its address is the older shelf
    a, b = two_tabs(page, gunicorn_url)
    pick_by_search(b, "even book 16", 16)
    a.reload()
    a.wait_for_selector("body[data-state=ready]", timeout=30_000)
    assert ids(a, "#picks") == [2, 4, 16]
    assert a.is_hidden("#shared-view")
    assert saved(a)[0] == "2,4:4,16"
    assert a.js_errors == b.js_errors == []


def test_saved_books_the_catalogue_lacks_are_kept_and_named(page, gunicorn_url):
    save_shelf(page, "1:2,2:3,20000:4", "5:n,30000:r")
    open_site(page, gunicorn_url)
    assert ids(page, "#picks") == [1, 2]
    note = page.text_content("#shelf-note")
    assert "2 books saved in this browser are not in this catalogue" in note and "“20000”, “30000”" in note
    assert saved(page) == ("1:2,2:3,20000:4", "5:n,30000:r")
    pick_by_search(page, "even book 16", 16)
    assert saved(page) == ("1:2,2:3,20000:4,16", "5:n,30000:r")
    assert page.js_errors == []


def test_saved_picks_show_before_the_catalogue_and_keep_their_stars(page, gunicorn_url, catalogue):
    popular = [catalogue.books[row]["book_id"] for row in search_rows(catalogue.index, "")]
    first, second, third = popular[:3]
    save_shelf(page, f"{first}:2,{second}:3", "")
    held = hold(page)
    page.goto(gunicorn_url)
    page.wait_for_selector("#search-results button[data-action=pick]")
    pressed = f"#search-results li[data-book-id='{first}'] button[aria-pressed]"
    assert page.get_attribute(pressed, "aria-pressed") == "true"
    assert page.is_hidden("#picks-empty")  # not "Nothing picked yet"
    page.click(f"#search-results li[data-book-id='{third}'] button[data-action=pick]")
    let_go(page, held)
    page.wait_for_selector("body[data-state=ready]", timeout=60_000)
    assert saved(page)[0] == f"{first}:2,{second}:3,{third}"
    assert page.input_value(f"#picks li[data-book-id='{first}'] select") == "2"
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?picks=12,abc,13:x", "could not be read (it is damaged or cut short)"),
        ("?picks=99999999", "names no book of this catalogue"),
    ],
)
def test_old_links_that_name_nothing_readable_say_so(page, gunicorn_url, query, words):
    save_shelf(page)
    open_site(page, gunicorn_url + query)
    assert ids(page, "#picks") == [2, 4, 6]
    assert words in page.text_content("#shelf-note")
    assert page.is_hidden("#shared-view")
    assert saved(page)[0] == "2,4:3,6"


def test_a_year_the_filter_cannot_use_is_named(page, gunicorn_url):
    save_shelf(page)
    open_site(page, gunicorn_url)
    page.wait_for_selector("#suggestions > li")
    assert page.is_hidden("#filter-note")
    page.fill("#filter-year-from", "99999")
    assert "“99999” is not a year" in page.text_content("#filter-note")
    page.fill("#filter-year-from", "1997.5")
    assert "“1997.5” is not a year" in page.text_content("#filter-note")
    page.fill("#filter-year-from", "1990")
    assert page.is_hidden("#filter-note")
    assert page.js_errors == []
