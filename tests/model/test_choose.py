"""The rule the split fit chooses settings by, and its validation sets."""

from __future__ import annotations

import numpy as np
import pytest

from model.choose import best, shifted, smallest_within, split_judge, validation_sets, vote_scores
from model.protocols import Protocol
from model.split import Split, UserRatings, pad_picks
from tests.model.ratings import user_ratings


def test_best_takes_the_best_real_traffic_within_the_plain_tolerance():
    candidates = {"a": (0.300, 0.050), "b": (0.297, 0.070), "c": (0.290, 0.090)}
    assert best(candidates, 0.005, "test") == "b"  # c gives up 0.010 on plain
    assert best(candidates, 0.0, "test") == "a"
    assert best(candidates, 0.02, "test") == "c"
    assert best({"x": (0.0, 0.0), "y": (0.0, 0.0)}, 0.005, "test") == "x"  # ties: the first


def test_smallest_within_ships_a_larger_size_only_when_it_truly_wins():
    # Embedding sizes (and table sizes): the phone downloads the larger, so it must win by more
    # than the tolerance on the judge's primary measure (the secondary plays no part).
    close = {32: (0.5015, 0.0), 16: (0.5000, 0.9)}
    assert smallest_within(close, 0.002, "test") == 16
    assert smallest_within(close, 0.001, "test") == 32
    clear = {16: (0.480, 0.0), 32: (0.500, 0.0), 64: (0.501, 0.0)}
    assert smallest_within(clear, 0.002, "test") == 32  # 64 wins by 0.001 only
    assert smallest_within({16: (0.0, 0.0), 32: (0.0, 0.0)}, 0.0, "test") == 16  # no readers: the smaller


def test_best_keeps_gamma_0_unless_a_larger_gamma_gains_more_than_the_tolerance():
    def by_gamma(traffic):
        return {
            gamma: (0.100, value) for gamma, value in zip((0.0, 0.2, 0.4, 0.6, 0.8), traffic, strict=True)
        }

    def gamma(key):
        return key

    # Flat: the largest gamma is best by 0.0015, noise at 3,000 users; the simplest stays.
    flat = by_gamma([0.0600, 0.0605, 0.0607, 0.0610, 0.0615])
    assert best(flat, 0.003, "test") == 0.8  # the plain rule follows the noise
    assert best(flat, 0.003, "test", simpler=gamma, gain=0.002) == 0.0
    # A real gain: the smallest gamma within the tolerance of the best, then the best of those.
    rising = by_gamma([0.0500, 0.0560, 0.0590, 0.0600, 0.0595])
    assert best(rising, 0.003, "test", simpler=gamma, gain=0.002) == 0.4
    assert best(rising, 0.003, "test", simpler=gamma, gain=0.0) == 0.6
    # Gamma is measured within the plain tolerance first, as before.
    costly = {0.0: (0.100, 0.050), 0.4: (0.090, 0.080)}
    assert best(costly, 0.003, "test", simpler=gamma, gain=0.002) == 0.0
    # With (to-read weight, gamma) keys: the weight is chosen as before, gamma 0 kept.
    joint = {
        (0.0, 0.0): (0.1, 0.060),
        (0.0, 0.8): (0.1, 0.061),
        (0.5, 0.0): (0.1, 0.070),
        (0.5, 0.8): (0.1, 0.071),
    }
    assert best(joint, 0.003, "test", simpler=lambda key: key[1], gain=0.002) == (0.5, 0.0)


def test_best_without_simpler_is_the_rule_real_readers_choose_by():
    # The real-reader path calls best without simpler/gain: the first of the best traffic
    # among those within the plain tolerance, as before gamma's tolerance came in.
    rng = np.random.default_rng(0)
    for _ in range(200):
        values = np.round(rng.uniform(0.05, 0.10, size=(6, 2)), 3)  # rounded: ties happen
        candidates = {key: (float(p), float(t)) for key, (p, t) in enumerate(values)}
        top = max(p for p, _ in candidates.values())
        eligible = [k for k, (p, _) in candidates.items() if p >= top - 0.003]
        assert best(candidates, 0.003, "test") == max(eligible, key=lambda k: candidates[k][1])
        ones = {k: (p, p) for k, (p, _) in candidates.items()}
        assert best(ones, 0.0, "test") == max(ones, key=lambda k: ones[k][0])


def test_validation_sets_pick_five_liked_books_and_score_held_back_likes():
    liked = [(r, 5.0) for r in range(10)]
    train = user_ratings({1: liked, 2: liked[:9], 3: liked})
    test = user_ratings({1: [(11, 4.0), (12, 2.0)], 2: [(11, 5.0)], 3: [(13, 3.0)]})
    empty = UserRatings(np.zeros(0, int), np.zeros(1, int), np.zeros(0, np.int32), np.zeros(0, np.float32))
    split = Split(np.arange(30), train, test, empty, None, None)
    weights = np.ones(30)
    plain, traffic = validation_sets(split, weights, heavy_min_ratings=12, max_users=10, seed=0)
    # User 2 has 9 liked books only, user 3 no liked book held back: user 1 alone qualifies.
    assert len(plain.picks) == 1 and plain.targets[0].tolist() == [11]
    assert len(plain.picks[0][0]) == 5 and set(plain.picks[0][0]) <= set(range(10))
    # User 1 has 10 + 2 = 12 ratings: a heavy rater at 12, not at 13.
    assert traffic.targets[0].tolist() == [11] and traffic.weights is weights
    assert validation_sets(split, weights, heavy_min_ratings=13, max_users=10, seed=0)[1] is None


