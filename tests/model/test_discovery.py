"""discovery_scores and the rule that chooses on what readers see, with known answers."""

import numpy as np
import pytest

from model.choose import best
from model.choose_shown import shown_value
from model.discovery import DiscoveryError, check_setting, discovery_scores, metadata_entry, popularity


def test_popularity_is_the_log_count_z_score_in_tenths():
    counts = np.array([np.e**1 - 1, np.e**2 - 1, np.e**3 - 1])  # logs 1, 2, 3: z = -1.22, 0, 1.22
    assert popularity(counts).tolist() == [-12, 0, 12]
    assert popularity(np.zeros(3)).tolist() == [0, 0, 0]  # no spread: no shift, no NaN


def test_each_setting_moves_only_the_head_as_its_weight_says():
    # Book 0 is read far more than the rest (z 4.4, past the knee); books 1-19 alike (z -0.2).
    counts = np.array([1e7] + [100.0] * 19)
    weights = {"popular": -1.0, "balanced": 0.0, "lesser-known": 1.0}
    entry = metadata_entry(counts, weights)
    assert entry["popularity"][:2] == [44, -2] and entry["knee"] == 1.5
    scores = np.linspace(1.0, 0.0, 20).astype(np.float32)  # book 0 first, book 1 second...
    assert np.argsort(-discovery_scores(scores, entry, "balanced"), kind="stable")[:2].tolist() == [0, 1]
    lesser = discovery_scores(scores, entry, "lesser-known")
    assert lesser[0] == pytest.approx(1.0 - (4.4 - 1.5))  # the head book drops 2.9 logits
    assert lesser[1:].tolist() == scores[1:].astype(np.float64).tolist()  # the rest stay put
    assert np.argsort(-lesser, kind="stable")[-1] == 0
    flipped = scores[::-1].copy()  # now the head book scores lowest: popular lifts it first
    assert np.argsort(-discovery_scores(flipped, entry, "popular"), kind="stable")[0] == 0
    assert discovery_scores(scores, entry).tolist() == scores.astype(np.float64).tolist()


@pytest.mark.parametrize("bad", ["Popular", "", None, 3, "lesser_known"])
def test_a_setting_outside_the_list_names_the_allowed_values(bad):
    with pytest.raises(DiscoveryError, match='"popular", "balanced", "lesser-known"'):
        check_setting(bad)


def test_the_rule_prefers_shown10_above_the_anchor_and_recall_below_it():
    floor = 0.40
    candidates = {
        "wide": (shown_value(0.36, 0.41, floor),) * 2,  # above the floor, best shown10
        "narrow": (shown_value(0.30, 0.45, floor),) * 2,  # best recall, less shown10
        "weak": (shown_value(0.50, 0.39, floor),) * 2,  # best shown10 but below the anchor
    }
    assert best(candidates, 0.0, "test") == "wide"
    below = {k: v for k, v in candidates.items() if k != "wide" and k != "narrow"}
    below["weaker"] = (shown_value(0.60, 0.30, floor),) * 2
    assert best(below, 0.0, "test") == "weak"  # none above: the best Recall@10


def test_few_pick_protocols_cut_one_to_three_picks_from_half_of_liked():
    from model.choose_shown import HALF_OF_LIKED, few_pick_protocols
    from model.protocols import Protocol

    picks = [(np.array([1, 2, 3, 4]), np.full(4, 5.0)), (np.array([7, 8]), np.full(2, 4.0))]
    targets = [np.array([10, 11]), np.array([12])]
    other = Protocol("real readers, 5 picks", picks, targets)
    cut = few_pick_protocols([other, Protocol(HALF_OF_LIKED, picks, targets)], seed=0)
    assert [len(p.picks) for p in cut] == [2, 1, 1]  # the two-pick reader cannot give 2 or 3 of 2
    for n, protocol in zip((1, 2, 3), cut, strict=True):
        (rows, stars), target = protocol.picks[0], protocol.targets[0]
        assert len(rows) == n and set(rows) <= {1, 2, 3, 4} and stars.tolist() == [5.0] * n
        # The picks not given join the held-out liked books.
        assert sorted([*rows, *target]) == [1, 2, 3, 4, 10, 11]
    assert few_pick_protocols([other], seed=0) == []


def test_by_bucket_pools_every_case_by_its_number_of_picks():
    from model.choose_shown import by_bucket
    from model.protocols import Protocol

    def case(n):
        return (np.arange(n), np.full(n, 5.0))

    one = Protocol("a", [case(1), case(5)], [np.array([9]), np.array([9])])
    two = Protocol("b", [case(3), case(12), case(2)], [np.array([9])] * 3)
    scored = {id(one): np.array([[1.0], [5.0]]), id(two): np.array([[3.0], [12.0], [2.0]])}
    got = by_bucket([one, two], scored, (1, 2, 4, 8))
    assert [len(p.picks) for p, _ in got] == [1, 2, 1, 1]
    assert [s[:, 0].tolist() for _, s in got] == [[1.0], [3.0, 2.0], [5.0], [12.0]]
    assert len(by_bucket([one], {id(one): scored[id(one)]}, (1, 2, 4, 8))[1][0].picks) == 0


def test_each_setting_takes_its_pick_buckets_weight():
    from model.discovery import bucket, discovery_weight

    counts = np.array([1e7] + [100.0] * 19)
    entry = metadata_entry(
        counts, {"popular": [-4, -3, -2, -1], "balanced": [0, 1, 2, 3], "lesser-known": 5.0}
    )
    assert [bucket(entry, n) for n in (0, 1, 2, 3, 4, 7, 8, 100)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert [discovery_weight(entry, "balanced", n) for n in (1, 3, 5, 9)] == [0.0, 1.0, 2.0, 3.0]
    assert entry["weights"]["lesser-known"] == [5.0] * 4  # one number: every bucket
    old = {**entry, "weights": {"popular": -1.0, "balanced": 0.5, "lesser-known": 1.0}}
    del old["picks_from"]  # an older metadata.json: one weight, no buckets
    assert discovery_weight(old, "balanced", 9) == 0.5
    scores = np.zeros(20, np.float32)
    assert discovery_scores(scores, entry, "balanced", 9)[0] == pytest.approx(-3 * (4.4 - 1.5))
