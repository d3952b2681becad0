"""The shipped precision of each weight, and the uint8 rounding that matches the converter's
(on all 256 levels, or on the first part's coarser 16)."""

from __future__ import annotations

import numpy as np
import pytest

from model.precision import LEVELS, affine_levels, affine_uint8, settled, weight_dtype, weight_levels


def test_each_weight_has_its_shipped_precision():
    assert weight_dtype("neighbor_rows/neighbor_rows:0") == "uint16"
    for name in ("book_embedding/embeddings", "book_scores/kernel", "neighbor_scores/neighbor_weights"):
        assert weight_dtype(name) == "uint8"
    assert weight_dtype("predicted_stars/star_weights:0") == "uint8"
    for name in ("book_scores/bias", "neighbor_scores/log_ratio", "predicted_stars/book_bias:0"):
        assert weight_dtype(name) == "uint8"  # the per-book vectors
    assert weight_dtype("visitor/bias") == weight_dtype("neighbor_scores/gamma") == "float16"


def test_uint8_levels_by_hand():
    # range [-1, 1.55]: scale 0.01, zero nudged to level 100 exactly; 0.333 -> level 133.
    values = np.array([-1.0, 0.0, 0.333, 1.55], np.float32)
    np.testing.assert_allclose(affine_uint8(values), [-1.0, 0.0, 0.33, 1.55], atol=1e-6)
    assert affine_uint8(np.full(3, 0.7, np.float32)).tolist() == pytest.approx([0.7] * 3)


@pytest.mark.slow
def test_uint8_rounding_is_the_tfjs_converters():
    from tensorflowjs.quantization import dequantize_weights, quantize_weights

    rng = np.random.default_rng(0)
    for values in (rng.normal(size=(50, 7)), rng.random(40) + 0.5, rng.normal(size=500) * 3 - 1):
        values = values.astype(np.float32)
        expected = dequantize_weights(*quantize_weights(values, np.uint8), np.float32)
        np.testing.assert_array_equal(affine_uint8(values), expected)
        np.testing.assert_allclose(affine_uint8(affine_uint8(values)), expected, atol=1e-6)  # stable


def test_the_first_parts_big_tensors_take_fewer_levels():
    assert weight_levels("book_embedding/embeddings:0") == weight_levels("book_scores/kernel") == LEVELS == 16
    for name in ("book_scores/bias", "neighbor_scores/neighbor_weights", "predicted_stars/star_weights:0"):
        assert weight_levels(name) == 256


def test_levels_by_hand():
    # range [-1.5, 3]: 15 steps of 0.3 from -1.5, 0 the sixth level; -0.2 -> -0.3, 0.4 -> 0.3.
    values = np.array([-1.5, -0.2, 0.0, 0.4, 3.0], np.float32)
    np.testing.assert_allclose(affine_levels(values), [-1.5, -0.3, 0.0, 0.3, 3.0], atol=1e-6)
    # [-0.1, 1]: steps of 1.1 / 15; the window slides up by 0.027 so that 0 is a level.
    slid = affine_levels(np.array([-0.1, 0.0, 1.0], np.float32))
    assert slid[1] == 0.0
    np.testing.assert_allclose(slid, [-1.1 / 15, 0.0, 14 * 1.1 / 15], atol=1e-6)
    assert affine_levels(np.full(3, 0.7, np.float32)).tolist() == pytest.approx([0.7] * 3)
    with pytest.raises(ValueError, match="8 levels"):
        affine_levels(values, 8)  # 255 / 7 is not whole: the levels would fall between codes


@pytest.mark.slow
def test_levels_are_the_converters_codes_17_apart():
    from tensorflowjs.quantization import dequantize_weights, quantize_weights

    rng = np.random.default_rng(1)
    for values in (rng.normal(size=(400, 16)) * 0.1, rng.normal(size=300) * 3 - 1, rng.random(50) + 0.5):
        rounded = affine_levels(values.astype(np.float32))
        quantized = quantize_weights(rounded, np.uint8)
        assert set(np.unique(quantized[0]).tolist()) <= set(range(0, 256, 17))
        assert len(np.unique(rounded)) <= LEVELS
        np.testing.assert_array_equal(dequantize_weights(*quantized, np.float32), rounded)
        np.testing.assert_allclose(affine_levels(rounded), rounded, atol=1e-6)  # stable


@pytest.mark.slow
def test_the_rounded_values_are_what_the_converter_ships_again():
    # The converter quantises the saved (rounded) model once more: that must change nothing, on
    # all 256 levels (settled) and on 16; one round alone missed by a float32 step in a few
    # tensors in a thousand, these draws among them.
    from tensorflowjs.quantization import dequantize_weights, quantize_weights

    rng = np.random.default_rng(5)
    for _ in range(400):
        shape = (int(rng.integers(5, 300)), 7)
        values = (rng.normal(size=shape) * rng.uniform(0.001, 10) + rng.uniform(-3, 3)).astype(np.float32)
        for rounded in (settled(values), affine_levels(values)):
            shipped = dequantize_weights(*quantize_weights(rounded, np.uint8), np.float32)
            np.testing.assert_array_equal(shipped, rounded)
