"""TF.js weights read with numpy: one weight of a ``model.json`` and its shards, dequantised.

The server reads the book vectors and the neighbor table straight out of the files the browser
downloads, so both use the very same numbers. No TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from server.sitedir import ArtifactsInvalid

# Bytes per element of each dtype a TF.js weights manifest can hold (model/shards.py and
# web/js/weights.js keep the same table; tests/golden/dtype_bytes.json holds all three to it).
DTYPE_BYTES = {"float32": 4, "int32": 4, "bool": 1, "uint8": 1, "uint16": 2, "float16": 2}
_NUMPY_DTYPES = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "float16": np.float16,
}


def read_weight(
    read_shard: Callable[[str], bytes], model_json: dict, wanted_layer: str, weight: str | None = None
) -> np.ndarray:
    """Return a weight of ``wanted_layer`` (its first, or the one named ``weight``) as float32,
    the shards read by ``read_shard(path in the manifest)``.

    Walks ``weightsManifest`` groups in order: each group's shards, concatenated, hold its
    weights back to back. Quantised entries (float16, uint8, uint16) are dequantised.
    """
    wanted = f"{wanted_layer}/{weight}" if weight else None
    for group in model_json.get("weightsManifest", []):
        entries = group["weights"]
        names = [entry["name"] for entry in entries]
        match = next(
            (
                i
                for i, name in enumerate(names)
                if (name == wanted if wanted else name.split("/")[0] == wanted_layer)
            ),
            None,
        )
        if match is None:
            continue
        offset = 0
        for entry in entries[:match]:
            offset += _entry_nbytes(entry)
        entry = entries[match]
        blob = b"".join(read_shard(path) for path in group["paths"])
        needed = sum(_entry_nbytes(e) for e in entries)
        if len(blob) != needed:
            shards = ", ".join(group["paths"])
            raise ArtifactsInvalid(f"{shards}: {len(blob)} bytes where model.json needs {needed}; truncated?")
        return _decode_entry(entry, blob[offset : offset + _entry_nbytes(entry)])
    raise ArtifactsInvalid(f"model.json has no weight {wanted or 'for layer ' + repr(wanted_layer)}")


def _entry_nbytes(entry: dict) -> int:
    dtype = entry.get("quantization", {}).get("dtype", entry["dtype"])
    return int(np.prod(entry["shape"], dtype=np.int64)) * DTYPE_BYTES[dtype]


def _decode_entry(entry: dict, data: bytes) -> np.ndarray:
    quantization = entry.get("quantization")
    dtype = quantization["dtype"] if quantization else entry["dtype"]
    values = np.frombuffer(data, dtype=np.dtype(_NUMPY_DTYPES[dtype]).newbyteorder("<"))
    if quantization and dtype in ("uint8", "uint16"):
        values = values.astype(np.float32) * quantization["scale"] + quantization["min"]
    return values.astype(np.float32).reshape(entry["shape"])
