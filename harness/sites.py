"""The hand-made five-book site: vectors chosen so the similar books are known in advance
(the route tests, and benchmarks/bench_half_open.py's server); no TensorFlow, milliseconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TINY_BOOKS = [
    # rows 0..4; vectors below make 10 ~ 20 (same direction) and 30 ~ 40.
    {"book_id": 10, "title": "Le Petit Prince", "authors": "Antoine de Saint-Exupéry", "ratings_count": 50},
    {"book_id": 20, "title": "The Little Prince Returns", "authors": "Ann Author", "ratings_count": 500},
    {"book_id": 30, "title": "Émile", "authors": "Jean-Jacques Rousseau", "ratings_count": 40},
    {"book_id": 40, "title": "<img src=x onerror=alert(1)>", "authors": "Hostile Person", "ratings_count": 5},
    {"book_id": 50, "title": "Prince Caspian", "authors": "C. S. Lewis", "ratings_count": 900},
]
TINY_VECTORS = np.array(
    [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.9, 0.0], [0.0, 0.0, 1.0]], np.float32
)


def write_tiny_site(static_dir: Path, dtype: str = "float16") -> None:
    """A minimal built site: index.html, metadata.json, books.json and a TF.js weights file.

    The book_embedding weight sits second in its group (after a dummy bias) so the offset
    arithmetic of the weights reader is exercised; ``dtype`` picks float16 quantisation
    (what model.export writes) or plain float32.
    """
    model_dir = static_dir / "model"
    model_dir.mkdir(parents=True)
    books = [
        {**b, "year": 2000 + i, "cover_url": "", "average_rating": 4.0} for i, b in enumerate(TINY_BOOKS)
    ]
    (static_dir / "books.json").write_text(json.dumps(books, ensure_ascii=False), encoding="utf-8")
    metadata = {
        "format_version": 1,
        "num_books": len(books),
        "embedding_dim": 3,
        "book_ids": [b["book_id"] for b in books],
        "model_url": "model/model.json",
        "similarity_layer": "book_embedding",
        "tfjs_version": "4.22.0",
    }
    (static_dir / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    dummy = np.arange(7, dtype=np.float32)
    if dtype == "float16":
        blob = dummy.astype("<f2").tobytes() + TINY_VECTORS.astype("<f2").tobytes()
        quant = {"quantization": {"dtype": "float16", "original_dtype": "float32"}}
    else:
        blob = dummy.astype("<f4").tobytes() + TINY_VECTORS.astype("<f4").tobytes()
        quant = {}
    shard = "group1-shard1of1.0123456789abcdef.bin"
    (model_dir / shard).write_bytes(blob)
    manifest = [
        {
            "paths": [shard],
            "weights": [
                {"name": "dummy/bias", "shape": [7], "dtype": "float32", **quant},
                {"name": "book_embedding/embeddings", "shape": [5, 3], "dtype": "float32", **quant},
            ],
        }
    ]
    (model_dir / "model.json").write_text(json.dumps({"format": "layers-model", "weightsManifest": manifest}))
    (static_dir / "index.html").write_text("<!doctype html><title>Shelf</title><p>" + "shelf " * 200)
    (static_dir / "js").mkdir()
    # (a valid module, should a build bundle it: one export, and enough lines to be compressed)
    (static_dir / "js" / "main.js").write_text("".join(f"export const answer{i} = 42;\n" for i in range(50)))
    (static_dir / ".secret").write_text("hidden")
