"""model/scoring.py ``arrange``: one card per series, a started series' next volume in its own
row, on small catalogues whose answers are known by hand."""

from __future__ import annotations

import numpy as np

from model.scoring import arrange
from model.series import series_table

TITLES = [
    "Saga One (Saga, #1)",  # 0
    "Saga Two (Saga, #2)",  # 1
    "Saga Three (Saga, #3)",  # 2
    "Saga Box (Saga, #1-3)",  # 3
    "Saga Four (Saga, #4)",  # 4
    "Alone A",  # 5
    "Alone B",  # 6
    "Trio Two (Trio, #2)",  # 7: the catalogue has no Trio #1
    "Trio Three (Trio, #3)",  # 8
    "Trio Prequel (Trio, #0.5)",  # 9
    "Alone C",  # 10
]
TABLE = series_table(TITLES)


def scores_of(order):
    """Scores that rank ``order``'s rows first, in that order; the rest below, by row."""
    scores = np.zeros(len(TITLES), np.float32)
    for place, row in enumerate(order):
        scores[row] = 100 - place
    return scores


def test_a_series_not_started_shows_its_first_volume_with_the_rest_counted():
    scores = scores_of([2, 5, 1, 8, 6])
    main, more, following = arrange(scores, [], TABLE, [], [], 4)
    # Saga #3 comes up first: its card is #1, with #2, #3, the box and #4 more; Saga #2 is then
    # skipped; Trio #3 comes up: the catalogue's first Trio is #2 (no #1; the prequel after).
    assert main == [0, 5, 7, 6]
    assert more == [4, 0, 2, 0]
    assert following == []


def test_first_volume_pick_gives_the_second_in_the_next_row_and_nothing_of_it_in_the_list():
    scores = scores_of([2, 1, 5, 4])
    main, more, following = arrange(scores, [0], TABLE, [0], [], 3)
    assert main == [5, 6, 7]  # no Saga volume: the series is started; the rest tie, by row
    assert following == [1]


def test_first_and_second_give_the_third_and_an_omnibus_read_gives_the_fourth():
    scores = scores_of([4, 2])
    assert arrange(scores, [0, 1], TABLE, [0, 1], [], 5)[2] == [2]
    assert arrange(scores, [3], TABLE, [3], [], 5)[2] == [4]  # the box #1-3 read: #4
    assert arrange(scores, [0, 1, 2, 4], TABLE, [0, 1, 2, 4], [], 5)[2] == []  # all read


def test_next_volumes_come_in_score_order():
    scores = scores_of([8, 1])
    main, _, following = arrange(scores, [0, 7], TABLE, [0, 7], [], 5)
    assert following == [8, 1]  # Trio #3 scores above Saga #2
    assert set(main).isdisjoint({0, 1, 2, 3, 4, 7, 8, 9})


def test_a_dismissed_series_is_absent_and_a_hidden_volume_is_not_counted():
    scores = scores_of([1, 8, 5])
    main, more, following = arrange(scores, [9], TABLE, [], [9], 4)
    assert main == [0, 5, 6, 10]
    assert following == []
    main, more, _ = arrange(scores, [0, 3], TABLE, [], [], 2)  # #1 and the box hidden (to read)
    assert (main, more) == ([1, 7], [2, 2])  # Saga's first volume not hidden is #2


def test_no_series_fills_two_cards_and_k_holds():
    rng = np.random.default_rng(3)
    for _ in range(50):
        scores = rng.integers(0, 4, len(TITLES)).astype(np.float32)
        for k in (1, 3, 20):
            main, more, _ = arrange(scores, [], TABLE, [], [], k)
            series = [int(TABLE.index[r]) for r in main if TABLE.index[r] >= 0]
            assert len(series) == len(set(series))
            assert len(main) == len(more) == min(k, 5)  # Saga, Trio and three alone


def test_ties_go_to_the_lower_row():
    main, _, _ = arrange(np.ones(len(TITLES), np.float32), [], TABLE, [], [], 3)
    assert main == [0, 5, 6]
