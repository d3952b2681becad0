"""Scoring from a trained model, exactly as the browser scores (docs/ARTIFACTS.md, "The
browser's scoring"): many visitors' scores and stars in batches, the tables a suggestion's
reason and a book's similar books are read from, those reasons and similar books, and the
suggestions for an imported Goodreads export.

Training, evaluation, the export's parity file and ``model.recommend`` (the CLI) all call
these; ``web/js/rank.js`` is their JavaScript twin, pinned by ``tests/golden/scoring.json``.
"""

from __future__ import annotations

import numpy as np

from model import goodreads
from model.discovery import (  # discovery_scores also re-exported: the page's scoring steps, one module
    check_setting,
    discovery_scores,  # noqa: F401
    discovery_weight,
    knee_of,
    lean,
)
from model.ranking import top_k, unit_rows
from model.series import SeriesTable, table_from_metadata, volume_order
from model.split import LIKED_STARS, pad_picks

CHUNK = 512  # visitors scored per model call
SEARCH_CARDS = 10  # lesser-known looks at the first ten cards (issue 24's share of the ten)
STARTED_MARKS = ("read", "reading")  # marks that start a book's series (as a pick does)
MARKS = ("read", "reading", "to_read", "not_interested")  # web/js/shelf-link.js MARKS


def predict_batch(model, picks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Run the model for many visitors: (scores [V, N], stars [V, N]) as float32 arrays."""
    if not picks:
        return tuple(np.zeros((0, int(out.shape[-1])), np.float32) for out in model.outputs)
    scores, stars = [], []
    for start in range(0, len(picks), CHUNK):
        rows, pick_stars = pad_picks(picks[start : start + CHUNK])
        s, p = model.predict_on_batch([rows, pick_stars])
        scores.append(np.asarray(s))
        stars.append(np.asarray(p))
    return np.concatenate(scores), np.concatenate(stars)


def reason_for(
    neighbor_rows: np.ndarray,
    neighbor_weights: np.ndarray,
    unit_vectors: np.ndarray,
    suggestion: int,
    candidates,
) -> int | None:
    """The pick (a row of ``candidates``: the liked picks, or all picks when none is liked)
    that explains the suggestion ``suggestion``: the one whose neighbor-table vote for it is
    strongest, between equal votes (none, say) the one whose unit vector is closest; the
    first on a full tie; None without candidates. ``reasonFor`` in web/js/rank.js."""
    best, best_key = None, (-np.inf, -np.inf)
    for row in candidates:
        slots = np.flatnonzero(np.asarray(neighbor_rows[row]) == suggestion)
        vote = float(neighbor_weights[row, slots[0]]) if len(slots) else 0.0
        key = (vote, float(unit_vectors[row] @ unit_vectors[suggestion]))
        if key > best_key:
            best, best_key = int(row), key
    return best


def reason_candidates(pick_rows, pick_stars) -> list[int]:
    """The picks a suggestion's reason may name (``reason_for``'s candidates), in pick order:
    the liked ones (``LIKED_STARS`` or more), or all of them when none is liked."""
    liked = [int(r) for r, s in zip(pick_rows, pick_stars, strict=True) if s >= LIKED_STARS]
    return liked or [int(r) for r in pick_rows]


def similar_rows(
    neighbor_rows: np.ndarray, neighbor_weights: np.ndarray, unit_vectors: np.ndarray, row: int, k: int
) -> list[int]:
    """The rows of the ``k`` books most like ``row`` ("readers also liked"), never itself: its
    neighbors with a positive weight, strongest first, then the rest by cosine of
    ``unit_vectors``; ties to the lower row. ``similarRows`` in web/js/rank.js."""
    weights = np.asarray(neighbor_weights[row], np.float64)
    rows = np.asarray(neighbor_rows[row])
    keep = (weights > 0) & (rows != row)
    chosen = []
    for other in rows[keep][np.lexsort((rows[keep], -weights[keep]))]:
        if len(chosen) < k and int(other) not in chosen:
            chosen.append(int(other))
    if len(chosen) < k:
        cosine = unit_vectors @ unit_vectors[row]
        chosen += top_k(cosine, k - len(chosen), exclude=[row, *chosen]).tolist()
    return chosen


def model_tables(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(neighbor_rows int [N, M], neighbor_weights [N, M], unit book vectors [N, d]) of a model:
    what ``reason_for`` and ``similar_rows`` read."""
    rows = model.get_layer("neighbor_rows").neighbor_rows.numpy().round().astype(np.int64)
    weights = model.get_layer("neighbor_scores").neighbor_weights.numpy()
    vectors = model.get_layer("book_embedding").get_weights()[0].astype(np.float64)
    return rows, weights, unit_rows(vectors)


