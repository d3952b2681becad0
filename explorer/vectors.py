"""Book and link vectors: cosine neighbors, and the files they are saved in and read from.

``links/<source>/`` holds a link model (written by ``python -m explorer.links``);
``book_embeddings.npy`` with ``web/metadata.json`` holds the rating model's book vectors
(written by ``python -m model.train``). Every reader of those files goes through here.
numpy only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.pairs import Pairs
from model.layout import is_flat, links_dir, missing, model_dir
from model.metadata import read_metadata
from model.ranking import top_k, top_k_rows, unit_rows

NEIGHBORS_FILE = "neighbors.npy"


class ExploreError(Exception):
    """A query or artifact problem, explained for the person at the command line."""


class MissingArtifact(ExploreError):
    """A file another stage writes is not there yet; the message names the command to run."""


# ---------------------------------------------------------------------------------------
# Cosine neighbors


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    return unit_rows(np.asarray(vectors, dtype=np.float32))


def most_similar(
    vectors: np.ndarray, row: int | np.ndarray, k: int = 10, exclude=()
) -> list[tuple[int, float]]:
    """The k rows with the highest cosine to ``vectors[row]`` (or to a query vector), best first.

    The query row itself and the rows in ``exclude`` are left out; ties go to the lower row.
    """
    unit = normalize(vectors)
    if isinstance(row, np.ndarray):
        query = normalize(row[None, :])[0]
        skip = list(exclude)
    else:
        query = unit[row]
        skip = [row, *exclude]
    sims = unit @ query  # [num_rows]
    sims[skip] = -np.inf
    return [(int(i), float(sims[i])) for i in top_k(sims, k) if np.isfinite(sims[i])]


def top_k_neighbors(
    vectors: np.ndarray, k: int = 10, chunk: int = 2048, rows: np.ndarray | None = None
) -> np.ndarray:
    """int64 [num_rows, k]: each row's k nearest other rows by cosine, best first (ties: lower row).

    With ``rows``, only those rows are queried (against all rows): [len(rows), k].
    """
    unit = normalize(vectors)
    queries = np.arange(len(unit)) if rows is None else np.asarray(rows)
    k = min(k, len(unit) - 1)
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        batch = queries[start : start + chunk]
        sims = unit[batch] @ unit.T  # [chunk, num_rows]
        sims[np.arange(len(batch)), batch] = -np.inf
        out[start : start + len(batch)] = top_k_rows(sims, k)
    return out


# ---------------------------------------------------------------------------------------
# A link model's files: links/<source>/


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
    genres: list[str] | None = None  # per book row ("" = none), where the source knows them
    link_counts: list[int] | None = None  # per link row: how many pairs carry it


def save_link_space(folder: Path, pairs: Pairs, book_vecs, link_vecs, source: str | None = None) -> None:
    """Write book_vectors.npy, link_vectors.npy and index.json (what ``load_link_space`` reads)."""
    np.save(folder / "book_vectors.npy", np.asarray(book_vecs, np.float32))
    np.save(folder / "link_vectors.npy", np.asarray(link_vecs, np.float32))
    index = {
        "source": source or pairs.source,
        "book_keys": pairs.book_keys,
        "titles": pairs.titles,
        "authors": pairs.authors,
        "genres": pairs.genres,
        "links": pairs.link_names,
        "link_counts": np.bincount(pairs.link_rows, minlength=pairs.num_links).tolist(),
    }
    (folder / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")


def link_space_folder(artifacts: Path, source: str) -> Path:
    return links_dir(artifacts) / source


def load_link_space(artifacts: Path, source: str) -> Space:
    """The link model of ``source`` (``TAGS`` or ``WIKIPEDIA``) from ``explorer/links/<source>/``."""
    folder = link_space_folder(artifacts, source)
    if not (folder / "index.json").is_file():
        how = f"run `python -m explorer.links --out {artifacts}` first"
        if is_flat(artifacts):  # an artifacts/ from before each stage had its folder
            raise MissingArtifact(missing(artifacts, folder, how))
        raise MissingArtifact(f"{folder} has no link model: {how}")
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return Space(
        source,
        np.load(folder / "book_vectors.npy"),
        index["titles"],
        index["authors"],
        index["book_keys"],
        np.load(folder / "link_vectors.npy"),
        index["links"],
        index["genres"],
        index["link_counts"],
    )


def saved_neighbors(folder: Path, num_rows: int, k: int) -> np.ndarray | None:
    """The first k columns of ``neighbors.npy`` in ``folder``, or None when absent or too small."""
    path = folder / NEIGHBORS_FILE
    if not path.is_file():
        return None
    near = np.load(path)
    return near[:, :k].astype(np.int64) if near.shape[0] == num_rows and near.shape[1] >= k else None


# ---------------------------------------------------------------------------------------
# The rating model's book vectors


@dataclass
class BookEmbeddings:
    """The rating model's book vectors and what the explorer uses of ``web/metadata.json``."""

    vecs: np.ndarray  # book_embeddings.npy [num_books, d]
    book_ids: list[int]  # metadata.json's book_ids: the goodbooks book_id of each row
    default_pick_stars: float | None  # metadata.json's (None where it has none)


def load_book_embeddings(artifacts: Path) -> BookEmbeddings:
    """``book_embeddings.npy`` with the ``book_ids`` of its rows and the default pick stars
    from metadata.json, which is read once here.

    MissingArtifact when the rating model is not built; ExploreError when the two disagree.
    """
    artifacts = Path(artifacts)
    trained = model_dir(artifacts)
    vec_path, meta_path = trained / "book_embeddings.npy", trained / "web" / "metadata.json"
    for path in (vec_path, meta_path):
        if not path.is_file():
            raise MissingArtifact(
                missing(artifacts, path, f"run `python -m model.train --out {artifacts}` first")
            )
    vecs = np.load(vec_path)
    metadata = read_metadata(meta_path)
    book_ids = metadata["book_ids"]
    if len(book_ids) != len(vecs):
        raise ExploreError(f"{vec_path} has {len(vecs)} rows but {meta_path} lists {len(book_ids)} book_ids")
    return BookEmbeddings(vecs, book_ids, metadata.get("default_pick_stars"))
