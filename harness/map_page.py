"""The map page (web/map.html) on a synthetic 10,000-book map: the data, and how to open and zoom
it in Chromium (tests/explorer/test_map_page.py checks it is drawn, benchmarks/bench_map.py times
the redraws)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from explorer import maps
from explorer.genres import GENRES
from explorer.vectors import Space

ROOT = Path(__file__).resolve().parents[1]
NUM_BOOKS = 10_000
K = 5


def map_json() -> dict:
    """10,000 books in 12 genre clusters (rows 0..9999, book_id = row + 1); two maps."""
    rng = np.random.default_rng(0)
    genre = np.arange(NUM_BOOKS) % 12
    centres = rng.uniform(0.1, 0.9, size=(12, 2))
    xy = np.clip(centres[genre] + rng.normal(0, 0.04, size=(NUM_BOOKS, 2)), 0, 1)
    neighbors = (np.arange(NUM_BOOKS)[:, None] + 12 * np.arange(1, K + 1)) % NUM_BOOKS  # same genre
    titles = [f"Title {i}" for i in range(NUM_BOOKS)]
    titles[7] = "Anna Karénina <b>not bold</b>"
    names = list(GENRES)
    space = Space(
        "tags",
        xy,
        titles,
        [f"Author {i % 50}" for i in range(NUM_BOOKS)],
        list(range(1, NUM_BOOKS + 1)),
        genres=[names[g] for g in genre],
    )
    tags = maps.map_entry("similar tags (tags model)", xy, neighbors)
    rating = maps.map_entry("readers also liked (rating model)", xy[::-1].copy(), neighbors[::-1].copy())
    return maps.build_map_json(space, {"tags": tags, "rating": rating}, K, 5)


def write_map_site(root: Path, data: dict) -> None:
    """web/map.html with its scripts and styles, and ``data`` as map.json, into ``root``."""
    shutil.copy(ROOT / "web" / "map.html", root)
    shutil.copytree(ROOT / "web" / "js", root / "js")
    shutil.copytree(ROOT / "web" / "css", root / "css")
    (root / "map.json").write_text(json.dumps(data))


def open_map(page, url: str) -> None:
    """Go to the map page and wait until its points are drawn."""
    page.goto(url)
    page.wait_for_function(
        "window.shelfMap && window.shelfMap.stats.ready && window.shelfMap.stats.drawCount > 0"
    )


def zoom_in(page, turns: int) -> None:
    """Turn the wheel over the middle of the map ``turns`` times, waiting for each redraw."""
    box = page.locator("#map-overlay").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(turns):
        drawn = page.evaluate("window.shelfMap.stats.drawCount")
        page.mouse.wheel(0, -60)
        page.wait_for_function("n => window.shelfMap.stats.drawCount > n", arg=drawn)
