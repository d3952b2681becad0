"""Write tests/golden/scoring.json: the browser's scoring rules (docs/ARTIFACTS.md, "The
browser's scoring") answered by model/scoring.py on small tables. Both languages are checked
against it in seconds: tests/model/test_scoring_golden.py for Python, tests/js/recommend-golden
.test.js for ``reasonFor``, ``similarRows`` and ``topRows`` of web/js/recommend.js (the
Chromium tests then run the real model), and tests/web/test_catalogue_golden.py for the
server's similar books (server/catalogue.py). Regenerate only on purpose:

    .venv/bin/python -m tests.golden.make_scoring

The tables are the rating model's closed-form parts on the synthetic planted world
(model/synthetic.py): the neighbor table (denoising EASE) and co-liked book vectors, with
ties planted: two books with the same vector, a zero vector, a book whose votes are all zero
and one whose strongest votes are equal. ``arrange`` (one card per series, "Next in your
series") is pinned on a small catalogue of series titles: hand-made cases whose answers are
written here and checked as the file is made, then seeded random ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from model.discovery import metadata_entry
from model.ranking import top_k, unit_rows
from model.scoring import (
    arrange,
    discovery_arrange,
    discovery_scores,
    reason_candidates,
    reason_for,
    similar_rows,
)
from model.series import series_table
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


SERIES_TITLES = [
    "Saga One (Saga, #1)",  # 0
    "Saga Two (Saga, #2)",  # 1
    "Saga Three (Saga, #3)",  # 2
    "Saga Box (Saga, #1-3)",  # 3: an omnibus
    "Saga Four (Saga, #4)",  # 4
    "Alone A",  # 5
    "Alone B",  # 6
    "Trio Two (Trio, #2)",  # 7: the catalogue has no Trio #1
    "Trio Three (Trio, #3)",  # 8
    "Trio Prequel (Trio, #0.5)",  # 9
    "Alone C",  # 10
    "Duo One (Duo, #1)",  # 11
    "Duo Two, Part 1 (Duo, #2: Part 1 of 2)",  # 12
    "Duo Two, Part 2 (Duo, #2: Part 2 of 2)",  # 13
    "Alone D (Vol. 2)",  # 14: no series
    "Alone E",  # 15
]


def ranked(*order: int) -> list[float]:
    """Scores that put ``order``'s rows first, in that order; every other row at 0."""
    scores = [0.0] * len(SERIES_TITLES)
    for place, row in enumerate(order):
        scores[row] = float(100 - place)
    return scores


