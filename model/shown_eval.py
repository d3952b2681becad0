"""The ten cards as shown, on real readers: every model's scores go through the discovery
setting and ``scoring.arrange`` (one card per series, never a started series in the main list,
its next volume in the row below) before they are measured (model/shown.py).

``model.evaluate`` calls ``shown_rows`` for the Shelf model and the anchors alike, so the
anchors are shown under the same rule; ``markdown`` is eval.md's table of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.protocols import Protocol, indicator, liked_cases
from model.readers import _with_targets
from model.scoring import discovery_arrange
from model.series import SeriesTable, series_key, series_table
from model.shown import K, diagnostics, first_authors, most_rated_rows, recall_shown, shown10
from model.split import UserRatings

ONE_PICK = "real readers, one pick"


@dataclass(frozen=True)
class Catalogue:
    """What the measures read about the books, rows in model order."""

    table: SeriesTable
    keys: list[str]
    authors: list[str]
    most_rated: np.ndarray

    @classmethod
    def of(cls, books) -> Catalogue:
        """From books.csv's DataFrame (model.data.load_books: rows in model order)."""
        titles = books["title"].astype(str).tolist()
        ids = books["book_id"].astype(int).tolist()
        return cls(
            series_table(titles, ids),
            [series_key(t, b) for t, b in zip(titles, ids, strict=True)],
            first_authors(books["authors"].astype(str).tolist()),
            most_rated_rows(books["ratings_count"].to_numpy()),
        )


def one_pick_protocol(readers: UserRatings, seed: int) -> Protocol:
    """Readers with >= 10 liked books give one of them; targets the rest of their liked books."""
    return _with_targets(Protocol(ONE_PICK, *liked_cases(readers, 1, seed)))


def arranged(
    scores: np.ndarray,
    protocol: Protocol,
    table: SeriesTable,
    k: int = K,
    discovery: dict | None = None,
    setting: str = "balanced",
):
    """(main lists, next rows) of each reader of ``protocol`` for ``scores`` [V, N]: every pick
    hidden and started, nothing dismissed; re-scored first for the discovery ``setting`` and
    the reader's number of picks when ``discovery`` (metadata.json's entry) is given."""
    mains, nexts = [], []
    for (rows, _), values in zip(protocol.picks, scores, strict=True):
        _, (main, _, following) = discovery_arrange(
            values, discovery, setting, len(rows), rows, table, rows, [], k
        )
        mains.append(main)
        nexts.append(following)
    return mains, nexts


def measure(
    scores: np.ndarray,
    protocol: Protocol,
    catalogue: Catalogue,
    discovery: dict | None = None,
    setting: str = "balanced",
) -> dict:
    """shown10, Recall@10 of the main list and of it plus the row below, and the
    diagnostics, of ``scores`` [V, N] arranged (after the discovery ``setting`` with
    ``discovery``)."""
    mains, nexts = arranged(scores, protocol, catalogue.table, K, discovery, setting)
    picks = protocol.rows()
    return {
        "shown10": shown10(mains, picks, protocol.targets, catalogue.keys),
        "recall@10": recall_shown(mains, protocol.targets),
        "recall_with_next": recall_shown(mains, protocol.targets, nexts),
        **diagnostics(mains, picks, catalogue.table, catalogue.keys, catalogue.authors, catalogue.most_rated),
    }


def measure_ranked(scores: np.ndarray, protocol: Protocol, catalogue: Catalogue) -> dict:
    """The same for the plain top ten (no arrange, the picks excluded): what the list was."""
    tops = []
    for (rows, _), values in zip(protocol.picks, scores, strict=True):
        masked = np.asarray(values, np.float64).copy()
        masked[rows] = -np.inf
        tops.append(np.lexsort((np.arange(len(masked)), -masked))[:K].tolist())
    picks = protocol.rows()
    return {
        "shown10": shown10(tops, picks, protocol.targets, catalogue.keys),
        "recall@10": recall_shown(tops, protocol.targets),
        **diagnostics(tops, picks, catalogue.table, catalogue.keys, catalogue.authors, catalogue.most_rated),
    }


def shown_rows(
    scorers: dict,
    protocols_: list[Protocol],
    catalogue: Catalogue,
    discovery: dict | None,
    shelf: str,
) -> list[dict]:
    """Rows of eval.json's ``shown``: for each protocol and model ({model: protocol -> scores
    [V, N]}) the arranged measures; Shelf's also as ranked before (``"as ranked"``) and at each
    discovery setting when ``discovery`` is given (metadata.json's entry), the default first."""
    out = []
    for protocol in protocols_:
        for name, scorer in scorers.items():
            scores = np.asarray(scorer(protocol), np.float32)
            base = {"protocol": protocol.name, "model": name, "readers": len(protocol.picks)}
            if name == shelf and discovery is not None:
                settings = [
                    discovery["default"],
                    *(s for s in discovery["settings"] if s != discovery["default"]),
                ]
                for setting in settings:
                    got = measure(scores, protocol, catalogue, discovery, setting)
                    out.append({**base, "setting": setting, **got})
                out.append({**base, "setting": "as ranked", **measure_ranked(scores, protocol, catalogue)})
            else:
                out.append({**base, "setting": "", **measure(scores, protocol, catalogue)})
    return out


def markdown(rows: list[dict]) -> list[str]:
    """eval.md's lines for ``shown_rows``."""
    lines = [
        "",
        "### What readers see (the report half; ten cards after one card per series)",
        "",
        "shown10: series-level discovery of the ten cards (docs/MODEL.md). Recall@10 is book-level,"
        " of the main list and of it plus the next-in-series row. The diagnostics are shares of"
        " lists (later volume of an unstarted series, one series on 3+ cards, one author on 4+"
        " cards) and of cards (among the 100 most-rated).",
        "",
        "| protocol | model | setting | readers | shown10 | Recall@10 | + next row | later vol. "
        "| series 3+ | author 4+ | top-100 cards |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        with_next = f"{r['recall_with_next']:.4f}" if "recall_with_next" in r else "-"
        lines.append(
            f"| {r['protocol'].removeprefix('real readers, ')} | {r['model']} | {r['setting']} "
            f"| {r['readers']} | {r['shown10']:.4f} | {r['recall@10']:.4f} | {with_next} "
            f"| {r['later_volume_unstarted']:.0%} | {r['series_on_3']:.0%} | {r['author_on_4']:.0%} "
            f"| {r['among_100_most_rated']:.0%} |"
        )
    return lines


def report_shown(
    model_scores, anchors: dict, books, report: UserRatings, protocols_, seed: int, discovery, shelf
):
    """``shown_rows`` of the report readers' protocols and one pick: Shelf (``model_scores``:
    picks -> scores [V, N]) and every anchor of ``anchors`` ({name: liked-pick indicator ->
    scores}, as model.evaluate fits them), each arranged the same way."""

    num_books = len(books)

    def anchor(scorer):
        def scores(protocol):
            values = scorer(indicator(protocol.picks, num_books))
            return values.toarray() if hasattr(values, "toarray") else np.asarray(values)

        return scores

    scorers = {shelf: lambda p: model_scores(p.picks), **{n: anchor(s) for n, s in anchors.items()}}
    everyone = [one_pick_protocol(report, seed + 70), *protocols_]
    return shown_rows(scorers, everyone, Catalogue.of(books), discovery, shelf)
