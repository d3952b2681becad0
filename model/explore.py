"""Query book and link embeddings: ``python -m model.explore books|links|author QUERY``.

Vectors come from the link models written by ``python -m model.links`` (``--model tags`` for the
goodbooks shelves, ``--model wikipedia``) or from the rating model's ``book_embeddings.npy``
(``--model rating``). Similarity is the cosine. A query that matches nothing prints the
closest matching names instead. This module needs numpy only, no TensorFlow.

    python -m model.explore books "The Hobbit"
    python -m model.explore books "War and Peace" --model rating
    python -m model.explore author "Steven Pinker"
    python -m model.explore links fantasy
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------
# Vector maths (shared with model.link_model and model.maps)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def most_similar(
    vectors: np.ndarray, row: int | np.ndarray, k: int = 10, exclude=()
) -> list[tuple[int, float]]:
    """The k rows with the highest cosine to ``vectors[row]`` (or to a query vector), best first.

    The query row itself and the rows in ``exclude`` are left out; ties go to the lower row.
    """
    unit = normalise(vectors)
    if isinstance(row, np.ndarray):
        query = normalise(row[None, :])[0]
        skip = list(exclude)
    else:
        query = unit[row]
        skip = [row, *exclude]
    sims = unit @ query  # [num_rows]
    sims[skip] = -np.inf
    order = np.lexsort((np.arange(len(sims)), -sims))[:k]
    return [(int(i), float(sims[i])) for i in order if np.isfinite(sims[i])]


def top_k_neighbours(
    vectors: np.ndarray, k: int = 10, chunk: int = 2048, rows: np.ndarray | None = None
) -> np.ndarray:
    """int64 [num_rows, k]: each row's k nearest other rows by cosine, best first.

    With ``rows``, only those rows are queried (against all rows): [len(rows), k].
    """
    unit = normalise(vectors)
    queries = np.arange(len(unit)) if rows is None else np.asarray(rows)
    k = min(k, len(unit) - 1)
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        batch = queries[start : start + chunk]
        sims = unit[batch] @ unit.T  # [chunk, num_rows]
        sims[np.arange(len(batch)), batch] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # [chunk, k], unordered
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)
        out[start : start + len(batch)] = np.take_along_axis(top, order, axis=1)
    return out


def first_author(authors: str) -> str:
    """'Chuck Dixon, J.R.R. Tolkien' -> 'chuck dixon'."""
    return authors.split(",")[0].strip().lower()


def author_agreement(
    vectors: np.ndarray,
    authors: list[str],
    k: int = 10,
    neighbours: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> dict:
    """How often a book's k nearest books share its first author, versus picking at random."""
    return label_agreement(vectors, [first_author(a) for a in authors], k, neighbours, rows)


