"""model/shards.py: the TF.js weights cut into a first part and a later part, with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from model.shards import cut, exact_row_numbers, first_rows


def entry(name, shape, dtype, **quantization):
    spec = {"name": name, "shape": list(shape), "dtype": "float32"}
    if dtype != "float32":
        spec["quantization"] = {"dtype": dtype, "original_dtype": "float32", **quantization}
    return spec


def planted(num_rows=20, m=3):
    """Weights as the converter writes them: a vector, the three row tables, a scalar."""
    rows = np.arange(num_rows * m).reshape(num_rows, m) % num_rows
    scale = max(num_rows - 1, 1) / 65535  # the converter's scale: the range fills all of uint16
    q_rows = np.round(rows / scale).astype("<u2")
    weights = np.arange(num_rows * m, dtype=np.uint8).reshape(num_rows, m)
    stars = (255 - np.arange(num_rows * m) % 256).astype(np.uint8).reshape(num_rows, m)
    vector = np.arange(num_rows, dtype=np.uint8)
    spec = [
        entry("book_scores/bias", [num_rows], "uint8", scale=0.1, min=-1.0),
        entry("neighbor_rows/neighbor_rows", [num_rows, m], "uint16", scale=scale, min=0.0),
        entry("neighbor_scores/neighbor_weights", [num_rows, m], "uint8", scale=0.01, min=0.0),
        entry("neighbor_scores/gamma", [1], "float16"),
        entry("predicted_stars/star_weights", [num_rows, m], "uint8", scale=0.02, min=-1.0),
    ]
    blob = b"".join(
        [vector.tobytes(), q_rows.tobytes(), weights.tobytes(), np.float16([0.5]).tobytes(), stars.tobytes()]
    )
    return spec, blob, rows, weights, stars, vector


def test_first_rows_is_a_tenth_rounded_up_and_at_least_one():
    assert first_rows(10000) == 1000
    assert first_rows(20) == 2
    assert first_rows(21) == 3
    assert first_rows(3) == 1
    assert first_rows(1) == 1


def test_the_tables_are_cut_by_rows_and_the_rest_stays_whole():
    spec, blob, rows, weights, stars, vector = planted()
    manifest, shards, first = cut(spec, blob)
    assert first == 2
    assert [group["paths"] for group in manifest] == [
        ["group1-shard1of1.bin"],
        ["group2-shard1of2.bin", "group2-shard2of2.bin"],
        ["group3-shard1of2.bin", "group3-shard2of2.bin"],
        ["group4-shard1of2.bin", "group4-shard2of2.bin"],
    ]
    assert [[w["name"] for w in group["weights"]] for group in manifest] == [
        ["book_scores/bias", "neighbor_scores/gamma"],
        ["neighbor_rows/neighbor_rows"],
        ["neighbor_scores/neighbor_weights"],
        ["predicted_stars/star_weights"],
    ]
    data = {shard.name: shard.data for shard in shards}
    assert [shard.name for shard in shards if shard.later] == [
        "group2-shard2of2.bin",
        "group3-shard2of2.bin",
        "group4-shard2of2.bin",
    ]
    assert data["group1-shard1of1.bin"] == vector.tobytes() + np.float16([0.5]).tobytes()
    # Row numbers: exact uint16 now, the first two rows in the first shard.
    assert manifest[1]["weights"][0]["quantization"]["scale"] == 1.0
    assert manifest[1]["weights"][0]["quantization"]["min"] == 0.0
    assert data["group2-shard1of2.bin"] == rows[:2].astype("<u2").tobytes()
    assert data["group2-shard2of2.bin"] == rows[2:].astype("<u2").tobytes()
    # One-byte tables: the very bytes, cut after the first two rows; quantization unchanged.
    assert data["group3-shard1of2.bin"] + data["group3-shard2of2.bin"] == weights.tobytes()
    assert len(data["group3-shard1of2.bin"]) == 2 * 3
    assert data["group4-shard1of2.bin"] + data["group4-shard2of2.bin"] == stars.tobytes()
    assert manifest[3]["weights"][0] == spec[4]


def test_a_single_row_table_has_no_later_part():
    spec, blob, *_ = planted(num_rows=1)
    manifest, shards, first = cut(spec, blob)
    assert first == 1
    assert not any(shard.later for shard in shards)
    assert manifest[1]["paths"] == ["group2-shard1of1.bin"]


def test_weights_without_tables_are_one_group():
    spec = [entry("visitor/kernel", [2, 2], "float16")]
    manifest, shards, first = cut(spec, bytes(8))
    assert first == 0
    assert manifest == [{"paths": ["group1-shard1of1.bin"], "weights": spec}]
    assert [shard.data for shard in shards] == [bytes(8)]


def test_what_does_not_add_up_is_refused():
    spec, blob, *_ = planted()
    with pytest.raises(ValueError, match="bytes where the manifest needs"):
        cut(spec, blob[:-1])
    spec[4]["shape"] = [10, 6]  # the same bytes, another number of rows
    with pytest.raises(ValueError, match="disagree in their number of rows"):
        cut(spec, blob)


def test_row_numbers_must_be_whole_numbers_in_range():
    spec = entry("neighbor_rows/neighbor_rows", [2], "uint16", scale=0.5, min=0.0)
    exact, data = exact_row_numbers(spec, np.array([4, 6], "<u2").tobytes())
    assert np.frombuffer(data, "<u2").tolist() == [2, 3]
    with pytest.raises(ValueError, match="does not hold row numbers"):
        exact_row_numbers(spec, np.array([4, 5], "<u2").tobytes())  # 2.5 is no row
