"""Queries and the `python -m explorer.explore` command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from explorer.explore import main
from explorer.metrics import author_agreement
from explorer.queries import find_name, load_space, similar_books, similar_to_author, suggest
from explorer.vectors import most_similar, top_k_neighbors
from tests.explorer.conftest import REPO, add_rating_model


def test_top_k_neighbors_match_brute_force():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(300, 5)).astype(np.float32)
    got = top_k_neighbors(vecs, 7, chunk=64)
    unit = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    assert np.array_equal(got, np.argsort(-sims, axis=1, kind="stable")[:, :7])
    rows = np.array([5, 77, 299])
    assert np.array_equal(top_k_neighbors(vecs, 7, rows=rows), got[rows])


def test_most_similar_excludes_the_query_and_breaks_ties_by_row():
    vecs = np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=np.float32)
    assert [r for r, _ in most_similar(vecs, 1, 3)] == [0, 2, 3]
    assert [r for r, _ in most_similar(vecs, np.array([0, 1.0]), 2, exclude=[3])] == [0, 1]


def test_author_agreement_finds_planted_authors():
    authors = [f"A{i // 5}, Someone Else" for i in range(50)]
    vecs = np.repeat(np.eye(10), 5, axis=0) + np.random.default_rng(0).normal(0, 0.01, (50, 10))
    result = author_agreement(vecs, authors, k=4)
    assert result["share"] == 1.0
    assert abs(result["chance"] - 4 / 49) < 1e-4
    sampled = author_agreement(vecs, authors, k=4, rows=np.arange(0, 50, 3))
    assert sampled["share"] == 1.0 and sampled["books"] == 17
    shuffled = author_agreement(np.random.default_rng(1).normal(size=(50, 10)), authors, k=4)
    assert shuffled["share"] < 0.5


def test_find_name_ignores_case_and_series_notes():
    titles = ["The Hobbit or There and Back Again", "The Hunger Games (The Hunger Games, #1)", "The Hobbit"]
    assert find_name("the hobbit", titles) == 2
    assert find_name("The Hunger Games", titles) == 1
    assert find_name("Hobbit", titles) is None


def test_suggestions_for_a_misspelt_or_partial_title():
    titles = ["The Hobbit", "The Hunger Games (The Hunger Games, #1)", "War and Peace", "Peace Like a River"]
    assert suggest("The Hobit", titles)[0] == "The Hobbit"
    assert set(suggest("peace", titles)) == {"War and Peace", "Peace Like a River"}
    assert suggest("zzzz qqqq", titles) == []


def test_queries_on_planted_vectors(tiny_artifacts, planted):
    space = load_space(tiny_artifacts, "tags")
    row, hits = similar_books(space, "book 3", 5)
    assert row == 3 and all(r < 20 for r, _ in hits)
    rows, hits = similar_to_author(space, "Author 6", 5)
    assert rows == [24, 25, 26, 27]
    assert all(r >= 20 and r not in rows for r, _ in hits)


def test_cli_prints_neighbors(tiny_artifacts, capsys):
    assert main(["books", "Book 30", "--artifacts", str(tiny_artifacts), "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Closest to Book 30 (Author 7) [tags model]:")
    assert len(out.strip().splitlines()) == 4
    assert main(["links", "link 2", "--artifacts", str(tiny_artifacts), "-k", "2"]) == 0
    assert "link 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["books", "Book 3O"], "No book titled 'Book 3O' in the tags model. Did you mean: 'Book 3"),
        (["links", "lnk 1"], "No link or tag 'lnk 1' in the tags model. Did you mean: 'link 1'"),
        (["author", "Auther 2"], "No author 'Auther 2' in the tags model. Did you mean: 'Author 2'"),
        (
            ["books", "Book 1", "--model", "rating"],
            "book_embeddings.npy is missing: run `python -m model.train",
        ),
        (["books", "Book 1", "--model", "wikipedia"], "has no link model: run `python -m explorer.links"),
    ],
)
@pytest.mark.slow  # a Python process with numpy and pandas per case
def test_cli_not_found_gives_suggestions_not_a_traceback(tiny_artifacts, argv, message):
    result = subprocess.run(
        [sys.executable, "-m", "explorer.explore", *argv, "--artifacts", str(tiny_artifacts)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_rating_model_space_uses_metadata_row_order(tiny_artifacts, planted, capsys):
    add_rating_model(tiny_artifacts, planted)
    space = load_space(tiny_artifacts, "rating")
    assert space.titles == planted.titles and space.book_vecs.shape == (planted.num_books, 6)
    assert main(["books", "Book 5", "--model", "rating", "--artifacts", str(tiny_artifacts)]) == 0
    assert "[rating model]" in capsys.readouterr().out
