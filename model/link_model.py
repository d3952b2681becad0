"""The link-embedding model: books and links as vectors, trained with negative sampling.

A book and a link that appear together (a real pair) should have a high cosine; a book and a
random link should not. The model is two ``Embedding`` tables, the dot product of the
normalised vectors, and a one-weight logistic layer (a learned scale and bias on the cosine).
Negatives are drawn batch by batch by ``PairSampler`` and never coincide with a real pair, so
the full set of negatives never exists in memory.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model import import_tensorflow
from model.explore import author_agreement, label_agreement, normalise, top_k_neighbours
from model.links import Pairs, save_vectors

tf = import_tensorflow()
log = logging.getLogger(__name__)


@dataclass
class LinkModelConfig:
    """Training settings of one link model."""

    embedding_dim: int = 50
    negative_ratio: int = 2
    batch_size: int = 1024
    epochs: int = 4
    learning_rate: float = 0.01
    seed: int = 0


def build_link_model(num_books: int, num_links: int, embedding_dim: int = 50) -> tf.keras.Model:
    """Inputs ``book``, ``link`` (int32 [batch]); output P(real pair) float32 [batch, 1]."""
    book = tf.keras.Input(shape=(), dtype="int32", name="book")
    link = tf.keras.Input(shape=(), dtype="int32", name="link")
    book_vec = tf.keras.layers.Embedding(num_books, embedding_dim, name="book_embedding")(book)  # [batch, d]
    link_vec = tf.keras.layers.Embedding(num_links, embedding_dim, name="link_embedding")(link)  # [batch, d]
    cosine = tf.keras.layers.Dot(axes=1, normalize=True, name="cosine")([book_vec, link_vec])  # [batch, 1]
    score = tf.keras.layers.Dense(1, activation="sigmoid", name="score")(cosine)  # [batch, 1]
    return tf.keras.Model({"book": book, "link": link}, score, name="link_model")


def pair_codes(book_rows: np.ndarray, link_rows: np.ndarray, num_links: int) -> np.ndarray:
    """One int64 per (book, link) pair, so pair sets can be searched with ``np.searchsorted``."""
    return book_rows.astype(np.int64) * num_links + link_rows.astype(np.int64)


class PairSampler:
    """Batches of real pairs (label 1) and sampled negatives (label 0) for one epoch at a time.

    A negative keeps the book of a real pair of the batch and takes a uniformly random link,
    redrawn until the pair is not in ``known_codes`` (every real pair, held-out ones included),
    so a negative is never a real pair. Real pairs carry their weight; negatives weight 1.
    """

    def __init__(
        self,
        book_rows: np.ndarray,
        link_rows: np.ndarray,
        weights: np.ndarray,
        num_links: int,
        known_codes: np.ndarray,
        negative_ratio: int = 2,
        batch_size: int = 1024,
        seed: int = 0,
    ):
        if negative_ratio < 1:
            raise ValueError("negative_ratio must be at least 1")
        self.book_rows = np.asarray(book_rows, dtype=np.int32)
        self.link_rows = np.asarray(link_rows, dtype=np.int32)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.num_links = num_links
        self.known = np.unique(known_codes)
        self.negative_ratio = negative_ratio
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        links_per_book = np.bincount(self.known // num_links)
        if (links_per_book >= num_links).any():
            raise ValueError("a book is paired with every link, so no negative exists for it")

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.book_rows) // self.batch_size)

    def is_real(self, book_rows: np.ndarray, link_rows: np.ndarray) -> np.ndarray:
        """bool [n]: which (book, link) pairs are known real pairs."""
        codes = pair_codes(book_rows, link_rows, self.num_links)
        at = np.searchsorted(self.known, codes)
        at[at == len(self.known)] = 0
        return self.known[at] == codes

    def negatives(self, book_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each book row, ``negative_ratio`` random links that make no real pair."""
        books = np.repeat(book_rows, self.negative_ratio)
        links = self.rng.integers(0, self.num_links, size=len(books), dtype=np.int32)
        clash = self.is_real(books, links)
        while clash.any():
            links[clash] = self.rng.integers(0, self.num_links, size=int(clash.sum()), dtype=np.int32)
            clash[clash] = self.is_real(books[clash], links[clash])
        return books, links

    def epoch(self):
        """Yield ``({"book", "link"}, labels, sample_weights)`` batches over a shuffled epoch."""
        order = self.rng.permutation(len(self.book_rows))
        for start in range(0, len(order), self.batch_size):
            take = order[start : start + self.batch_size]
            pos_books, pos_links = self.book_rows[take], self.link_rows[take]
            neg_books, neg_links = self.negatives(pos_books)
            books = np.concatenate([pos_books, neg_books])
            links = np.concatenate([pos_links, neg_links])
            labels = np.concatenate([np.ones(len(take), np.float32), np.zeros(len(neg_books), np.float32)])
            weights = np.concatenate([self.weights[take], np.ones(len(neg_books), np.float32)])
            yield {"book": books, "link": links}, labels, weights

    def dataset(self) -> tf.data.Dataset:
        """An endless ``tf.data`` pipeline of ``epoch()`` after ``epoch()``, fresh negatives each time."""
        spec = tf.TensorSpec(shape=(None,), dtype=tf.int32)
        signature = (
            {"book": spec, "link": spec},
            tf.TensorSpec(shape=(None,), dtype=tf.float32),
            tf.TensorSpec(shape=(None,), dtype=tf.float32),
        )
        return tf.data.Dataset.from_generator(self.epoch, output_signature=signature).repeat().prefetch(2)


