"""Bring your shelf, end to end in headless Chromium against gunicorn: a realistic Goodreads
export (tests/fixtures/goodreads_library.csv, 295 rows, answers planted by
tests/goodreads_fixture.py) imported into the synthetic site; bad files; marks; filters; the
shared link. No sleeps: every wait is on the page's state."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.browser import OBSERVE_LONG_TASKS, local_only, long_tasks_until_now
from harness.servers import ROOT
from tests.goodreads_fixture import FIXTURE, TRUTH, XSS_UNMATCHED
from tests.web.shelf_page import ids, open_site, pick_by_search, shared_shelf, suggestions

pytestmark = pytest.mark.browser

TRICKY = FIXTURE.parent / "goodreads_tricky.csv"
SUMMARY = "295 rows, 45 matched (27 by id, 12 by ISBN, 6 by title), 250 not in the catalogue"
IN_LIBRARY = {book_id for book_id, *_ in TRUTH if book_id is not None}
MARKED = {6: "to_read", 42: "to_read", 54: "reading", 33: "read", 44: "read"}


@pytest.fixture(scope="module")
def python_import(site_artifacts):
    """``python -m model.recommend --goodreads`` on the fixture: what the page must show."""
    result = subprocess.run(
        [sys.executable, "-m", "model.recommend", "--artifacts", str(site_artifacts)]
        + ["--goodreads", str(FIXTURE), "--json", "--k", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def import_file(page, path) -> None:
    """Import ``path`` with the file picker; wait until the page has merged it and recomputed."""
    before = page.evaluate("[window.shelf.stats.importCount, window.shelf.stats.recomputeCount]")
    page.set_input_files("#import-file", str(path))
    page.wait_for_function(
        "([imports, recomputes]) => window.shelf.stats.importCount > imports"
        " && window.shelf.stats.recomputeCount > recomputes",
        arg=before,
    )


def import_error(page, path) -> str:
    page.set_input_files("#import-file", str(path))
    page.wait_for_selector("#import-status[data-kind=error]")
    return page.text_content("#import-status")


def recomputed(page, action) -> None:
    """Run ``action`` and wait for the suggestions it causes."""
    count = page.evaluate("window.shelf.stats.recomputeCount")
    action()
    page.wait_for_function("n => window.shelf.stats.recomputeCount > n", arg=count)


def marks(page) -> dict[int, str]:
    return dict(
        page.eval_on_selector_all(
            "#marks > li",
            "lis => lis.map(li => [Number(li.dataset.bookId), li.querySelector('.book-mark').dataset.mark])",
        )
    )


def test_import_matches_picks_hides_and_suggests_like_python(
    page, gunicorn_url, python_import, catalogue, screenshot_dir
):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_site(page, gunicorn_url)
    import_file(page, FIXTURE)

    status = page.text_content("#import-status")
    assert status.startswith(SUMMARY + ". Added 38 rated books as picks and 5 books you have read")
    assert page.text_content("#import-unmatched-summary") == "250 not in the catalogue"
    # Listed 100 at a time: "Show more" twice lists all 250.
    page.click("#import-unmatched-summary")
    for shown in (100, 200):
        assert page.eval_on_selector_all("#import-unmatched-list > li", "lis => lis.length") == shown
        page.click("#import-unmatched-more")
    unmatched = page.eval_on_selector_all(
        "#import-unmatched-list > li", "lis => lis.map(li => li.textContent)"
    )
    assert len(unmatched) == 250 and XSS_UNMATCHED in unmatched
    assert page.is_hidden("#import-unmatched-more")
    assert page.text_content("#pick-count") == "(38)"
    page.click("#picks-more")
    assert set(ids(page, "#picks")) == IN_LIBRARY - set(MARKED)
    # A rated book's stars come along (book 4: 1 star; book 5: 5 stars from its later edition's row).
    assert page.input_value("#picks li[data-book-id='4'] select") == "1"
    assert page.input_value("#picks li[data-book-id='5'] select") == "5"
    page.click("#marks-summary")
    assert marks(page) == MARKED
    page.click("#import-unmatched-summary")
    page.screenshot(path=screenshot_dir / "gunicorn-import.png", full_page=True)

    # Read, to-read and reading books are never suggested; the rest is what Python suggests.
    shown = suggestions(page)
    assert not IN_LIBRARY & {book_id for book_id, _ in shown}
    assert [book_id for book_id, _ in shown] == python_import["book_ids"]
    assert [stars for _, stars in shown] == pytest.approx(python_import["stars"], abs=1e-3)
    reasons = page.eval_on_selector_all("#suggestions .book-reason cite", "cs => cs.map(c => c.textContent)")
    titles = {book["book_id"]: book["title"] for book in catalogue.books}
    assert reasons == [titles[book_id] for book_id in python_import["reasons"]]

    # To-read and reading books are marked where they show up.
    page.fill("#search", "even book 6")
    assert page.text_content("#search-results li[data-book-id='6'] .book-mark") == "On your to-read shelf"
    page.fill("#search", "even book 54")
    assert page.text_content("#search-results li[data-book-id='54'] .book-mark") == "Currently reading"

    # The shelf travels in the link, marks included, and survives a reload.
    shelf = shared_shelf(page)
    assert len(shelf["picks"]) == 38 and dict(map(tuple, shelf["marks"])) == MARKED
    before = suggestions(page)
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    page.wait_for_function("() => window.shelf.stats.recomputeCount > 0")
    assert suggestions(page) == before
    assert page.text_content("#pick-count") == "(38)"
    # Nothing from the file ever became HTML.
    assert page.eval_on_selector_all("img[src='x'], img:not([src^='https://'])", "imgs => imgs.length") == 0
    assert dialogs == [] and page.js_errors == []


def test_import_merges_and_undo_takes_it_back(page, gunicorn_url):
    open_site(page, gunicorn_url)
    pick_by_search(page, "even book 4", 4)
    page.select_option("#picks li[data-book-id='4'] select", "3")
    pick_by_search(page, "odd book 59", 59)
    page.wait_for_selector("#suggestions > li")
    page.click("#suggestions > li:first-child button[data-action=not-interested]")
    page.wait_for_selector("#marks-section:not([hidden])")
    before_marks = dict(shared_shelf(page)["marks"])
    assert len(before_marks) == 1

    import_file(page, FIXTURE)
    status = page.text_content("#import-status")
    assert "Added 37 rated books as picks" in status
    assert "1 book you had picked here kept your stars from this page." in status
    assert (
        page.input_value("#picks li[data-book-id='4'] select") == "3"
    )  # the page's stars win over the file's 1
    assert page.text_content("#pick-count") == "(39)"

    page.click("#import-undo")
    page.wait_for_selector("#import-undo", state="hidden")
    assert page.text_content("#import-status") == "The import was undone."
    assert ids(page, "#picks") == [4, 59]
    assert page.input_value("#picks li[data-book-id='4'] select") == "3"
    assert shared_shelf(page) == {
        "picks": [[4, 3], [59, 5]],
        "marks": [[k, v] for k, v in before_marks.items()],
    }
    assert page.js_errors == []


BAD_FILES = {
    "three-columns.csv": (
        FIXTURE.read_text().splitlines()[0] + "\n" + "1,<img src=x onerror=alert(1)>,3\n",
        "Nothing was imported: Row 1 (line 2) has 3 fields where the header has 24 "
        "(it starts “1,<img src=x onerror=alert(1)>,3”).",
    ),
    "empty.csv": ("", "Nothing was imported: The file is empty."),
    "notes.txt": ("Dune, Frank Herbert\nEmma, Jane Austen\n", "its first line lacks the columns Book Id"),
    "picture.png": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00",
        "This is not a CSV file (it holds binary data).",
    ),
    "open-quote.csv": (
        FIXTURE.read_text().splitlines()[0] + '\n1,"no end\n',
        "Nothing was imported: Line 2: a quoted field is never closed",
    ),
    # Re-saved by a spreadsheet: said what it is and what to do (UTF-16 was "binary data").
    "unicode-text.csv": (
        FIXTURE.read_text().encode("utf-16"),
        "Nothing was imported: This file is UTF-16 text (what spreadsheets save as “Unicode Text”)",
    ),
    "semicolons.csv": (
        FIXTURE.read_text().replace(",", ";"),
        "Nothing was imported: This file's columns are separated by semicolons",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_says_what_is_wrong_and_changes_nothing(page, gunicorn_url, tmp_path, name):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    content, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    open_site(page, gunicorn_url)
    pick_by_search(page, "even book 4", 4)
    page.wait_for_selector("#suggestions > li")
    url, before = page.url, suggestions(page)

    assert message in import_error(page, path)
    assert ids(page, "#picks") == [4] and page.url == url and suggestions(page) == before
    assert page.is_hidden("#import-undo")
    assert dialogs == [] and page.js_errors == []


def test_a_50_mb_file_is_refused_before_it_is_read(page, gunicorn_url, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as out:
        out.write(FIXTURE.read_bytes())
        out.truncate(50 * 1024 * 1024)
    open_site(page, gunicorn_url)
    assert (
        "Nothing was imported: The file is 52.4 MB; a Goodreads export is a few MB at most"
        in import_error(page, path)
    )


def test_drop_a_file_and_see_progress(page, gunicorn_url):
    open_site(page, gunicorn_url)
    # Every state the import's status line goes through, recorded as it changes.
    page.evaluate(
        """() => {
        const status = document.querySelector("#import-status");
        const bar = document.querySelector("#import-progress");
        window.importStates = [];
        const record = () => window.importStates.push([status.dataset.kind, status.textContent, !bar.hidden]);
        new MutationObserver(record).observe(status, { childList: true, characterData: true, subtree: true });
    }"""
    )
    page.evaluate(
        """(text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], "goodreads_library_export.csv", { type: "text/csv" }));
        const zone = document.querySelector("#import-drop");
        const event = (type) => new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true });
        zone.dispatchEvent(event("dragover"));
        zone.dispatchEvent(event("drop"));
    }""",
        FIXTURE.read_text(encoding="utf-8"),
    )
    page.wait_for_selector("#import-status[data-kind=done]")
    assert page.text_content("#import-status").startswith(SUMMARY)
    assert page.is_hidden("#import-progress")
    states = page.evaluate("window.importStates")
    busy = [text for kind, text, bar in states if kind == "busy" and bar]
    # 0% at once, then a step every 250 rows of the 295 (the page stays responsive in between).
    assert busy[0] == "Reading goodreads_library_export.csv… 0%"
    assert any(not text.endswith((" 0%", " 100%")) for text in busy), busy
    assert states[-1][0] == "done"


def test_read_and_not_interested_leave_at_once_and_are_remembered(browser, page, gunicorn_url):
    open_site(page, gunicorn_url)
    pick_by_search(page, "even book 4", 4)
    page.wait_for_selector("#suggestions > li")
    first, second, third = [book_id for book_id, _ in suggestions(page)[:3]]

    recomputed(
        page,
        lambda: page.click(f"#suggestions li[data-book-id='{first}'] button[data-action=not-interested]"),
    )
    assert first not in ids(page, "#suggestions")
    recomputed(page, lambda: page.select_option(f"#suggestions li[data-book-id='{second}'] select", "4"))
    assert second not in ids(page, "#suggestions")
    assert ids(page, "#picks") == [4, second]  # read with stars: a pick
    assert page.input_value(f"#picks li[data-book-id='{second}'] select") == "4"
    recomputed(page, lambda: page.select_option(f"#suggestions li[data-book-id='{third}'] select", "0"))
    assert third not in ids(page, "#suggestions") and ids(page, "#picks") == [4, second]
    page.click("#marks-summary")
    assert marks(page) == {first: "not_interested", third: "read"}

    # Remembered: in this browser after a reload, and in the link for a friend.
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    page.wait_for_selector("#suggestions > li")
    assert not {first, second, third} & set(ids(page, "#suggestions"))
    friend = browser.new_context()
    friend.route("**/*", local_only)
    try:
        other = friend.new_page()
        open_site(other, page.url)
        other.wait_for_selector("#suggestions > li")
        assert ids(other, "#picks") == [4, second]
        assert not {first, third} & set(ids(other, "#suggestions"))
    finally:
        friend.close()

    # "Suggest again" brings one back.
    page.click("#marks-summary")
    recomputed(page, lambda: page.click(f"#marks li[data-book-id='{first}'] button[data-action=unmark]"))
    assert first in ids(page, "#suggestions")
    assert page.js_errors == []


def test_filters_and_more_suggestions(page, gunicorn_url, catalogue):
    # genres.json comes from the explorer, which this build skipped: serve a small one. Every
    # fifth book is a classic (as the synthetic tags say), the rest fantasy.
    genres = {
        "format_version": 1,
        "book_ids": [book["book_id"] for book in catalogue.books],
        "genre_names": ["fantasy", "classics"],
        "genres": [1 if book["book_id"] % 5 == 0 else 0 for book in catalogue.books],
    }
    page.route("**/genres.json", lambda route: route.fulfill(json=genres))
    open_site(page, gunicorn_url)
    pick_by_search(page, "even book 4", 4)
    page.wait_for_selector("#suggestions > li")
    page.wait_for_selector("#filter-genre-label:not([hidden])")
    assert len(ids(page, "#suggestions")) == 20
    recomputed(page, lambda: page.click("#suggestions-more"))
    assert len(ids(page, "#suggestions")) == 40
    assert page.is_visible("#suggestions-more")  # 59 books left

    recomputed(page, lambda: page.select_option("#filter-genre", "1"))
    shown = ids(page, "#suggestions")
    assert (
        shown and all(book_id % 5 == 0 for book_id in shown) and len(shown) == 12
    )  # 12 classics, none picked
    year = {book["book_id"]: book["year"] for book in catalogue.books}
    recomputed(page, lambda: page.fill("#filter-year-from", "2000"))
    shown = ids(page, "#suggestions")
    assert shown == [b for b in shown if year[b] is not None and year[b] >= 2000] and set(shown) <= {
        50,
        55,
        60,
    }
    recomputed(page, lambda: page.fill("#filter-year-to", "1900"))
    assert ids(page, "#suggestions") == []
    assert page.is_visible("#suggestions-empty")
    recomputed(page, lambda: page.click("#filter-clear"))
    assert len(ids(page, "#suggestions")) == 20 and page.is_hidden("#suggestions-empty")
    assert page.js_errors == []


def big_export(path, rows: int) -> int:
    """The fixture's rows, then more of its first row as books the catalogue lacks, to ``rows``
    rows in all; returns how many are not in the catalogue."""
    import csv
    import io

    records = list(csv.reader(io.StringIO(FIXTURE.read_text(encoding="utf-8"))))
    header, body = records[0], records[1:]
    book_id, title = header.index("Book Id"), header.index("Title")
    template = [""] * len(header)  # a short row: about 60 bytes, 6 MB for 100,000
    for name, value in [("Author", "Nobody"), ("My Rating", "0"), ("Exclusive Shelf", "read")]:
        template[header.index(name)] = value
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(body)
        for i in range(rows - len(body)):
            template[book_id], template[title] = str(900_000_000 + i), f"A Book Nobody Has {i}"
            writer.writerow(template)
    return rows - len(body) + 250  # the fixture's own 250 unmatched rows


def test_a_100000_row_import_never_freezes_the_page(page, gunicorn_url, tmp_path):
    """Matching runs in short tasks and the titles not in the catalogue are listed 100 at a
    time: no task of the import takes long (it froze the page for 0.9 to 1.7 s: matching in one
    task, then 90,000 list items at once)."""
    path = tmp_path / "huge-library.csv"
    unmatched = big_export(path, 100_000)
    page.add_init_script(OBSERVE_LONG_TASKS)
    open_site(page, gunicorn_url)
    page.wait_for_selector("#suggestions-hint")
    since = page.evaluate("performance.now()")  # after the page's own start
    page.set_input_files("#import-file", str(path))
    page.wait_for_selector("#import-status[data-kind=done], #import-status[data-kind=error]", timeout=120_000)
    assert page.get_attribute("#import-status", "data-kind") == "done", page.text_content("#import-status")
    assert page.evaluate("window.shelf.stats.lastImport.rows") == 100_000
    long_tasks = long_tasks_until_now(page, since)
    # Matching runs in ~50 ms tasks; a busy shared machine stretched one to 221 ms. One task of
    # 605 ms was the freeze before (0.9-1.7 s in all); benchmarks/bench_import.py times it.
    assert max(long_tasks, default=0) < 450, sorted(long_tasks)[-5:]
    summary = page.text_content("#import-unmatched-summary")
    assert summary == f"{unmatched:,} not in the catalogue"
    assert page.eval_on_selector_all("#import-unmatched-list > li", "items => items.length") == 100
    page.click("#import-unmatched-summary")
    page.click("#import-unmatched-more")
    assert page.eval_on_selector_all("#import-unmatched-list > li", "items => items.length") == 200
    assert f"{unmatched - 200:,} not shown" in page.text_content("#import-unmatched-more")
    assert page.js_errors == []
