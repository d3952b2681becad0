"""Embedding Projector files (https://projector.tensorflow.org): ``projector/`` under the artifacts.

Per embedding a folder with ``vecs.tsv`` (one row of floats per item) and ``meta.tsv`` (a
header, then one row per item), and one ``projector_config.json`` listing them all.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from explorer.vectors import BookEmbeddings, Space


def _tsv_field(value) -> str:
    return str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write_projector(folder: Path, vectors: np.ndarray, columns: dict[str, list]) -> None:
    """``vecs.tsv`` (one row of floats per item) and ``meta.tsv`` (a header, then one row per item)."""
    folder.mkdir(parents=True)
    np.savetxt(folder / "vecs.tsv", vectors, fmt="%.5f", delimiter="\t")
    names = list(columns)
    with open(folder / "meta.tsv", "w", encoding="utf-8") as f:
        f.write("\t".join(names) + "\n")
        for row in zip(*(columns[n] for n in names), strict=True):
            f.write("\t".join(_tsv_field(v) for v in row) + "\n")


def projector_entry(name: str, folder: str, vectors: np.ndarray) -> dict:
    return {
        "tensorName": name,
        "tensorShape": list(vectors.shape),
        "tensorPath": f"{folder}/vecs.tsv",
        "metadataPath": f"{folder}/meta.tsv",
    }


def write_projectors(folder: Path, tags: Space, rating: BookEmbeddings | None, wiki: Space | None) -> None:
    """Books and tags of the tags model; the rating model's books; Wikipedia's books and links.

    The rating model's books are labelled with the tags model's titles and genres.
    """
    meta = {"title": tags.titles, "author": tags.authors, "genre": tags.genres, "book_id": tags.book_keys}
    entries = [projector_entry("books (tags model)", "books", tags.book_vecs)]
    write_projector(folder / "books", tags.book_vecs, meta)
    write_projector(folder / "links", tags.link_vecs, {"tag": tags.link_names, "books": tags.link_counts})
    entries.append(projector_entry("tags (tags model)", "links", tags.link_vecs))
    if rating is not None:
        by_id = dict(
            zip(tags.book_keys, zip(tags.titles, tags.authors, tags.genres, strict=True), strict=True)
        )
        rows = [by_id.get(b, ("", "", "")) for b in rating.book_ids]
        rating_meta = {
            "title": [r[0] for r in rows],
            "author": [r[1] for r in rows],
            "genre": [r[2] for r in rows],
            "book_id": rating.book_ids,
        }
        write_projector(folder / "rating_books", rating.vecs, rating_meta)
        entries.append(projector_entry("books (rating model)", "rating_books", rating.vecs))
    if wiki is not None:
        wiki_meta = {"title": wiki.titles, "author": wiki.authors, "genre": wiki.genres}
        write_projector(folder / "wikipedia_books", wiki.book_vecs, wiki_meta)
        entries.append(projector_entry("books (wikipedia model)", "wikipedia_books", wiki.book_vecs))
        link_meta = {"link": wiki.link_names, "books": wiki.link_counts}
        write_projector(folder / "wikipedia_links", wiki.link_vecs, link_meta)
        entries.append(projector_entry("links (wikipedia model)", "wikipedia_links", wiki.link_vecs))
    (folder / "projector_config.json").write_text(json.dumps({"embeddings": entries}, indent=2))
