"""Maps of the book embeddings and Embedding Projector files: ``python -m explorer.maps``.

Reads the link models written by ``python -m explorer.links`` (``explorer/links/``) and, when it
exists, the rating model's ``model/book_embeddings.npy``; projects the book vectors to 2-D (UMAP
by default) and writes ``explorer/maps/`` under the artifacts root, swapped in whole:

- ``tags_model.png`` and ``rating_model.png``: the books coloured by top genre;
- ``web/map.json``: the coordinates, titles, genres and nearest neighbors the map page draws;
- ``web/genres.json``: map.json's genre of each book alone, for the main page's genre filter;
- ``projector/``: ``vecs.tsv`` + ``meta.tsv`` per embedding and a ``projector_config.json``
  for https://projector.tensorflow.org (books and links of each model).

Needs no TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from explorer.genres import GENRE_COLOURS, GENRES, NO_GENRE_COLOUR
from explorer.pairs import TAGS, WIKIPEDIA
from explorer.projector import write_projectors
from explorer.vectors import (
    ExploreError,
    MissingArtifact,
    Space,
    link_space_folder,
    load_book_embeddings,
    load_link_space,
    normalize,
    saved_neighbors,
    top_k_neighbors,
)
from model.atomic import atomic_dir, write_json_atomic
from model.layout import WEB, links_dir, maps_dir

log = logging.getLogger(__name__)


@dataclass
class MapsConfig:
    """How ``python -m explorer.maps`` was run; saved as ``maps/config.json``."""

    out: str = "artifacts"
    method: str = "umap"
    n_neighbors: int = 15
    n_epochs: int = 120
    k: int = 10
    seed: int = 0


def parse_args(argv: list[str] | None = None) -> MapsConfig:
    d = MapsConfig()
    p = argparse.ArgumentParser(prog="python -m explorer.maps", description=__doc__.split("\n")[0])
    p.add_argument(
        "--artifacts",
        dest="out",  # MapsConfig.out: the key maps/config.json has always had
        default=d.out,
        help="artifacts root (reads explorer/links/ and model/, writes explorer/maps/)",
    )
    # --out was this flag's old name; still accepted.
    p.add_argument("--out", dest="out", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument(
        "--method",
        choices=["umap", "tsne", "pca"],
        default=d.method,
        help="2-D projection: umap (default), tsne (slower) or pca (instant, for quick looks and tests)",
    )
    p.add_argument("--n-neighbors", type=int, default=d.n_neighbors, help="UMAP neighborhood size")
    p.add_argument("--n-epochs", type=int, default=d.n_epochs, help="UMAP optimisation epochs")
    p.add_argument("--k", type=int, default=d.k, help="nearest books per book in map.json")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    return MapsConfig(**vars(p.parse_args(argv)))


# ---------------------------------------------------------------------------------------
# Projection


def _import_umap():
    """Import umap-learn without its optional TensorFlow part (ParametricUMAP), which costs
    seconds to import and is not used here."""
    if "tensorflow" in sys.modules:
        import umap

        return umap
    sys.modules["tensorflow"] = None  # makes umap's `import tensorflow` fail fast, as if absent
    try:
        import umap
    finally:
        del sys.modules["tensorflow"]
    return umap


def project(
    vectors: np.ndarray,
    method: str = "umap",
    n_neighbors: int = 15,
    n_epochs: int = 120,
    seed: int = 0,
    neighbors: np.ndarray | None = None,
) -> np.ndarray:
    """float32 [num_rows, 2] coordinates scaled into [0, 1] (cosine geometry of ``vectors``).

    ``neighbors`` may pass in ``top_k_neighbors(vectors, k)`` for some k >= n_neighbors - 1.
    """
    unit = normalize(vectors)
    if method == "pca":
        centred = unit - unit.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy = centred @ vt[:2].T
    elif method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (len(unit) - 1) / 3)
        xy = TSNE(2, perplexity=perplexity, max_iter=250, init="pca", random_state=seed).fit_transform(unit)
    elif method == "umap":
        umap = _import_umap()
        # Exact neighbors by matrix product: faster than UMAP's own search at this size, and it
        # skips compiling pynndescent with numba on every fresh environment.
        n_neighbors = min(n_neighbors, len(unit) - 1)
        if neighbors is None or neighbors.shape[1] < n_neighbors - 1:
            neighbors = top_k_neighbors(unit, n_neighbors - 1)
        neighbors = neighbors[:, : n_neighbors - 1]
        knn = np.concatenate(
            [np.arange(len(unit))[:, None], neighbors], axis=1
        )  # [n, n_neighbors], self first
        dists = np.maximum(1.0 - np.einsum("nd,nkd->nk", unit, unit[knn]), 0.0).astype(np.float32)
        dists[:, 0] = 0.0
        reducer = umap.UMAP(
            n_neighbors=n_neighbors,
            n_epochs=n_epochs,
            metric="cosine",
            init="pca",
            precomputed_knn=(knn, dists, None),
            random_state=seed,
        )
        with warnings.catch_warnings():
            # "n_jobs overridden by random_state" and "no NNDescent index": both expected here.
            warnings.simplefilter("ignore", UserWarning)
            xy = reducer.fit_transform(unit)
    else:
        raise ValueError(f"unknown projection method {method!r}")
    xy = xy - xy.min(axis=0)
    return (xy / np.maximum(xy.max(axis=0), 1e-12)).astype(np.float32)


# ---------------------------------------------------------------------------------------
# Outputs


def plot_map(xy: np.ndarray, genres: list[str], title: str, path: Path) -> None:
    """Scatter of the books coloured by genre, with a legend, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(GENRES)
    fig, ax = plt.subplots(figsize=(10, 10), dpi=100)
    genre_arr = np.array(genres, dtype=object)
    none = genre_arr == ""
    ax.scatter(xy[none, 0], xy[none, 1], s=2, c=NO_GENRE_COLOUR, linewidths=0, label="(no genre tag)")
    for name, colour in zip(names, GENRE_COLOURS, strict=True):
        mask = genre_arr == name
        if mask.any():
            ax.scatter(xy[mask, 0], xy[mask, 1], s=3, c=colour, linewidths=0, label=f"{name} ({mask.sum()})")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper right", fontsize=8, markerscale=4, frameon=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _coords(xy: np.ndarray) -> list:
    """Flat [x0, y0, x1, y1, ...] rounded to 4 decimals; NaN (book not in this model) -> null."""
    flat = np.round(xy.astype(np.float64), 4).ravel().tolist()
    return [None if v != v else v for v in flat]


