"""(book, link) pairs for the embedding explorer, and the ``python -m model.links`` stage.

Two sources feed one code path (``Pairs``):

1. Wikipedia book articles in the raw ndjson format, one JSON array per line:
   ``[title, infobox, wikilinks, external_links, timestamp, length]``. The file is streamed
   line by line; malformed lines are counted, reported with their line numbers and skipped.
2. goodbooks-10k shelves: ``book_tags.csv`` + ``tags.csv``, book <-> tag weighted by how many
   readers put the book on that shelf, without the shelves that say nothing about content
   (to-read, owned, kindle, read-in-2015, ...).

``main`` trains one link model per source (``model/link_model.py``), measures it and writes
``links/`` and ``web/content_similar.json`` under the artifacts directory.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.atomic import make_staging, replace_dir
from model.data import DataError

log = logging.getLogger(__name__)

DEFAULT_WIKI = Path("../shared/data/wikipedia-books/p15_books.ndjson")

# Links that every book article has, which say nothing about the book (the original
# Wikipedia book-embeddings project removed the same formats and WikiProject banners).
GENERIC_LINKS = frozenset(
    {
        "hardcover",
        "paperback",
        "hardback",
        "e-book",
        "ebook",
        "print",
        "audiobook",
        "wikipedia:wikiproject books",
        "wikipedia:wikiproject novels",
    }
)

# Shelves that describe the reader's copy or plans, not the book's content.
NON_CONTENT_TAGS = frozenset(
    {
        "to-read",
        "currently-reading",
        "favorites",
        "favourites",
        "favorite",
        "favourite",
        "default",
        "books",
        "book",
        "maybe",
        "have",
        "general",
        "english",
        "school",
        "re-read",
        "reread",
        "abandoned",
        "dnf",
        "did-not-finish",
        "book-club",
        "bookclub",
        "book-group",
        "wish-list",
        "wishlist",
        "library",
        "home-library",
        "borrowed",
        "nook",
        "shelfari-favorites",
        "on-hold",
        "unfinished",
        "didn-t-finish",
        "finished",
        "calibre",
        "reviewed",
        "not-finished",
        "gave-up",
        "giveaways",
        "netgalley",
        "arc",
        "bookshelf",
        "physical-books",
        "hardcover",
        "paperback",
    }
)
NON_CONTENT_PATTERN = re.compile(
    r"read|(^|-)own(ed|s)?($|-)|i-own|favou?rite|kindle|e-?books?|audio|audible|wish|to-buy|"
    r"buy|bought|shelf|tbr|\d{4}|stars?$|borrow|library|my-|-i-|mine|owned|gift|loan|"
    r"dnf|did-not|not-finish|abandon|book-?club|to-get|want|someday|default|have|"
    r"favs?$|faves|best-of|must|lists?$|books-i|^re-|^to-|^\W"
)


class Pairs:
    """Weighted (book, link) pairs: rows index ``book_keys``/``link_names``.

    Attributes:
        book_rows, link_rows: int32 [num_pairs]; weights: float32 [num_pairs], mean 1.
        book_keys: the source's id per book row (goodbooks ``book_id`` or Wikipedia title).
        titles, authors, genres: per book row, for display and evaluation ("" if unknown).
        link_names: per link row.
    """

    def __init__(self, source, book_rows, link_rows, weights, book_keys, titles, authors, genres, link_names):
        self.source = source
        self.book_rows = np.asarray(book_rows, dtype=np.int32)
        self.link_rows = np.asarray(link_rows, dtype=np.int32)
        w = np.asarray(weights, dtype=np.float32)
        self.weights = w / w.mean() if len(w) else w
        self.book_keys = list(book_keys)
        self.titles = list(titles)
        self.authors = list(authors)
        self.genres = list(genres)
        self.link_names = list(link_names)

    @property
    def num_books(self) -> int:
        return len(self.book_keys)

    @property
    def num_links(self) -> int:
        return len(self.link_names)

    def __len__(self) -> int:
        return len(self.book_rows)


# ---------------------------------------------------------------------------------------
# Wikipedia ndjson


@dataclass
class WikiBook:
    """One parsed article: the links are lower-cased and de-duplicated, in first-seen order."""

    title: str
    author: str
    genre: str
    links: list[str]


@dataclass
class ParseReport:
    """What streaming the ndjson file found: counts and (line number, reason) per bad line."""

    path: str
    lines: int = 0
    books: int = 0
    empty_link_lists: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)

    def summary(self, show: int = 10) -> str:
        text = f"{self.path}: {self.books} books from {self.lines} lines"
        if self.bad_lines:
            shown = "; ".join(f"line {n}: {why}" for n, why in self.bad_lines[:show])
            more = f" (and {len(self.bad_lines) - show} more)" if len(self.bad_lines) > show else ""
            text += f", {len(self.bad_lines)} malformed lines skipped: {shown}{more}"
        return text


def save_vectors(out_dir: Path, pairs: Pairs, book_vecs, link_vecs, source: str | None = None) -> None:
    """Write book_vectors.npy, link_vectors.npy and index.json (what explore and maps read)."""
    np.save(out_dir / "book_vectors.npy", np.asarray(book_vecs, np.float32))
    np.save(out_dir / "link_vectors.npy", np.asarray(link_vecs, np.float32))
    index = {
        "source": source or pairs.source,
        "book_keys": pairs.book_keys,
        "titles": pairs.titles,
        "authors": pairs.authors,
        "genres": pairs.genres,
        "links": pairs.link_names,
        "link_counts": np.bincount(pairs.link_rows, minlength=pairs.num_links).tolist(),
    }
    (out_dir / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")


def _infobox_text(infobox: dict, key: str) -> str:
    value = infobox.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def parse_wiki_line(line: str) -> WikiBook:
    """Parse one ndjson line; raise ValueError saying what is wrong with it.

    The infobox may be missing (``{}`` or null) and the link list may be empty; the title and
    the link list must be present and of the right type.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, list) or len(record) < 3:
        raise ValueError(
            "expected a JSON array [title, infobox, wikilinks, external_links, timestamp, length]"
        )
    title, infobox, wikilinks = record[0], record[1], record[2]
    if not isinstance(title, str) or not title.strip():
        raise ValueError("the title (first element) is not a non-empty string")
    if infobox is None:
        infobox = {}
    if not isinstance(infobox, dict):
        raise ValueError("the infobox (second element) is not an object")
    if not isinstance(wikilinks, list):
        raise ValueError("the wikilinks (third element) are not a list")
    links = dict.fromkeys(
        link.strip().lower() for link in wikilinks if isinstance(link, str) and link.strip()
    )
    return WikiBook(
        title=title.strip(),
        author=_infobox_text(infobox, "author"),
        genre=_infobox_text(infobox, "genre"),
        links=list(links),
    )