def test_vote_scores_sum_the_liked_picks_votes_along_the_table():
    neighbor_rows = np.array([[1, 2], [0, 2], [0, 1]], np.int32)
    neighbor_weights = np.array([[1.0, 0.5], [0.2, 0.1], [0.3, 0.4]], np.float32)
    validation = Protocol(
        "validation",
        [(np.array([0, 1]), np.array([5.0, 2.0])), (np.array([2]), np.array([4.0]))],
        [np.array([2]), np.array([0])],
        None,
    )
    votes = vote_scores(validation, neighbor_rows, neighbor_weights, 3).toarray()
    # User 0 liked book 0 only (2 stars is not a like); user 1 liked book 2.
    assert np.allclose(votes, [[0.0, 1.0, 0.5], [0.3, 0.4, 0.0]])


@pytest.mark.slow  # imports TensorFlow
def test_the_numpy_neighbor_scores_agree_with_the_keras_layer():
    """choose.vote_scores + shifted (what gamma is chosen with) against layers.NeighborScores
    (what the site runs) on the same tables and picks: mix 1, the popularity shift and its fade."""
    from model.layers import NeighborRows, NeighborScores
    from model.popularity import FADE_PICKS, OFFSET, SPAN

    num_books, gamma = 8, 0.7
    neighbor_rows = np.array([[1, 2], [0, 2], [0, 1], [4, 5], [3, 6], [6, 7], [5, 0], [6, 3]], np.int32)
    neighbor_weights = np.array(
        [[1.0, 0.5], [0.2, 0.1], [0.3, 0.4], [0.6, 0.0], [0.8, 0.2], [0.5, 0.5], [0.1, 0.9], [0.7, 0.3]],
        np.float32,
    )
    ratios = np.array([0.5, -0.5, 1.0, 0.0, -1.0, 2.0, 0.25, -0.25], np.float32)
    validation = Protocol(
        "validation",
        [
            (np.array([0, 1]), np.array([5.0, 2.0])),  # one liked pick; 2 stars is not a like
            (np.array([2, 3, 4]), np.array([4.0, 3.5, 5.0])),  # 3.5 stars: half a like
            (np.arange(7), np.full(7, 5.0)),  # 7 liked picks: the shift fades (FADE_PICKS 5)
            (np.array([5]), np.array([1.0])),  # no liked pick: no votes at all
        ],
        [np.array([2])] * 4,
    )
    numpy_scores = shifted(
        vote_scores(validation, neighbor_rows, neighbor_weights, num_books), validation, ratios, gamma
    )

    table = NeighborRows(num_books, 2)
    table.build(None)
    table.neighbor_rows.assign(neighbor_rows.astype(np.float32))
    layer = NeighborScores(num_books, 2, OFFSET, SPAN, FADE_PICKS)
    layer.build(None)
    layer.neighbor_weights.assign(neighbor_weights)
    layer.log_ratio.assign(ratios)
    layer.gamma.assign([gamma])
    rows, stars = pad_picks(validation.picks)
    keras_scores = layer([rows, stars, table(rows)]).numpy()

    np.testing.assert_allclose(numpy_scores.toarray(), keras_scores, rtol=1e-5, atol=1e-6)
    # By hand, the first user: book 0 alone is liked (w 1), m = ratios[0] = 0.5, so
    # strength = 0.7 * clip((0.5 + 1) / 3, 0, 1) = 0.35, and its neighbor book 1 gets 1.0 * exp(0.35 * -0.5).
    assert np.isclose(keras_scores[0, 1], np.exp(-0.175), rtol=1e-6)
    assert np.isclose(keras_scores[0, 2], 0.5 * np.exp(0.35), rtol=1e-6)
    assert not keras_scores[3].any()


@pytest.mark.slow  # imports TensorFlow (the Keras side)
def test_liked_is_one_threshold_in_python_and_in_the_page():
    import re

    from model.layers import liked_weight as keras_liked_weight
    from model.split import liked_weight
    from tests.conftest import REPO

    stars = np.array([[0.0, 1.0, 3.0, 3.5, 4.0, 5.0]], np.float32)  # 0 is padding
    expected = [[0.0, 0.0, 0.0, 0.5, 1.0, 1.0]]
    np.testing.assert_array_equal(liked_weight(stars), expected)
    np.testing.assert_array_equal(keras_liked_weight(stars).numpy(), expected)
    # web/js/layers.js keeps no copy: its layers take metadata.json's liked_stars (the export
    # writes LIKED_STARS there; tests/model/test_tfjs_browser.py runs the page with another).
    page = (REPO / "web" / "js" / "layers.js").read_text(encoding="utf-8")
    assert not re.search(r"(?i)liked_?stars\s*=\s*\d", page)


def test_without_traffic_weights_the_plain_users_are_the_real_traffic_set():
    liked = [(r, 5.0) for r in range(12)]
    train = user_ratings({1: liked, 2: liked})
    test = user_ratings({1: [(20, 5.0)], 2: [(21, 4.0)]})
    empty = UserRatings(np.zeros(0, int), np.zeros(1, int), np.zeros(0, np.int32), np.zeros(0, np.float32))
    split = Split(np.arange(30), train, test, empty, None, None)
    plain, traffic = validation_sets(split, None, heavy_min_ratings=1, max_users=10, seed=0)
    assert len(plain.picks) == 2 and traffic is None
    judge = split_judge(plain, traffic, 0.003)
    assert judge.protocols == [plain] and judge.label == "plain validation Recall@10"
    # Both measures are plain Recall@10: book 20 ranks first, user 1's target, not user 2's.
    scores = np.zeros((2, 30))
    scores[:, 20] = 1.0
    assert judge.measure(lambda protocol: scores) == (0.5, 0.5)
