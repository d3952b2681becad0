"""How the TF.js model's weights are cut into files: a first part and a later part.

A phone on a mobile network waits for every byte before the first suggestion. Most of the
model's bytes are the per-pick tables (each book's neighbor rows, neighbor weights and star
weights): a visitor's picks read only their own rows of them. So the tables are cut by rows:

- the first part: every other weight, and the tables' first ``first_rows`` rows (the most
  rated books: goodbooks numbers its books by popularity, so the first screen's books and
  nearly every early pick are among them);
- the later part: the tables' other rows, fetched once the first suggestions are shown, or
  at once when a pick needs them (web/js/weights.js, loader.js, model-host.js).

The files stay a standard TF.js weights manifest: each table is a group of its own whose two
shards are its first rows and the rest, so tf.loadLayersModel (and server/tfjs_weights.py)
read the whole model as before. ``userDefinedMetadata`` names the later shards.

Row numbers are written as exact uint16 (scale 1, min 0), which compresses better than the
converter's range-filling scale and dequantises to the same whole numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatch

import numpy as np

# The weights read only at the visitor's picks' rows (model/layers.py gathers them by pick).
ROW_TABLES = ("*/neighbor_rows", "*/neighbor_weights", "*/star_weights")
ROW_NUMBERS = "*/neighbor_rows"
FIRST_SHARE = 0.1  # the share of the tables' rows in the first part
# The same table as server/tfjs_weights.py and web/js/weights.js (model/ and server/ share no code),
# all three held to tests/golden/dtype_bytes.json.
DTYPE_BYTES = {"float32": 4, "int32": 4, "bool": 1, "uint8": 1, "uint16": 2, "float16": 2}


def entry_nbytes(entry: dict) -> int:
    """Bytes one weights-manifest entry takes in its group."""
    dtype = entry.get("quantization", {}).get("dtype", entry["dtype"])
    return int(np.prod(entry["shape"], dtype=np.int64)) * DTYPE_BYTES[dtype]


def first_rows(num_rows: int, share: float = FIRST_SHARE) -> int:
    """How many of the tables' rows go in the first part: ``share`` of them, at least one."""
    return min(num_rows, max(1, math.ceil(num_rows * share)))


def is_row_table(name: str) -> bool:
    return any(fnmatch(name, pattern) for pattern in ROW_TABLES)


@dataclass
class Shard:
    name: str  # the file name before its content hash (export.hash_shards adds it)
    data: bytes
    later: bool  # in the later part


def exact_row_numbers(entry: dict, data: bytes) -> tuple[dict, bytes]:
    """A uint16 entry of row numbers re-encoded with scale 1 and min 0 (the same values)."""
    q = entry["quantization"]
    values = np.frombuffer(data, "<u2").astype(np.float64) * q["scale"] + q["min"]
    rows = np.round(values)
    whole = np.abs(values - rows).max(initial=0.0) <= 0.25  # the converter's rounding, at most scale / 2
    if not whole or rows.min(initial=0) < 0 or rows.max(initial=0) > 65535:
        raise ValueError(f"{entry['name']} does not hold row numbers")
    exact = {**entry, "quantization": {**q, "scale": 1.0, "min": 0.0}}
    return exact, rows.astype("<u2").tobytes()


def cut(weights: list[dict], blob: bytes, share: float = FIRST_SHARE) -> tuple[list[dict], list[Shard], int]:
    """The converter's weights (``weights``, one group, its shards' bytes ``blob``) cut into
    the parts above: (the new weightsManifest with shard names, the shards, first rows).

    Group 1 holds every weight but the tables, in their order; then one group per table, its
    first shard the first rows, its second the rest (none when every row is first).
    """
    offsets = np.cumsum([0] + [entry_nbytes(entry) for entry in weights])
    if offsets[-1] != len(blob):
        raise ValueError(f"the shards hold {len(blob)} bytes where the manifest needs {offsets[-1]}")
    parts = [(entry, blob[offsets[i] : offsets[i + 1]]) for i, entry in enumerate(weights)]
    tables = [(entry, data) for entry, data in parts if is_row_table(entry["name"])]
    rest = [(entry, data) for entry, data in parts if not is_row_table(entry["name"])]
    num_rows = {entry["shape"][0] for entry, _ in tables}
    if len(num_rows) > 1:
        raise ValueError(f"the row tables disagree in their number of rows: {sorted(num_rows)}")
    first = first_rows(num_rows.pop()) if tables else 0

    manifest = [{"paths": ["group1-shard1of1.bin"], "weights": [entry for entry, _ in rest]}]
    shards = [Shard("group1-shard1of1.bin", b"".join(data for _, data in rest), False)]
    for number, (entry, data) in enumerate(tables, start=2):
        if fnmatch(entry["name"], ROW_NUMBERS) and entry.get("quantization", {}).get("dtype") == "uint16":
            entry, data = exact_row_numbers(entry, data)
        row_bytes = entry_nbytes(entry) // entry["shape"][0]
        pieces = [data[: first * row_bytes], data[first * row_bytes :]]
        pieces = [piece for piece in pieces if piece]
        names = [f"group{number}-shard{i}of{len(pieces)}.bin" for i in range(1, len(pieces) + 1)]
        manifest.append({"paths": names, "weights": [entry]})
        later = (False, True)[: len(pieces)]  # the first rows, then the rest
        shards += [Shard(*part) for part in zip(names, pieces, later, strict=True)]
    return manifest, shards, first