def iter_wiki_ndjson(lines: Iterable[str], report: ParseReport) -> Iterator[WikiBook]:
    """Yield the good articles of an ndjson stream, recording bad lines in ``report``."""
    for number, line in enumerate(lines, start=1):
        report.lines = number
        if not line.strip():
            continue
        try:
            book = parse_wiki_line(line)
        except ValueError as err:
            report.bad_lines.append((number, str(err)))
            continue
        report.books += 1
        report.empty_link_lists += not book.links
        yield book


def read_wiki_ndjson(path: Path) -> tuple[list[WikiBook], ParseReport]:
    """Stream ``path`` once; raise DataError if it has no usable article."""
    path = Path(path)
    report = ParseReport(str(path))
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            books = list(iter_wiki_ndjson(f, report))
    except OSError as err:
        raise DataError(f"{path}: cannot read ({err.strerror})") from err
    if report.bad_lines:
        log.warning(report.summary())
    if not books:
        raise DataError(
            f"{report.summary()}. Nothing usable is left: is this the Wikipedia books ndjson file?"
        )
    return books, report


def wiki_pairs(books: list[WikiBook], min_count: int = 4, drop: frozenset[str] = GENERIC_LINKS) -> Pairs:
    """Pairs from articles: drop generic links and links that fewer than ``min_count`` books share.

    Books left without any link are dropped too; each (book, link) pair has weight 1.
    """
    counts = Counter(link for book in books for link in book.links)
    keep = {link for link, n in counts.items() if n >= min_count and link not in drop}
    link_names = sorted(keep)
    link_row = {name: i for i, name in enumerate(link_names)}
    book_rows, link_rows, kept = [], [], []
    seen_titles = set()
    for book in books:
        rows = [link_row[link] for link in book.links if link in keep]
        if not rows or book.title in seen_titles:
            continue
        seen_titles.add(book.title)
        book_rows.extend([len(kept)] * len(rows))
        link_rows.extend(rows)
        kept.append(book)
    if not kept:
        raise DataError(
            f"no Wikipedia book has a link shared by {min_count} or more books; lower --min-link-count"
        )
    titles = [b.title for b in kept]
    return Pairs(
        "wikipedia",
        book_rows,
        link_rows,
        np.ones(len(book_rows)),
        titles,
        titles,
        [b.author for b in kept],
        [b.genre for b in kept],
        link_names,
    )


