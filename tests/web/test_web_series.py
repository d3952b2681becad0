"""Series on the page, in real headless Chromium against the built synthetic site: one card per
series, "Next in your series", and the similar-books dialog's whole series and more by this
author. The synthetic titles carry series (model/synthetic.py SERIES_TITLES): Even Saga is 48
#1, 52 #2, 56 #3 and the omnibus 58 #1-3; Odd Trilogy is 45 #0.5, 47 #2 and 49 #3 (no #1).
"""

from __future__ import annotations

import pytest

from harness.servers import recommend_cli

pytestmark = pytest.mark.browser

EVEN_SAGA = [48, 52, 56, 58]


def ids(page, list_selector: str) -> list[int]:
    return page.eval_on_selector_all(
        f"{list_selector} > li", "items => items.map(li => Number(li.dataset.bookId))"
    )


def open_with_picks(page, site_url: str, picks: str) -> None:
    page.goto(f"{site_url}?picks={picks}")
    page.wait_for_selector("body[data-state=ready], body[data-state=error]", timeout=30_000)
    assert page.get_attribute("body", "data-state") == "ready", page.text_content("#status-text")
    page.wait_for_function("() => document.querySelectorAll('#suggestions > li').length > 0")


@pytest.fixture(scope="module")
def python_lists(site_artifacts):
    """``python -m model.recommend`` for the visitors below (k = the page's 20)."""
    visitors = [{"liked": [48], "k": 20}, {"liked": [2], "k": 20}]
    return recommend_cli(site_artifacts, visitors)


def test_a_first_volume_names_its_second_as_next_and_no_other_volume(page, site_url, python_lists):
    open_with_picks(page, site_url, "48")
    page.wait_for_selector("#next-in-series:not([hidden])")
    assert ids(page, "#next-list") == [52]
    assert page.text_content("#next-heading") == "Next in your series"
    reason = page.text_content("#next-list li[data-book-id='52'] .book-reason cite")
    assert reason == "Even Book 48 (Even Saga, #1)"
    assert page.get_attribute("#next-list li[data-book-id='52'] .book-predicted", "data-stars")
    shown = ids(page, "#suggestions")
    assert len(shown) == 20 and not set(EVEN_SAGA) & set(shown)
    expected = python_lists[0]  # the CLI's lists are the page's
    assert shown == expected["book_ids"] and expected["next_in_series"] == [52]
    # "Already read" #2 from the row: #3 is next.
    page.select_option("#next-list li[data-book-id='52'] select[data-action=read]", "0")
    page.wait_for_function("() => document.querySelector('#next-list > li')?.dataset.bookId === '56'")
    assert ids(page, "#next-list") == [56]
    assert page.js_errors == []


def test_a_series_not_started_is_one_card_with_the_rest_counted(page, site_url, python_lists):
    open_with_picks(page, site_url, "2")
    expected = python_lists[1]
    page.wait_for_function(
        "n => document.querySelectorAll('#suggestions > li').length === n", arg=len(expected["book_ids"])
    )
    shown = ids(page, "#suggestions")
    assert shown == expected["book_ids"]
    more = page.eval_on_selector_all(
        "#suggestions > li",
        "lis => lis.map(li => Number(li.querySelector('.book-series-more')?.dataset.more ?? 0))",
    )
    assert more == expected["more_in_series"]
    assert not {52, 56, 58, 45, 49} & set(shown)  # never a later volume of a series not started
    assert 48 in shown  # an even pick: the saga's first volume stands for it
    assert (
        page.text_content("#suggestions li[data-book-id='48'] .book-series-more") == "+3 more in the series"
    )
    assert page.is_hidden("#next-in-series")


def test_the_similar_dialog_shows_the_whole_series_and_more_by_the_author(page, site_url, catalogue):
    open_with_picks(page, site_url, "52")
    page.click("#picks li[data-book-id='52'] button[data-action=similar]")
    page.wait_for_selector("#similar[open]")
    assert ids(page, "#similar-series") == [48, 58, 52, 56]  # #1, the omnibus #1-3, #2, #3
    by_author = ids(page, "#similar-author")
    assert by_author == [book["book_id"] for book in catalogue.by_author(52, 10)]  # the API's answer
    assert len(by_author) == 8 and not set(EVEN_SAGA) & set(by_author)  # "Author D": ids 3, 10, ... 59
    page.keyboard.press("Escape")
    page.wait_for_selector("#similar", state="hidden")
    page.fill("#search", "kafka")  # book 3, of no series, by Author D too: the saga's #2 is by its author
    page.click("#search-results li[data-book-id='3'] button[data-action=similar]")
    page.wait_for_selector("#similar[open]")
    assert page.is_hidden("#similar-series-section")
    assert ids(page, "#similar-author") == [book["book_id"] for book in catalogue.by_author(3, 10)]
    assert 52 in ids(page, "#similar-author")
    assert page.js_errors == []
