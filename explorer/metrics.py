"""How good a set of book vectors is: held-out link prediction (AUC) and label agreement
(how often a book's nearest books share its first author or its genre). numpy only."""

from __future__ import annotations

import numpy as np

from explorer.pairs import Pairs, is_known, known_codes, pair_codes
from explorer.vectors import normalize, top_k_neighbors


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
    known = known_codes(pair_codes(pairs.book_rows, pairs.link_rows, pairs.num_links))
    popularity = np.bincount(pairs.link_rows[train_idx], minlength=pairs.num_links).astype(np.float64)
    books, links = pairs.book_rows[test_idx], pairs.link_rows[test_idx]
    b, lk = normalize(book_vecs), normalize(link_vecs)

    def cosine(bs, ls):
        return np.einsum("nd,nd->n", b[bs], lk[ls])

    out = {"held_out_pairs": int(len(test_idx))}
    for kind, p in (("uniform", None), ("popularity", (popularity + 1) / (popularity + 1).sum())):
        neg = rng.choice(pairs.num_links, size=len(books), p=p)
        clash = is_known(known, pair_codes(books, neg, pairs.num_links))
        while clash.any():
            neg[clash] = rng.choice(pairs.num_links, size=int(clash.sum()), p=p)
            clash[clash] = is_known(known, pair_codes(books[clash], neg[clash], pairs.num_links))
        out[f"auc_{kind}_negatives"] = round(roc_auc(cosine(books, links), cosine(books, neg)), 4)
        out[f"popularity_baseline_auc_{kind}_negatives"] = round(
            roc_auc(
                popularity[links] + rng.random(len(links)) * 1e-3,
                popularity[neg] + rng.random(len(neg)) * 1e-3,
            ),
            4,
        )
    return out


def first_author(authors: str) -> str:
    """'Chuck Dixon, J.R.R. Tolkien' -> 'chuck dixon'."""
    return authors.split(",")[0].strip().lower()


def author_agreement(
    vectors: np.ndarray,
    authors: list[str],
    k: int = 10,
    neighbors: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> dict:
    """How often a book's k nearest books share its first author, versus picking at random."""
    return label_agreement(vectors, [first_author(a) for a in authors], k, neighbors, rows)


def label_agreement(
    vectors: np.ndarray,
    labels: list[str],
    k: int = 10,
    neighbors: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> dict:
    """How often a book's k nearest books share its label (author, genre), versus chance.

    ``share`` is averaged over books with a label ("" = none); ``chance`` is the same share for
    k random other books (other books with the label over all other books). ``rows`` limits
    both to a sample of books; ``neighbors`` may pass in ``top_k_neighbors(vectors, k2,
    rows=rows)`` for some k2 >= k.
    """
    names = np.array(labels, dtype=object)
    known = names != ""
    if known.sum() < 2:
        return {}
    _, codes = np.unique(names, return_inverse=True)
    if neighbors is None or neighbors.shape[1] < k:
        neighbors = top_k_neighbors(vectors, k, rows=rows)
    neighbors = neighbors[:, :k]
    rows = np.arange(len(names)) if rows is None else np.asarray(rows)
    same = codes[neighbors] == codes[rows, None]  # [len(rows), k]
    mine = known[rows]
    share = float(same[mine].mean())
    per_author = np.bincount(codes[known])
    chance = float(((per_author[codes[rows[mine]]] - 1) / (len(names) - 1)).mean())
    return {
        "k": k,
        "books": int(mine.sum()),
        "share": round(share, 4),
        "chance": round(chance, 5),
        "lift": round(share / chance, 1) if chance else None,
    }
