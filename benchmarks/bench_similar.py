"""How often "readers also liked" shares a book's first author, over the whole catalogue.

    .venv/bin/python benchmarks/bench_similar.py [--static static] [--k 10]

Reads the built site the way the server does (``server.catalogue``: the neighbor table, then
cosine over the book embeddings) and, beside it, the book embeddings' cosine alone. Prints the
share of each book's k similar books with the same first author, and chance.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.metrics import author_agreement  # noqa: E402
from server.catalogue import CatalogueCache  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", default="static", help="built site directory (make build)")
    parser.add_argument("--k", type=int, default=10, help="similar books per book")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    catalogue = CatalogueCache(Path(args.static)).get()
    authors = [book["authors"] for book in catalogue.books]
    site = np.array(
        [
            [
                catalogue.row_of[similar["book_id"]]
                for similar, _ in catalogue.similar(book["book_id"], args.k)
            ]
            for book in catalogue.books
        ]
    )
    rows = [
        ("readers also liked (neighbor table, then cosine)", author_agreement(None, authors, args.k, site)),
        ("cosine over the book embeddings alone", author_agreement(catalogue.unit_vectors, authors, args.k)),
    ]
    print(f"# {len(authors)} books, k={args.k}, {time.perf_counter() - started:.1f} s")
    for label, result in rows:
        print(f"{label:52s} same first author {result['share']:.3f} (chance {result['chance']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
