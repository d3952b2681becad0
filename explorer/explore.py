"""Query book and link embeddings: ``python -m explorer.explore books|links|author QUERY``.

Vectors come from the link models written by ``python -m explorer.links`` (``--model tags`` for
goodbooks-10k tags, ``--model wikipedia``) or from the rating model's ``book_embeddings.npy``
(``--model rating``). Similarity is the cosine. A query that matches nothing prints the
closest matching names instead. This module is the command line only: the queries are in
``explorer/queries.py``, which the quality report calls too. Needs numpy only, no TensorFlow.

    python -m explorer.explore books "The Hobbit"
    python -m explorer.explore books "War and Peace" --model rating
    python -m explorer.explore author "Steven Pinker"
    python -m explorer.explore links fantasy
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.pairs import TAGS, WIKIPEDIA
from explorer.queries import load_space, similar_books, similar_links, similar_to_author
from explorer.vectors import ExploreError, Space


def _book_line(space: Space, row: int, sim: float | None = None) -> str:
    author = f" ({space.authors[row]})" if space.authors[row] else ""
    score = f"{sim:6.3f}  " if sim is not None else ""
    return f"{score}{space.titles[row]}{author}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m explorer.explore", description=__doc__.split("\n")[0])
    p.add_argument("kind", choices=["books", "links", "author"], help="what QUERY names")
    p.add_argument("query", help="a book title, a link or tag, or an author")
    p.add_argument(
        "--model",
        choices=[TAGS, WIKIPEDIA, "rating"],
        default=TAGS,
        help="tags: goodbooks-10k tags model; wikipedia: Wikipedia link model; rating: rating model",
    )
    p.add_argument("-k", type=int, default=10, help="how many neighbors to show")
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
