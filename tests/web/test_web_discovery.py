"""The discovery control in real headless Chromium against the built synthetic site: popular,
balanced (the default) and lesser-known suggestions, each the list ``python -m model.recommend``
gives for that setting; the setting saved with the shelf and carried in its link."""

from __future__ import annotations

import pytest

from harness.servers import recommend_cli
from tests.web.test_web_series import ids, open_with_picks

pytestmark = pytest.mark.browser

SETTINGS = ["popular", "balanced", "lesser-known"]


@pytest.fixture(scope="module")
def lists(site_artifacts):
    """The CLI's main list for one pick (book 2) at each setting (k = the page's 20)."""
    visitors = [{"liked": [2], "k": 20, "discovery": s} for s in SETTINGS]
    return {s: r["book_ids"] for s, r in zip(SETTINGS, recommend_cli(site_artifacts, visitors), strict=True)}


def chosen(page) -> str:
    return page.eval_on_selector("#discovery", "box => box.querySelector('input:checked')?.value ?? ''")


def wait_for_list(page, book_ids: list[int]) -> None:
    page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('#suggestions > li')]"
        ".map(li => Number(li.dataset.bookId))) === JSON.stringify(want)",
        arg=book_ids,
        timeout=20_000,
    )


def test_each_setting_shows_the_clis_list_and_is_kept_with_the_shelf(page, browser, gunicorn_url, lists):
    assert lists["lesser-known"] != lists["balanced"] != lists["popular"]  # the setting matters here
    open_with_picks(page, gunicorn_url, "2")
    assert chosen(page) == "balanced"  # a link from before the control opens as balanced
    wait_for_list(page, lists["balanced"])
    for setting in ["lesser-known", "popular", "lesser-known"]:
        page.check(f"#discovery input[value='{setting}']")
        wait_for_list(page, lists[setting])
        assert page.evaluate("localStorage.getItem('shelf.discovery.v1')") == setting
    link = page.url
    assert "shelf=" in link
    # Reloaded, the saved setting comes back.
    page.reload()
    page.wait_for_selector("#suggestions > li")
    assert chosen(page) == "lesser-known"
    wait_for_list(page, lists["lesser-known"])
    # The link opens with the setting in a browser that has nothing saved.
    other = browser.new_context(service_workers="block")
    try:
        friend = other.new_page()
        friend.goto(link)
        friend.wait_for_selector("#suggestions > li", timeout=30_000)
        assert chosen(friend) == "lesser-known"
        wait_for_list(friend, lists["lesser-known"])
    finally:
        other.close()
    assert ids(page, "#suggestions") == lists["lesser-known"]
    assert page.js_errors == []