def _members(table: SeriesTable) -> list[np.ndarray]:
    """Per series (0 .. table.count - 1), its rows in row order."""
    index = np.asarray(table.index)
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(table.count + 1))
    return [order[bounds[s] : bounds[s + 1]] for s in range(table.count)]


def arrange(
    scores, hidden, table: SeriesTable, started, dismissed, k: int
) -> tuple[list[int], list[int], list[int]]:
    """The suggestions as the page shows them, one card per series: ``(main_rows,
    more_counts, next_rows)``. ``arrange`` in web/js/rank.js is its twin (the golden file).

    ``hidden``: rows never shown (picks and every mark, and what a filter leaves out);
    ``started``: the ROWS of the picks and of the books marked read or reading (their series
    are started); ``dismissed``: the rows of the books marked "not interested" (their series
    are dismissed). A row with no series (index -1) is a series of its own.

    Main list: rows by score (ties to the lower row), never hidden, never of a started or
    dismissed series; the first time a series comes up its card is its first volume
    (``volume_order``) that is not hidden, with ``more`` = how many other volumes of it are not
    hidden; later rows of that series are skipped; up to ``k`` cards. Next in your series: for
    each started series not dismissed, the volume not hidden with the lowest position greater
    than the highest end among its started rows (a single volume before an omnibus at the same
    position, then the lower row), these ordered by score (ties to the lower row), up to ``k``.
    """
    scores = np.asarray(scores)
    index = np.asarray(table.index)
    hidden = {int(r) for r in hidden}
    started_rows = [int(r) for r in started]
    blocked = {int(index[r]) for r in [*started_rows, *(int(r) for r in dismissed)]} - {-1}
    members = _members(table)
    rows = np.arange(len(scores))
    main, more, shown = [], [], set()
    for row in np.lexsort((rows, -scores.astype(np.float64))):
        if len(main) >= k:
            break
        row = int(row)
        series = int(index[row])
        if row in hidden or series in blocked or series in shown:
            continue
        if series == -1:
            main.append(row)
            more.append(0)
            continue
        shown.add(series)
        volumes = [r for r in volume_order(table, members[series]) if r not in hidden]
        main.append(volumes[0])
        more.append(len(volumes) - 1)
    dismissed_series = {int(index[int(r)]) for r in dismissed}
    highest: dict[int, float] = {}
    for row in started_rows:
        series = int(index[row])
        if series != -1 and series not in dismissed_series:
            highest[series] = max(highest.get(series, -np.inf), float(table.end[row]))
    following = []
    for series, end in highest.items():
        later = [int(r) for r in members[series] if int(r) not in hidden and table.position[r] > end]
        if later:
            following.append(min(later, key=lambda r: (float(table.position[r]), float(table.end[r]), r)))
    following.sort(key=lambda r: (-float(scores[r]), r))
    return main, more, following[:k]


