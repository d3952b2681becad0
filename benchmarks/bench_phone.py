"""Measure the first minute of a visit on a mid-range phone: Playwright and Lighthouse.

    .venv/bin/python benchmarks/bench_phone.py [--artifacts artifacts] [--runs 3] [--cpu 4]
        [--lighthouse-runs 5] [--against-web OLD/web [--against-artifacts OLD_ARTIFACTS]]

1. Builds the site from ``--artifacts`` (and ``--web``) into a temporary directory and serves it
   with gunicorn (gunicorn.conf.py) on a free 127.0.0.1 port.
2. Playwright drives Debian's Chromium at Lighthouse's mobile profile through DevTools: 150 ms
   round trip, 1,638.4 kbps down, 750 kbps up, CPU slowed ``--cpu`` times (4, Lighthouse's
   mid-range phone; 6, a low-end Android phone), a 390x844 viewport (touch, device scale 3).
   For a first visit (fresh browser context) and a second one (the same context after the
   first, so the service worker and HTTP cache hold the site; localStorage cleared, so no picks
   come back), median of ``--runs``: the time from navigation until the search box and the
   popular books' Pick buttons are visible and enabled, and until the first suggestion shows
   when the first popular book is picked as soon as its button is usable; the bytes
   transferred by then (Resource Timing); and the page's main-thread tasks over 50 ms until the
   first suggestion (a ``longtask`` PerformanceObserver registered before the page's scripts
   run): the longest, and each one's start and length; and the longest in the 1.5 s after it
   (the cards drawn, when the visitor's first taps and scrolls come).
3. Lighthouse 12.2.3 (npm, package.json) with its default mobile profile against the same
   server, Chromium via ``CHROME_PATH``, ``--lighthouse-runs`` times: each run's performance
   score and TBT, then the median run by performance score (LCP, TBT, CLS, time to interactive,
   bytes transferred, accessibility and SEO scores).

With ``--against-web`` (another checkout's web/, e.g. a ``git worktree`` of the commit before a
change) a second site is built from it by this checkout's site build (with
``--against-artifacts``, default ``--artifacts``) and served beside the first; their visits
alternate (this site first in odd runs, the other in even ones: give an even ``--runs``), so
that a shared machine's slow minutes fall on both, and the medians of the runs' differences
follow both tables. A web/ from before a change of metadata.json's format (format_version) needs
artifacts of its own export. Lighthouse runs against this site only.

Prints numbers; asserts nothing. The browsers reach 127.0.0.1 only: everything else goes to a
proxy that is not there (loopback bypasses proxies), which leaves covers as placeholders and,
unlike Playwright's request routing, keeps the HTTP cache and the service worker as they are.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from harness.lighthouse import LIGHTHOUSE, LighthouseFailed, lighthouse_once  # noqa: E402
from harness.servers import build_site_into, machine_line, start_gunicorn, stop  # noqa: E402

LOCAL_ONLY = "--proxy-server=http://127.0.0.1:9"  # nothing listens there; 127.0.0.1 itself goes direct
# Lighthouse's mobile profile (constants.throttling.mobileSlow4G and its Moto G Power screen),
# applied with DevTools as Lighthouse's own "devtools" throttling does: kbps of 1,024 bits.
RTT_MS = 150
DOWN_KBPS = 1638.4
UP_KBPS = 750
CPU_SLOWDOWN = 4  # the default of --cpu
VIEWPORT = {"width": 390, "height": 844}

PICK_BUTTON = "#search-results button[data-action=pick]"  # the first popular book's
# In the page, each frame (checked as Playwright's polling="raf" did, before the frame's paint):
# when the search box and first Pick button are usable, that book picked by its own click in a task
# of its own (as a tap), then the first suggestion. Playwright's wait_for_function would run its
# injected script on the page (a 110 ms task at 6x), and its polling from Python lags the moment.
PICK_INIT = """(() => {
  const shown = (el) => el && !el.disabled && el.checkVisibility();
  const seen = () => { const li = document.querySelector('#suggestions li');
    if (li?.checkVisibility()) window.__suggestedAt = performance.now(); else requestAnimationFrame(seen); };
  const usable = () => {
    const pick = document.querySelector('#search-results button[data-action=pick]');
    if (!shown(document.querySelector('#search')) || !shown(pick)) return requestAnimationFrame(usable);
    window.__usableAt = performance.now();
    setTimeout(() => (pick.click(), requestAnimationFrame(seen)));
  };
  requestAnimationFrame(usable);
})();"""
# [name, ms] -> window[name] once the page has set it, null after ms (polled in the page).
UNTIL_JS = """([name, ms]) => new Promise((resolve) => { const end = performance.now() + ms;
  (function check() { if (window[name] !== undefined) resolve(window[name]);
    else if (performance.now() > end) resolve(null); else setTimeout(check, 50); })(); })"""
PICKED_JS = "() => !!document.querySelector('#picks [data-book-id]')"
# Registered before any of the page's scripts run (add_init_script), buffered: every main-thread
# task over 50 ms from the start (the longtask API reports no shorter ones).
LONG_TASKS_INIT = """(() => {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {}
})();"""
LONG_TASKS_JS = "() => window.__longTasks ?? []"
AFTER_MS = 1500  # the suggestions drawn: the tasks the visitor's first taps and scrolls meet
SLEEP_UNTIL_JS = "(until) => new Promise((done) => setTimeout(done, until - performance.now()))"
# Each request of the page (its document first) or a worker: [name, start, end (ms since the
# page's navigation), bytes transferred]. A worker's clock starts when the worker does: its
# timeOrigin moves it.
REQUESTS_JS = """(origin) => {
  const shift = performance.timeOrigin - origin;
  return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .map((e) => [e.name, e.startTime + shift, e.responseEnd + shift, e.transferSize || 0]);
}"""


def load_now() -> str:
    """The machine's load, to print beside numbers taken on a shared machine."""
    load1, load5, _ = os.getloadavg()
    return f"load average {load1:.1f} (1 min), {load5:.1f} (5 min)"


