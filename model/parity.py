"""The golden parity file (``parity.json``), written by the export: what the shipped model
answers for a few visitors and books, so that every other implementation of the browser's
scoring (web/js/recommend.js in Chromium, the server's similar books, ``model.recommend``) is
tested against the same answers (tests/model/test_parity.py, tests/model/test_tfjs_browser.py).
"""

from __future__ import annotations

import numpy as np

from model.ranking import top_k
from model.scoring import model_tables, predict_batch, reason_candidates, reason_for, similar_rows
from model.split import DEFAULT_PICK_STARS

K = 10
# Visitors as {model row: stars}: plain picks, mixed stars (a 1-2 star pick must not explain
# anything while another is liked), a single 3-star pick (nothing liked), many picks, none.
VISITOR_ROWS = (
    {0: DEFAULT_PICK_STARS, 2: DEFAULT_PICK_STARS, 4: DEFAULT_PICK_STARS},
    {1: 5, 3: 4, 5: 2, 9: 1},
    {7: 3},
    {row: 5 if row % 3 else 4 for row in range(10, 40, 2)},
    {},
)
SIMILAR_ROWS = (0, 1, 2, 9, 30)


def golden(model, book_ids: np.ndarray) -> dict:
    """{"k", "visitors": [{"picks": {book_id: stars}, "top", "stars", "reasons"}],
    "similar": {book_id: [book_id, ...]}} for the rows above that the catalogue has."""
    n = len(book_ids)
    table = model_tables(model)
    visitors = [{r: s for r, s in v.items() if r < n} for v in VISITOR_ROWS]
    picks = [(np.array(list(v), np.int32), np.array(list(v.values()), np.float32)) for v in visitors]
    scores, stars = predict_batch(model, picks)
    out = {"k": K, "visitors": [], "similar": {}}
    for i, visitor in enumerate(visitors):
        rows = list(visitor)
        liked = reason_candidates(rows, list(visitor.values()))
        top = top_k(scores[i], K, exclude=rows).tolist()
        out["visitors"].append(
            {
                "picks": {str(book_ids[r]): float(s) for r, s in visitor.items()},
                "top": [int(book_ids[r]) for r in top],
                "stars": [float(stars[i, r]) for r in top],
                "reasons": [int(book_ids[reason_for(*table, r, liked)]) if liked else None for r in top],
            }
        )
    for row in (r for r in SIMILAR_ROWS if r < n):
        out["similar"][str(book_ids[row])] = [int(book_ids[r]) for r in similar_rows(*table, row, K)]
    return out