def discovery_arrange(
    scores, discovery: dict | None, setting: str, num_picks: int, hidden, table, started, dismissed, k: int
):
    """``(ranked, (main_rows, more_counts, next_rows))``: ``scores`` re-scored for the discovery
    ``setting`` of a visitor with ``num_picks`` picks (model/discovery.py; ``discovery`` None:
    as they are), then ``arrange``d. ``discoveryArrange`` in web/js/rank.js is its twin.

    Lesser-known leans per visitor, past its own knee: from its bucket's weight, the first of
    ``lesser_known``'s ``steps`` added to it whose first ten cards hold at most ``at_most`` of
    ``most_rated`` (the last step when none does), so a list that is already off the bestseller
    shelf stays as it is.
    """
    if discovery is None:
        ranked = np.asarray(scores, np.float64)
        return ranked, arrange(ranked, hidden, table, started, dismissed, k)
    weight = discovery_weight(discovery, setting, num_picks)
    knee = knee_of(discovery, setting)
    search = discovery.get("lesser_known")
    if check_setting(setting) != "lesser-known" or search is None:
        ranked = lean(scores, discovery, weight, knee)
        return ranked, arrange(ranked, hidden, table, started, dismissed, k)
    most_rated = {int(r) for r in search["most_rated"]}
    for step in search["steps"]:
        ranked = lean(scores, discovery, weight + float(step), knee)
        shown = arrange(ranked, hidden, table, started, dismissed, k)
        if sum(row in most_rated for row in shown[0][:SEARCH_CARDS]) <= search["at_most"]:
            break
    return ranked, shown


def shelf_rows(pick_rows, marks: dict[int, str]) -> tuple[list[int], list[int], list[int]]:
    """``arrange``'s (hidden, started, dismissed) for a shelf: its pick rows and ``marks`` (row
    -> mark). Every pick and mark is hidden; picks and read or reading books start their
    series; "not interested" dismisses one. The page's suggestions-panel.js does the same."""
    picks = [int(r) for r in pick_rows]
    hidden = picks + [int(r) for r in marks]
    started = picks + [int(r) for r, mark in marks.items() if mark in STARTED_MARKS]
    dismissed = [int(r) for r, mark in marks.items() if mark == "not_interested"]
    return hidden, started, dismissed


def goodreads_recommendations(
    model, metadata: dict, books: list[dict], goodreads_file: dict, data: bytes, k: int
) -> tuple[dict, goodreads.Shelf]:
    """Suggestions for a Goodreads export's bytes, as the page makes them after importing it
    into an empty shelf: ({"rows", "matched", "matched_by", "unmatched", "book_ids", "stars",
    "reasons", "more_in_series", "next_in_series", "next_stars", "next_reasons"}, the shelf):
    the main list and the "Next in your series" row of ``arrange`` on metadata.json's series
    table. Raises GoodreadsError for a file that is not a usable export."""
    index = goodreads.match_index(books, goodreads_file)
    export_rows = goodreads.read_export(goodreads.decode_export(data))
    matches = [goodreads.match_row(line, index) for line in export_rows]
    shelf = goodreads.build_shelf(export_rows, matches)
    book_ids = metadata["book_ids"]
    row_of = {int(b): i for i, b in enumerate(book_ids)}
    pick_rows = np.array([row_of[b] for b in shelf.picks], np.int32)
    pick_stars = np.array(list(shelf.picks.values()), np.float32)
    scores, stars = predict_batch(model, [(pick_rows, pick_stars)])
    hidden, started, dismissed = shelf_rows(pick_rows, {row_of[b]: m for b, m in shelf.marks.items()})
    series = table_from_metadata(metadata)
    # The default discovery setting re-scores, as on the page (none in an older metadata.json).
    discovery = metadata.get("discovery")
    setting = discovery["default"] if discovery else "balanced"
    _, (top, more, following) = discovery_arrange(
        scores[0], discovery, setting, len(pick_rows), hidden, series, started, dismissed, k
    )
    # As picksToInputs' reasonRows: the page passes its picks as an object, whose integer keys
    # come in ascending order, so a full tie goes to the lowest book_id (rows follow book_ids).
    candidates = sorted(reason_candidates(pick_rows, pick_stars))
    table = model_tables(model)

    def described(rows):
        reasons = [reason_for(*table, int(r), candidates) for r in rows]
        return (
            [int(book_ids[r]) for r in rows],
            [round(float(stars[0, r]), 4) for r in rows],
            [None if r is None else int(book_ids[r]) for r in reasons],
        )

    main_ids, main_stars, main_reasons = described(top)
    next_ids, next_stars, next_reasons = described(following)
    result = {
        **goodreads.summarize(export_rows, matches),
        "book_ids": main_ids,
        "stars": main_stars,
        "reasons": main_reasons,
        "more_in_series": more,
        "next_in_series": next_ids,
        "next_stars": next_stars,
        "next_reasons": next_reasons,
    }
    return result, shelf
