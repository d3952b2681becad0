"""The precision each weight is shipped in, and rounding the Keras model to exactly that.

A phone downloads the model, so every weight that can goes as one byte: uint8 with the TF.js
converter's affine quantisation (``value = q * scale + min`` per tensor, ``min`` nudged so
that 0 is exact), the per-book vectors (output bias, popularity log ratios, star biases) too:
on the check readers that moved no mean Recall@10 by more than 0.0003 nor the star RMSE by
0.0001 (benchmarks/bench_precision.py). The first part's two big tensors (the book embedding,
the low-rank part's output kernel: 10,000 x d each, what the first suggestion waits for) take
only 16 of the 256 levels (``LEVELS``): codes 17 apart, which brotli packs in about 4 bits a
value instead of 8 (268 -> 108 KiB) for no change of shown10 or Recall@10 on the check readers
(benchmarks/bench_precision.py --levels). Row numbers go as uint16 (exact once rounded); the
small rest (the visitor layer, the scalars) as float16.
The Keras model is rounded to the very values the browser dequantises, so Keras, Python batch
recommendations and the browser all score with the same numbers (the parity tests), and the
evaluation measures the model at the size that ships.
"""

from __future__ import annotations

from fnmatch import fnmatch

import numpy as np

UINT8 = (
    "book_embedding/*",
    "book_scores/*",
    "*/neighbor_weights",
    "*/star_weights",
    "*/log_ratio",
    "*/book_bias",
)
UINT16 = ("*/neighbor_rows",)
COARSE = ("book_embedding/embeddings", "book_scores/kernel")  # uint8 on LEVELS levels
LEVELS = 16  # 255 / (LEVELS - 1) = 17: each level is one of the converter's own uint8 codes


def quantization_map() -> dict:
    """The TF.js converter's ``quantization_dtype_map`` for the plan above."""
    return {"uint8": list(UINT8), "uint16": list(UINT16), "float16": True}


def weight_dtype(name: str) -> str:
    """How the weight named ``layer/weight`` (a ``:0`` suffix is ignored) is shipped."""
    name = name.split(":")[0]
    for dtype, patterns in (("uint16", UINT16), ("uint8", UINT8)):
        if any(fnmatch(name, pattern) for pattern in patterns):
            return dtype
    return "float16"


def weight_name(layer, weight) -> str:
    """``layer/weight`` of a Keras weight (``book_scores/kernel``), the name the plan above reads."""
    return f"{layer.name}/{weight.name.split('/')[-1].split(':')[0]}"


def weight_levels(name: str) -> int:
    """How many of the uint8 levels the weight named ``layer/weight`` may take (256: all)."""
    name = name.split(":")[0]
    return LEVELS if any(fnmatch(name, pattern) for pattern in COARSE) else 256


def affine_levels(values: np.ndarray, levels: int = LEVELS) -> np.ndarray:
    """``values`` on ``levels`` evenly spaced values from about their min to their max, 0 exactly
    one of them (the window slides by at most half a step to hold it), then ``settled`` as the
    converter ships them: at most ``levels`` distinct values, which the browser dequantises
    exactly (float32). ``255 / (levels - 1)`` must be whole; 256 levels is the converter's own
    rounding."""
    if levels < 2 or 255 % (levels - 1):
        raise ValueError(f"{levels} levels do not divide the 256 uint8 codes evenly")
    codes, low, scale = uint8_codes(values, levels - 1)
    return settled((codes * scale + low).astype(np.float32))


def affine_uint8(values: np.ndarray) -> np.ndarray:
    """``values`` quantised to uint8 and back, as tensorflowjs.quantization does it (float32)."""
    codes, low, scale = uint8_codes(values)
    return (codes * scale + low).astype(np.float32)


def settled(values: np.ndarray) -> np.ndarray:
    """``values`` rounded by ``affine_uint8`` until another round leaves them as they are: one
    round can move a value by a float32 step that the converter, rounding the saved model again,
    would move once more (a few tensors in a thousand). Then the browser dequantises exactly the
    Keras model's values."""
    values = affine_uint8(values)
    for _ in range(8):
        again = affine_uint8(values)
        if np.array_equal(again, values):
            break
        values = again
    return values


def uint8_codes(values: np.ndarray, steps: int = 255) -> tuple[np.ndarray, float, float]:
    """(codes uint8, min, scale) of ``values`` as the converter writes them, on ``steps`` + 1
    levels (255: all of uint8): value = code * scale + min, the range nudged so that 0 is exactly
    a code; a constant tensor is all code 0."""
    values = np.asarray(values, np.float32)
    low, high = float(values.min()), float(values.max())
    if low == high:
        return np.zeros(values.shape, np.uint8), low, 1.0
    values = values.astype(np.float64)
    scale = (high - low) / steps
    if low <= 0.0 <= high:  # nudge the range so that 0 is exactly a level
        low = -float(np.round(-low / scale)) * scale
        high = steps * scale + low
    codes = np.round((np.clip(values, low, high) - low) / scale)
    return codes.astype(np.uint8), low, scale


def round_for_browser(model) -> None:
    """Round every weight of ``model`` to the value the browser will dequantise."""
    for layer in model.layers:
        for weight in layer.weights:
            name = weight_name(layer, weight)
            _round(weight, weight_dtype(name), weight_levels(name))


def _round(weight, dtype: str, levels: int) -> None:
    if dtype == "uint8":
        weight.assign(affine_levels(weight.numpy(), levels))
    elif dtype == "float16":
        weight.assign(weight.numpy().astype(np.float16).astype(np.float32))
    # uint16 row numbers are whole numbers below 65536: exact as they are
