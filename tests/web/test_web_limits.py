"""Input the page must bound, in real headless Chromium on `make serve`'s gunicorn: a huge paste
into a search box is cut at the API's 200 characters and never blocks the main thread."""

from __future__ import annotations

import pytest

from harness.browser import OBSERVE_LONG_TASKS, long_tasks_until_now
from tests.web.shelf_page import open_site

pytestmark = pytest.mark.browser

LONG_TASK_BOUND_MS = 200  # the bound; the cut query takes a few ms

HEAD = "even " * 40  # 200 characters: the synthetic catalogue's "Even Book N"
PASTE = HEAD + "q" * 19_800  # 20,000: the rest, if searched, would match nothing


def summary(page) -> str:
    return page.text_content("#search-summary")


def test_a_20000_character_paste_is_cut_at_200_and_never_blocks(page, gunicorn_url):
    open_site(page, gunicorn_url)
    page.focus("#search")
    page.wait_for_function("() => !document.querySelector('#search').disabled")
    page.evaluate(OBSERVE_LONG_TASKS)

    # A paste into the box: it takes the first 200 characters (maxlength), which are searched.
    page.keyboard.insert_text(PASTE)
    assert page.input_value("#search") == HEAD
    page.wait_for_function("() => document.querySelector('#search-summary').textContent.includes('match')")
    assert summary(page).endswith(f"match “{HEAD.strip()}”.")
    assert summary(page).split()[0].isdigit()  # "N books match": the Even books

    # A value the box did not cut (set by a script, an extension, an old browser): the search
    # itself searches, and shows, its first 200 characters.
    page.fill("#search", "")
    page.evaluate(
        """(text) => {
            const box = document.querySelector('#search');
            box.value = text;
            box.dispatchEvent(new Event('input', { bubbles: true }));
        }""",
        "q" * 200 + " " + PASTE,
    )
    page.wait_for_function("() => document.querySelector('#search-summary').textContent.includes('qqq')")
    assert summary(page) == f"No books match “{'q' * 200}”. Try fewer words."
    long_tasks = long_tasks_until_now(page)
    assert max(long_tasks, default=0) < LONG_TASK_BOUND_MS, long_tasks
    assert page.js_errors == []


def test_the_map_search_box_takes_200_characters(page, gunicorn_url):
    page.goto(gunicorn_url + "map.html")
    assert page.get_attribute("#map-query", "maxlength") == "200"
