"""Real headless Chromium (Debian's, driven by Playwright) and a loopback static server."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")  # Debian's, from install_system.sh
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ChromiumMissing(RuntimeError):
    """Debian's chromium is not installed."""


def require_chromium() -> Path:
    if not CHROMIUM.exists():
        raise ChromiumMissing(f"{CHROMIUM} is missing: run `make install` (scripts/install_system.sh)")
    return CHROMIUM


@contextmanager
def launch_browser(args: list[str] = CHROMIUM_ARGS):
    """Yield a Playwright Browser running Debian's Chromium headless with ``args``."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=args)
        try:
            yield browser
        finally:
            browser.close()


def local_only(route) -> None:
    """Playwright route handler: let 127.0.0.1 through, abort everything else (covers too)."""
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    else:
        route.abort()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, *args):
        pass


@contextmanager
def serve_directory(root: Path):
    """Serve ``root`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class PageError(AssertionError):
    """The page threw while it was evaluated."""


def evaluate_page(root: Path, page_name: str, ready: str, script: str, arg):
    """Serve ``root``, open ``page_name`` in Chromium, wait until ``window[ready]`` is true and
    return ``script`` evaluated with ``arg``; raises PageError on any error the page threw."""
    with serve_directory(root) as base, launch_browser() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(f"{base}/{page_name}")
        page.wait_for_function(f"() => window.{ready} === true", timeout=30_000)
        result = page.evaluate(script, arg)
    if errors:
        raise PageError(errors)
    return result


# Run in a page (add_init_script or evaluate): every main-thread task over 50 ms (Chromium's
# "longtask") from then on, as {start, duration} in ms, in window.longTasks.
OBSERVE_LONG_TASKS = """window.longTasks = [];
new PerformanceObserver((list) => {
    for (const task of list.getEntries()) {
        window.longTasks.push({ start: task.startTime, duration: task.duration });
    }
}).observe({ type: "longtask" });"""
# Starts a 60 ms task of its own after the current one; returns when, in performance.now() ms.
_LONG_TASK_MARK = """() => {
    const mark = performance.now();
    setTimeout(() => {
        const end = performance.now() + 60;
        while (performance.now() < end);
    });
    return mark;
}"""


def long_tasks_until_now(page, since: float = 0.0) -> list[float]:
    """The durations (ms) of the page's long tasks that started from ``since`` until now, once
    every one of them has been reported (OBSERVE_LONG_TASKS must run first). The observer hands
    entries over in order, so a long task of its own started now is reported after all of them:
    this waits for that, never for a fixed time."""
    mark = page.evaluate(_LONG_TASK_MARK)
    page.wait_for_function("(mark) => window.longTasks.some((task) => task.start >= mark)", arg=mark)
    return [task["duration"] for task in page.evaluate("window.longTasks") if since <= task["start"] < mark]