def split_pairs(num_pairs: int, held_out: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of training and held-out pairs (a seeded random ``held_out`` fraction)."""
    order = np.random.default_rng(seed).permutation(num_pairs)
    n_test = int(round(num_pairs * held_out))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def train_link_model(
    pairs: Pairs, train_idx: np.ndarray, cfg: LinkModelConfig
) -> tuple[tf.keras.Model, dict]:
    """Fit a link model on ``pairs[train_idx]``; return it and the per-epoch loss history."""
    tf.keras.utils.set_random_seed(cfg.seed)
    model = build_link_model(pairs.num_books, pairs.num_links, cfg.embedding_dim)
    model.compile(optimizer=tf.keras.optimizers.Adam(cfg.learning_rate), loss="binary_crossentropy")
    sampler = PairSampler(
        pairs.book_rows[train_idx],
        pairs.link_rows[train_idx],
        pairs.weights[train_idx],
        pairs.num_links,
        pair_codes(pairs.book_rows, pairs.link_rows, pairs.num_links),
        cfg.negative_ratio,
        cfg.batch_size,
        cfg.seed,
    )
    history = model.fit(
        sampler.dataset(),
        epochs=cfg.epochs,
        steps_per_epoch=sampler.steps_per_epoch,
        verbose=1 if sys.stderr.isatty() else 2,
    )
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def embeddings(model: tf.keras.Model) -> tuple[np.ndarray, np.ndarray]:
    """(book vectors [num_books, d], link vectors [num_links, d]) as float32."""
    book = model.get_layer("book_embedding").get_weights()[0]
    link = model.get_layer("link_embedding").get_weights()[0]
    return book.astype(np.float32), link.astype(np.float32)


# ---------------------------------------------------------------------------------------
# Measuring


def roc_auc(positive_scores: np.ndarray, negative_scores: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    scores = np.concatenate([positive_scores, negative_scores])
    ranks = np.empty(len(scores))
    order = np.argsort(scores, kind="stable")
    ranks[order] = np.arange(1, len(scores) + 1)
    # average ranks of ties
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]
    n_pos, n_neg = len(positive_scores), len(negative_scores)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def link_prediction_auc(
    book_vecs: np.ndarray,
    link_vecs: np.ndarray,
    pairs: Pairs,
    test_idx: np.ndarray,
    train_idx: np.ndarray,
    seed: int,
) -> dict:
    """Held-out AUC of the cosine, against two kinds of negatives, with a popularity baseline.

    Each held-out pair (book, link) is matched with a negative (book, other link) that is not a
    real pair, the other link drawn either uniformly or in proportion to its popularity in the
    training pairs. "Popularity" scores a pair by the training frequency of its link.
    """
    rng = np.random.default_rng(seed + 1)
    known = np.unique(pair_codes(pairs.book_rows, pairs.link_rows, pairs.num_links))
    popularity = np.bincount(pairs.link_rows[train_idx], minlength=pairs.num_links).astype(np.float64)
    books, links = pairs.book_rows[test_idx], pairs.link_rows[test_idx]
    b, lk = normalise(book_vecs), normalise(link_vecs)

    def cosine(bs, ls):
        return np.einsum("nd,nd->n", b[bs], lk[ls])

    out = {"held_out_pairs": int(len(test_idx))}
    for kind, p in (("uniform", None), ("popularity", (popularity + 1) / (popularity + 1).sum())):
        neg = rng.choice(pairs.num_links, size=len(books), p=p)
        clash = np.isin(pair_codes(books, neg, pairs.num_links), known)
        while clash.any():
            neg[clash] = rng.choice(pairs.num_links, size=int(clash.sum()), p=p)
            clash[clash] = np.isin(pair_codes(books[clash], neg[clash], pairs.num_links), known)
        out[f"auc_{kind}_negatives"] = round(roc_auc(cosine(books, links), cosine(books, neg)), 4)
        out[f"popularity_baseline_auc_{kind}_negatives"] = round(
            roc_auc(
                popularity[links] + rng.random(len(links)) * 1e-3,
                popularity[neg] + rng.random(len(neg)) * 1e-3,
            ),
            4,
        )
    return out


# ---------------------------------------------------------------------------------------
# The stage's pieces, called by ``model.links.main``


FULL_SEARCH_BOOKS = 12_000
AGREEMENT_SAMPLE = 5_000


@dataclass
class LinkResult:
    """A trained link model's vectors and what was measured on it."""

    pairs: Pairs
    book_vecs: np.ndarray
    link_vecs: np.ndarray
    history: dict
    metrics: dict
    neighbours: np.ndarray | None  # int64 [num_books, k]: nearest books, best first (None if sampled)


def fit_and_save(pairs: Pairs, links_cfg, epochs: int, batch_size: int, out_dir: Path) -> LinkResult:
    """Train on all but the held-out pairs, measure, and write vectors + index to ``out_dir``."""
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
    # read neighbours.npy instead of searching again. Beyond FULL_SEARCH_BOOKS books (the full
    # Wikipedia file) the author figure uses a sample of books: an all-pairs search costs minutes.
    rows = None
    if pairs.num_books > FULL_SEARCH_BOOKS:
        rng = np.random.default_rng(links_cfg.seed)
        rows = np.sort(rng.choice(pairs.num_books, AGREEMENT_SAMPLE, replace=False))
    neighbours = top_k_neighbours(book_vecs, max(15, links_cfg.k), rows=rows)
    if any(pairs.authors):
        metrics["author_agreement"] = author_agreement(book_vecs, pairs.authors, 10, neighbours, rows)
    if any(pairs.genres):
        metrics["genre_agreement"] = label_agreement(book_vecs, pairs.genres, 10, neighbours, rows)
    metrics["eval_seconds"] = round(time.perf_counter() - started - metrics["train_seconds"], 1)
    out_dir.mkdir(parents=True)
    save_vectors(out_dir, pairs, book_vecs, link_vecs)
    if rows is None:
        np.save(out_dir / "neighbours.npy", neighbours.astype(np.int32))
    (out_dir / "history.json").write_text(json.dumps(history, indent=2))
    (out_dir / "config.json").write_text(json.dumps(cfg.__dict__, indent=2))
    log.info("%s: %s", pairs.source, metrics)
    return LinkResult(pairs, book_vecs, link_vecs, history, metrics, neighbours if rows is None else None)


def content_similar(result: LinkResult, k: int = 10) -> dict:
    """``web/content_similar.json``: the k nearest books (cosine of tag-model vectors) per book_id."""
    near = result.neighbours
    neighbours = (
        near[:, :k] if near is not None and near.shape[1] >= k else top_k_neighbours(result.book_vecs, k)
    )
    ids = result.pairs.book_keys
    return {
        "k": k,
        "neighbours": {str(ids[i]): [ids[j] for j in row] for i, row in enumerate(neighbours.tolist())},
    }


# Report examples; a name missing from a source (e.g. War and Peace in the 1,413-book
# Wikipedia sample) is skipped.
EXAMPLE_BOOKS = {
    "goodbooks": ("The Hobbit", "War and Peace", "The Blank Slate: The Modern Denial of Human Nature"),
    "wikipedia": ("War and Peace", "Jaws (novel)", "The Sea of Monsters", "The Dawkins Delusion?"),
}
EXAMPLE_LINKS = {
    "goodbooks": ("vampires", "dystopia", "philosophy"),
    "wikipedia": ("steven pinker", "science fiction", "h. p. lovecraft"),
}
EXAMPLE_AUTHORS = {"goodbooks": ("Steven Pinker",), "wikipedia": ("Steven Pinker",)}


def quality_report(results: dict, cfg, parse_report, rating_embeddings: Path, artifacts: Path) -> dict:
    """Metrics per source, the rating model's author agreement when it exists, and examples."""
    from model.explore import ExploreError, Space, similar_books, similar_links, similar_to_author

    report = {"sources": {name: r.metrics for name, r in results.items()}, "examples": {}}
    if parse_report is not None:
        report["wikipedia_parse"] = {
            "file": parse_report.path,
            "lines": parse_report.lines,
            "books": parse_report.books,
            "empty_link_lists": parse_report.empty_link_lists,
            "malformed_lines": len(parse_report.bad_lines),
            "first_malformed": [{"line": n, "reason": why} for n, why in parse_report.bad_lines[:20]],
        }
    if rating_embeddings.is_file():
        report["rating_model"] = _rating_model_agreement(
            rating_embeddings, artifacts, results["goodbooks"].pairs
        )
    for name, r in results.items():
        p = r.pairs
        space = Space(name, r.book_vecs, p.titles, p.authors, p.book_keys, r.link_vecs, p.link_names)
        examples = {}
        for title in EXAMPLE_BOOKS.get(name, ()):
            try:
                row, hits = similar_books(space, title, 8)
                examples[p.titles[row]] = [p.titles[j] for j, _ in hits]
            except ExploreError:
                log.info("%s: no book titled %r for the report's examples", name, title)
        for link in EXAMPLE_LINKS.get(name, ()):
            try:
                row, hits = similar_links(space, link, 8)
                examples[f"link: {p.link_names[row]}"] = [p.link_names[j] for j, _ in hits]
            except ExploreError:
                log.info("%s: no link %r for the report's examples", name, link)
        for author in EXAMPLE_AUTHORS.get(name, ()):
            try:
                _, hits = similar_to_author(space, author, 8)
                examples[f"author: {author}"] = [f"{p.titles[j]} ({p.authors[j]})" for j, _ in hits]
            except ExploreError:
                log.info("%s: no author %r for the report's examples", name, author)
        report["examples"][name] = examples
    return report


def _rating_model_agreement(path: Path, artifacts: Path, pairs: Pairs) -> dict:
    """Author agreement of the rating model's book vectors, rows mapped via metadata.json."""
    meta_path = artifacts / "web" / "metadata.json"
    if not meta_path.is_file():
        log.info("%s exists but %s does not: skipping the rating-model comparison", path, meta_path)
        return {}
    vecs = np.load(path)
    book_ids = json.loads(meta_path.read_text())["book_ids"]
    if len(book_ids) != len(vecs):
        log.warning(
            "%s has %d rows but metadata.json lists %d book_ids: skipping", path, len(vecs), len(book_ids)
        )
        return {}
    author_of = dict(zip(pairs.book_keys, pairs.authors, strict=True))
    genre_of = dict(zip(pairs.book_keys, pairs.genres, strict=True))
    neighbours = top_k_neighbours(vecs, 10)
    return {
        "author_agreement": author_agreement(vecs, [author_of.get(b, "") for b in book_ids], 10, neighbours),
        "genre_agreement": label_agreement(vecs, [genre_of.get(b, "") for b in book_ids], 10, neighbours),
    }


def _agreement_lines(metrics: dict) -> list[str]:
    lines = []
    for key, what in (("author_agreement", "first author"), ("genre_agreement", "genre")):
        a = metrics.get(key)
        if a:
            lines.append(
                f"- same {what} among the {a['k']} nearest books: {a['share']:.3f} "
                f"(chance {a['chance']:.4f}, {a['lift']:.1f}x; {a['books']} books)"
            )
    return lines


def report_markdown(report: dict) -> str:
    """A short human-readable version of ``report.json``."""
    lines = ["# Link-embedding quality", ""]
    for name, m in report["sources"].items():
        lines += [f"## {name}", ""]
        lines += [
            f"- {m['books']} books, {m['links']} links, {m['pairs']} pairs, {m['epochs']} epochs, "
            f"{m['train_seconds']} s",
            f"- held-out link prediction AUC ({m['held_out_pairs']} pairs): "
            f"{m['auc_uniform_negatives']} vs uniformly random links "
            f"(popularity baseline {m['popularity_baseline_auc_uniform_negatives']}), "
            f"{m['auc_popularity_negatives']} vs popularity-matched links "
            f"(popularity baseline {m['popularity_baseline_auc_popularity_negatives']})",
        ]
        lines += _agreement_lines(m)
        lines.append("")
    if report.get("rating_model"):
        lines += ["## rating model (book_embeddings.npy), for comparison", ""]
        lines += _agreement_lines(report["rating_model"]) + [""]
    for name, examples in report["examples"].items():
        lines += [f"## closest, {name}", ""]
        for query, answers in examples.items():
            lines.append(f"- **{query}**: " + "; ".join(answers))
        lines.append("")
    if "wikipedia_parse" in report:
        p = report["wikipedia_parse"]
        lines += [
            "## Wikipedia file",
            "",
            f"{p['file']}: {p['books']} books from {p['lines']} lines, {p['malformed_lines']} malformed, "
            f"{p['empty_link_lists']} with no links.",
            "",
        ]
    return "\n".join(lines)
