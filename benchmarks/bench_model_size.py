"""What the phone downloads for the model: each weight of a TF.js model and each shard, as
brotli at the site's quality (sitebuild/precompress.py), in bytes.

    .venv/bin/python benchmarks/bench_model_size.py [--model artifacts/model/web/model]

Each weight is compressed on its own (what it costs, about); then each shard file as the site
serves it (``<shard>.bin.br``), in the first part or the later one (model/shards.py: the first
suggestion waits only for the first), with both totals. Prints Markdown tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import brotli
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitebuild.precompress import BROTLI_QUALITY  # noqa: E402


def weights_of(model_dir: Path) -> tuple[dict[str, np.ndarray], bytes]:
    """({name: the weight as stored, [shape] in its shipped dtype}, the shards' bytes)."""
    manifest = json.loads((model_dir / "model.json").read_text())["weightsManifest"]
    data = b"".join((model_dir / p).read_bytes() for group in manifest for p in group["paths"])
    out, offset = {}, 0
    for group in manifest:
        for w in group["weights"]:
            dtype = np.dtype(w.get("quantization", {}).get("dtype", w["dtype"]))
            count = int(np.prod(w["shape"]))
            out[w["name"]] = np.frombuffer(data, dtype, count, offset).reshape(w["shape"])
            offset += count * dtype.itemsize
    return out, data


def brotli_size(data: bytes) -> int:
    return len(brotli.compress(data, quality=BROTLI_QUALITY))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="artifacts/model/web/model", help="a TF.js model directory")
    args = parser.parse_args(argv)
    model_dir = Path(args.model)
    weights, _ = weights_of(model_dir)
    print("| weight | shape | dtype | brotli bytes |\n|---|---|---|---|")
    for name, values in weights.items():
        shape = "x".join(map(str, values.shape))
        print(f"| {name} | {shape} | {values.dtype} | {brotli_size(values.tobytes()):,} |")
    model_json = json.loads((model_dir / "model.json").read_text())
    later = model_json.get("userDefinedMetadata", {}).get("later_shards", {})
    totals = {"first": 0, "later": 0}
    print("\n| shard | part | brotli bytes |\n|---|---|---|")
    for path in (path for group in model_json["weightsManifest"] for path in group["paths"]):
        part = "later" if path in later else "first"
        size = brotli_size((model_dir / path).read_bytes())
        totals[part] += size
        print(f"| {path} | {part} | {size:,} |")
    for part, size in totals.items():
        print(f"| **the {part} part** | | **{size:,}** ({size / 1024:,.0f} KiB) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
