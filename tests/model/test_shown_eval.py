"""The cards as shown: a planted ranking full of sequels, measured before and after arrange."""

import numpy as np
import pandas as pd
import pytest

from model.protocols import Protocol
from model.shown_eval import Catalogue, measure, measure_ranked

TITLES = [f"Saga {n} (Saga, #{n})" for n in range(1, 6)] + [f"Alone {r}" for r in range(5, 20)]
BOOKS = pd.DataFrame(
    {
        "book_id": np.arange(1, 21),
        "title": TITLES,
        "authors": ["Sam Saga"] * 5 + [f"Writer {r % 3}" for r in range(5, 20)],
        "ratings_count": np.arange(20, 0, -1) * 1000,
    }
)


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.of(BOOKS)


def test_arrange_removes_later_volumes_and_crowded_series_that_the_ranking_had(catalogue):
    # The reader picked a stand-alone book; the ranking puts Saga #3, #2, #4 first.
    scores = np.zeros(20)
    for place, row in enumerate([2, 1, 3, 4, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]):
        scores[row] = 20 - place
    protocol = Protocol("p", [(np.array([19]), np.array([5.0]))], [np.array([0, 6, 7])])
    ranked = measure_ranked(scores[None], protocol, catalogue)
    assert ranked["later_volume_unstarted"] == 1.0 and ranked["series_on_3"] == 1.0
    shown = measure(scores[None], protocol, catalogue)
    assert shown["later_volume_unstarted"] == 0.0 and shown["series_on_3"] == 0.0
    # The cards: Saga #1 (for the series), then rows 5..13. Wanted: saga, 6, 7: all three shown.
    assert shown["shown10"] == 1.0
    assert shown["recall@10"] == 1.0  # rows 0, 6, 7 among the ten
    # The ranking's ten were five saga volumes and rows 5-9: saga and 6, 7 too, yet 5 cards wasted.
    assert ranked["shown10"] == 1.0 and ranked["recall@10"] == 1.0
    assert ranked["author_on_4"] == 1.0 and shown["author_on_4"] == 0.0


def test_a_started_series_goes_to_the_row_below(catalogue):
    scores = np.arange(20, 0, -1).astype(np.float64)  # row 0 best
    protocol = Protocol("p", [(np.array([0]), np.array([5.0]))], [np.array([1, 2])])  # picked #1
    shown = measure(scores[None], protocol, catalogue)
    assert shown["shown10"] == 0.0  # the saga is started: nothing is wanted, no reader counts
    assert shown["recall@10"] == 0.0  # no saga card in the main list
    assert shown["recall_with_next"] == pytest.approx(1 / 2)  # #2 in the row: 1 hit of 2 targets
