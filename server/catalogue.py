"""The catalogue the API answers from: ``books.json``, ``metadata.json`` and the book vectors.

Everything here reads the exported site files (see docs/ARTIFACTS.md); nothing imports
TensorFlow. The book vectors come straight out of the TF.js weights (``server.tfjs_weights``),
so the server and the browser use the very same numbers; every file of one catalogue comes
from one build (``server.sitedir``).
"""

from __future__ import annotations

import functools
import os
import posixpath
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from server.search import SearchIndex, build_search_index, normalize, search_rows
from server.series import SeriesIndex
from server.sitedir import ArtifactsInvalid, ArtifactsMissing, SiteDir
from server.tfjs_weights import read_weight


@dataclass
class Catalogue:
    """Books, the id <-> row maps, the search index and unit-length book vectors."""

    books: list[dict]
    metadata: dict
    row_of: dict[int, int]  # book_id -> row
    index: SearchIndex
    unit_vectors: np.ndarray  # float32 [num_books, embedding_dim], each row of length 1 (or 0)
    content_similar: dict | None  # content_similar.json when the explorer wrote it
    neighbors: tuple[np.ndarray, np.ndarray] | None = None  # (rows int [N, M], weights [N, M]) or None
    series: SeriesIndex | None = None  # books.json's series and first authors, indexed

    def __post_init__(self):
        # Typing produces the same prefixes again and again; remember recent answers.
        self._search = functools.lru_cache(maxsize=4096)(lambda query: search_rows(self.index, query))

    def search(self, query: str, limit: int, offset: int) -> tuple[int, list[dict]]:
        """(number of matches, the books from ``offset`` to ``offset + limit``)."""
        rows = self._search(normalize(query))
        return len(rows), [self.books[row] for row in rows[offset : offset + limit]]

    def similar(self, book_id: int, k: int) -> list[tuple[dict, float]]:
        """Readers also liked, as the page computes it (docs/ARTIFACTS.md): the book's co-liked
        neighbors with a positive weight, strongest first (score = that weight), then the books
        whose vectors have the highest cosine with its own (score = the cosine); ties by row."""
        row = self.row_of[book_id]
        chosen: list[tuple[int, float]] = []
        if self.neighbors is not None:
            rows, weights = self.neighbors[0][row], self.neighbors[1][row]
            strongest = np.lexsort((rows, -weights))
            chosen = [
                (int(rows[j]), float(weights[j])) for j in strongest if weights[j] > 0 and rows[j] != row
            ][:k]
        sims = self.unit_vectors @ self.unit_vectors[row]  # [num_books]
        sims[row] = -np.inf
        sims[[c for c, _ in chosen]] = -np.inf
        order = np.argsort(-sims, kind="stable")[: k - len(chosen)]
        chosen += [(int(r), float(sims[r])) for r in order]
        return [(self.books[r], score) for r, score in chosen]

    def series_books(self, book_id: int) -> list[dict]:
        """The book's whole series in reading order (itself included); [] without a series."""
        return [self.books[r] for r in self.series.volumes(self.row_of[book_id])] if self.series else []

    def by_author(self, book_id: int, k: int) -> list[dict]:
        """Up to ``k`` other books of its first author outside its series, most rated first."""
        return (
            [self.books[r] for r in self.series.by_author_rows(self.row_of[book_id], k)]
            if self.series
            else []
        )

    def content_neighbors(self, book_id: int, k: int) -> list[dict] | None:
        """Books from content_similar.json for ``book_id`` (None when the file is absent)."""
        if self.content_similar is None:
            return None
        ids = self.content_similar.get("neighbors", {}).get(str(book_id), [])
        return [self.books[self.row_of[i]] for i in ids[:k] if i in self.row_of]


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row of ``vectors`` [N, d] scaled to length 1, a zero row left 0: model.ranking's
    ``unit_rows`` (the server never imports model/); tests/golden/scoring.json holds both."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


# The files a catalogue is read from; a change to any of them reloads it.
CATALOGUE_FILES = ("metadata.json", "books.json", "model/model.json", "content_similar.json")


def read_catalogue(site: SiteDir) -> Catalogue:
    """The catalogue from the files of ``site``; ArtifactsMissing / ArtifactsInvalid say which file."""
    for name in ("metadata.json", "books.json"):
        if site.stat(name) is None:
            raise ArtifactsMissing(str(site.path / name))
    metadata = site.read_json("metadata.json", dict)
    books = site.read_json("books.json", list)
    try:
        return _catalogue_from(site, metadata, books)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # Valid JSON of the wrong shape: a file from another format or a hand edit.
        message = f"metadata.json, books.json and the model do not fit together ({error!r})"
        raise ArtifactsInvalid(message) from None


