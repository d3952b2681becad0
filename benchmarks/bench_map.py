"""How long the map page takes to redraw 10,000 points, in headless Chromium.

    .venv/bin/python benchmarks/bench_map.py [--turns 30]

Serves web/map.html with the synthetic 10,000-book map of harness/map_page.py on
127.0.0.1, zooms in ``--turns`` wheel steps (one redraw each) and prints the page's own draw
times (``window.shelfMap.stats.recentDrawMs``): median, 90th percentile and the largest. The
target is a 60 fps frame: a median under 16 ms. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.browser import launch_browser, serve_directory  # noqa: E402
from harness.map_page import NUM_BOOKS, map_json, open_map, write_map_site, zoom_in  # noqa: E402

FRAME_MS = 16  # a 60 fps frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30, help="wheel steps, one redraw each")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_map_site(root, map_json())
        with serve_directory(root) as base, launch_browser() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            open_map(page, f"{base}/map.html")
            zoom_in(page, args.turns)
            draws = np.array(page.evaluate("window.shelfMap.stats.recentDrawMs"), np.float64)
    median = float(np.median(draws))
    print(f"map redraw, {NUM_BOOKS:,} points, last {len(draws)} draws after {args.turns} wheel steps:")
    print(f"  median {median:.1f} ms, p90 {np.percentile(draws, 90):.1f} ms, max {draws.max():.1f} ms")
    print(f"  60 fps budget ({FRAME_MS} ms, median): {'met' if median < FRAME_MS else 'missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