# ---------------------------------------------------------------------------------------
# goodbooks-10k shelves


def is_content_tag(name: str) -> bool:
    """False for shelves about the reader's copy, plans or ratings rather than the book."""
    name = name.strip().lower()
    return bool(name) and name not in NON_CONTENT_TAGS and not NON_CONTENT_PATTERN.search(name)


def tag_pairs(
    books: pd.DataFrame,
    tags: pd.DataFrame,
    book_tags: pd.DataFrame,
    min_books: int = 20,
    max_tags_per_book: int = 30,
) -> Pairs:
    """Book <-> content-tag pairs weighted by log(1 + count), every book of ``books`` a row.

    Keeps tags that at least ``min_books`` books carry and, per book, its ``max_tags_per_book``
    most-used content tags.
    """
    names = tags.set_index("tag_id")["tag_name"]
    content_ids = names.index[names.map(is_content_tag).to_numpy()]
    bt = book_tags[book_tags["tag_id"].isin(content_ids) & (book_tags["count"] > 0)]
    spread = bt.groupby("tag_id")["book_id"].transform("size")
    bt = bt[spread >= min_books]
    bt = bt.sort_values(["book_id", "count"], ascending=[True, False], kind="stable")
    bt = bt.groupby("book_id", sort=False).head(max_tags_per_book)
    if bt.empty:
        raise DataError("no content shelf is used by enough books; lower --min-tag-books")
    tag_ids = np.sort(bt["tag_id"].unique())
    book_ids = books["book_id"].to_numpy()
    book_row = pd.Series(np.arange(len(book_ids)), index=book_ids)
    tag_row = pd.Series(np.arange(len(tag_ids)), index=tag_ids)
    return Pairs(
        "goodbooks",
        book_row[bt["book_id"].to_numpy()].to_numpy(),
        tag_row[bt["tag_id"].to_numpy()].to_numpy(),
        np.log1p(bt["count"].to_numpy(dtype=np.float64)),
        book_ids.tolist(),
        books["title"].tolist(),
        books["authors"].tolist(),
        top_genres(books, tags, book_tags),
        names[tag_ids].tolist(),
    )


# The genre shelves used to colour the maps, with the shelf names that count for each.
GENRES = {
    "fantasy": ("fantasy",),
    "science fiction": ("science-fiction", "sci-fi", "scifi"),
    "romance": ("romance",),
    "mystery & thriller": ("mystery", "thriller", "crime"),
    "horror": ("horror",),
    "historical fiction": ("historical-fiction",),
    "young adult": ("young-adult", "ya"),
    "children's": ("childrens", "children", "children-s", "picture-books"),
    "classics": ("classics", "classic"),
    "non-fiction": ("non-fiction", "nonfiction", "history", "biography", "memoir", "science"),
    "comics": ("graphic-novels", "comics", "manga", "graphic-novel"),
    "poetry & plays": ("poetry", "plays"),
}


