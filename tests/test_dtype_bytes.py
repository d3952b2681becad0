"""The bytes-per-dtype table of a TF.js weights manifest, kept by model/shards.py and
server/tfjs_weights.py (which share no code), is the one in tests/golden/dtype_bytes.json;
tests/js/dtype-bytes.test.js holds web/js/weights.js's copy and TF.js itself to the same file."""

from __future__ import annotations

import json

import pytest

from model import shards
from server import tfjs_weights
from tests.conftest import REPO

GOLDEN = json.loads((REPO / "tests" / "golden" / "dtype_bytes.json").read_text())["bytes"]


@pytest.mark.parametrize("table", [shards.DTYPE_BYTES, tfjs_weights.DTYPE_BYTES], ids=["model", "server"])
def test_the_table_is_the_golden_one(table):
    assert table == GOLDEN


def test_the_server_decodes_every_dtype_of_the_table():
    assert set(tfjs_weights._NUMPY_DTYPES) == set(GOLDEN)
