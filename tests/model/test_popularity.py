"""The popularity shift and the real-traffic weights, with known answers."""

from __future__ import annotations

import numpy as np

from model.popularity import heavy_counts, log_ratio, shift_strength, traffic_weights, validation_weights
from model.split import UserRatings
from tests.model.ratings import user_ratings


def test_heavy_counts_count_only_users_with_enough_ratings():
    # User 0 has three ratings (books 0, 1, 2), user 1 one (book 0).
    ratings = UserRatings(
        np.array([10, 11]), np.array([0, 3, 4]), np.array([0, 1, 2, 0], np.int32), np.ones(4, np.float32)
    )
    assert heavy_counts(ratings, 4, min_ratings=3).tolist() == [1, 1, 1, 0]
    assert heavy_counts(ratings, 4, min_ratings=1).tolist() == [2, 1, 1, 0]


def test_traffic_weights_follow_ratings_count_over_the_heavy_count():
    weights = traffic_weights(np.array([100.0, 100.0, 400.0]), np.array([0.0, 1.0, 1.0]), exponent=0.5)
    assert np.allclose(weights, [10.0, 5.0, 10.0])


def ratings_with_counts(per_book: list[int]) -> UserRatings:
    """Book j rated (4 stars) by the first ``per_book[j]`` of max(per_book) users."""
    users = {u: [(j, 4.0) for j, count in enumerate(per_book) if u < count] for u in range(max(per_book))}
    return user_ratings(users)


def test_validation_weights_undo_per_book_sampling_only_where_there_was_some():
    ratings_count = np.array([10.0**k for k in range(1, 11)])  # book 9 is 10^9 times as read as book 0
    heavy = np.ones(10)
    # The first release: about the same number of ratings per book whatever its popularity.
    sampled = ratings_with_counts([20, 21, 20, 22, 20, 21, 20, 22, 21, 20])
    weights = validation_weights(sampled, ratings_count, heavy, exponent=0.5)
    assert np.allclose(weights, traffic_weights(ratings_count, heavy, 0.5))
    # The later release: ratings per book as popular (90th/10th percentile 10): nothing to undo.
    popular = ratings_with_counts([2 * (j + 1) for j in range(10)])
    assert validation_weights(popular, ratings_count, heavy, exponent=0.5) is None


def test_log_ratio_is_centred_and_favours_books_real_readers_read_more():
    ratios = log_ratio(np.array([9.0, 99.0, 999.0]), np.array([9.0, 9.0, 9.0]))
    assert np.isclose(ratios.mean(), 0.0, atol=1e-6)
    assert np.isclose(ratios[2] - ratios[1], np.log(10.0), rtol=1e-5)


def test_shift_strength_grows_with_how_popular_the_liked_picks_are():
    ratios = np.array([-2.0, 0.0, 2.0, 5.0], np.float32)
    rows = np.array([[0, 3], [1, 3], [2, 3], [3, 0]])
    liked = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])  # book 3 never liked
    # m = -2, 0, 2, and 0 without liked picks: (m + 1) / 3 clipped to 0..1, times gamma 0.6.
    assert np.allclose(shift_strength(liked, rows, ratios, 0.6, fade=0.0), [0.0, 0.2, 0.6, 0.2])


def test_shift_strength_fades_as_the_liked_picks_grow_past_fade():
    ratios = np.zeros(20, np.float32)  # m = 0: (0 + 1) / 3 of gamma before the fade
    counts = [1, 5, 10, 20]
    rows = np.tile(np.arange(20), (4, 1))
    liked = np.array([[1.0] * n + [0.0] * (20 - n) for n in counts])
    expected = [0.2, 0.2, 0.2 * 5 / 10, 0.2 * 5 / 20]
    assert np.allclose(shift_strength(liked, rows, ratios, 0.6, fade=5.0), expected)