def top_genres(books: pd.DataFrame, tags: pd.DataFrame, book_tags: pd.DataFrame) -> list[str]:
    """Per book of ``books``, the genre of ``GENRES`` with the most shelvings ("" if none)."""
    shelf_genre = {shelf: genre for genre, shelves in GENRES.items() for shelf in shelves}
    names = tags.set_index("tag_id")["tag_name"].str.lower()
    genre = book_tags["tag_id"].map(names).map(shelf_genre)
    bt = book_tags.assign(genre=genre).dropna(subset=["genre"])
    totals = bt.groupby(["book_id", "genre"])["count"].sum().reset_index()
    best = totals.sort_values(["book_id", "count"], ascending=[True, False]).drop_duplicates("book_id")
    by_book = dict(zip(best["book_id"], best["genre"], strict=True))
    return [by_book.get(b, "") for b in books["book_id"]]


# ---------------------------------------------------------------------------------------
# The stage


@dataclass
class LinksConfig:
    """How ``python -m model.links`` was run; saved as ``links/config.json``."""

    out: str = "artifacts"
    data: str | None = None
    wiki: str | None = None
    embedding_dim: int = 50
    negative_ratio: int = 2
    batch_size: int = 4096
    epochs: int = 8
    wiki_batch_size: int = 0  # 0: about 40 batches per epoch, at least 256 pairs
    wiki_epochs: int = 20
    wiki_pair_budget: int = 3_000_000  # caps epochs x pairs, so the full 37,020-book file stays quick
    learning_rate: float = 0.02
    held_out: float = 0.05
    min_link_count: int = 4
    min_tag_books: int = 20
    max_tags_per_book: int = 30
    k: int = 10
    seed: int = 0


def parse_args(argv: list[str] | None = None) -> LinksConfig:
    d = LinksConfig()
    p = argparse.ArgumentParser(prog="python -m model.links", description=__doc__.split("\n")[0])
    p.add_argument(
        "--out", default=d.out, help="artifacts directory (writes links/ and web/content_similar.json)"
    )
    p.add_argument(
        "--data", default=None, help="goodbooks-10k directory (default: $GOODBOOKS_DIR, else download)"
    )
    p.add_argument(
        "--wiki",
        default=None,
        help=f"Wikipedia books ndjson file (default: {DEFAULT_WIKI} when present; 'none' skips it)",
    )
    p.add_argument("--embedding-dim", type=int, default=d.embedding_dim, help="size of book and link vectors")
    p.add_argument(
        "--negative-ratio", type=int, default=d.negative_ratio, help="sampled negatives per real pair"
    )
    p.add_argument("--batch-size", type=int, default=d.batch_size, help="real goodbooks pairs per batch")
    p.add_argument("--epochs", type=int, default=d.epochs, help="passes over the goodbooks pairs")
    p.add_argument(
        "--wiki-batch-size",
        type=int,
        default=d.wiki_batch_size,
        help="real Wikipedia pairs per batch (0: about 40 batches an epoch, at least 256)",
    )
    p.add_argument("--wiki-epochs", type=int, default=d.wiki_epochs, help="passes over the Wikipedia pairs")
    p.add_argument(
        "--wiki-pair-budget",
        type=int,
        default=d.wiki_pair_budget,
        help="at most this many real pairs over all Wikipedia epochs (fewer epochs on big files)",
    )
    p.add_argument("--learning-rate", type=float, default=d.learning_rate, help="Adam learning rate")
    p.add_argument(
        "--held-out", type=float, default=d.held_out, help="fraction of pairs held out for the AUC"
    )
    p.add_argument("--min-link-count", type=int, default=d.min_link_count, help="drop rarer Wikipedia links")
    p.add_argument("--min-tag-books", type=int, default=d.min_tag_books, help="drop shelves on fewer books")
    p.add_argument(
        "--max-tags-per-book", type=int, default=d.max_tags_per_book, help="top shelves kept per book"
    )
    p.add_argument("--k", type=int, default=d.k, help="neighbours per book in content_similar.json")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    return LinksConfig(**vars(p.parse_args(argv)))


