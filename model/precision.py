"""The precision each weight is shipped in, and rounding the Keras model to exactly that.

A phone downloads the model, so every weight that can goes as one byte: uint8 with the TF.js
converter's affine quantisation (``value = q * scale + min`` per tensor, ``min`` nudged so
that 0 is exact), the per-book vectors (output bias, popularity log ratios, star biases) too:
on the check readers that moved no mean Recall@10 by more than 0.0003 nor the star RMSE by
0.0001 (benchmarks/bench_precision.py). Row numbers go as uint16 (exact once rounded); the
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


def affine_uint8(values: np.ndarray) -> np.ndarray:
    """``values`` quantised to uint8 and back, as tensorflowjs.quantization does it (float32)."""
    values = np.asarray(values, np.float32)
    low, high = float(values.min()), float(values.max())
    if low == high:
        return values.copy()
    values = values.astype(np.float64)
    scale = (high - low) / 255.0
    if low <= 0.0 <= high:  # nudge the range so that 0 is exactly a level
        low = -float(np.round(-low / scale)) * scale
        high = 255.0 * scale + low
    levels = np.round((np.clip(values, low, high) - low) / scale)
    return (levels * scale + low).astype(np.float32)


def round_for_browser(model) -> None:
    """Round every weight of ``model`` to the value the browser will dequantise."""
    for layer in model.layers:
        for weight in layer.weights:
            _round(weight, weight_dtype(f"{layer.name}/{weight.name.split('/')[-1]}"))


def _round(weight, dtype: str) -> None:
    if dtype == "uint8":
        weight.assign(affine_uint8(weight.numpy()))
    elif dtype == "float16":
        weight.assign(weight.numpy().astype(np.float16).astype(np.float32))
    # uint16 row numbers are whole numbers below 65536: exact as they are
