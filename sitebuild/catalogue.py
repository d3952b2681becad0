"""The catalogue as the page fetches it: books.json one book per line, the most popular books
written into index.html, books.json cut into content-hashed parts, and the first files the page
asks for as its code starts."""

from __future__ import annotations

import html
import json
import posixpath
from pathlib import Path

from sitebuild.bundle import PAGE_ENTRY
from sitebuild.common import versioned_name

POPULAR_MARKER = "<!-- sitebuild: popular books -->"
# The most popular books, written into index.html: the first screen can be searched and picked
# before books.json (2 MB) and the model arrive. Two pages of the page's 20.
POPULAR_BOOKS = 40
# books.json cut into parts of this many rows (catalogue/part-NNN.<hash>.json): before the
# catalogue is in, a phone fetches only the parts that hold the books its first suggestions name.
CATALOGUE_PART_ROWS = 100
# The catalogue's parts the page asks for as its code starts (first_files): the 200 most rated
# books, of which a first suggestion (a popular book picked) names most; a few KiB each.
FIRST_PARTS = 2


def write_books_by_line(site: Path) -> None:
    """Rewrite ``books.json`` one book per line (the same JSON value): the page parses it a slice
    of lines at a time, so no single main-thread task parses all 2 MB (web/js/loader.js,
    ``parseBookLines``)."""
    path = site / "books.json"
    books = json.loads(path.read_text(encoding="utf-8"))
    lines = ",\n".join(json.dumps(book, ensure_ascii=False, separators=(",", ":")) for book in books)
    path.write_text(f"[\n{lines}\n]\n" if books else "[\n]\n", encoding="utf-8")


def popular_books(books: list[dict], count: int) -> list[int]:
    """The rows of the ``count`` books with the most ratings, ties to the lower row: the order
    of web/js/search.js's ``popularity``, which shows them when the search box is empty."""
    order = sorted(range(len(books)), key=lambda row: (-(books[row].get("ratings_count") or 0), row))
    return order[:count]


def add_popular_books(site: Path) -> None:
    """Write the most popular books into index.html (``POPULAR_MARKER``), with what picking needs.

    ``<script type="application/json" id="popular-books">`` (data, never run: the CSP allows no
    inline script and needs none): ``{rows, books, default_pick_stars, min_stars, max_stars,
    books_json_bytes}``, ``books`` as in books.json, ``rows`` their rows (web/js/main.js).
    """
    index = site / "index.html"
    text = index.read_text(encoding="utf-8")
    if POPULAR_MARKER not in text:
        return
    books = json.loads((site / "books.json").read_text(encoding="utf-8"))
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    rows = popular_books(books, POPULAR_BOOKS)
    data = {
        "rows": rows,
        "books": [books[row] for row in rows],
        **{key: metadata.get(key) for key in ("default_pick_stars", "min_stars", "max_stars")},
        "books_json_bytes": (site / "books.json").stat().st_size,
    }
    # "<" only ever occurs inside JSON strings, where \u003c means the same: no "</script>".
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    block = f'<script type="application/json" id="popular-books">{payload}</script>'
    index.write_text(text.replace(POPULAR_MARKER, block), encoding="utf-8")


def first_files(site: Path, catalogue_parts: dict) -> list[str]:
    """What the first suggestion waits for beside metadata.json, relative to ``site``: TF.js and
    the shards of the model's first part (model.json's later_shards are not), which the model's
    worker fetches, then the catalogue's first FIRST_PARTS parts, which name most first
    suggestions (goodbooks numbers its books by ratings; downloads.js namesFor)."""
    metadata = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    model_url = metadata.get("model_url", "model/model.json")
    model_json = json.loads((site / model_url).read_text(encoding="utf-8"))
    later = (model_json.get("userDefinedMetadata") or {}).get("later_shards") or {}
    base = posixpath.dirname(model_url)
    shards = [
        posixpath.join(base, path)
        for group in model_json["weightsManifest"]
        for path in group["paths"]
        if path not in later
    ]
    tfjs = sorted(p.relative_to(site).as_posix() for p in (site / "vendor").glob("tf.fesm.min.*.js"))
    parts = catalogue_parts.get("files", [])[:FIRST_PARTS]
    return [*tfjs, *shards, *parts]


def add_first_files(site: Path, catalogue_parts: dict) -> None:
    """Name first_files in index.html (``<meta name="shelf-first-files" content="a b ...">``,
    before main.js): the page asks for them as <link rel=prefetch> once the first screen is drawn,
    and the model's worker too (web/js/boot.js firstFiles, prefetchOnPage; its "prefetch" message),
    which would otherwise ask for TF.js and the shards only once it is
    running and has read model.json, two round trips later on a phone, and the page for the parts
    only once the model has scored the picks (web/js/boot.js). All are content-hashed (cached for
    a year), so the worker's requests find them in the HTTP cache. A page without main.js is left alone."""
    index = site / "index.html"
    text = index.read_text(encoding="utf-8")
    script = f'<script type="module" src="{PAGE_ENTRY}"></script>'
    if script not in text:
        return
    names = html.escape(" ".join(first_files(site, catalogue_parts)))
    meta = f'<meta name="shelf-first-files" content="{names}" />\n    '
    index.write_text(text.replace(script, meta + script, 1), encoding="utf-8")


def add_catalogue_parts(site: Path, rows: int = CATALOGUE_PART_ROWS) -> dict:
    """Cut ``books.json`` into parts of ``rows`` books (the last may be shorter), each a JSON
    list of the same book objects in row order, named with a content hash (cacheable for a
    year); returns ``catalogue_parts`` for ``site.json``: ``{"rows": rows, "files":
    [...]}`` (part k holds rows k * rows onwards). The page fetches the parts its first
    suggestions need while ``books.json`` waits (web/js/downloads.js, namesFor), on a visit the
    service worker serves too (they are precached).
    """
    books = json.loads((site / "books.json").read_text(encoding="utf-8"))
    (site / "catalogue").mkdir(exist_ok=True)
    files = []
    for k, start in enumerate(range(0, len(books), rows)):
        data = json.dumps(books[start : start + rows], ensure_ascii=False, separators=(",", ":")).encode()
        name = f"catalogue/{versioned_name(f'part-{k:03d}.json', data)}"
        (site / name).write_bytes(data)
        files.append(name)
    return {"rows": rows, "files": files}