# (what it shows, scores, hidden, started, dismissed, k, (main_rows, more_counts, next_rows))
ARRANGE_CASES = [
    (
        "a series not started shows its first volume with +N",
        ranked(2, 5, 1, 8),
        [],
        [],
        [],
        4,
        ([0, 5, 7, 6], [4, 0, 2, 0], []),
    ),
    (
        "#1 picked gives #2 next, and no Saga card",
        ranked(2, 1, 5),
        [0],
        [0],
        [],
        3,
        ([5, 6, 7], [0, 0, 2], [1]),
    ),
    ("#1 and #2 give #3", ranked(4, 2), [0, 1], [0, 1], [], 5, ([5, 6, 7, 10, 11], [0, 0, 2, 0, 2], [2])),
    ("an omnibus #1-3 read gives #4", ranked(4, 2), [3], [3], [], 3, ([5, 6, 7], [0, 0, 2], [4])),
    ("next volumes in score order", ranked(8, 1), [0, 7], [0, 7], [], 3, ([5, 6, 10], [0, 0, 0], [8, 1])),
    ("a dismissed series is absent", ranked(1, 8, 5), [9], [], [9], 4, ([0, 5, 6, 10], [4, 0, 0, 0], [])),
    (
        "a hidden first volume: the next one stands for the series",
        ranked(2),
        [0, 3],
        [],
        [],
        2,
        ([1, 5], [2, 0], []),
    ),
    ("two parts at one position: the lower row first", ranked(13), [11], [11], [], 1, ([0], [4], [12])),
    ("all read: no next", ranked(5), [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [], 2, ([5, 6], [0, 0], [])),
    ("ties go to the lower row", [1.0] * 16, [], [], [], 3, ([0, 5, 6], [4, 0, 0], [])),
]


def arrange_cases(rng: np.random.Generator) -> list[dict]:
    table = series_table(SERIES_TITLES)
    cases = []
    for name, scores, hidden, started, dismissed, k, expected in ARRANGE_CASES:
        got = arrange(np.array(scores, np.float32), hidden, table, started, dismissed, k)
        assert got == tuple(list(x) for x in expected), (name, got)
        cases.append(
            {
                "name": name,
                "scores": scores,
                "hidden": hidden,
                "started": started,
                "dismissed": dismissed,
                "k": k,
            }
        )
    for case in range(12):
        # A coarse grid: ties everywhere; picks, marks read and "not interested" at random.
        scores = (rng.integers(0, 5, len(SERIES_TITLES)) / 4).astype(np.float32)
        marked = rng.permutation(len(SERIES_TITLES))[: case % 6].tolist()
        started, dismissed = marked[: len(marked) // 2 + 1], marked[len(marked) // 2 + 1 :]
        hidden = sorted(marked + rng.permutation(len(SERIES_TITLES))[: case % 3].tolist())
        cases.append(
            {
                "name": f"random {case}",
                "scores": scores.tolist(),
                "hidden": sorted(set(hidden)),
                "started": started,
                "dismissed": dismissed,
                "k": [3, 10, 16][case % 3],
            }
        )
    for case in cases:
        main, more, following = arrange(
            np.array(case["scores"], np.float32),
            case["hidden"],
            table,
            case["started"],
            case["dismissed"],
            case["k"],
        )
        case.update(main_rows=main, more_counts=more, next_rows=following)
    return cases


def series_golden() -> dict:
    """The arrange cases' series table, as metadata.json's ``series`` writes one."""
    table = series_table(SERIES_TITLES)
    rows = np.flatnonzero(table.index >= 0)
    return {
        "titles": SERIES_TITLES,
        "count": table.count,
        "rows": rows.tolist(),
        "index": table.index[rows].tolist(),
        "position": table.position[rows].tolist(),
        "end": table.end[rows].tolist(),
    }


# One weight per pick bucket (discovery.PICKS_FROM: 1, 2-3, 4-7, 8+).
DISCOVERY_WEIGHTS = {
    "popular": [-0.7, -0.9, -1.2, -0.5],
    "balanced": [0.3, -0.1, -0.4, 0.0],
    "lesser-known": [0.3, -0.1, -0.4, 0.0],
    "lesser_steps": [0.0, 0.5, 1.0, 2.0],
}
PICK_COUNTS = (0, 1, 2, 3, 5, 9)  # every bucket and its edges; 0 counts as the first


def discovery_golden() -> dict:
    """metadata.json's ``discovery`` for NUM_BOOKS books of seeded ratings counts, and for a few
    score vectors each setting's re-scored values (float64, exact in JSON) and their top K rows,
    at several numbers of picks (its own seed: the other cases stay as they were)."""
    rng = np.random.default_rng(24)
    entry = metadata_entry(np.round(10 ** rng.uniform(1, 6, NUM_BOOKS)), DISCOVERY_WEIGHTS)
    cases = []
    for _ in range(3):
        scores = rng.normal(0, 1, NUM_BOOKS).astype(np.float32)
        for setting in entry["settings"]:
            num_picks = PICK_COUNTS[len(cases) % len(PICK_COUNTS)]
            values = discovery_scores(scores, entry, setting, num_picks)
            cases.append(
                {
                    "scores": scores.tolist(),
                    "setting": setting,
                    "num_picks": num_picks,
                    "values": values.tolist(),
                    "rows": top_k(values, K).tolist(),
                }
            )
    return {"entry": entry, "cases": cases}


def discovery_arrange_golden() -> dict:
    """``discovery_arrange`` on the arrange cases' series titles: an entry whose four
    most-rated books are its ``most_rated`` (at most one of them among the first cards), and
    seeded scores, shelves and numbers of picks for each setting (its own seed)."""
    rng = np.random.default_rng(2424)
    n = len(SERIES_TITLES)
    entry = metadata_entry(np.round(10 ** rng.uniform(1, 6, n)), DISCOVERY_WEIGHTS)
    entry["lesser_known"]["most_rated"] = sorted(
        int(r) for r in np.argsort(-np.array(entry["popularity"]))[:4]
    )
    # Sixteen books: a lower knee and larger steps, so lists stop at every step of the search.
    entry["knee"], entry["lesser_known"]["steps"] = 0.0, [0.0, 0.5, 1.5, 4.0]
    table = series_table(SERIES_TITLES)
    cases = []
    for case in range(12):
        scores = rng.normal(0, 1, n).astype(np.float32)
        picks = rng.permutation(n)[: PICK_COUNTS[case % len(PICK_COUNTS)]].tolist()
        setting = entry["settings"][case % 3] if case < 6 else "lesser-known"
        k = [3, 10, 16][case % 3]
        ranked, (main, more, following) = discovery_arrange(
            scores, entry, setting, len(picks), picks, table, picks, [], k
        )
        cases.append(
            {
                "scores": scores.tolist(),
                "setting": setting,
                "picks": picks,
                "k": k,
                "ranked": ranked.tolist(),
                "main_rows": main,
                "more_counts": more,
                "next_rows": following,
            }
        )
    return {"entry": entry, "cases": cases}


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
        "series": series_golden(),
        "arrange": arrange_cases(rng),
        "discovery": discovery_golden(),
        "discovery_arrange": discovery_arrange_golden(),
    }


def main() -> None:
    GOLDEN.write_text(json.dumps(golden(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
