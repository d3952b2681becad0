"""What the browser tests do on Shelf's page and read off it: open it, search and pick, the
lists' book ids, the shared link, the suggestions, the page's state and status line."""

from __future__ import annotations

import pytest

# Three picks found by searching, as a visitor would: (query typed, book_id picked).
PICKS = [("petit prince edition", 2), ("even book 4", 4), ("img src", 1)]
PICK_IDS = [book_id for _, book_id in PICKS]


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
        const { decodeShelf } = await import("./js/shelf-link.js");
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


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f"body[data-state={state}]", timeout=60_000)


def status_text(page) -> str:
    return page.text_content("#status-text")