def map_entry(label: str, xy: np.ndarray, neighbors: np.ndarray) -> dict:
    """One map of ``map.json``: coordinates and each book's nearest books, both by tags-model row."""
    return {"label": label, "xy": _coords(xy), "neighbors": neighbors.ravel().tolist()}


def build_map_json(tags: Space, maps: dict, k: int, default_pick_stars: float | None = None) -> dict:
    """``web/map.json``: everything the map page draws, rows in tags-model (books.csv) order,
    each book's genre from ``tags.genres``. ``default_pick_stars``: a plain pick's stars, the
    rating model's (None without one: the page then offers no picking)."""
    genre_names = list(GENRES)
    return {
        "format_version": 1,
        "num_books": len(tags.book_keys),
        "k": k,
        "default_pick_stars": default_pick_stars,
        "book_ids": tags.book_keys,
        "titles": tags.titles,
        "authors": tags.authors,
        "genre_names": genre_names,
        "genre_colours": GENRE_COLOURS,
        "no_genre_colour": NO_GENRE_COLOUR,
        "genres": [genre_names.index(g) if g in genre_names else -1 for g in tags.genres],
        "maps": maps,
    }


def build_genres_json(map_json: dict) -> dict:
    """``web/genres.json``: map.json's genre of each book and nothing else (about 6 kB
    compressed, against map.json's 1.9 MB), for the page's genre filter."""
    keys = ("format_version", "book_ids", "genre_names", "genres")
    return {key: map_json[key] for key in keys}


