"""The visitor's saved shelf against the links that open the page, in real headless Chromium:
a damaged, empty or cut-off link says so and keeps the saved shelf; someone else's list is shown
beside the visitor's own and saved only when the visitor chooses; unreadable saved entries are
reported, never dropped silently."""

from __future__ import annotations

import pytest

from tests.web.shelf_page import ids, open_site, pick_by_search
from tests.web.test_web_import import marks

pytestmark = pytest.mark.browser

PICKS_KEY = "shelf.picks.v1"
MARKS_KEY = "shelf.marks.v1"
SAVED_PICKS = "2,4:3,6"
SAVED_MARKS = "8:r,10:n"


def save_shelf(page, picks: str = SAVED_PICKS, marks_text: str = SAVED_MARKS) -> None:
    """localStorage as a returning visitor has it, before the page's own scripts run."""
    page.add_init_script(
        f"if (!sessionStorage.getItem('seeded')) {{ sessionStorage.setItem('seeded', '1');"
        f" localStorage.setItem('{PICKS_KEY}', {picks!r});"
        f" localStorage.setItem('{MARKS_KEY}', {marks_text!r}); }}"
    )


def saved(page) -> tuple[str, str]:
    return tuple(page.evaluate(f"[localStorage.getItem('{PICKS_KEY}'), localStorage.getItem('{MARKS_KEY}')]"))


def friend_link(page, picks: list[list[int]], marks_list: list[list] = ()) -> str:
    """A ?shelf= value for another visitor's list, written by the page's own code."""
    return page.evaluate(
        """async ([picks, marks]) => {
        const { shareShelf } = await import("./js/shelf-link.js");
        return shareShelf(new Map(picks), new Map(marks)).param;
    }""",
        [picks, list(marks_list)],
    )


def test_damaged_empty_and_cut_links_keep_the_saved_shelf_and_say_so(page, gunicorn_url):
    save_shelf(page)
    open_site(page, gunicorn_url)
    link = friend_link(page, [[12, 5], [14, 4], [16, 3], [18, 5], [20, 2], [22, 5]], [[24, "read"]])
    cut = [f"?shelf={link[: len(link) // 2]}", f"?shelf={link[:-1]}"]
    cases = ["?shelf=", "?shelf=garbage!!", *cut, "?picks=abc"]
    for query in cases:
        open_site(page, gunicorn_url + query)
        assert ids(page, "#picks") == [2, 4, 6], query
        assert marks(page) == {8: "read", 10: "not_interested"}, query
        note = page.text_content("#shelf-note")
        assert page.is_visible("#shelf-note") and "could not be read" in note and "unchanged" in note, query
        assert page.is_hidden("#shared-view"), query
        assert saved(page) == (SAVED_PICKS, SAVED_MARKS), query
    assert page.js_errors == []


def test_someone_elses_list_is_shown_and_saved_only_when_chosen(page, gunicorn_url):
    save_shelf(page)
    open_site(page, gunicorn_url)
    link = friend_link(page, [[12, 5], [4, 5]], [[14, "to_read"]])

    # Shown beside the saved shelf, which stays as it is, even when the list is edited.
    open_site(page, gunicorn_url + "?shelf=" + link)
    assert ids(page, "#picks") == [12, 4]
    assert page.is_visible("#shared-view")
    assert "shared list" in page.text_content("#shared-view-text")
    page.wait_for_selector("#suggestions > li")
    page.fill("#search", "even book 16")
    page.click("#search-results li[data-book-id='16'] button[data-action=pick]")
    assert ids(page, "#picks") == [12, 4, 16]
    assert saved(page) == (SAVED_PICKS, SAVED_MARKS)

    # Back to my shelf: the saved one, unchanged.
    page.click("#shared-back")
    assert ids(page, "#picks") == [2, 4, 6]
    assert page.is_hidden("#shared-view")
    assert saved(page) == (SAVED_PICKS, SAVED_MARKS)

    # Add to my shelf: own books keep their stars (4 stays at 3) and marks; the rest joins.
    open_site(page, gunicorn_url + "?shelf=" + link)
    assert page.is_visible("#shared-view")
    page.click("#shared-add")
    assert ids(page, "#picks") == [2, 4, 6, 12]
    assert page.input_value("#picks li[data-book-id='4'] select") == "3"
    assert marks(page) == {8: "read", 10: "not_interested", 14: "to_read"}
    assert saved(page) == ("2,4:3,6,12", "8:r,10:n,14:t")
    assert page.is_hidden("#shared-view")

    # Replace: the list becomes the shelf, because the visitor said so.
    open_site(page, gunicorn_url + "?shelf=" + friend_link(page, [[20, 4]]))
    page.click("#shared-replace")
    assert ids(page, "#picks") == [20]
    assert saved(page) == ("20:4", "")
    assert page.js_errors == []


def test_unreadable_saved_entries_are_reported_and_kept_as_they_were(page, gunicorn_url):
    save_shelf(page, "2,abc,4:3,-5", "8:r,9:zz")
    open_site(page, gunicorn_url)
    assert ids(page, "#picks") == [2, 4]
    note = page.text_content("#shelf-note")
    assert "3 entries saved in this browser could not be read" in note, note
    assert "“abc”" in note and "“9:zz”" in note and "They stay saved as they were" in note
    assert saved(page) == ("2,abc,4:3,-5", "8:r,9:zz")
    # A save writes them back after the entries it read, for a version that can read them.
    pick_by_search(page, "even book 16", 16)
    assert saved(page) == ("2,4:3,16,abc,-5", "8:r,9:zz")
