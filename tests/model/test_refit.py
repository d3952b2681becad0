"""The shipped model is refitted on everyone: what only the held-out users did reaches it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model.config import TrainConfig
from model.layers import load_model
from model.ranking import top_k
from model.scoring import predict_batch
from model.split import make_split
from model.synthetic import make_goodbooks
from tests.conftest import SYNTHETIC_TRAIN_ARGS, run_module

pytestmark = pytest.mark.slow

PLANTED = (61, 62)  # two new books that only the split's held-out users read, always together


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    tables = make_goodbooks()
    books, ratings = tables["books"], tables["ratings"]
    extra = books.tail(2).copy()
    extra["book_id"] = list(PLANTED)
    extra["title"] = ["Planted One", "Planted Two"]
    tables["books"] = pd.concat([books, extra], ignore_index=True)
    cfg = TrainConfig()
    split = make_split(ratings, tables["books"]["book_id"], cfg.seed, cfg.visitor_fraction, cfg.test_fraction)
    held_out = split.held_out.user_ids
    planted = [(book, int(user), 5) for user in held_out for book in PLANTED]
    tables["ratings"] = pd.concat(
        [ratings, pd.DataFrame(planted, columns=ratings.columns)], ignore_index=True
    )
    # The planted ratings change who is held out: the split draws users before ratings.
    again = make_split(tables["ratings"], tables["books"]["book_id"], cfg.seed, cfg.visitor_fraction)
    assert np.array_equal(again.held_out.user_ids, held_out)
    data = tmp_path_factory.mktemp("planted")
    for name, df in tables.items():
        df.to_csv(data / f"{name}.csv", index=False)
    out = tmp_path_factory.mktemp("artifacts")
    run_module("model.train", "--data", str(data), "--out", str(out), "--quiet", *SYNTHETIC_TRAIN_ARGS)
    return out


def neighbors_of(model, row):
    return model.get_layer("neighbor_rows").neighbor_rows.numpy()[row].round().astype(int).tolist()


def test_only_the_shipped_model_links_the_books_only_held_out_users_read(artifacts):
    one, two = PLANTED[0] - 1, PLANTED[1] - 1  # book ids 1..62 are rows 0..61
    shipped = load_model(artifacts / "model" / "model.keras")
    split_model = load_model(artifacts / "model" / "split" / "model.keras")
    assert two in neighbors_of(shipped, one) and one in neighbors_of(shipped, two)
    assert two not in neighbors_of(split_model, one) and one not in neighbors_of(split_model, two)
    picks = [(np.array([one]), np.array([5.0], np.float32))]
    assert top_k(predict_batch(shipped, picks)[0][0], 1, exclude=[one]).tolist() == [two]
    assert top_k(predict_batch(split_model, picks)[0][0], 1, exclude=[one]).tolist() != [two]


def test_config_records_what_the_split_fit_chose(artifacts):
    config = json.loads((artifacts / "model" / "config.json").read_text())
    assert set(config["choices"]) == {
        "to_read_weight",
        "popularity_gamma",
        "neighbor_mix",
        "star_scale",
        "epochs",
        "three_star_weight",
        "neighbor_lambda",
        "neighbor_dropout",
        "num_neighbors",
        "reader_weight",
        "chosen_on",
        "embedding_dim",
        "discovery_weights",
    }
    assert config["choices"]["to_read_weight"] in config["to_read_weights"]
    assert config["choices"]["embedding_dim"] in config["embedding_dims"]
    assert config["choices"]["chosen_on"] == "split" and config["choices"]["reader_weight"] == 0.0
    histories = json.loads((artifacts / "model" / "history.json").read_text())
    assert len(histories["shipped"]["epoch"]) == config["choices"]["epochs"]
