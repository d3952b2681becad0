"""Measure search with typos: top-3 hit rate on misspelt queries, and time per query and keystroke.

    .venv/bin/python benchmarks/bench_search.py [--data DIR] [--chromium]

1. Reads the real catalogue (goodbooks-10k ``books.csv``: ``--data`` or ``GOODBOOKS_DIR``) and
   ``benchmarks/search_typos.json``: misspelt queries, each with the book it means.
2. Python (server/search.py, what /api/books answers with): how many queries have the meant
   book in the top 3 (the misses listed); time to build the index, per query from cold (no
   cached typo costs) and per keystroke of typing every query, each the least of 3 runs (on a
   shared machine, the run nothing else interrupted).
3. Node (web/js/search.js, the page's search, via benchmarks/bench_search.mjs): the same times,
   and whether its top 3 equal the API's for every query.
4. ``--chromium``: the same in headless Chromium with the CPU slowed 4x (DevTools), Lighthouse's
   mobile profile: the per-keystroke cost a mid-range phone pays (target < 16 ms).

``--web DIR`` and ``--search-py FILE`` measure other versions of the two (e.g. before typos were
forgiven: ``git archive f18ae2f web server | tar -x -C /tmp/before``). Prints numbers; asserts
nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.servers import machine_line  # noqa: E402

QUERIES = ROOT / "benchmarks" / "search_typos.json"
BENCH_JS = ROOT / "benchmarks" / "bench_search.mjs"
TOP = 3
REPEATS = 3  # each time reported is the least of this many runs of the same work


@dataclass
class BenchConfig:
    data: Path
    web: Path
    search_py: Path
    chromium: bool


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=os.environ.get("GOODBOOKS_DIR", str(ROOT / "data" / "goodbooks-10k")),
        help="goodbooks-10k directory (books.csv); default $GOODBOOKS_DIR or data/goodbooks-10k",
    )
    parser.add_argument("--web", default=str(ROOT / "web"), help="the page's sources (js/search.js)")
    parser.add_argument(
        "--search-py", default=str(ROOT / "server" / "search.py"), help="the API's search module"
    )
    parser.add_argument(
        "--chromium", action="store_true", help="also time the page's search at 4x CPU slowdown"
    )
    args = parser.parse_args(argv)
    return BenchConfig(Path(args.data), Path(args.web), Path(args.search_py), args.chromium)


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location("bench_search_module", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def spread(values: list[float]) -> str:
    """Median, p90, p99 and max of ``values`` (ms)."""
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return (
        f"median {statistics.median(ordered):6.2f}  p90 {at(0.9):6.2f}  p99 {at(0.99):6.2f}  "
        f"max {ordered[-1]:6.2f} ms"
    )


def keystrokes(queries: list[str]) -> list[str]:
    return [query[:i] for query in queries for i in range(1, len(query) + 1)]


def bench_python(cfg: BenchConfig, books: list[dict], cases: list[tuple[str, int]]) -> dict[str, list[int]]:
    search = load_module(cfg.search_py)
    start = time.perf_counter()
    index = search.build_search_index(books)
    build_s = time.perf_counter() - start
    clear = getattr(getattr(index, "typos", None), "book_costs", None)
    clear = clear.cache_clear if clear is not None else (lambda: None)
    top, prefixes = {}, keystrokes([query for query, _ in cases])
    cold, typed = [float("inf")] * len(cases), [float("inf")] * len(prefixes)
    for _ in range(REPEATS):  # the least of a few runs: the one nothing else interrupted
        for q, (query, _) in enumerate(cases):
            clear()
            start = time.perf_counter()
            rows = search.search_rows(index, query)
            cold[q] = min(cold[q], (time.perf_counter() - start) * 1000)
            top[query] = [int(row) for row in rows[:TOP]]
        clear()
        for k, prefix in enumerate(prefixes):
            start = time.perf_counter()
            search.search_rows(index, prefix)
            typed[k] = min(typed[k], (time.perf_counter() - start) * 1000)

    print(f"\n## Python ({cfg.search_py})")
    hits = 0
    for query, book_id in cases:
        found = [books[row]["book_id"] for row in top[query]]
        hits += book_id in found
        if book_id not in found:
            got = "; ".join(books[row]["title"] for row in top[query]) or "nothing"
            print(f"  miss: {query!r} (book {book_id}) -> {got}")
    print(f"  meant book in the top {TOP}: {hits} of {len(cases)} = {hits / len(cases):.0%}")
    held_out = json.loads(QUERIES.read_text()).get("held_out_from")
    if held_out is not None:
        found = [book_id in [books[row]["book_id"] for row in top[query]] for query, book_id in cases]
        before, after = sum(found[:held_out]), sum(found[held_out:])
        print(
            f"    written before the search was built: {before} of {held_out}; "
            f"held out: {after} of {len(cases) - held_out}"
        )
    print(f"  index build {build_s * 1000:.0f} ms")
    print(f"  per query, cold ({len(cold)}):        {spread(cold)}")
    print(f"  per keystroke ({len(typed)}):        {spread(typed)}")
    return top


def report_js(label: str, result: dict, python_top: dict[str, list[int]]) -> None:
    print(f"\n## {label}")
    print(
        f"  index build {result['buildMs']:.1f} ms, "
        f"typo words (first search that needs them) {result['prepareMs']:.1f} ms"
    )
    print(f"  per query, cold ({len(result['cold'])}):        {spread(result['cold'])}")
    print(f"  per keystroke ({len(result['keystrokes'])}):        {spread(result['keystrokes'])}")
    same = sum(result["top3"][query] == rows for query, rows in python_top.items())
    print(f"  top {TOP} equal to the API's: {same} of {len(python_top)} queries")


def bench_node(cfg: BenchConfig, tmp: Path, python_top: dict[str, list[int]]) -> None:
    module = cfg.web / "js" / "search.js"
    out = subprocess.run(
        ["node", str(BENCH_JS), str(tmp / "books.json"), str(tmp / "queries.json"), str(module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    report_js(f"Node {version} ({module})", json.loads(out.stdout), python_top)


def bench_chromium(cfg: BenchConfig, tmp: Path, books: list[dict], queries: list[str], python_top) -> None:
    from playwright.sync_api import sync_playwright

    from harness.browser import CHROMIUM, CHROMIUM_ARGS, serve_directory

    site = tmp / "site"
    site.mkdir()
    (site / "web").symlink_to(cfg.web.resolve())
    (site / "benchmarks").symlink_to(BENCH_JS.parent)
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base + "/benchmarks/search_typos.json")
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
            result = page.evaluate(
                """async ([books, queries]) => {
                  const search = await import('/web/js/search.js');
                  const { timeSearch } = await import('/benchmarks/bench_search.mjs');
                  return timeSearch(search, books, queries);
                }""",
                [books, queries],
            )
            version = browser.version
        finally:
            browser.close()
    report_js(f"Chromium {version}, CPU slowed 4x (DevTools)", result, python_top)


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    books_csv = cfg.data / "books.csv"
    if not books_csv.is_file():
        print(f"bench_search: {books_csv} not found: give --data or set GOODBOOKS_DIR", file=sys.stderr)
        return 1
    from model.data import load_books

    books = load_books(cfg.data)[["book_id", "title", "authors", "ratings_count"]].to_dict("records")
    books = [
        {**book, "book_id": int(book["book_id"]), "ratings_count": int(book["ratings_count"])}
        for book in books
    ]
    cases = [(query, int(book_id)) for query, book_id in json.loads(QUERIES.read_text())["queries"]]
    print(machine_line())
    print(
        f"# bench_search: {len(books)} books from {books_csv}, {len(cases)} misspelt queries ({QUERIES.name})"
    )
    python_top = bench_python(cfg, books, cases)
    with tempfile.TemporaryDirectory(prefix="shelf-search-") as tmp:
        tmp = Path(tmp)
        (tmp / "books.json").write_text(json.dumps(books))
        (tmp / "queries.json").write_text(json.dumps([query for query, _ in cases]))
        bench_node(cfg, tmp, python_top)
        if cfg.chromium:
            bench_chromium(cfg, tmp, books, [query for query, _ in cases], python_top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
