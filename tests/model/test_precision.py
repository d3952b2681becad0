"""The shipped precision of each weight, and the uint8 rounding that matches the converter's."""

from __future__ import annotations

import numpy as np
import pytest

from model.precision import affine_uint8, weight_dtype


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
