"""The split path's choice of the popularity gamma, on a planted two-group world
(model/synthetic.py): gamma leaves 0 when the shift truly finds the validation users' targets,
and stays there when it gains less than ``shift_tolerance``."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from model.choose import split_judge
from model.choose_split import choose_table_on_split
from model.config import TrainConfig
from model.fit import FitData
from model.protocols import Protocol
from model.synthetic import make_goodbooks
from tests.model.ratings import user_ratings

TARGETS = np.array([51, 53, 55, 57, 59])  # rows of five even books (book_id = row + 1)


@pytest.fixture(scope="module")
def world():
    """(FitData of the synthetic users, 600 validation users of the even group: 5 liked even
    books as picks, the five TARGETS books as targets)."""
    ratings = make_goodbooks(num_books=60, num_users=400, seed=0)["ratings"]
    table = {
        int(user): [(int(b) - 1, float(s)) for b, s in zip(g["book_id"], g["rating"], strict=True)]
        for user, g in ratings.groupby("user_id")
    }
    fitted = user_ratings(table)
    data = FitData(fitted, sp.csr_matrix((len(fitted), 60), dtype=np.float32), np.full(60, 1000.0))
    rng = np.random.default_rng(1)
    others = np.setdiff1d(np.arange(1, 60, 2), TARGETS)
    picks = [(rng.choice(others, 5, replace=False), np.full(5, 5.0)) for _ in range(600)]
    return data, Protocol("plain validation", picks, [TARGETS] * 600, None)


def chosen_gamma(world, ratios, shift_tolerance=TrainConfig.shift_tolerance):
    data, plain = world
    cfg = TrainConfig(shift_tolerance=shift_tolerance)
    judge = split_judge(plain, None, cfg.plain_tolerance)
    return choose_table_on_split(data, ratios, judge, cfg).popularity_gamma


def targets_favoured_by(amount):
    """[N] log ratios: the TARGETS books ``amount`` more read by real readers, the rest 0."""
    ratios = np.zeros(60, np.float32)
    ratios[TARGETS] = amount
    return ratios


def test_gamma_leaves_0_when_the_shift_finds_the_targets(world):
    # Plain Recall@10 0.29 at gamma 0, 0.79 at 0.8: the votes alone do not know the targets.
    assert chosen_gamma(world, targets_favoured_by(3.0)) == 0.8


def test_gamma_stays_0_when_the_shift_gains_less_than_the_tolerance(world):
    # Recall@10 0.2900 at gamma 0, 0.2907 at every larger gamma: flat, within 0.002.
    ratios = targets_favoured_by(0.01)
    assert chosen_gamma(world, ratios) == 0.0
    assert chosen_gamma(world, ratios, shift_tolerance=0.0) == 0.2  # the best, by 0.0007


def test_gamma_stays_0_when_the_shift_carries_nothing(world):
    ratios = np.random.default_rng(2).normal(0.0, 0.02, 60).astype(np.float32)
    assert chosen_gamma(world, ratios) == 0.0