def rating_in_tags_rows(tags: Space, rating_ids: list[int], xy: np.ndarray, near: np.ndarray, k: int):
    """Rating-model coordinates and neighbors (``near``: rating rows) re-indexed by tags-model row.

    Books the tags model lacks get NaN coordinates and -1 as a neighbor.
    """
    row_of = {b: i for i, b in enumerate(tags.book_keys)}
    rows = np.array([row_of.get(b, -1) for b in rating_ids])
    present = rows >= 0
    out_xy = np.full((len(tags.book_keys), 2), np.nan, dtype=np.float32)
    out_xy[rows[present]] = xy[present]
    neighbors = np.full((len(tags.book_keys), k), -1, dtype=np.int64)
    neighbors[rows[present]] = rows[near[present, :k]]
    return out_xy, neighbors


# ---------------------------------------------------------------------------------------
# The stage


def run(cfg: MapsConfig) -> dict:
    """Compute and write everything; return timings and sizes for the log."""
    artifacts = Path(cfg.out)
    started = time.perf_counter()
    tags = load_link_space(artifacts, TAGS)
    wiki = None
    try:
        wiki = load_link_space(artifacts, WIKIPEDIA)
    except MissingArtifact:  # explorer.links said why (no file named): one line is enough
        log.debug("no Wikipedia link model in %s: no projector files for it", links_dir(artifacts))
    rating = None
    try:
        rating = load_book_embeddings(artifacts)
    except MissingArtifact as err:
        log.info("no rating model yet (%s): skipping its map", err)
    timings = {}

    t = time.perf_counter()
    want = max(cfg.k, cfg.n_neighbors - 1)
    near = saved_neighbors(link_space_folder(artifacts, TAGS), len(tags.book_keys), want)
    if near is None:
        near = top_k_neighbors(tags.book_vecs, want)
    tags_xy = project(tags.book_vecs, cfg.method, cfg.n_neighbors, cfg.n_epochs, cfg.seed, near)
    timings["project_tags_model_s"] = round(time.perf_counter() - t, 1)
    maps = {TAGS: map_entry("similar tags (tags model)", tags_xy, near[:, : cfg.k])}
    rating_xy = None
    if rating is not None:
        t = time.perf_counter()
        rating_near = top_k_neighbors(rating.vecs, want)
        rating_xy = project(rating.vecs, cfg.method, cfg.n_neighbors, cfg.n_epochs, cfg.seed, rating_near)
        timings["project_rating_model_s"] = round(time.perf_counter() - t, 1)
        xy, neighbors = rating_in_tags_rows(tags, rating.book_ids, rating_xy, rating_near, cfg.k)
        maps["rating"] = map_entry("readers also liked (rating model)", xy, neighbors)
    default_stars = rating.default_pick_stars if rating is not None else None
    map_json = build_map_json(tags, maps, cfg.k, default_stars)

    t = time.perf_counter()
    with atomic_dir(maps_dir(artifacts)) as tmp:
        plot_map(tags_xy, tags.genres, f"goodbooks-10k by tags ({cfg.method})", tmp / "tags_model.png")
        if rating is not None:
            genre_of = dict(zip(tags.book_keys, tags.genres, strict=True))
            rating_genres = [genre_of.get(b, "") for b in rating.book_ids]
            plot_map(
                rating_xy, rating_genres, f"goodbooks-10k by ratings ({cfg.method})", tmp / "rating_model.png"
            )
        (tmp / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
        write_projectors(tmp / "projector", tags, rating, wiki)
        write_json_atomic(map_json, tmp / WEB / "map.json")
        write_json_atomic(build_genres_json(map_json), tmp / WEB / "genres.json")
    timings["write_s"] = round(time.perf_counter() - t, 1)
    timings["total_s"] = round(time.perf_counter() - started, 1)
    return timings


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    cfg = parse_args(argv)
    try:
        timings = run(cfg)
    except ExploreError as err:
        log.error("%s", err)
        return 2
    log.info(
        "explorer.maps finished: %s; wrote %s",
        timings,
        maps_dir(cfg.out),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
