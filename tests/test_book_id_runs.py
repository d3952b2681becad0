"""metadata.json's book_id_runs: model/metadata.py writes and reads them, server/catalogue.py
reads them; both held to tests/golden/book_id_runs.json (web/js/checked-fetch.js too, in
tests/js/book-id-runs.test.js)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.metadata import id_runs, ids_from_runs, read_metadata, with_book_ids
from server.catalogue import book_ids_of

GOLDEN = json.loads((Path(__file__).parent / "golden" / "book_id_runs.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: str(case["runs"]))
def test_runs_and_ids_both_ways(case):
    assert id_runs(case["ids"]) == case["runs"]
    assert ids_from_runs(case["runs"]) == case["ids"]
    assert book_ids_of({"num_books": len(case["ids"]), "book_id_runs": case["runs"]}) == case["ids"]


@pytest.mark.parametrize("runs", GOLDEN["not_runs"], ids=str)
def test_what_is_not_runs_is_a_value_error_in_both_readers(runs):
    with pytest.raises(ValueError, match="book_id_runs"):
        ids_from_runs(runs)
    with pytest.raises((ValueError, TypeError)):
        book_ids_of({"book_id_runs": runs})


@pytest.mark.parametrize("case", GOLDEN["not_num_books"], ids=lambda case: str(case["runs"])[:30])
def test_runs_of_another_number_of_ids_than_num_books_are_counted_not_listed(case):
    metadata = {"num_books": case["num_books"], "book_id_runs": case["runs"]}
    with pytest.raises(ValueError, match="num_books"):
        with_book_ids(metadata)
    with pytest.raises(ValueError, match="num_books"):
        book_ids_of(metadata)


def test_the_catalogue_of_goodbooks_is_one_run_and_a_file_from_before_the_runs_reads_as_it_was(tmp_path):
    assert id_runs(range(1, 10_001)) == [[1, 10_000]]
    older = {"num_books": 3, "book_ids": [7, 8, 12]}
    assert with_book_ids(older) is older and book_ids_of(older) == [7, 8, 12]
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps({"num_books": 3, "book_id_runs": [[7, 2], [12, 1]]}))
    assert read_metadata(path)["book_ids"] == [7, 8, 12]
