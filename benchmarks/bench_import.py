"""Import a 2,000-book Goodreads library into the page, in headless Chromium on 127.0.0.1.

    .venv/bin/python benchmarks/bench_import.py [--artifacts artifacts] [--data DIR] [--books 2000]

1. Writes a realistic Goodreads export of ``--books`` catalogue books (real books.csv from
   ``--data`` or GOODBOOKS_DIR: popular books more likely, stars drawn from each book's own
   ratings, three in four rated, the rest read, to-read or currently reading; most rows by
   Goodreads id, some by ISBN or title only, as other editions are) plus 15% books the
   catalogue lacks, with reviews over several lines.
2. Builds the site from ``--artifacts`` (``python -m sitebuild``) and serves it with gunicorn.
3. Per run, in a fresh browser context: imports the file with the file picker and reports the
   page's own timings (read, parse, match; the recompute of the suggestions after it: model +
   top 20 + reasons, and with the DOM), the longest main-thread task during the import, then
   changes a pick's stars ``--recomputes`` times (one recompute each).
4. The shared link: its length, what it carries against the old ?picks= link, and this
   browser opening it again through gunicorn (whose request line limit, 4,094 bytes, the old
   link of 600 picks already passed): the whole shelf comes back from localStorage.
5. ``python -m model.recommend --goodreads FILE --json --k 20`` on the same file: the same 20
   suggestions as the page?

Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.browser import CHROMIUM, CHROMIUM_ARGS, local_only  # noqa: E402
from harness.goodreads_export import HEADER  # noqa: E402
from harness.servers import build_site_into, machine_line, start_gunicorn, stop  # noqa: E402
from model.data import load_books  # noqa: E402
from model.download import resolve_data_dir  # noqa: E402


@dataclass
class BenchConfig:
    artifacts: Path
    data: str | None
    books: int
    runs: int
    recomputes: int


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="artifacts directory (make build)")
    parser.add_argument("--data", default=None, help="goodbooks-10k directory (default: GOODBOOKS_DIR)")
    parser.add_argument("--books", type=int, default=2000, help="catalogue books in the library")
    parser.add_argument(
        "--runs", type=int, default=3, help="imports to time, each in a fresh browser context"
    )
    parser.add_argument("--recomputes", type=int, default=10, help="star changes to time after each import")
    args = parser.parse_args(argv)
    return BenchConfig(Path(args.artifacts), args.data, args.books, args.runs, args.recomputes)


def write_library(data_dir: Path, books: int, path: Path, seed: int = 0) -> dict:
    """A Goodreads export of ``books`` catalogue books and 15% more it lacks; returns counts."""
    table = load_books(data_dir)
    histogram = [f"ratings_{s}" for s in range(1, 6)]  # load_books leaves these out
    full = pd.read_csv(data_dir / "books.csv", usecols=["book_id", *histogram])
    stars_of = full.set_index("book_id")[histogram]
    rng = np.random.default_rng(seed)
    weights = np.sqrt(table["ratings_count"].to_numpy(np.float64))
    chosen = rng.choice(len(table), size=books, replace=False, p=weights / weights.sum())
    rows = []
    for i, row in enumerate(chosen):
        book = table.iloc[row]
        shelf = rng.choice(["rated", "read", "to-read", "currently-reading"], p=[0.75, 0.10, 0.12, 0.03])
        counts = stars_of.loc[book["book_id"]].to_numpy(np.float64)
        stars = int(rng.choice(5, p=counts / counts.sum())) + 1 if shelf == "rated" else 0
        how = rng.random()
        goodreads_id = int(book["goodreads_book_id"]) if how < 0.8 else 40_000_000 + i
        isbn = book["isbn"].zfill(10) if 0.8 <= how < 0.92 and book["isbn"] else ""
        rows.append((goodreads_id, book["title"], book["authors"].split(",")[0], isbn, stars, shelf))
    for i in range(int(books * 0.15)):
        stars = int(rng.integers(0, 6))
        rows.append(
            (50_000_000 + i, f"A Book Not in goodbooks, Vol. {i}", f"Writer {i % 97}", "", stars, "rated")
        )
    order = rng.permutation(len(rows))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for n, index in enumerate(order):
        goodreads_id, title, author, isbn, stars, shelf = rows[index]
        exclusive = "read" if shelf == "rated" else shelf
        review = f'Loved "this" one,\nreally ({n}).' if n % 7 == 0 else ""
        writer.writerow(
            [goodreads_id, title, author, "", "", f'="{isbn}"', '=""', stars, "4.00", "Publisher, Inc.",
             "Paperback", 300, 2001, 1999, "2020/01/01" if exclusive == "read" else "", "2019/05/05",
             exclusive, f"{exclusive} (#{n})", exclusive, review, "", "", 1, 0]
        )  # fmt: skip
    path.write_text(out.getvalue(), encoding="utf-8")
    return {"rows": len(rows), "bytes": path.stat().st_size}


LONG_TASKS_JS = """() => {
  window.benchLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.benchLongTasks.push(entry.duration);
  }).observe({ type: "longtask", buffered: false });
}"""


def one_run(browser, base: str, library: Path, recomputes: int) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", local_only)
    try:
        page = context.new_page()
        page.goto(base)
        page.wait_for_selector("body[data-state=ready]", timeout=60_000)
        page.evaluate(LONG_TASKS_JS)
        started = time.perf_counter()
        page.set_input_files("#import-file", str(library))
        page.wait_for_function(
            "() => window.shelf.stats.importCount === 1 && window.shelf.stats.recomputeCount >= 1",
            timeout=60_000,
        )
        wall = (time.perf_counter() - started) * 1000
        stats = page.evaluate("({...window.shelf.stats, lastImport: {...window.shelf.stats.lastImport}})")
        long_tasks = page.evaluate("window.benchLongTasks")
        top = page.eval_on_selector_all(
            "#suggestions > li", "lis => lis.map(li => Number(li.dataset.bookId))"
        )
        url = page.url
        note = page.text_content("#share-note")
        picks = page.text_content("#pick-count")
        # The old ?picks= link of the same picks (all of them, and the first 600) against ?shelf=.
        links = page.evaluate(
            """async () => {
            const { shareShelf } = await import("./js/shelf-link.js");
            const { parsePicks, formatPicks } = await import("./js/picks.js");
            const picks = parsePicks(localStorage.getItem("shelf.picks.v1"));
            const first = new Map([...picks].slice(0, 600));
            return {
                picks: picks.size,
                old_all: formatPicks(picks).length,
                old_600: formatPicks(first).length,
                new_600: shareShelf(first, new Map()).param.length,
            };
        }"""
        )
        times = []
        for i in range(recomputes):
            count = page.evaluate("window.shelf.stats.recomputeCount")
            page.select_option("#picks > li:first-child select", str(1 + i % 5))
            page.wait_for_function("n => window.shelf.stats.recomputeCount > n", arg=count)
            times.append(
                page.evaluate("[window.shelf.stats.lastComputeMs, window.shelf.stats.lastRecomputeMs]")
            )
        reloaded = {}
        for name, link in [("now", page.url), ("right after the import", url)]:
            response = page.goto(link)
            page.wait_for_selector("body[data-state=ready]", timeout=60_000)
            page.wait_for_function("() => window.shelf.stats.recomputeCount >= 1")
            reloaded[name] = f"HTTP {response.status}, picks {page.text_content('#pick-count')}"
    finally:
        context.close()
    return {
        "stats": stats,
        "wall_ms": wall,
        "long_tasks": long_tasks,
        "top": top,
        "url": url,
        "note": note,
        "picks": picks,
        "times": times,
        "reloaded": reloaded,
        "links": links,
    }


def python_side(artifacts: Path, library: Path) -> tuple[dict, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "model.recommend", "--artifacts", str(artifacts)]
        + ["--goodreads", str(library), "--json", "--k", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    cfg = parse_args(argv)
    data_dir, _ = resolve_data_dir(cfg.data)
    with tempfile.TemporaryDirectory(prefix="shelf-bench-import-") as tmp:
        library = Path(tmp) / "goodreads_library_export.csv"
        written = write_library(data_dir, cfg.books, library)
        static_dir = Path(tmp) / "static"
        error = build_site_into(static_dir, cfg.artifacts)
        if error:
            print(f"bench_import: {error}", file=sys.stderr)
            return 1
        print(machine_line())
        print(
            f"# library: {written['rows']:,} rows ({cfg.books:,} catalogue books), "
            f"{written['bytes'] / 1e6:.2f} MB; artifacts {cfg.artifacts}"
        )
        base, proc = start_gunicorn(static_dir, Path(tmp) / "gunicorn.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    runs = [one_run(browser, base, library, cfg.recomputes) for _ in range(cfg.runs)]
                finally:
                    browser.close()
        finally:
            stop(proc)
        python, python_s = python_side(cfg.artifacts, library)

    def line(label: str, values: list[float], unit: str = "ms") -> None:
        shown = ", ".join(f"{v:.1f}" for v in values)
        print(f"  {label:<52} median {statistics.median(values):7.1f} {unit}  (runs: {shown})")

    last = runs[-1]
    print(f"\n## Import ({cfg.runs} runs, fresh browser context each)")
    print(f"  {last['stats']['lastImport']['rows']:,} rows read; picks {last['picks']}")
    line("read the file (and goodreads.json)", [r["stats"]["lastImport"]["readMs"] for r in runs])
    line("parse the CSV (in chunks, progress shown)", [r["stats"]["lastImport"]["parseMs"] for r in runs])
    line("match to the catalogue", [r["stats"]["lastImport"]["matchMs"] for r in runs])
    line("recompute after the import: model + top 20 + reasons", [r["stats"]["lastComputeMs"] for r in runs])
    line("  ... of which the model", [r["stats"]["lastModelMs"] for r in runs])
    line("  ... with the suggestions' DOM", [r["stats"]["lastRecomputeMs"] for r in runs])
    line("file chosen -> suggestions shown (Playwright's clock)", [r["wall_ms"] for r in runs])
    line("longest main-thread task during the import", [max(r["long_tasks"], default=0.0) for r in runs])
    compute = [t[0] for r in runs for t in r["times"]]
    render = [t[1] for r in runs for t in r["times"]]
    print(
        f"  recompute after a star change ({len(compute)}): compute median "
        f"{statistics.median(compute):.1f} ms, max {max(compute):.1f} ms; with rendering median "
        f"{statistics.median(render):.1f} ms, max {max(render):.1f} ms"
    )
    print("\n## Shared link")
    print(f"  URL {len(last['url']):,} characters (?shelf= value {last['stats']['shareChars']:,})")
    print(f"  on the page: {last['note'] or '(the whole shelf)'}")
    links = last["links"]
    print(
        f"  the old ?picks= value: {links['old_all']:,} characters for the {links['picks']:,} picks; "
        f"{links['old_600']:,} for the first 600, which ?shelf= writes in {links['new_600']:,}"
    )
    for name, outcome in last["reloaded"].items():
        print(f"  this browser opens its link through gunicorn ({name}): {outcome}")
    print("\n## python -m model.recommend --goodreads (same file)")
    print(
        f"  {python['rows']:,} rows, {python['matched']:,} matched {python['matched_by']}; {python_s:.1f} s "
        "(start-up and model load included); same 20 suggestions as the page: "
        f"{python['book_ids'] == last['top']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