def requests(page) -> list[list]:
    """Every request of the page and its workers so far: [path, start, end, bytes], by start."""
    origin = page.evaluate("performance.timeOrigin")
    found = page.evaluate(REQUESTS_JS, origin)
    for worker in page.workers:
        found += worker.evaluate(REQUESTS_JS, origin)
    return sorted(found, key=lambda request: request[1])


def transferred(found: list[list], by: float) -> int:
    """Bytes of ``found`` (requests(): the page's and its workers', the model's TF.js and model
    among them) that had come by ``by`` (ms)."""
    return sum(size for _, _, end, size in found if end <= by)


@dataclass
class BenchConfig:
    artifacts: Path
    web: Path
    runs: int
    lighthouse_runs: int
    workers: int | None
    cpu: float = CPU_SLOWDOWN
    requests: bool = False
    against_web: Path | None = None  # another site's sources, visited in turn (--against-web)
    against_artifacts: Path | None = None


def parse_args(argv: list[str] | None = None) -> BenchConfig:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="artifacts directory (model.train --out)")
    parser.add_argument("--web", default=str(ROOT / "web"), help="the page's sources to build the site from")
    parser.add_argument("--runs", type=int, default=3, help="Playwright visits of each kind (median)")
    parser.add_argument(
        "--cpu", type=float, default=CPU_SLOWDOWN, help="CPU slowdown (4: mid-range phone, 6: low-end)"
    )
    parser.add_argument("--lighthouse-runs", type=int, default=5, help="Lighthouse runs (0: none)")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    parser.add_argument(
        "--requests",
        action="store_true",
        help="print each visit's requests until the first suggestion (start, end, bytes)",
    )
    parser.add_argument(
        "--against-web",
        default=None,
        help="another site's sources (e.g. a git worktree's web/): its visits alternate with this one's",
    )
    parser.add_argument(
        "--against-artifacts", default=None, help="the other site's artifacts (default: --artifacts)"
    )
    args = parser.parse_args(argv)
    if args.against_artifacts and not args.against_web:
        parser.error("--against-artifacts goes with --against-web")
    against_web = Path(args.against_web) if args.against_web else None
    return BenchConfig(
        Path(args.artifacts),
        Path(args.web),
        args.runs,
        args.lighthouse_runs,
        args.workers,
        args.cpu,
        args.requests,
        against_web,
        Path(args.against_artifacts or args.artifacts) if against_web else None,
    )


# ---------------------------------------------------------------------------------------
# Playwright


def throttled_page(context, cpu: float):
    """A new page of ``context`` with the network of Lighthouse's mobile profile, CPU ``cpu`` times slower."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": RTT_MS,
            "downloadThroughput": DOWN_KBPS * 1024 / 8,  # bytes per second
            "uploadThroughput": UP_KBPS * 1024 / 8,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    return page


def until(page, name: str, ms: int) -> float:
    if (value := page.evaluate(UNTIL_JS, [name, ms])) is None:  # window[name], set by PICK_INIT
        raise RuntimeError(f"the page set no {name} in {ms / 1000:g} s")
    return value


def confirm_pick(page) -> bool:
    """Whether the page's click picked the book; if not (the button was drawn anew meanwhile),
    Playwright's (slower: 0.3-0.8 s of round trips at 4x) picks it, and the run is marked."""
    for _ in range(50):
        if page.evaluate(PICKED_JS):
            return True
        page.wait_for_timeout(100)
    page.click(f"{PICK_BUTTON} >> nth=0", timeout=120_000)
    return False


