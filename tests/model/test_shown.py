"""shown10 and the list diagnostics on tiny hand-made lists with known answers."""

from types import SimpleNamespace

import numpy as np
import pytest

from model.shown import diagnostics, first_authors, most_rated_rows, recall_shown, shown10, shown10_one

# Rows 0-2: series "a" #1-#3; rows 3-4: series "b" #1-#2; rows 5-14: stand-alone books.
KEYS = ["a", "a", "a", "b", "b"] + [f"book:{r}" for r in range(5, 15)]
TABLE = SimpleNamespace(
    index=np.array([0, 0, 0, 1, 1] + [-1] * 10),
    position=np.array([1.0, 2.0, 3.0, 1.0, 2.0] + [0.0] * 10),
    end=np.array([1.0, 2.0, 3.0, 1.0, 2.0] + [0.0] * 10),
)


def test_shown10_counts_a_series_once_and_drops_the_picks_series():
    # Wanted: a (targets 1, 2) and book:5; b is picked (row 3), so its target 4 is not wanted.
    # The cards show a once (row 0) and book:6 (not wanted): 1 of min(10, 2) wanted.
    assert shown10_one([0, 6, 7], picks=[3], targets=[1, 2, 4, 5], keys=KEYS) == pytest.approx(1 / 2)
    # Both wanted keys on the cards: 1.0, however many volumes of a.
    assert shown10_one([1, 2, 5], picks=[3], targets=[1, 2, 4, 5], keys=KEYS) == 1.0


def test_shown10_skips_readers_with_nothing_wanted_and_caps_at_ten():
    assert shown10_one([0], picks=[3], targets=[4], keys=KEYS) is None  # only the picks' series
    many = list(range(5, 15))  # ten stand-alone targets, the first ten cards hit four of them
    assert shown10_one([5, 6, 7, 8, 0, 1, 2, 3, 4, 9, 10], [], many + [0], KEYS) == pytest.approx(6 / 10)
    # The mean leaves out the reader with nothing wanted.
    assert shown10([[0], [0, 6]], [[3], [3]], [[4], [1, 6]], KEYS) == pytest.approx(1.0)


def test_recall_shown_with_and_without_the_row_below():
    assert recall_shown([[0, 6, 7]], [[1, 6]]) == pytest.approx(1 / 2)
    # The row below adds row 1: 2 hits of min(4 cards, 2 targets).
    assert recall_shown([[0, 6, 7]], [[1, 6]], [[1]]) == pytest.approx(1.0)


def test_diagnostics_find_later_volumes_crowded_series_authors_and_popular_cards():
    authors = first_authors(["Ann X, Bo Y"] * 5 + ["Cy"] * 4 + ["Di"] * 6)
    assert authors[0] == "ann x"
    most = most_rated_rows(np.array([5, 1, 1, 9, 1, 8] + [0] * 9), n=2)  # rows 3 and 5
    assert most.tolist() == [3, 5]
    lists = [
        [1, 6, 7],  # a #2 with a unstarted: later volume
        [1, 6],  # a #2 with a #1 picked: started, fine
        [0, 1, 2, 5],  # a on 3 cards (#2 and #3 unstarted: later volumes), Ann X on 3
        [5, 6, 7, 8, 3],  # Cy on 4 cards; b #1 is a first volume
    ]
    picks = [[9], [0], [10], [11]]
    found = diagnostics(lists, picks, TABLE, KEYS, authors, most)
    assert found["later_volume_unstarted"] == pytest.approx(2 / 4)
    assert found["series_on_3"] == pytest.approx(1 / 4)
    assert found["author_on_4"] == pytest.approx(1 / 4)
    assert found["among_100_most_rated"] == pytest.approx(3 / 14)  # row 5 twice and row 3, of 14 cards


def test_a_prequel_does_not_make_the_first_volume_a_later_one():
    # Series c: row 0 "#0.5", row 1 "#1", row 2 "#2". The first volume is #1 (arrange's rule).
    table = SimpleNamespace(
        index=np.array([0, 0, 0, -1]), position=np.array([0.5, 1.0, 2.0, 0.0]), end=np.array([0.5, 1, 2, 0])
    )
    keys = ["c", "c", "c", "book:3"]
    found = diagnostics([[1, 3], [0, 3], [2, 3]], [[3], [3], [3]], table, keys, ["a"] * 4, np.array([3]))
    assert found["later_volume_unstarted"] == pytest.approx(2 / 3)  # the prequel and #2, not #1
