"""scripts/make_fullsize.py: a later-release-shaped goodbooks directory, the same for a seed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from model.data import load_books, load_ratings, load_to_read
from model.synthetic import write_goodbooks
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # runs the script on 1,000s of users, several times


def shared_dir(tmp_path):
    """A data directory: a first-release goodbooks copy and 30 real readers."""
    shared = tmp_path / "shared"
    write_goodbooks(shared / "goodbooks-10k", num_books=60, num_users=100)
    rng = np.random.default_rng(0)
    rows = [
        (1000 + u, int(b), int(rng.integers(1, 6))) for u in range(30) for b in rng.choice(60, 20, False) + 1
    ]
    (shared / "real-readers").mkdir()
    pd.DataFrame(rows, columns=["user_id", "book_id", "rating"]).to_csv(
        shared / "real-readers" / "ratings.csv", index=False
    )
    return shared


def make(shared, out, *extra, env=None):
    """The script on ``shared``'s two inputs, given as the variables the build reads (or ``env``)."""
    env = env or {
        "GOODBOOKS_DIR": str(shared / "goodbooks-10k"),
        "REAL_READERS": str(shared / "real-readers" / "ratings.csv"),
    }
    command = [sys.executable, "scripts/make_fullsize.py", "--out", str(out)]
    return subprocess.run(
        [*command, "--ratings", "3000", "--to-read", "600", "--users", "150", *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_fullsize_has_the_later_release_shape_and_is_seeded(tmp_path):
    shared = shared_dir(tmp_path)
    assert make(shared, tmp_path / "a").returncode == 0
    out = tmp_path / "a"
    assert (out / "ratings.csv").read_text().splitlines()[0] == "user_id,book_id,rating"
    books = load_books(out)
    ratings = load_ratings(out, books["book_id"].to_numpy())
    first = pd.read_csv(shared / "goodbooks-10k" / "ratings.csv")
    assert ratings["user_id"].nunique() == 150
    assert 2700 <= len(ratings) <= 3000
    # Every first-release rating is kept; the copies bring the rest.
    kept = ratings.merge(first, on=["user_id", "book_id", "rating"])
    assert len(kept) == len(first.drop_duplicates(["user_id", "book_id"], keep="first"))
    assert 500 <= len(load_to_read(out, books["book_id"].to_numpy())) <= 600
    for name in ("books.csv", "tags.csv", "book_tags.csv"):
        assert (out / name).read_bytes() == (shared / "goodbooks-10k" / name).read_bytes()

    assert make(shared, tmp_path / "b").returncode == 0
    for name in ("ratings.csv", "to_read.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert make(shared, tmp_path / "c", "--seed", "3").returncode == 0
    assert (tmp_path / "a" / "ratings.csv").read_bytes() != (tmp_path / "c" / "ratings.csv").read_bytes()


def test_fullsize_refuses_the_repository_and_missing_inputs(tmp_path):
    shared = shared_dir(tmp_path)
    result = make(shared, REPO / "data" / "fullsize-test")
    assert result.returncode == 2 and "inside the repository" in result.stdout
    assert not (REPO / "data" / "fullsize-test").exists()
    shutil.rmtree(shared / "real-readers")
    result = make(shared, tmp_path / "out")
    assert result.returncode == 2 and "real-readers/ratings.csv" in result.stdout
    assert not (tmp_path / "out").exists()
    # Neither the flags nor the variables: it says what to give, and never looks elsewhere.
    result = make(shared, tmp_path / "out", env={"GOODBOOKS_DIR": "", "REAL_READERS": ""})
    assert result.returncode == 2 and "--goodbooks" in result.stdout and "--real-readers" in result.stdout
    # The flags name the inputs as well as the variables do.
    flags = ["--goodbooks", str(shared / "goodbooks-10k"), "--real-readers", str(tmp_path / "none.csv")]
    result = make(shared, tmp_path / "out", *flags, env={"GOODBOOKS_DIR": "", "REAL_READERS": ""})
    assert result.returncode == 2 and "none.csv" in result.stdout


def test_apart_makes_every_copy_a_user_of_its_own(tmp_path):
    shared = shared_dir(tmp_path)
    assert make(shared, tmp_path / "a", "--apart").returncode == 0
    ratings = pd.read_csv(tmp_path / "a" / "ratings.csv")
    first = pd.read_csv(shared / "goodbooks-10k" / "ratings.csv")
    first_users = set(first["user_id"])
    # First-release users keep exactly their own ratings; the copies are all fresh users.
    mine = ratings[ratings["user_id"].isin(first_users)]
    assert len(mine) == len(first.drop_duplicates(["user_id", "book_id"]))
    copies = ratings[~ratings["user_id"].isin(first_users)]
    assert copies["user_id"].nunique() > 0 and 2700 <= len(ratings) <= 3000
    assert copies.groupby("user_id").size().max() <= 20  # one real reader's books at most
