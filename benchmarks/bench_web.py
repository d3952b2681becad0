"""Measure the site in headless Chromium, on 127.0.0.1.

    .venv/bin/python benchmarks/bench_web.py [--artifacts artifacts]

1. Builds the site from ``--artifacts`` into a temporary directory (``python -m sitebuild``)
   and serves it with gunicorn (gunicorn.conf.py) on a free 127.0.0.1 port.
2. Cold page loads (fresh browser context each) of a shared link with three picks: bytes
   transferred until the first suggestions (compressed, as sent), and the time from
   navigation to the first suggestions.
3. Picks ten popular books one at a time: time per recompute (model, top 20, reasons, and
   the suggestions' DOM).

The API under load is benchmarks/bench_load.py (open loop, fixed offered rates).

Prints numbers; asserts nothing. No traffic leaves 127.0.0.1 (the browser aborts cover
requests to the image host).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.browser import CHROMIUM, CHROMIUM_ARGS, local_only  # noqa: E402
from harness.servers import build_site_into, machine_line, start_gunicorn, stop  # noqa: E402


@dataclass
class BenchConfig:
    artifacts: Path
    loads: int
    picks: int
    workers: int | None
    web: Path


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="artifacts directory (model.train --out)")
    parser.add_argument("--loads", type=int, default=5, help="cold page loads to time")
    parser.add_argument("--picks", type=int, default=10, help="picks to time one recompute each")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    parser.add_argument("--web", default=str(ROOT / "web"), help="the page's sources to build the site from")
    args = parser.parse_args(argv)
    return BenchConfig(Path(args.artifacts), args.loads, args.picks, args.workers, Path(args.web))


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KiB"


# ---------------------------------------------------------------------------------------
# Browser


RESOURCES_JS = """() => {
  const entries = performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'));
  return entries.filter(e => e.name.startsWith(location.origin)).map(e => ({
    name: e.name.slice(location.origin.length), transfer: e.transferSize,
    encoded: e.encodedBodySize, decoded: e.decodedBodySize }));
}"""


def cold_load(browser, url: str) -> dict:
    """One load in a fresh context: times from window.shelf.stats and bytes from Resource Timing."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", local_only)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(
            "() => window.shelf && window.shelf.stats.firstSuggestionsAtMs !== null", timeout=60_000
        )
        stats = page.evaluate("window.shelf.stats")
        # The model's worker (web/model-worker.js) fetches TF.js and the model: its own entries.
        resources = page.evaluate(RESOURCES_JS) + [r for w in page.workers for r in w.evaluate(RESOURCES_JS)]
    finally:
        context.close()
    return {"stats": stats, "resources": resources}


def time_picks(browser, url: str, picks: int) -> list[dict]:
    """Pick the first unpicked popular book ``picks`` times; the page's stats after each."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", local_only)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-state=ready]", timeout=60_000)
        out = []
        for count in range(1, picks + 1):
            page.click("#search-results button[data-action=pick] >> nth=0")
            page.wait_for_function("n => window.shelf.stats.recomputeCount >= n", arg=count)
            out.append(page.evaluate("({...window.shelf.stats})"))
    finally:
        context.close()
    return out


def bench_browser(cfg: BenchConfig, base: str, pick_ids: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    shared = base + "?picks=" + ",".join(map(str, pick_ids))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            cold_load(browser, shared)  # warm the server's file cache; not counted
            loads = [cold_load(browser, shared) for _ in range(cfg.loads)]
            picks = time_picks(browser, base, cfg.picks)
        finally:
            browser.close()

    print(f"\n## Page (headless Chromium, cold cache, {cfg.loads} loads of a link with 3 picks)")
    resources = loads[-1]["resources"]
    groups: dict[str, list[int]] = {}
    for r in resources:
        name = r["name"]
        group = (
            "TF.js"
            if "/vendor/" in name
            else "model weights"
            if name.endswith(".bin")
            else "catalogue (books.json)"
            if name.startswith("/books.json")
            else "other (HTML, JS, CSS, metadata, model.json)"
        )
        sums = groups.setdefault(group, [0, 0])
        sums[0] += r["transfer"]
        sums[1] += r["decoded"]
    for group, (transfer, decoded) in sorted(groups.items(), key=lambda item: -item[1][0]):
        print(f"  {group:<46} {kb(transfer):>12} transferred ({kb(decoded)} uncompressed)")
    total = sum(r["transfer"] for r in resources)
    print(
        f"  {'total until first suggestions':<46} {kb(total):>12} = {total / 1e6:.2f} MB"
        f" ({len(resources)} requests)"
    )
    first = [load["stats"]["firstSuggestionsAtMs"] for load in loads]
    ready = [load["stats"]["readyAtMs"] for load in loads]
    print(
        f"  navigation -> model ready:        median {statistics.median(ready):7.0f} ms  (runs: "
        + ", ".join(f"{v:.0f}" for v in ready)
        + ")"
    )
    print(
        f"  navigation -> first suggestions:  median {statistics.median(first):7.0f} ms  (runs: "
        + ", ".join(f"{v:.0f}" for v in first)
        + ")"
    )
    recompute = [p["lastRecomputeMs"] for p in picks]
    compute = [p["lastComputeMs"] for p in picks]
    print(
        f"  recompute after a pick ({len(picks)} picks): compute median {statistics.median(compute):.1f} ms, "
        f"max {max(compute):.1f} ms; with rendering median {statistics.median(recompute):.1f} ms, "
        f"max {max(recompute):.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shelf-bench-") as tmp:
        static_dir = Path(tmp) / "static"
        error = build_site_into(static_dir, cfg.artifacts, cfg.web)
        if error:
            print(f"bench_web: {error}", file=sys.stderr)
            return 1
        books = json.loads((static_dir / "books.json").read_text())
        metadata = json.loads((static_dir / "metadata.json").read_text())
        print(machine_line("; browser and server share them"))
        print(
            f"# bench_web: {metadata['num_books']} books, embedding_dim {metadata['embedding_dim']}, "
            f"artifacts {cfg.artifacts}"
        )
        base, proc = start_gunicorn(static_dir, Path(tmp) / "gunicorn.log", workers=cfg.workers)
        try:
            popular = sorted(books, key=lambda b: -b["ratings_count"])
            bench_browser(cfg, base, [b["book_id"] for b in popular[:3]])
        finally:
            stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