def resolve_wiki(wiki_arg: str | None) -> Path | None:
    """The ndjson file to use, or None to skip Wikipedia; an explicit missing file is an error."""
    if wiki_arg and wiki_arg.lower() == "none":
        return None
    if wiki_arg:
        if not Path(wiki_arg).is_file():
            raise DataError(f"{wiki_arg}: file not found (pass --wiki none to skip the Wikipedia model)")
        return Path(wiki_arg)
    if DEFAULT_WIKI.is_file():
        return DEFAULT_WIKI
    log.info("no Wikipedia ndjson at %s: skipping the Wikipedia link model", DEFAULT_WIKI)
    return None


def load_goodbooks_pairs(cfg: LinksConfig) -> Pairs:
    from model.data import ensure_data, load_book_tags, load_books, load_tags

    data_dir = ensure_data(cfg.data)
    books = load_books(data_dir)
    return tag_pairs(
        books, load_tags(data_dir), load_book_tags(data_dir, books), cfg.min_tag_books, cfg.max_tags_per_book
    )


def write_atomic_dir(build, final: Path) -> None:
    """Call ``build(tmp_dir)`` and then move the finished directory to ``final``."""
    tmp = make_staging(final.parent, f"{final.name}-staging")  # also removes a killed run's
    try:
        build(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the site build and server must read it
        replace_dir(tmp, final, f"{final.name}-old")
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_json_atomic(obj, path: Path) -> None:
    """Write JSON to a temporary file next to ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    cfg = parse_args(argv)
    started = time.perf_counter()
    try:
        from model import link_model

        sources = {"goodbooks": load_goodbooks_pairs(cfg)}
        wiki_path = resolve_wiki(cfg.wiki)
        parse_report = None
        if wiki_path is not None:
            wiki_books, parse_report = read_wiki_ndjson(wiki_path)
            log.info(parse_report.summary())
            sources["wikipedia"] = wiki_pairs(wiki_books, cfg.min_link_count)
        log.info(
            "pairs ready after %.1f s (TensorFlow import and data loading)", time.perf_counter() - started
        )
    except DataError as err:
        log.error("%s", err)
        return 2
    out = Path(cfg.out)
    results = {}

    def build(tmp: Path) -> None:
        for name, pairs in sources.items():
            if name == "goodbooks":
                epochs, batch_size = cfg.epochs, cfg.batch_size
            else:
                epochs = max(1, min(cfg.wiki_epochs, cfg.wiki_pair_budget // len(pairs)))
                if epochs < cfg.wiki_epochs:
                    log.info("wikipedia: %d pairs, so %d epochs (--wiki-pair-budget)", len(pairs), epochs)
                batch_size = cfg.wiki_batch_size or max(256, len(pairs) // 40)
            results[name] = link_model.fit_and_save(pairs, cfg, epochs, batch_size, tmp / name)
        report = link_model.quality_report(results, cfg, parse_report, out / "book_embeddings.npy", out)
        report["seconds"] = round(time.perf_counter() - started, 1)
        (tmp / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
        (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        (tmp / "report.md").write_text(link_model.report_markdown(report), encoding="utf-8")

    write_atomic_dir(build, out / "links")
    write_json_atomic(
        link_model.content_similar(results["goodbooks"], cfg.k), out / "web" / "content_similar.json"
    )
    log.info(
        "model.links finished in %.1f s; wrote %s and %s",
        time.perf_counter() - started,
        out / "links",
        out / "web" / "content_similar.json",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
