"""The rule the split fit chooses settings by, and its validation sets."""

from __future__ import annotations

import numpy as np

from model.choose import best, split_judge, validation_sets, vote_scores
from model.protocols import Protocol
from model.split import Split, UserRatings
from tests.model.ratings import user_ratings


def test_best_takes_the_best_real_traffic_within_the_plain_tolerance():
    candidates = {"a": (0.300, 0.050), "b": (0.297, 0.070), "c": (0.290, 0.090)}
    assert best(candidates, 0.005, "test") == "b"  # c gives up 0.010 on plain
    assert best(candidates, 0.0, "test") == "a"
    assert best(candidates, 0.02, "test") == "c"
    assert best({"x": (0.0, 0.0), "y": (0.0, 0.0)}, 0.005, "test") == "x"  # ties: the first


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
    # Visitor 0 liked book 0 only (2 stars is not a like); visitor 1 liked book 2.
    assert np.allclose(votes, [[0.0, 1.0, 0.5], [0.3, 0.4, 0.0]])


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
