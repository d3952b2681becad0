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