def label_agreement(
    vectors: np.ndarray,
    labels: list[str],
    k: int = 10,
    neighbours: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> dict:
    """How often a book's k nearest books share its label (author, genre), versus chance.

    ``share`` is averaged over books with a label ("" = none); ``chance`` is the same share for
    k random other books (other books with the label over all other books). ``rows`` limits
    both to a sample of books; ``neighbours`` may pass in ``top_k_neighbours(vectors, k2,
    rows=rows)`` for some k2 >= k.
    """
    names = np.array(labels, dtype=object)
    known = names != ""
    if known.sum() < 2:
        return {}
    _, codes = np.unique(names, return_inverse=True)
    if neighbours is None or neighbours.shape[1] < k:
        neighbours = top_k_neighbours(vectors, k, rows=rows)
    neighbours = neighbours[:, :k]
    rows = np.arange(len(names)) if rows is None else np.asarray(rows)
    same = codes[neighbours] == codes[rows, None]  # [len(rows), k]
    mine = known[rows]
    share = float(same[mine].mean())
    per_author = np.bincount(codes[known])
    chance = float(((per_author[codes[rows[mine]]] - 1) / (len(names) - 1)).mean())
    return {
        "k": k,
        "books": int(mine.sum()),
        "share": round(share, 4),
        "chance": round(chance, 5),
        "lift": round(share / chance, 1) if chance else None,
    }


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


def find_book(query: str, titles: list[str], authors: list[str] | None = None) -> int | None:
    """Row of the book titled ``query`` (first in row order), or None."""
    return find_name(query, titles)


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


class ExploreError(Exception):
    """A query or artifact problem, explained for the person at the command line."""


@dataclass
class Space:
    """One embedding space: book vectors with titles/authors, and link vectors if it has links."""

    name: str
    book_vecs: np.ndarray
    titles: list[str]
    authors: list[str]
    book_keys: list
    link_vecs: np.ndarray | None = None
    link_names: list[str] | None = None


def load_link_space(artifacts: Path, source: str) -> Space:
    """The link model of ``source`` ('goodbooks' or 'wikipedia') from ``links/<source>/``."""
    folder = Path(artifacts) / "links" / source
    if not (folder / "index.json").is_file():
        raise ExploreError(f"{folder} has no link model: run `python -m model.links --out {artifacts}` first")
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return Space(
        source,
        np.load(folder / "book_vectors.npy"),
        index["titles"],
        index["authors"],
        index["book_keys"],
        np.load(folder / "link_vectors.npy"),
        index["links"],
    )


def load_rating_space(artifacts: Path) -> Space:
    """The rating model's book vectors, in ``web/metadata.json`` ``book_ids`` row order."""
    artifacts = Path(artifacts)
    vec_path, meta_path = artifacts / "book_embeddings.npy", artifacts / "web" / "metadata.json"
    for path in (vec_path, meta_path):
        if not path.is_file():
            raise ExploreError(f"{path} not found: run `python -m model.train --out {artifacts}` first")
    vecs = np.load(vec_path)
    book_ids = json.loads(meta_path.read_text())["book_ids"]
    if len(book_ids) != len(vecs):
        raise ExploreError(f"{vec_path} has {len(vecs)} rows but {meta_path} lists {len(book_ids)} book_ids")
    catalogue = _catalogue(artifacts)
    if not catalogue:
        raise ExploreError(
            f"no titles for the rating model: neither {artifacts}/web/books.json nor links/ exist"
        )
    titles = [catalogue.get(b, (f"book {b}", ""))[0] for b in book_ids]
    authors = [catalogue.get(b, ("", ""))[1] for b in book_ids]
    return Space("rating", vecs, titles, authors, book_ids)


def _catalogue(artifacts: Path) -> dict:
    """book_id -> (title, authors) from web/books.json, else from the tag model's index."""
    books_json = artifacts / "web" / "books.json"
    if books_json.is_file():
        return {
            b["book_id"]: (b["title"], b["authors"])
            for b in json.loads(books_json.read_text(encoding="utf-8"))
        }
    index_path = artifacts / "links" / "goodbooks" / "index.json"
    if index_path.is_file():
        index = json.loads(index_path.read_text(encoding="utf-8"))
        return dict(zip(index["book_keys"], zip(index["titles"], index["authors"], strict=True), strict=True))
    return {}


def load_space(artifacts: Path, model: str) -> Space:
    if model == "rating":
        return load_rating_space(artifacts)
    return load_link_space(artifacts, {"tags": "goodbooks"}.get(model, model))


# ---------------------------------------------------------------------------------------
# Queries


def similar_books(space: Space, title: str, k: int = 10) -> tuple[int, list[tuple[int, float]]]:
    """(row of the book, its k most similar books); ExploreError with suggestions if unknown."""
    row = find_book(title, space.titles)
    if row is None:
        raise ExploreError(_not_found("book titled", title, space.titles, space.name))
    return row, most_similar(space.book_vecs, row, k)


def similar_links(space: Space, name: str, k: int = 10) -> tuple[int, list[tuple[int, float]]]:
    """(row of the link or tag, its k most similar links)."""
    if space.link_vecs is None:
        raise ExploreError(f"the {space.name} model has book vectors only; use --model tags or wikipedia")
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
    centre = normalise(space.book_vecs[rows]).mean(axis=0)
    mine = {first_author(space.authors[r]) for r in rows}
    others = [i for i, a in enumerate(space.authors) if first_author(a) in mine]
    return rows, most_similar(space.book_vecs, centre, k, exclude=others)


def _not_found(what: str, query: str, names: list[str], model: str) -> str:
    found = suggest(query, names)
    hint = ("Did you mean: " + "; ".join(repr(s) for s in found) + "?") if found else "No close match either."
    return f"No {what} {query!r} in the {model} model. {hint}"


def _book_line(space: Space, row: int, sim: float | None = None) -> str:
    author = f" ({space.authors[row]})" if space.authors[row] else ""
    score = f"{sim:6.3f}  " if sim is not None else ""
    return f"{score}{space.titles[row]}{author}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m model.explore", description=__doc__.split("\n")[0])
    p.add_argument("kind", choices=["books", "links", "author"], help="what QUERY names")
    p.add_argument("query", help="a book title, a link or shelf name, or an author")
    p.add_argument(
        "--model",
        choices=["tags", "wikipedia", "rating"],
        default="tags",
        help="tags: goodbooks shelf model; wikipedia: Wikipedia link model; rating: rating model",
    )
    p.add_argument("-k", type=int, default=10, help="how many neighbours to show")
    p.add_argument("--artifacts", default="artifacts", help="artifacts directory written by the build")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        space = load_space(Path(args.artifacts), args.model)
        if args.kind == "books":
            row, hits = similar_books(space, args.query, args.k)
            print(f"Closest to {_book_line(space, row)} [{space.name} model]:")
            lines = [_book_line(space, i, s) for i, s in hits]
        elif args.kind == "links":
            row, hits = similar_links(space, args.query, args.k)
            print(f"Closest to link {space.link_names[row]!r} [{space.name} model]:")
            lines = [f"{s:6.3f}  {space.link_names[i]}" for i, s in hits]
        else:
            rows, hits = similar_to_author(space, args.query, args.k)
            print(f"Closest to {args.query} ({len(rows)} books) by other authors [{space.name} model]:")
            lines = [_book_line(space, i, s) for i, s in hits]
    except ExploreError as err:
        print(err, file=sys.stderr)
        return 1
    print("\n".join("  " + line for line in lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
