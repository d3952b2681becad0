"""Fixtures for the embedding explorer: ndjson lines in the real format, planted-structure
pairs, tiny goodbooks-shaped CSVs and artifacts written without training anything."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from explorer.pairs import Pairs
from explorer.vectors import save_link_space
from model.layout import links_dir, model_dir

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"


def real_goodbooks_dir() -> Path | None:
    d = Path(os.environ.get("GOODBOOKS_DIR") or SHARED / "goodbooks-10k")
    return d if (d / "books.csv").is_file() and (d / "book_tags.csv").is_file() else None


def real_wiki_file() -> Path | None:
    f = Path(os.environ.get("WIKIPEDIA_BOOKS") or SHARED / "wikipedia-books" / "p15_books.ndjson")
    return f if f.is_file() else None


# Lines modeled on p15_books.ndjson: [title, infobox, wikilinks, external_links, timestamp, length]
WIKI_LINES = [
    json.dumps(
        [
            "The Wealthy Barber",
            {"name": "The Wealthy Barber", "author": "David Chilton", "genre": "Personal finance"},
            [
                "David Barr Chilton",
                "Personal finance",
                "Paperback",
                "financial planning",
                "Dave Ramsey",
                "Category:1989 books",
                "personal finance",
            ],
            ["http://www.wealthybarber.com/"],
            "2018-07-30T18:47:16Z",
            3912,
        ]
    ),
    # no infobox at all
    json.dumps(
        [
            "Cosmic Consciousness",
            {},
            ["Richard Maurice Bucke", "Hardcover", "mysticism"],
            [],
            "2018-01-01T00:00:00Z",
            80,
        ]
    ),
    # empty link list
    json.dumps(["A Book With No Links", {"author": "Nobody"}, [], [], "2017-11-13T01:50:33Z", 10]),
    # non-ASCII title, infobox null
    json.dumps(
        [
            "Köhler's Medicinal Plants",
            None,
            ["Franz Eugen Köhler", "botany"],
            [],
            "2018-02-02T00:00:00Z",
            299,
        ],
        ensure_ascii=False,
    ),
]


def planted_pairs(
    books_per_group: int = 20, links_per_group: int = 10, links_per_book: int = 5, seed: int = 0
):
    """Two disjoint groups: books 0..B-1 link only to links 0..L-1, the others only to the others."""
    rng = np.random.default_rng(seed)
    book_rows, link_rows = [], []
    for group in range(2):
        for b in range(books_per_group):
            chosen = rng.choice(links_per_group, size=links_per_book, replace=False)
            book_rows += [group * books_per_group + b] * links_per_book
            link_rows += list(group * links_per_group + chosen)
    n_books, n_links = 2 * books_per_group, 2 * links_per_group
    return Pairs(
        "planted",
        book_rows,
        link_rows,
        np.ones(len(book_rows)),
        list(range(1, n_books + 1)),
        [f"Book {i}" for i in range(n_books)],
        [f"Author {i // 4}" for i in range(n_books)],
        ["fantasy" if i < books_per_group else "romance" for i in range(n_books)],
        [f"link {i}" for i in range(n_links)],
    )


def write_link_artifacts(out: Path, source: str, pairs: Pairs, book_vecs, link_vecs) -> None:
    """explorer/links/<source>/ as explorer.links.fit_and_save writes it, from given vectors."""
    folder = links_dir(out) / source
    folder.mkdir(parents=True)
    save_link_space(folder, pairs, book_vecs, link_vecs, source=source)


def planted_vectors(pairs: Pairs, dim: int = 8, seed: int = 0):
    """Vectors with the planted structure built in: group centre + small noise."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dim, dtype=np.float32)[:2] * 3
    half_b, half_l = pairs.num_books // 2, pairs.num_links // 2
    books = np.repeat(centres, half_b, axis=0) + rng.normal(0, 0.3, (pairs.num_books, dim))
    links = np.repeat(centres, half_l, axis=0) + rng.normal(0, 0.3, (pairs.num_links, dim))
    return books.astype(np.float32), links.astype(np.float32)


@pytest.fixture
def planted():
    return planted_pairs()


@pytest.fixture
def tiny_artifacts(tmp_path, planted):
    """An artifacts dir with a goodbooks-shaped tags model whose vectors carry the planted groups."""
    out = tmp_path / "artifacts"
    book_vecs, link_vecs = planted_vectors(planted)
    write_link_artifacts(out, "tags", planted, book_vecs, link_vecs)
    return out


def add_rating_model(out: Path, pairs: Pairs, dim: int = 6, seed: int = 1) -> None:
    """model/: book_embeddings.npy + web/metadata.json + web/books.json as model.train writes them."""
    rng = np.random.default_rng(seed)
    out = model_dir(out)
    (out / "web").mkdir(parents=True, exist_ok=True)
    np.save(out / "book_embeddings.npy", rng.normal(size=(pairs.num_books, dim)).astype(np.float32))
    (out / "web" / "metadata.json").write_text(json.dumps({"book_ids": pairs.book_keys}))
    books = [
        {"book_id": b, "title": t, "authors": a}
        for b, t, a in zip(pairs.book_keys, pairs.titles, pairs.authors, strict=True)
    ]
    (out / "web" / "books.json").write_text(json.dumps(books))


def write_goodbooks_csvs(folder: Path, pairs: Pairs) -> None:
    """A tiny goodbooks-10k directory whose shelves are the planted pairs (plus a to-read shelf)."""
    folder.mkdir(parents=True)
    lines = [
        "book_id,goodreads_book_id,authors,title,original_publication_year,average_rating,ratings_count,image_url"
    ]
    for i, (title, author) in enumerate(zip(pairs.titles, pairs.authors, strict=True)):
        lines.append(f'{i + 1},{1000 + i},"{author}","{title}",2000,4.0,100,')
    (folder / "books.csv").write_text("\n".join(lines) + "\n")
    (folder / "ratings.csv").write_text("book_id,user_id,rating\n1,1,5\n2,1,4\n")
    tag_lines = ["tag_id,tag_name", "0,to-read", "1,fantasy", "2,romance"]
    tag_lines += [f"{10 + i},{name.replace(' ', '-')}" for i, name in enumerate(pairs.link_names)]
    (folder / "tags.csv").write_text("\n".join(tag_lines) + "\n")
    bt = ["goodreads_book_id,tag_id,count"]
    for b, lk in zip(pairs.book_rows, pairs.link_rows, strict=True):
        bt.append(f"{1000 + b},{10 + lk},{5 + (b + lk) % 7}")
    for b in range(pairs.num_books):
        bt.append(f"{1000 + b},0,900")  # to-read: on every book, must be dropped
        bt.append(f"{1000 + b},{1 if b < pairs.num_books // 2 else 2},50")
    (folder / "book_tags.csv").write_text("\n".join(bt) + "\n")
