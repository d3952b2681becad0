"""The explorer's queries: find a book, link or author by name, load the vectors to search,
and the most similar books, links and books by other authors.

``python -m explorer.explore`` (the CLI) and the quality report (``explorer.report``) both call
these. Similarity is the cosine. Needs numpy only, no TensorFlow.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

from explorer.metrics import first_author
from explorer.pairs import TAGS, WIKIPEDIA
from explorer.vectors import (
    ExploreError,
    Space,
    link_space_folder,
    load_book_embeddings,
    load_link_space,
    most_similar,
    normalize,
)
from model.layout import links_dir, model_dir

# ---------------------------------------------------------------------------------------
# Finding a title, an author or a link by name


def _plain(text: str) -> str:
    """Lower case without a trailing series note: 'The Hobbit (Middle-earth, #0)' -> 'the hobbit'."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", text).strip().lower()


def find_name(query: str, names: list[str]) -> int | None:
    """Row of the first name equal to ``query`` (ignoring case, then also a trailing '(...)')."""
    q = query.strip().lower()
    lowered = [n.lower() for n in names]
    if q in lowered:
        return lowered.index(q)
    plain = [_plain(n) for n in names]
    q = _plain(query)
    return plain.index(q) if q in plain else None


def suggest(query: str, names: list[str], n: int = 5) -> list[str]:
    """Up to n names that look like ``query``: containing it, or close by edit similarity."""
    q = query.strip().lower()
    unique = list(dict.fromkeys(names))
    containing = [name for name in unique if q and q in name.lower()]
    containing.sort(key=len)
    plain_to_name = {}
    for name in unique:
        plain_to_name.setdefault(_plain(name), name)
    close = difflib.get_close_matches(_plain(query), list(plain_to_name), n=n, cutoff=0.6)
    return list(dict.fromkeys(containing[:n] + [plain_to_name[c] for c in close]))[:n]


# ---------------------------------------------------------------------------------------
# Loading vectors written by the other stages


def load_rating_space(artifacts: Path) -> Space:
    """The rating model's book vectors, in ``web/metadata.json`` ``book_ids`` row order."""
    artifacts = Path(artifacts)
    rating = load_book_embeddings(artifacts)
    catalogue = _catalogue(artifacts)
    if not catalogue:
        raise ExploreError(
            f"no titles for the rating model: neither {model_dir(artifacts)}/web/books.json "
            f"nor {links_dir(artifacts)} exist"
        )
    titles = [catalogue.get(b, (f"book {b}", ""))[0] for b in rating.book_ids]
    authors = [catalogue.get(b, ("", ""))[1] for b in rating.book_ids]
    return Space("rating", rating.vecs, titles, authors, rating.book_ids)


def _catalogue(artifacts: Path) -> dict:
    """book_id -> (title, authors) from web/books.json, else from the tags model's index."""
    books_json = model_dir(artifacts) / "web" / "books.json"
    if books_json.is_file():
        return {
            b["book_id"]: (b["title"], b["authors"])
            for b in json.loads(books_json.read_text(encoding="utf-8"))
        }
    index_path = link_space_folder(artifacts, TAGS) / "index.json"
    if index_path.is_file():
        index = json.loads(index_path.read_text(encoding="utf-8"))
        return dict(zip(index["book_keys"], zip(index["titles"], index["authors"], strict=True), strict=True))
    return {}


def load_space(artifacts: Path, model: str) -> Space:
    """The vectors of ``model``: "rating" (the rating model's books) or a link model's name."""
    if model == "rating":
        return load_rating_space(artifacts)
    return load_link_space(artifacts, model)


# ---------------------------------------------------------------------------------------
# Queries


def similar_books(space: Space, title: str, k: int = 10) -> tuple[int, list[tuple[int, float]]]:
    """(row of the book, its k most similar books); ExploreError with suggestions if unknown."""
    row = find_name(title, space.titles)
    if row is None:
        raise ExploreError(_not_found("book titled", title, space.titles, space.name))
    return row, most_similar(space.book_vecs, row, k)


def similar_links(space: Space, name: str, k: int = 10) -> tuple[int, list[tuple[int, float]]]:
    """(row of the link or tag, its k most similar links)."""
    if space.link_vecs is None:
        raise ExploreError(f"the {space.name} model has book vectors only; use --model {TAGS} or {WIKIPEDIA}")
    row = find_name(name, space.link_names)
    if row is None:
        raise ExploreError(_not_found("link or tag", name, space.link_names, space.name))
    return row, most_similar(space.link_vecs, row, k)


def similar_to_author(space: Space, author: str, k: int = 10) -> tuple[list[int], list[tuple[int, float]]]:
    """(the author's rows, the k books by other authors closest to the mean of their vectors)."""
    wanted = author.strip().lower()
    rows = [i for i, a in enumerate(space.authors) if wanted in [x.strip().lower() for x in a.split(",")]]
    if not rows:
        everyone = sorted({x.strip() for a in space.authors for x in a.split(",") if x.strip()})
        raise ExploreError(_not_found("author", author, everyone, space.name))
    centre = normalize(space.book_vecs[rows]).mean(axis=0)
    mine = {first_author(space.authors[r]) for r in rows}
    others = [i for i, a in enumerate(space.authors) if first_author(a) in mine]
    return rows, most_similar(space.book_vecs, centre, k, exclude=others)


def _not_found(what: str, query: str, names: list[str], model: str) -> str:
    found = suggest(query, names)
    hint = ("Did you mean: " + "; ".join(repr(s) for s in found) + "?") if found else "No close match either."
    return f"No {what} {query!r} in the {model} model. {hint}"