def book_ids_of(metadata: dict) -> list[int]:
    """metadata.json's book ids in row order, from its runs of consecutive ids, ``book_id_runs``
    ([[first id, count], ...]: model/metadata.py, which tests hold this to), or an older file's
    ``book_ids``. ValueError for runs of another shape or of another number of ids than num_books."""
    if "book_id_runs" not in metadata:
        return [int(book_id) for book_id in metadata["book_ids"]]
    runs = metadata["book_id_runs"]
    for run in runs:
        if not (isinstance(run, list) and len(run) == 2 and all(type(v) is int for v in run) and run[1] >= 1):
            raise ValueError(f"book_id_runs: {run!r} is not a [first id, count] run")
    # Counted before listed: a corrupt count of a billion is an error, not a billion ids.
    if sum(run[1] for run in runs) != metadata["num_books"]:
        raise ValueError("book_id_runs do not hold num_books ids")
    return [book_id for first, count in runs for book_id in range(first, first + count)]


def _catalogue_from(site: SiteDir, metadata: dict, books: list) -> Catalogue:
    book_ids = book_ids_of(metadata)
    model_url = metadata.get("model_url", "model/model.json")
    if site.stat(model_url) is None:
        raise ArtifactsMissing(str(site.path / model_url))
    if len(books) != metadata["num_books"] or len(book_ids) != metadata["num_books"]:
        raise ArtifactsInvalid("books.json, metadata.json num_books and book_ids disagree in length")
    if not all(isinstance(book, dict) for book in books):
        raise ArtifactsInvalid("books.json should be a list of book objects")
    model_json = site.read_json(model_url, dict)
    model_dir = posixpath.dirname(model_url)

    @functools.cache  # the weights asked for below usually share one group of shards
    def read_shard(path: str) -> bytes:
        return site.read_bytes(posixpath.join(model_dir, path))

    def weight_of(layer: str, weight: str | None = None) -> np.ndarray:
        return read_weight(read_shard, model_json, layer, weight)

    vectors = weight_of(metadata["similarity_layer"])
    if vectors.shape[0] != metadata["num_books"]:
        raise ArtifactsInvalid(f"{metadata['similarity_layer']} has {vectors.shape[0]} rows, not num_books")
    unit_vectors = unit_rows(vectors)
    content = site.read_json("content_similar.json", dict) if site.stat("content_similar.json") else None
    row_of = {book_id: row for row, book_id in enumerate(book_ids)}
    neighbors = None
    if metadata.get("neighbor_rows") and metadata.get("neighbor_weights"):
        neighbor_rows, neighbor_weights = (
            weight_of(*metadata[key].split("/", 1)) for key in ("neighbor_rows", "neighbor_weights")
        )
        neighbors = (np.rint(neighbor_rows).astype(np.int64), neighbor_weights)
    index = build_search_index(books)
    return Catalogue(books, metadata, row_of, index, unit_vectors, content, neighbors, SeriesIndex(books))


class CatalogueCache:
    """Loads the catalogue on first use and again whenever the site is rebuilt.

    The key is the directory itself and the (mtime, size, inode) of the files read, so
    ``make site`` swapping in a new ``static/`` (or a file rewritten in place) is picked up
    by a running server without a restart, and every file of one catalogue comes from the
    same build (see SiteDir). A failed load is remembered for its key too: a broken file
    answers 503 at once instead of being parsed again on every request.
    """

    ATTEMPTS = 3  # a rebuild may swap static/ while we read it: then read the new one

    def __init__(self, static_dir: Path):
        self.static_dir = Path(static_dir)
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._catalogue: Catalogue | None = None
        self._error: ArtifactsMissing | ArtifactsInvalid | None = None

    @staticmethod
    def _stamp(site: SiteDir) -> tuple:
        directory = os.fstat(site.fd)
        stamp: list = [(directory.st_dev, directory.st_ino)]
        for name in CATALOGUE_FILES:
            stat = site.stat(name)
            stamp.append(stat and (stat.st_mtime_ns, stat.st_size, stat.st_ino))
        return tuple(stamp)

    def warm(self) -> None:
        """Load the catalogue now if it can be (gunicorn calls this before a worker serves)."""
        try:
            self.get()
        except (ArtifactsMissing, ArtifactsInvalid):
            pass  # answered as 503 per request, naming the problem

    def get(self) -> Catalogue:
        """The current catalogue; raises ArtifactsMissing / ArtifactsInvalid."""
        for attempt in range(self.ATTEMPTS):
            with SiteDir(self.static_dir) as site:
                key = self._stamp(site)  # outside the lock: every request takes this path
                with self._lock:
                    if key != self._key:
                        try:
                            self._catalogue, self._error = read_catalogue(site), None
                        except (ArtifactsMissing, ArtifactsInvalid) as error:
                            if site.replaced() and attempt + 1 < self.ATTEMPTS:
                                time.sleep(0.05)
                                continue
                            self._catalogue, self._error = None, error
                        self._key = key
                    if self._error is not None:
                        raise type(self._error)(*self._error.args)
                    return self._catalogue
        raise AssertionError("unreachable")
