"""The explorer's first stage: ``python -m explorer.links`` trains the link models.

Two sources feed one code path (``explorer.pairs.Pairs``): goodbooks-10k tags
(``explorer.tags``) and Wikipedia book articles (``explorer.wikipedia``). One link model
(``explorer.link_model``) is trained per source, measured (``explorer.metrics``,
``explorer.report``), and written to ``explorer/links/`` under the artifacts root, swapped in
whole (model/layout.py): a folder per source, the report, and ``web/content_similar.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from explorer.metrics import author_agreement, label_agreement, link_prediction_auc
from explorer.pairs import TAGS, LinkResult, Pairs, split_pairs
from explorer.report import quality_report, report_markdown
from explorer.tags import load_tag_pairs
from explorer.vectors import NEIGHBORS_FILE, save_link_space, top_k_neighbors
from explorer.wikipedia import WIKI_ENV, read_wiki_ndjson, resolve_wiki_file, wiki_pairs
from model.atomic import atomic_dir, write_json_atomic
from model.data import DataError
from model.layout import WEB, links_dir

log = logging.getLogger(__name__)


@dataclass
class LinksConfig:
    """How ``python -m explorer.links`` was run; saved as ``links/config.json``."""

    out: str = "artifacts"
    data: str | None = None
    wiki: str | None = None
    embedding_dim: int = 50
    negative_ratio: int = 2
    batch_size: int = 4096
    epochs: int = 8
    wiki_batch_size: int = 0  # 0: about 40 batches per epoch, at least 256 pairs
    wiki_epochs: int = 20
    wiki_pair_budget: int = 3_000_000  # caps epochs x pairs, so the full 37,020-book file stays quick
    learning_rate: float = 0.02
    held_out: float = 0.05
    min_link_count: int = 4
    min_tag_books: int = 20
    max_tags_per_book: int = 30
    k: int = 10
    seed: int = 0


def parse_args(argv: list[str] | None = None) -> LinksConfig:
    d = LinksConfig()
    p = argparse.ArgumentParser(prog="python -m explorer.links", description=__doc__.split("\n")[0])
    p.add_argument(
        "--out", default=d.out, help="artifacts root (writes explorer/links/, reads model/ when there)"
    )
    p.add_argument(
        "--data", default=None, help="goodbooks-10k directory (default: $GOODBOOKS_DIR, else download)"
    )
    p.add_argument(
        "--wiki",
        default=None,
        help=f"Wikipedia books ndjson file (default: ${WIKI_ENV}; neither, or 'none': no Wikipedia model)",
    )
    p.add_argument("--embedding-dim", type=int, default=d.embedding_dim, help="size of book and link vectors")
    p.add_argument(
        "--negative-ratio", type=int, default=d.negative_ratio, help="sampled negatives per real pair"
    )
    p.add_argument(
        "--batch-size", type=int, default=d.batch_size, help="real pairs per batch of the tags model"
    )
    p.add_argument("--epochs", type=int, default=d.epochs, help="passes over the tags model's pairs")
    p.add_argument(
        "--wiki-batch-size",
        type=int,
        default=d.wiki_batch_size,
        help="real Wikipedia pairs per batch (0: about 40 batches an epoch, at least 256)",
    )
    p.add_argument("--wiki-epochs", type=int, default=d.wiki_epochs, help="passes over the Wikipedia pairs")
    p.add_argument(
        "--wiki-pair-budget",
        type=int,
        default=d.wiki_pair_budget,
        help="at most this many real pairs over all Wikipedia epochs (fewer epochs on big files)",
    )
    p.add_argument("--learning-rate", type=float, default=d.learning_rate, help="Adam learning rate")
    p.add_argument(
        "--held-out", type=float, default=d.held_out, help="fraction of pairs held out for the AUC"
    )
    p.add_argument("--min-link-count", type=int, default=d.min_link_count, help="drop rarer Wikipedia links")
    p.add_argument("--min-tag-books", type=int, default=d.min_tag_books, help="drop tags on fewer books")
    p.add_argument(
        "--max-tags-per-book", type=int, default=d.max_tags_per_book, help="most-used tags kept per book"
    )
    p.add_argument("--k", type=int, default=d.k, help="neighbors per book in content_similar.json")
    p.add_argument("--seed", type=int, default=d.seed, help="random seed")
    return LinksConfig(**vars(p.parse_args(argv)))


FULL_SEARCH_BOOKS = 12_000
AGREEMENT_SAMPLE = 5_000


def fit_and_save(
    pairs: Pairs, links_cfg: LinksConfig, epochs: int, batch_size: int, out_dir: Path
) -> LinkResult:
    """Train on all but the held-out pairs, measure, and write vectors + index to ``out_dir``."""
    # Imported here rather than at the top: explorer.link_model imports TensorFlow (seconds),
    # which `--help` and a run stopped by its input files never need. Before the clock
    # starts, so train_seconds still measures the split and the fit only.
    from explorer.link_model import LinkModelConfig, embeddings, train_link_model

    cfg = LinkModelConfig(
        embedding_dim=links_cfg.embedding_dim,
        negative_ratio=links_cfg.negative_ratio,
        batch_size=batch_size,
        epochs=epochs,
        learning_rate=links_cfg.learning_rate,
        seed=links_cfg.seed,
    )
    started = time.perf_counter()
    train_idx, test_idx = split_pairs(len(pairs), links_cfg.held_out, links_cfg.seed)
    log.info(
        "%s: %d books, %d links, %d pairs (%d held out); training %d epochs",
        pairs.source,
        pairs.num_books,
        pairs.num_links,
        len(pairs),
        len(test_idx),
        epochs,
    )
    model, history = train_link_model(pairs, train_idx, cfg)
    book_vecs, link_vecs = embeddings(model)
    metrics = {
        "books": pairs.num_books,
        "links": pairs.num_links,
        "pairs": len(pairs),
        "epochs": epochs,
        "train_seconds": round(time.perf_counter() - started, 1),  # split + fit
        "final_loss": round(history["loss"][-1], 4),
    }
    metrics.update(link_prediction_auc(book_vecs, link_vecs, pairs, test_idx, train_idx, links_cfg.seed))
    # 15: enough for content_similar (k=10) and for the maps' UMAP graph (n_neighbors=15), which
    # read neighbors.npy instead of searching again. Beyond FULL_SEARCH_BOOKS books (the full
    # Wikipedia file) the author figure uses a sample of books: an all-pairs search costs minutes.
    rows = None
    if pairs.num_books > FULL_SEARCH_BOOKS:
        rng = np.random.default_rng(links_cfg.seed)
        rows = np.sort(rng.choice(pairs.num_books, AGREEMENT_SAMPLE, replace=False))
    neighbors = top_k_neighbors(book_vecs, max(15, links_cfg.k), rows=rows)
    if any(pairs.authors):
        metrics["author_agreement"] = author_agreement(book_vecs, pairs.authors, 10, neighbors, rows)
    if any(pairs.genres):
        metrics["genre_agreement"] = label_agreement(book_vecs, pairs.genres, 10, neighbors, rows)
    metrics["eval_seconds"] = round(time.perf_counter() - started - metrics["train_seconds"], 1)
    out_dir.mkdir(parents=True)
    save_link_space(out_dir, pairs, book_vecs, link_vecs)
    if rows is None:
        np.save(out_dir / NEIGHBORS_FILE, neighbors.astype(np.int32))
    (out_dir / "history.json").write_text(json.dumps(history, indent=2))
    (out_dir / "config.json").write_text(json.dumps(cfg.__dict__, indent=2))
    log.info("%s: %s", pairs.source, metrics)
    return LinkResult(pairs, book_vecs, link_vecs, history, metrics, neighbors if rows is None else None)


def content_similar(result: LinkResult, k: int = 10) -> dict:
    """``web/content_similar.json``: the k nearest books (cosine of tags-model vectors) per book_id."""
    near = result.neighbors
    neighbors = (
        near[:, :k] if near is not None and near.shape[1] >= k else top_k_neighbors(result.book_vecs, k)
    )
    ids = result.pairs.book_keys
    return {
        "k": k,
        "neighbors": {str(ids[i]): [ids[j] for j in row] for i, row in enumerate(neighbors.tolist())},
    }


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    cfg = parse_args(argv)
    started = time.perf_counter()
    try:
        sources = {TAGS: load_tag_pairs(cfg.data, cfg.min_tag_books, cfg.max_tags_per_book)}
        wiki_path = resolve_wiki_file(cfg.wiki)
        parse_report = None
        if wiki_path is not None:
            wiki_books, parse_report = read_wiki_ndjson(wiki_path)
            sources["wikipedia"] = wiki_pairs(wiki_books, cfg.min_link_count)
        log.info("pairs ready after %.1f s (data loading)", time.perf_counter() - started)
    except DataError as err:
        log.error("%s", err)
        return 2
    out = Path(cfg.out)
    results = {}

    with atomic_dir(links_dir(out)) as tmp:
        for name, pairs in sources.items():
            if name == TAGS:
                epochs, batch_size = cfg.epochs, cfg.batch_size
            else:
                epochs = max(1, min(cfg.wiki_epochs, cfg.wiki_pair_budget // len(pairs)))
                if epochs < cfg.wiki_epochs:
                    log.info("wikipedia: %d pairs, so %d epochs (--wiki-pair-budget)", len(pairs), epochs)
                batch_size = cfg.wiki_batch_size or max(256, len(pairs) // 40)
            results[name] = fit_and_save(pairs, cfg, epochs, batch_size, tmp / name)
        report = quality_report(results, parse_report, out)
        report["seconds"] = round(time.perf_counter() - started, 1)
        (tmp / "config.json").write_text(json.dumps(asdict(cfg), indent=2))
        (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        (tmp / "report.md").write_text(report_markdown(report), encoding="utf-8")
        write_json_atomic(content_similar(results[TAGS], cfg.k), tmp / WEB / "content_similar.json")
    log.info("explorer.links finished in %.1f s; wrote %s", time.perf_counter() - started, links_dir(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
