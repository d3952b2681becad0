"""discovery_scores and the rule that chooses on what readers see, with known answers."""

import numpy as np
import pytest

from model.choose import best
from model.choose_shown import shown_value
from model.discovery import SCALE, DiscoveryError, check_setting, discovery_scores, metadata_entry, popularity


def test_popularity_is_the_log_count_z_score_in_tenths():
    counts = np.array([np.e**1 - 1, np.e**2 - 1, np.e**3 - 1])  # logs 1, 2, 3: z = -1.22, 0, 1.22
    assert popularity(counts).tolist() == [-12, 0, 12]
    assert popularity(np.zeros(3)).tolist() == [0, 0, 0]  # no spread: no shift, no NaN


def test_each_setting_moves_the_order_as_its_weight_says():
    # Book 0 is the most read and scores highest; book 2 the least read, 0.5 below it.
    entry = metadata_entry(
        np.array([1e6, 1e3, 10.0]), {"popular": -1.0, "balanced": 0.0, "lesser-known": 1.0}
    )
    scores = np.array([[1.0, 0.8, 0.5]], np.float32)
    assert np.argsort(-discovery_scores(scores, entry, "balanced")[0]).tolist() == [0, 1, 2]
    assert np.argsort(-discovery_scores(scores, entry, "lesser-known")[0]).tolist() == [2, 1, 0]
    reversed_ = scores[:, ::-1]  # now the least read scores highest: popular turns it around
    assert np.argsort(-discovery_scores(reversed_, entry, "balanced")[0]).tolist() == [2, 1, 0]
    assert np.argsort(-discovery_scores(reversed_, entry, "popular")[0]).tolist() == [0, 1, 2]
    pop = np.array(entry["popularity"]) / SCALE
    assert discovery_scores(scores, entry, "lesser-known")[0] == pytest.approx(scores[0] - pop)
    assert discovery_scores(scores, entry)[0].tolist() == scores[0].astype(np.float64).tolist()


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
