"""metadata.json is served to every visitor: what it tells of the build (model/export.py)."""

from __future__ import annotations

import numpy as np

from model.export import build_metadata


def test_the_served_config_names_the_data_but_not_the_build_machines_folders():
    config = {
        "data": "/home/builder/shared/data/goodbooks-10k",
        "real_readers": "/home/builder/shared/data/real-readers/ratings.csv",
        "out": "artifacts",
        "seed": 3,
        "choices": {"embedding_dim": 16},
        "release": None,
    }
    served = build_metadata(np.arange(1, 4), 16, config)["config"]
    assert served == {**config, "data": "goodbooks-10k", "real_readers": "ratings.csv"}
    assert config["data"].startswith("/home")  # the caller's config (config.json's) is not changed