def visit(context, url: str, cpu: float) -> dict:
    """One visit: ms from navigation until usable and until the first suggestion; bytes by
    then; the main thread's long tasks ([start, duration] ms) that started before the first suggestion."""
    page = throttled_page(context, cpu)
    try:
        page.goto(url, wait_until="commit", timeout=120_000)
        usable = until(page, "__usableAt", 120_000)
        picked = confirm_pick(page)
        suggested = until(page, "__suggestedAt", 120_000)
        found = requests(page)
        usable_bytes, suggested_bytes = transferred(found, usable), transferred(found, suggested)
        fetched = [request for request in found if request[1] < suggested]
        # The second visit comes after a whole first one: the page ready (the catalogue comes
        # after the first suggestions on a first visit), the service worker installed (it
        # caches the build; the page registers it once ready), and no picks left over.
        page.wait_for_selector("body[data-state=ready]", timeout=120_000)
        page.evaluate(SLEEP_UNTIL_JS, suggested + AFTER_MS)
        tasks = page.evaluate(LONG_TASKS_JS)
        long_tasks = [task for task in tasks if task[0] < suggested]
        after = [task for task in tasks if suggested <= task[0] < suggested + AFTER_MS]
        page.evaluate(
            """async () => {
              if ('serviceWorker' in navigator) await navigator.serviceWorker.ready;
              localStorage.clear();
              sessionStorage.clear();
            }"""
        )
    finally:
        page.close()
    return {
        "usable": usable,
        "suggested": suggested,
        "usable_bytes": usable_bytes,
        "suggested_bytes": suggested_bytes,
        "long_tasks": long_tasks,
        "after": after,
        "requests": fetched,
        "picked": picked,
    }


def bench_playwright(cfg: BenchConfig, sites: list[tuple[str, str]]) -> None:
    """Each of ``sites`` ([(label, url)]) visited ``cfg.runs`` times, a first and a second visit
    in a fresh context; with two sites their visits alternate, the first site first in odd runs."""
    from playwright.sync_api import sync_playwright

    visits = {label: ([], []) for label, _ in sites}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, LOCAL_ONLY])
        try:
            for run in range(cfg.runs):
                for label, url in sites if run % 2 == 0 else sites[::-1]:
                    context = browser.new_context(
                        viewport=VIEWPORT, device_scale_factor=3, is_mobile=True, has_touch=True
                    )
                    context.add_init_script(LONG_TASKS_INIT)
                    context.add_init_script(PICK_INIT)
                    try:
                        for kind in visits[label]:
                            kind.append(visit(context, url, cfg.cpu))
                    finally:
                        context.close()
        finally:
            browser.close()

    for label, (first, second) in visits.items():
        print_visits(cfg, label, first, second)
    if len(sites) == 2:
        print_differences(cfg, *(visits[label] for label, _ in sites))
    print(f"  {load_now()} after the visits")


def print_differences(cfg: BenchConfig, this: tuple[list, list], other: tuple[list, list]) -> None:
    """The median of the runs' differences (this site's minus the other's, run by run)."""
    print(f"\n## This site minus the other ({cfg.against_web}), run by run, median of {cfg.runs}")
    for name, mine, theirs in (("first visit", this[0], other[0]), ("second visit", this[1], other[1])):
        for key, label in (("usable", "usable"), ("suggested", "first suggestion")):
            diffs = [a[key] - b[key] for a, b in zip(mine, theirs, strict=True)]
            print(
                f"  {name:<13} {label:<17} median {statistics.median(diffs) / 1000:+6.2f} s  (runs: "
                + ", ".join(f"{d / 1000:+.2f}" for d in diffs)
                + ")"
            )


