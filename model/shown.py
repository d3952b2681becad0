"""What a reader sees, measured: series-level discovery of the ten cards as shown (issue 24's
``shown10``) and the list diagnostics beside it.

Pure numpy on rows and keys; ``model/shown_eval.py`` runs the model and the anchors through
``scoring.arrange`` and calls these.

- ``shown10``, per reader: wanted = the series keys of the held-out liked books minus those of
  the picks; |keys among the first ten cards & wanted| / min(10, |wanted|); the mean over
  readers whose wanted set is not empty. A book with no series is its own series
  (``series.series_key``), so a reader who wanted a stand-alone book and got it scores as in
  Recall@10, and two volumes of one series count once.
- Book-level Recall@10 of the main list, and of the main list plus the "next in your series"
  row: hits / min(cards shown, |targets|), cards shown = 10 + the row's length.
- Diagnostics of a list: a later volume of a series the reader has not started, one series on 3
  or more cards, one (first) author on 4 or more cards, the share of cards among the 100
  most-rated books.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

K = 10
SERIES_CROWD = 3  # one series on this many cards is a crowded list
AUTHOR_CROWD = 4
MOST_RATED = 100


def shown10_one(cards, picks, targets, keys) -> float | None:
    """One reader's shown10: ``cards`` (rows, best first; the first ``K`` count), ``picks`` and
    held-out liked ``targets`` (rows), ``keys`` [N] each row's series key. None when no wanted
    key is left (the reader does not count)."""
    wanted = {keys[r] for r in targets} - {keys[r] for r in picks}
    if not wanted:
        return None
    shown = {keys[r] for r in list(cards)[:K]}
    return len(shown & wanted) / min(K, len(wanted))


def shown10(lists, picks, targets, keys) -> float:
    """The mean of ``shown10_one`` over readers with a wanted key (0 without any)."""
    values = [shown10_one(c, p, t, keys) for c, p, t in zip(lists, picks, targets, strict=True)]
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else 0.0


def recall_shown(lists, targets, rows_below=None) -> float:
    """Book-level recall of the cards shown: the first ``K`` of each list (plus, with
    ``rows_below``, each reader's "next in your series" row), hits / min(cards, |targets|)."""
    values = []
    for i, (cards, target) in enumerate(zip(lists, targets, strict=True)):
        shown = list(cards)[:K] + (list(rows_below[i]) if rows_below is not None else [])
        if len(target) and shown:
            values.append(np.isin(shown, target).sum() / min(len(shown), len(target)))
    return float(np.mean(values)) if values else 0.0


def first_authors(authors: list[str]) -> list[str]:
    """Each book's first author (``authors`` as books.csv gives them, comma separated)."""
    return [a.split(",")[0].strip().lower() for a in authors]


def later_unstarted(cards, picks, table, keys) -> bool:
    """Whether a card is a later volume of a series none of ``picks`` belongs to: its series'
    first volume in the catalogue (``series.volume_order``, the one ``arrange`` shows; a prequel
    "#0.5" comes after #1) is another book, not picked (``table``: series.series_table)."""
    from model.series import volume_order

    started = {keys[r] for r in picks}
    picked = {int(r) for r in picks}
    for row in cards:
        series = table.index[row]
        if series < 0 or keys[row] in started:
            continue
        volumes = [r for r in volume_order(table, np.flatnonzero(table.index == series)) if r not in picked]
        if volumes and volumes[0] != row:
            return True
    return False


def diagnostics(lists, picks, table, keys, authors: list[str], most_rated: np.ndarray) -> dict:
    """Shares of ``lists`` (first ``K`` cards each) with a later volume of an unstarted series,
    with one series on ``SERIES_CROWD``+ cards, with one first author on ``AUTHOR_CROWD``+
    cards; and the share of all cards among ``most_rated`` (the rows of the 100 most-rated)."""
    top = set(int(r) for r in most_rated)
    later = crowded = one_author = popular = cards_seen = 0
    for cards, chosen in zip(lists, picks, strict=True):
        cards = [int(r) for r in list(cards)[:K]]
        later += later_unstarted(cards, chosen, table, keys)
        in_series = Counter(keys[r] for r in cards if table.index[r] >= 0)
        crowded += bool(in_series) and max(in_series.values()) >= SERIES_CROWD
        by_author = Counter(authors[r] for r in cards)
        one_author += bool(by_author) and max(by_author.values()) >= AUTHOR_CROWD
        popular += sum(r in top for r in cards)
        cards_seen += len(cards)
    n = max(len(lists), 1)
    return {
        "later_volume_unstarted": later / n,
        "series_on_3": crowded / n,
        "author_on_4": one_author / n,
        "among_100_most_rated": popular / max(cards_seen, 1),
    }


def most_rated_rows(ratings_count: np.ndarray, n: int = MOST_RATED) -> np.ndarray:
    """The rows of the ``n`` books with the most ratings (ties to the lower row)."""
    return np.lexsort((np.arange(len(ratings_count)), -np.asarray(ratings_count)))[:n]
