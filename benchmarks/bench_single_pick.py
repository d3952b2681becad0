"""A visitor's first list: the suggestions for one pick, as the page shows them (20).

    .venv/bin/python benchmarks/bench_single_pick.py [--artifacts artifacts] [--readers FILE] [--seed 0]
        [--draws 1] [--catalogue]

For each real reader (``--readers``, default ``$REAL_READERS``), one book they liked (4 or 5
stars; seeded draw) is the one pick. Prints the books that turn up in the most of those
lists: how often in the top 20 the page shows, how often in the top 10 (what Recall@10
measures), at ranks 11-20, and how many real readers rated each. A book in many lists whatever the pick is a
suggestion that does not depend on the visitor. Prints a table; asserts nothing.

Real readers pick popular books, whose lists share their neighbors, so a book can reach a few
percent of their lists by following those picks. ``--draws N`` repeats the readers' draw N
times (seeds ``--seed`` onwards) and prints the page's most repeated book of each: how much of
a number is the draw. ``--catalogue`` takes every book of the catalogue as the one pick once
(no reader file needed): a book at ranks 11-20 of many of those lists is there whatever the pick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHOWN = 20  # web/js/main.js PAGE: the suggestions one page shows
LIKED_STARS = 4


def one_pick_each(readers: pd.DataFrame, row_of: dict[int, int], seed: int) -> list[int]:
    """One liked book's row per reader who liked any book of the catalogue."""
    rng = np.random.default_rng(seed)
    rows = []
    for _, rated in readers.groupby("user_id"):
        liked = rated[(rated.rating >= LIKED_STARS) & rated.book_id.isin(row_of)].book_id.to_numpy()
        if len(liked):
            rows.append(row_of[int(liked[rng.integers(len(liked))])])
    return rows


def most_repeated(lists: list[list[int]], start: int = 10) -> tuple[int | None, float]:
    """(row, share): the row in the most of ``lists`` at ranks ``start`` + 1 onwards (11-20 of
    a page's 20), and the share of the lists it is in there; (None, 0.0) when none has one."""
    counts = Counter(row for cards in lists for row in cards[start:])
    if not counts:
        return None, 0.0
    row, count = counts.most_common(1)[0]
    return row, count / len(lists)


def page_lists(model, metadata: dict, picks: list[int]) -> list[list[int]]:
    """The page's main list (``SHOWN`` cards: the default discovery setting, then one card per
    series) for each one-pick visitor of ``picks`` (rows)."""
    from model.scoring import discovery_arrange, predict_batch
    from model.series import table_from_metadata

    table = table_from_metadata(metadata)
    discovery = metadata["discovery"]
    out = []
    for start in range(0, len(picks), 1000):  # [1000, N] float32 at a time: the whole catalogue fits
        chunk = picks[start : start + 1000]
        scores, _ = predict_batch(model, [(np.array([row]), np.array([5.0], np.float32)) for row in chunk])
        for row, values in zip(chunk, scores, strict=True):
            _, (main, _, _) = discovery_arrange(
                values, discovery, discovery["default"], 1, [row], table, [row], [], SHOWN
            )
            out.append(main)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts", help="the artifacts root (reads model/)")
    parser.add_argument("--readers", default=os.environ.get("REAL_READERS"), help="real readers' ratings.csv")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=8, help="how many of the most frequent books to print")
    parser.add_argument(
        "--draws", type=int, default=1, help="the readers' draw of picks repeated this many times"
    )
    parser.add_argument(
        "--catalogue", action="store_true", help="also every catalogue book as the one pick once"
    )
    args = parser.parse_args(argv)
    if not args.readers and not args.catalogue:
        parser.error("--readers (or REAL_READERS) is needed, unless --catalogue")
    if args.draws < 1:
        parser.error("--draws must be at least 1")
    from model.layers import load_model
    from model.layout import model_dir
    from model.metadata import read_metadata
    from model.scoring import predict_batch

    artifacts = model_dir(args.artifacts)
    metadata = read_metadata(artifacts / "web" / "metadata.json")
    books = json.loads((artifacts / "web" / "books.json").read_text())
    model = load_model(artifacts / "model.keras")
    if args.catalogue:
        row, share = most_repeated(page_lists(model, metadata, list(range(len(books)))))
        title = books[row]["title"] if row is not None else "no book"
        print(
            f"every book of the catalogue as the one pick ({len(books)} lists, as the page shows "
            f"them), most often at ranks 11-20: {title}, in {share:.1%}\n"
        )
    if not args.readers:
        return 0
    row_of = {book_id: row for row, book_id in enumerate(metadata["book_ids"])}
    readers = pd.read_csv(args.readers)
    picks = one_pick_each(readers, row_of, args.seed)
    scores, _ = predict_batch(model, [(np.array([row]), np.array([5.0], np.float32)) for row in picks])
    shown, top10, second = Counter(), Counter(), Counter()
    for row, values in zip(picks, scores, strict=True):
        values = values.copy()
        values[row] = -np.inf
        order = np.argsort(-values, kind="stable")[:SHOWN]
        shown.update(order.tolist())
        top10.update(order[:10].tolist())
        second.update(order[10:].tolist())
    raters = readers.groupby("book_id").user_id.nunique()
    n = len(picks)
    print(f"{n} one-pick lists ({readers.user_id.nunique()} real readers)\n")
    print("| book | in the top 20 | in the top 10 | at ranks 11-20 | real readers who rated it |")
    print("|---|---|---|---|---|")
    for row, count in shown.most_common(args.top):
        book_id = metadata["book_ids"][row]
        title = books[row]["title"]
        print(
            f"| {title} | {count / n:.0%} | {top10[row] / n:.0%} | {second[row] / n:.1%} "
            f"| {int(raters.get(book_id, 0))} |"
        )
    if "discovery" in metadata and "series" in metadata:
        # As the page shows them: the default discovery setting, then one card per series.
        top_row, share = most_repeated(page_lists(model, metadata, picks))
        print(
            f"\nas the page shows them (discovery {metadata['discovery']['default']}, one card per "
            f"series), most often at ranks 11-20: {books[top_row]['title']}, in {share:.1%}"
        )
        if args.draws > 1:
            found = [(top_row, share)] + [
                most_repeated(page_lists(model, metadata, one_pick_each(readers, row_of, args.seed + d)))
                for d in range(1, args.draws)
            ]
            print(
                f"the same over {args.draws} draws (seeds {args.seed}-{args.seed + args.draws - 1}): "
                + ", ".join(f"{books[r]['title']} {s:.1%}" for r, s in found)
                + f"; mean {np.mean([s for _, s in found]):.1%}"
            )
    row, count = second.most_common(1)[0]
    print(
        f"\nmost often at ranks 11-20: {books[row]['title']}, in {count / n:.1%} of the lists "
        "(issue 24: at most 5%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
