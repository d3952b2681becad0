"""Write the trained model's artifacts atomically: Keras, TF.js, catalogue and metadata.

See docs/ARTIFACTS.md for the contract. Everything is written into a staging directory next
to ``artifacts/model/`` and swapped in whole only when complete (model/layout.py), so a failed
export never leaves a half-written model behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import os
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from model import shards
from model.atomic import atomic_dir
from model.discovery import DEFAULT_WEIGHTS
from model.discovery import metadata_entry as discovery_entry
from model.goodreads import catalogue_isbns
from model.layout import model_dir
from model.metadata import id_runs
from model.parity import golden
from model.precision import quantization_map
from model.series import parse_series, series_json, series_metadata, series_table
from model.split import DEFAULT_PICK_STARS, LIKED_STARS

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: book_id_runs (model/metadata.py), the series' count for their names
GOODREADS_FORMAT_VERSION = 1
TFJS_VERSION = "4.22.0"  # the browser runtime, vendored from npm (package.json)
NO_COVER_MARKER = "/nophoto/"  # goodreads' "no photo" placeholder images are not covers


def book_catalogue(books: pd.DataFrame) -> list[dict]:
    """books.csv rows -> the JSON catalogue, in row order (books sorted by book_id)."""
    out = []
    for b in books.itertuples(index=False):
        year = b.original_publication_year
        cover = b.image_url if b.image_url and NO_COVER_MARKER not in b.image_url else ""
        out.append(
            {
                "book_id": int(b.book_id),
                "title": b.title,
                "authors": b.authors,
                "year": None if year is None or math.isnan(year) else int(year),
                "cover_url": cover,
                "average_rating": round(float(b.average_rating), 2),
                "ratings_count": int(b.ratings_count),
                "series": series_json(parse_series(b.title)),
            }
        )
    return out


def goodreads_json(books: pd.DataFrame) -> dict:
    """``goodreads.json``: per row (the rows of books.json), its goodreads_book_id, its
    best_book_id where that differs (``{"<row>": id}``) and the ISBN-13s it is known
    by (``model/goodreads.py``'s rules). The page fetches it only to import an export."""
    in_order = list(books.itertuples(index=False))  # one per row
    best = {
        str(row): int(b.best_book_id)
        for row, b in enumerate(in_order)
        if getattr(b, "best_book_id", b.goodreads_book_id) != b.goodreads_book_id
    }
    return {
        "format_version": GOODREADS_FORMAT_VERSION,
        "num_books": len(in_order),
        "goodreads_book_ids": [int(b.goodreads_book_id) for b in in_order],
        "best_book_ids": best,
        "isbn13": [catalogue_isbns(getattr(b, "isbn", ""), getattr(b, "isbn13", "")) for b in in_order],
    }


def without_paths(config: dict) -> dict:
    """``config`` as metadata.json serves it to every visitor: an absolute path (the data, the
    real readers) as its last part only ("goodbooks-10k"), never the build machine's folders.
    (config.json, beside the model, keeps them whole.)"""
    return {
        key: Path(value).name if isinstance(value, str) and Path(value).is_absolute() else value
        for key, value in config.items()
    }


def build_metadata(book_ids: np.ndarray, embedding_dim: int, config: dict, titles=None) -> dict:
    """The small file the browser cannot work without: sizes, id maps, versions, config, and
    the catalogue's series (from ``titles``, in row order; none without)."""
    return {
        "format_version": FORMAT_VERSION,
        "num_books": int(len(book_ids)),
        "embedding_dim": int(embedding_dim),
        "book_id_runs": id_runs(book_ids),
        "model_url": "model/model.json",
        "inputs": {"book_rows": "int32 [batch, picks]", "stars": "float32 [batch, picks]; 1..5, 0 = padding"},
        "outputs": ["scores", "predicted_stars"],
        "similarity_layer": "book_embedding",
        "neighbor_rows": "neighbor_rows/neighbor_rows",
        "neighbor_weights": "neighbor_scores/neighbor_weights",
        "default_pick_stars": DEFAULT_PICK_STARS,
        "liked_stars": LIKED_STARS,
        "min_stars": 1,
        "max_stars": 5,
        "tfjs_version": TFJS_VERSION,
        "custom_layers": [
            "PickPooling",
            "CatalogueRows",
            "PickSimilarity",
            "NeighborRows",
            "NeighborScores",
            "StarPredictor",
        ],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": without_paths(config),
        "series": series_metadata(series_table([] if titles is None else list(titles))),
    }


def hashed_name(name: str, data: bytes) -> str:
    """``group1-shard1of1.bin`` -> ``group1-shard1of1.<first 16 hex of its sha256>.bin``."""
    return f"{Path(name).stem}.{hashlib.sha256(data).hexdigest()[:16]}.bin"


def cut_shards(model_dir: Path) -> None:
    """Cut the converter's shards into the first and later parts (model/shards.py), each file
    named with a content hash (cacheable forever); model.json's manifest says which is which."""
    model_json_path = model_dir / "model.json"
    model_json = json.loads(model_json_path.read_text())
    groups = model_json["weightsManifest"]
    weights = [entry for group in groups for entry in group["weights"]]
    blob = b"".join((model_dir / path).read_bytes() for group in groups for path in group["paths"])
    manifest, pieces, first = shards.cut(weights, blob)
    for path in {path for group in groups for path in group["paths"]}:
        (model_dir / path).unlink()
    names = {}
    for piece in pieces:
        names[piece.name] = hashed_name(piece.name, piece.data)
        (model_dir / names[piece.name]).write_bytes(piece.data)
    for group in manifest:
        group["paths"] = [names[path] for path in group["paths"]]
    model_json["weightsManifest"] = manifest
    later = {names[piece.name]: len(piece.data) for piece in pieces if piece.later}
    model_json["userDefinedMetadata"] = {"first_rows": first, "later_shards": later}
    model_json_path.write_text(json.dumps(model_json))


def save_tfjs(model, model_dir: Path) -> None:
    """Convert to a TF.js LayersModel with compact weights, cut into content-hashed shards:
    the first part and the later one (model/shards.py).

    The precision of each weight is model/precision.py's (uint8, row numbers as uint16, the
    rest float16), which the Keras weights were already rounded to.
    """
    with converter_quiet():
        import tensorflowjs as tfjs

        tfjs.converters.save_keras_model(
            model,
            str(model_dir),
            quantization_dtype_map=quantization_map(),
            weight_shard_size_bytes=8 * 1024 * 1024,
        )
    cut_shards(model_dir)


@contextlib.contextmanager
def converter_quiet():
    """Hide what the TF.js converter prints on its way (TF-DF's advert and version check at import, the
    HDF5 file it saves and reloads): nothing a user acts on. TF_CPP_MIN_LOG_LEVEL=0 shows it."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(logging.NOTSET)


def plot_history(history: dict, path: Path) -> None:
    """Training curves: ranking loss per epoch, training vs validation; and the star head's
    RMSE on held-back training ratings beside the bias baseline's (it is computed, not trained)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(history["epoch"], history["rank_loss"], label="training")
    ax1.plot(history["epoch"], history["val_rank_loss"], label="validation")
    ax1.set(title="Ranking loss (softmax cross-entropy)", xlabel="epoch")
    ax1.legend()
    ax1.grid(alpha=0.3)
    if "star_holdout_rmse" in history:
        labels = ["user + book bias", "Shelf star head"]
        values = [history["star_holdout_rmse_bias"], history["star_holdout_rmse"]]
        ax2.bar(labels, values, color=["tab:gray", "tab:blue"])
        for x, v in enumerate(values):
            ax2.annotate(f"{v:.4f}", (x, v), ha="center", va="bottom")
        ax2.set_ylim(min(values) - 0.05, max(values) + 0.02)
        ax2.set(title=f"Star RMSE, {history['star_holdout_ratings']:,} held-back training ratings")
        ax2.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def export_artifacts(
    shipped, split_model, books: pd.DataFrame, cfg, choices, histories: dict, out: Path
) -> None:
    """Write everything model.train produces into ``out/model/`` (model/layout.py), swapped in
    whole: the shipped model (model.keras, the TF.js model, book_embeddings.npy), the split fit's
    model that model.evaluate measures (split/model.keras), web/ (books.json, goodreads.json,
    metadata.json, model/), config.json (with the choices), history.json, the training curves
    and parity.json (model/parity.py). Nothing else under ``out`` is touched."""
    with atomic_dir(model_dir(out)) as staging:
        config = {**dataclasses.asdict(cfg), "choices": dataclasses.asdict(choices)}
        shipped.save(staging / "model.keras")
        (staging / "split").mkdir()
        split_model.save(staging / "split" / "model.keras")
        (staging / "web").mkdir()
        save_tfjs(shipped, staging / "web" / "model")
        embeddings = shipped.get_layer("book_embedding").get_weights()[0]
        np.save(staging / "book_embeddings.npy", embeddings.astype(np.float32))
        book_ids = books["book_id"].to_numpy()
        metadata = build_metadata(book_ids, embeddings.shape[1], config, books["title"].tolist())
        metadata["discovery"] = discovery_entry(
            books["ratings_count"].to_numpy(), choices.discovery_weights or DEFAULT_WEIGHTS
        )
        (staging / "web" / "metadata.json").write_text(json.dumps(metadata))
        (staging / "web" / "books.json").write_text(json.dumps(book_catalogue(books), ensure_ascii=False))
        # Fetched only when a visitor imports a Goodreads export: not on the first suggestions' path.
        (staging / "web" / "goodreads.json").write_text(
            json.dumps(goodreads_json(books), separators=(",", ":"))
        )
        (staging / "config.json").write_text(json.dumps(config, indent=2))
        (staging / "history.json").write_text(json.dumps(histories, indent=2))
        (staging / "parity.json").write_text(json.dumps(golden(shipped, book_ids), indent=1))
        plot_history(histories["split"], staging / "training_curves.png")
    log.info("exported the shipped model, the split model, catalogue and metadata to %s", model_dir(out))