def print_visits(cfg: BenchConfig, label: str, first: list[dict], second: list[dict]) -> None:
    print(
        f"\n## Phone, {label} (Playwright, Chromium with DevTools throttling: {RTT_MS} ms RTT, "
        f"{DOWN_KBPS} kbps down, {UP_KBPS} kbps up, CPU {cfg.cpu:g}x; "
        f"{VIEWPORT['width']}x{VIEWPORT['height']}; median of {cfg.runs})"
    )
    moments = (("usable", "search box and Pick buttons usable"), ("suggested", "first suggestion"))
    for name, runs in (("first visit", first), ("second visit (service worker)", second)):
        for key, label in moments:
            values = [run[key] for run in runs]
            kib = statistics.median(run[f"{key}_bytes"] for run in runs) / 1024
            print(
                f"  {name:<30} {label:<36} median {statistics.median(values) / 1000:6.2f} s  "
                f"({kib:,.0f} KiB transferred; runs: " + ", ".join(f"{v / 1000:.2f}" for v in values) + ")"
            )
        longest = [max((duration for _, duration in run["long_tasks"]), default=0) for run in runs]
        label = "longest main-thread task before it"
        print(
            f"  {name:<30} {label:<36} median {statistics.median(longest):6.0f} ms "
            "(runs: " + ", ".join(f"{v:.0f}" for v in longest) + "; 0: none over 50 ms)"
        )
        after = [max((duration for _, duration in run["after"]), default=0) for run in runs]
        label = f"longest task in the {AFTER_MS / 1000:g} s after it"
        print(
            f"  {name:<30} {label:<36} median {statistics.median(after):6.0f} ms "
            "(runs: " + ", ".join(f"{v:.0f}" for v in after) + ")"
        )
        for i, run in enumerate(runs, start=1):
            tasks = ", ".join(f"{ms:.0f} ms at {start / 1000:.2f} s" for start, ms in run["long_tasks"])
            print(f"    run {i}: tasks over 50 ms: {tasks or 'none'}")
            if not run["picked"]:
                print(f"    run {i}: the page's click missed; Playwright's click picked the book (slower)")
            if cfg.requests:
                for name, start, end, size in run["requests"]:
                    path = name.split("/", 3)[-1] or "(the page)"
                    print(f"      {start / 1000:5.2f} -> {end / 1000:5.2f} s  {size / 1024:7.1f} KiB  {path}")


# ---------------------------------------------------------------------------------------
# Lighthouse


def bench_lighthouse(cfg: BenchConfig, url: str, tmp: Path) -> None:
    if not LIGHTHOUSE.exists():
        print("\n## Lighthouse: node_modules/.bin/lighthouse is missing (make install runs npm ci)")
        return
    order = []  # in the order they ran
    for i in range(cfg.lighthouse_runs):
        try:
            order.append(lighthouse_once(url, tmp / f"lighthouse-{i}.json", (LOCAL_ONLY,)))
        except LighthouseFailed as error:
            raise SystemExit(f"bench_phone: {error}") from None
        score = order[-1]["performance"]
        print(f"  (Lighthouse run {i + 1}: {score:.2f}; {load_now()})", file=sys.stderr)
    runs = sorted(order, key=lambda run: run["performance"])
    median = runs[len(runs) // 2]
    print(
        f"\n## Lighthouse {median['version']} (default mobile profile, simulated throttling; "
        f"{len(runs)} run(s), the median by performance score)"
    )
    print(
        f"  performance {median['performance']:.2f}  LCP {median['lcp_ms'] / 1000:.1f} s  "
        f"TBT {median['tbt_ms']:,.0f} ms  CLS {median['cls']:.3f}  TTI {median['tti_ms'] / 1000:.1f} s  "
        f"transferred {median['bytes'] / 1024:,.0f} KiB  accessibility {median['accessibility']:.2f}  "
        f"SEO {median['seo']:.2f}"
    )
    each = ", ".join(f"{run['performance']:.2f} ({run['tbt_ms']:,.0f} ms)" for run in order)
    print(f"  each run in order, performance (TBT): {each}")
    print(f"  {load_now()} after the Lighthouse runs")


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shelf-phone-") as tmp:
        builds = [("this site", cfg.web, cfg.artifacts)]
        if cfg.against_web is not None:
            builds.append(("the other site", cfg.against_web, cfg.against_artifacts))
        for i, (_, web, artifacts) in enumerate(builds):
            error = build_site_into(Path(tmp) / f"static{i}", artifacts, web)
            if error:
                print(f"bench_phone: {error}", file=sys.stderr)
                return 1
        print(machine_line("; browser and server share them"))
        for label, web, artifacts in builds:
            print(f"# bench_phone: {label} from {web} and {artifacts}")
        servers = []
        try:
            for i in range(len(builds)):
                log = Path(tmp) / f"gunicorn{i}.log"
                servers.append(start_gunicorn(Path(tmp) / f"static{i}", log, workers=cfg.workers))
            # Each base ends with "/": the page a visitor opens.
            sites = [(label, base) for (label, _, _), (base, _) in zip(builds, servers, strict=True)]
            if cfg.runs:
                bench_playwright(cfg, sites)
            if cfg.lighthouse_runs:
                bench_lighthouse(cfg, servers[0][0], Path(tmp))
        finally:
            for _, proc in servers:
                stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
