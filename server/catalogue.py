"""The catalogue the API answers from: ``books.json``, ``metadata.json`` and the book vectors.

Everything here reads the exported site files (see docs/ARTIFACTS.md); nothing imports
TensorFlow. The book vectors come straight out of the TF.js weights (``model.json`` and its
shards), so the server and the browser use the very same numbers.
"""

from __future__ import annotations

import functools
import json
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Bytes per element of each dtype a TF.js weights manifest can hold.
_DTYPE_BYTES = {"float32": 4, "int32": 4, "bool": 1, "uint8": 1, "uint16": 2, "float16": 2}
_NUMPY_DTYPES = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "float16": np.float16,
}


class ArtifactsMissing(Exception):
    """The site files the API needs are absent: the artifacts have not been built."""


class ArtifactsInvalid(Exception):
    """The site files exist but do not follow docs/ARTIFACTS.md."""


# ---------------------------------------------------------------------------------------
# Search: the same normalisation and ranking as web/js/search.js


def normalize(text: str) -> str:
    """Fold case and accents and turn punctuation into single spaces ("Éric-M." -> "eric m").

    Mirrors ``normalize`` in web/js/search.js: NFKD, drop combining marks (Unicode category
    M), lower-case, keep letters and digits (categories L and N), collapse the rest.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] == "M":
            continue
        out.append(char.lower() if category[0] in "LN" else " ")
    return " ".join("".join(out).split())


@dataclass(frozen=True)
class SearchIndex:
    """Normalised titles and authors plus the popularity order, built once per catalogue."""

    titles: list[str]
    authors: list[str]
    haystacks: list[str]  # " " + title + " " + authors + " ", for word-boundary tests
    popularity: list[int]  # rows sorted by ratings_count desc, then row asc


def build_search_index(books: list[dict]) -> SearchIndex:
    """Precompute what ``search_rows`` needs for ``books`` (in book_index order)."""
    titles = [normalize(b.get("title") or "") for b in books]
    authors = [normalize(b.get("authors") or "") for b in books]
    haystacks = [f" {t} {a} " for t, a in zip(titles, authors, strict=True)]
    popularity = sorted(range(len(books)), key=lambda row: (-(books[row].get("ratings_count") or 0), row))
    return SearchIndex(titles, authors, haystacks, popularity)


def match_tier(index: SearchIndex, row: int, query: str, tokens: list[str]) -> int | None:
    """How well book ``row`` matches the normalised ``query``: 0 best .. 5 worst, None = no match.

    0 exact title, 1 title starts with the query, 2 the query starts a word of the title,
    3 the query starts a word of the authors, 4 every query word starts a word of the title
    or authors, 5 every query word occurs somewhere in them.
    """
    haystack = index.haystacks[row]
    if not all(token in haystack for token in tokens):
        return None
    title = index.titles[row]
    if title == query:
        return 0
    if title.startswith(query):
        return 1
    if f" {query}" in f" {title}":
        return 2
    if f" {query}" in f" {index.authors[row]}":
        return 3
    if all(f" {token}" in haystack for token in tokens):
        return 4
    return 5


def search_rows(index: SearchIndex, query: str) -> list[int]:
    """All rows matching ``query``, best first: by tier, then popularity (the page's ranking).

    An empty query (after normalisation) returns every book, most popular first.
    """
    query = normalize(query)
    if not query:
        return list(index.popularity)
    tokens = query.split()
    # Cheap prefilter on the longest word first (a C-speed substring test per book), then
    # the full tiering on the few books left. Popularity order in, so a stable sort by tier
    # keeps popularity within each tier.
    longest = max(tokens, key=len)
    haystacks = index.haystacks
    candidates = [row for row in index.popularity if longest in haystacks[row]]
    tiers = []
    for row in candidates:
        tier = match_tier(index, row, query, tokens)
        if tier is not None:
            tiers.append((tier, row))
    tiers.sort(key=lambda pair: pair[0])
    return [row for _, row in tiers]


# ---------------------------------------------------------------------------------------
# Reading TF.js weights with numpy


def read_tfjs_weight(
    model_dir: Path, model_json: dict, wanted_layer: str, weight: str | None = None
) -> np.ndarray:
    """Return a weight of ``wanted_layer`` (its first, or the one named ``weight``) as float32.

    Walks ``weightsManifest`` groups in order: each group's shards, concatenated, hold its
    weights back to back. Quantised entries (float16, uint8, uint16) are dequantised.
    """
    wanted = f"{wanted_layer}/{weight}" if weight else None
    for group in model_json.get("weightsManifest", []):
        entries = group["weights"]
        names = [entry["name"] for entry in entries]
        match = next(
            (
                i
                for i, name in enumerate(names)
                if (name == wanted if wanted else name.split("/")[0] == wanted_layer)
            ),
            None,
        )
        if match is None:
            continue
        offset = 0
        for entry in entries[:match]:
            offset += _entry_nbytes(entry)
        entry = entries[match]
        blob = b"".join((model_dir / path).read_bytes() for path in group["paths"])
        return _decode_entry(entry, blob[offset : offset + _entry_nbytes(entry)])
    raise ArtifactsInvalid(f"model.json has no weight {wanted or 'for layer ' + repr(wanted_layer)}")


def _entry_nbytes(entry: dict) -> int:
    dtype = entry.get("quantization", {}).get("dtype", entry["dtype"])
    return int(np.prod(entry["shape"], dtype=np.int64)) * _DTYPE_BYTES[dtype]


def _decode_entry(entry: dict, data: bytes) -> np.ndarray:
    quantization = entry.get("quantization")
    dtype = quantization["dtype"] if quantization else entry["dtype"]
    values = np.frombuffer(data, dtype=np.dtype(_NUMPY_DTYPES[dtype]).newbyteorder("<"))
    if quantization and dtype in ("uint8", "uint16"):
        values = values.astype(np.float32) * quantization["scale"] + quantization["min"]
    return values.astype(np.float32).reshape(entry["shape"])


# ---------------------------------------------------------------------------------------
# The catalogue


@dataclass
class Catalogue:
    """Books, the id <-> row maps, the search index and unit-length book vectors."""

    books: list[dict]
    metadata: dict
    row_of: dict[int, int]  # book_id -> book_index
    index: SearchIndex
    unit_vectors: np.ndarray  # float32 [num_books, embedding_dim], each row of length 1 (or 0)
    content_similar: dict | None  # content_similar.json when the explorer wrote it
    neighbors: tuple[np.ndarray, np.ndarray] | None = None  # (rows int [N, M], weights [N, M]) or None

    def __post_init__(self):
        # Typing produces the same prefixes again and again; remember recent answers.
        self._search = functools.lru_cache(maxsize=4096)(lambda query: tuple(search_rows(self.index, query)))

    def search(self, query: str, limit: int, offset: int) -> tuple[int, list[dict]]:
        """(number of matches, the books from ``offset`` to ``offset + limit``)."""
        rows = self._search(normalize(query))
        return len(rows), [self.books[row] for row in rows[offset : offset + limit]]

    def similar(self, book_id: int, k: int) -> list[tuple[dict, float]]:
        """Readers also liked, as the page computes it (docs/ARTIFACTS.md): the book's co-liked
        neighbours with a positive weight, strongest first (score = that weight), then the books
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

    def content_neighbours(self, book_id: int, k: int) -> list[dict] | None:
        """Books from content_similar.json for ``book_id`` (None when the file is absent)."""
        if self.content_similar is None:
            return None
        ids = self.content_similar.get("neighbours", {}).get(str(book_id), [])
        return [self.books[self.row_of[i]] for i in ids[:k] if i in self.row_of]


def load_catalogue(static_dir: Path) -> Catalogue:
    """Read the catalogue out of a built site directory (``make build`` writes it)."""
    static_dir = Path(static_dir)
    required = [static_dir / "metadata.json", static_dir / "books.json"]
    missing = [str(path) for path in required if not path.is_file()]
    if missing:
        raise ArtifactsMissing(", ".join(missing))
    metadata = json.loads(required[0].read_text(encoding="utf-8"))
    books = json.loads(required[1].read_text(encoding="utf-8"))
    model_json_path = static_dir / metadata.get("model_url", "model/model.json")
    if not model_json_path.is_file():
        raise ArtifactsMissing(str(model_json_path))
    if len(books) != metadata["num_books"] or len(metadata["book_ids"]) != metadata["num_books"]:
        raise ArtifactsInvalid("books.json, metadata.json num_books and book_ids disagree in length")
    model_json = json.loads(model_json_path.read_text(encoding="utf-8"))
    vectors = read_tfjs_weight(model_json_path.parent, model_json, metadata["similarity_layer"])
    if vectors.shape[0] != metadata["num_books"]:
        raise ArtifactsInvalid(f"{metadata['similarity_layer']} has {vectors.shape[0]} rows, not num_books")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit_vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    content_path = static_dir / "content_similar.json"
    content = json.loads(content_path.read_text(encoding="utf-8")) if content_path.is_file() else None
    row_of = {int(book_id): row for row, book_id in enumerate(metadata["book_ids"])}
    neighbors = None
    if metadata.get("neighbor_rows") and metadata.get("neighbor_weights"):
        neighbor_rows, neighbor_weights = (
            read_tfjs_weight(model_json_path.parent, model_json, *metadata[key].split("/", 1))
            for key in ("neighbor_rows", "neighbor_weights")
        )
        neighbors = (np.rint(neighbor_rows).astype(np.int64), neighbor_weights)
    return Catalogue(books, metadata, row_of, build_search_index(books), unit_vectors, content, neighbors)


class CatalogueCache:
    """Loads the catalogue on first use and again whenever the site is rebuilt.

    The key is the (mtime, size) of the files read, so ``make site`` swapping in a new
    ``static/`` is picked up by a running server without a restart.
    """

    def __init__(self, static_dir: Path):
        self.static_dir = Path(static_dir)
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._catalogue: Catalogue | None = None

    def _stamp(self) -> tuple:
        stamp = []
        for name in ("metadata.json", "books.json", "model/model.json", "content_similar.json"):
            try:
                stat = (self.static_dir / name).stat()
                stamp.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
            except FileNotFoundError:
                stamp.append(None)
        return tuple(stamp)

    def get(self) -> Catalogue:
        """The current catalogue; raises ArtifactsMissing / ArtifactsInvalid."""
        key = self._stamp()
        with self._lock:
            if self._catalogue is None or key != self._key:
                self._catalogue = load_catalogue(self.static_dir)
                self._key = key
            return self._catalogue
