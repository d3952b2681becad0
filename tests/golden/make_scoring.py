"""Write tests/golden/scoring.json: the browser's scoring rules (docs/ARTIFACTS.md, "The
browser's scoring") answered by model/scoring.py on small tables. Both languages are checked
against it in seconds: tests/model/test_scoring_golden.py for Python, tests/js/recommend-golden
.test.js for ``reasonFor``, ``similarRows`` and ``topRows`` of web/js/recommend.js (the
Chromium tests then run the real model). Regenerate only on purpose:

    .venv/bin/python -m tests.golden.make_scoring

The tables are the rating model's closed-form parts on the synthetic planted world
(model/synthetic.py): the neighbor table (denoising EASE) and co-liked book vectors, with
ties planted: two books with the same vector, a zero vector, a book whose votes are all zero
and one whose strongest votes are equal.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from model.ranking import top_k, unit_rows
from model.scoring import reason_candidates, reason_for, similar_rows
from model.synthetic import make_goodbooks
from model.tables import co_liked_vectors, neighbor_table

GOLDEN = Path(__file__).with_name("scoring.json")
NUM_BOOKS, NUM_USERS, DIM, NEIGHBORS, K = 40, 300, 8, 6, 8
SAME_VECTOR, ZERO_VECTOR, NO_VOTES, EQUAL_VOTES = (5, 7), 11, 3, 4
# Visitors as {row: stars}: liked picks, a disliked pick beside liked ones, nothing liked,
# picks that include the planted ties.
VISITORS = (
    {0: 5, 2: 5, 4: 5},
    {1: 5, 3: 4, 9: 2, 13: 1},
    {7: 3, 10: 2},
    {5: 5, 7: 5, 11: 4, 3: 5},
    {20: 4, 21: 5, 22: 4, 23: 5, 24: 4, 25: 5},
    {NO_VOTES: 5},
)


def tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(neighbor_rows int [N, M], neighbor_weights float32 [N, M], vectors float32 [N, d])."""
    ratings = make_goodbooks(num_books=NUM_BOOKS, num_users=NUM_USERS, seed=0)["ratings"]
    liked = ratings[ratings["rating"] >= 4]
    matrix = sp.csr_matrix(
        (np.ones(len(liked)), (liked["user_id"] - 1, liked["book_id"] - 1)), shape=(NUM_USERS, NUM_BOOKS)
    )
    rows, weights = neighbor_table((matrix.T @ matrix).toarray(), 10.0, 0.0, NEIGHBORS)
    vectors = co_liked_vectors(matrix, DIM, 0).astype(np.float32)
    vectors[SAME_VECTOR[1]] = vectors[SAME_VECTOR[0]]
    vectors[ZERO_VECTOR] = 0.0
    weights = weights.astype(np.float32)
    weights[NO_VOTES] = 0.0
    weights[EQUAL_VOTES, :2] = weights[EQUAL_VOTES, 0]
    return rows.astype(np.int64), weights, vectors


def golden() -> dict:
    rows, weights, vectors = tables()
    unit = unit_rows(vectors.astype(np.float64))  # as model_tables reads a model
    rng = np.random.default_rng(0)
    reasons = []
    for visitor in VISITORS:
        candidates = reason_candidates(list(visitor), list(visitor.values()))
        for suggestion in range(NUM_BOOKS):
            if suggestion not in visitor:
                reason = reason_for(rows, weights, unit, suggestion, candidates)
                reasons.append({"suggestion": suggestion, "candidates": candidates, "reason": reason})
    tops = []
    for case in range(4):
        # Scores on a coarse grid, so that many are equal: ties go to the lower row.
        scores = (rng.integers(0, 6, NUM_BOOKS) / 4).astype(np.float32)
        exclude = sorted(int(r) for r in rng.choice(NUM_BOOKS, size=case * 3, replace=False))
        k = [5, 10, NUM_BOOKS, 3][case]
        top = top_k(scores, k, exclude=exclude).tolist()
        tops.append({"scores": scores.tolist(), "k": k, "exclude": exclude, "rows": top})
    return {
        "num_books": NUM_BOOKS,
        "dim": DIM,
        "num_neighbors": int(rows.shape[1]),
        "vectors": vectors.tolist(),
        "neighbor_rows": rows.tolist(),
        "neighbor_weights": weights.tolist(),
        "k": K,
        "reasons": reasons,
        "similar": [similar_rows(rows, weights, unit, row, K) for row in range(NUM_BOOKS)],
        "top": tops,
    }


def main() -> None:
    GOLDEN.write_text(json.dumps(golden(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
