"""Real readers: the file's checks (one line naming file, line and problem), the seeded cut into
fit / check / report readers, and the protocols measured on them, with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from model.data import DataError
from model.readers import (
    halves,
    import_cases,
    load_real_readers,
    reader_folds,
    reader_protocols,
    resolve_readers_path,
    usable_readers,
)
from tests.model.ratings import user_ratings

BOOK_IDS = np.arange(1, 21)
KNOWN_USERS = np.array([1, 2, 3])


def write(tmp_path, text):
    path = tmp_path / "readers.csv"
    path.write_text(text)
    return path


def test_a_good_file_is_grouped_by_user_in_model_rows(tmp_path):
    path = write(tmp_path, "user_id,book_id,rating\n11,5,4\n10,1,5\n11,20,2\n")
    readers = load_real_readers(path, BOOK_IDS, KNOWN_USERS)
    assert readers.user_ids.tolist() == [10, 11]
    assert readers.of(0)[0].tolist() == [0] and readers.of(1)[0].tolist() == [4, 19]
    assert readers.of(1)[1].tolist() == [4.0, 2.0]


def test_the_later_column_order_and_extra_columns_are_fine(tmp_path):
    path = write(tmp_path, "book_id,rating,user_id,date\n5,4,11,x\n")
    assert load_real_readers(path, BOOK_IDS, KNOWN_USERS).user_ids.tolist() == [11]


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "readers.csv: file not found"),
        ("", "readers.csv: the file is empty"),
        ("user_id,book,rating\n1,2,3\n", "missing column 'book_id'"),
        ("user_id,book_id,rating\n", "header but no rows"),
        ("user_id,book_id,rating\n10,1,5\n10,2,x\n", "line 3: rating 'x' is not an integer"),
        ("user_id,book_id,rating\n10,1,5\n10,2,7\n", "line 3: rating 7 is outside 1..5"),
        ("user_id,book_id,rating\n10,1,5\n\n10,99,4\n", "line 4: book_id 99 is not in books.csv"),
        (
            "user_id,book_id,rating\n10,1,5\n2,3,4\n",
            "line 3: user_id 2 is also in ratings.csv or to_read.csv",
        ),
        ("user_id,book_id,rating\n10,1,5\n10,1,4\n", "line 3: user 10 rates book 1 twice"),
    ],
)
def test_a_bad_file_names_file_line_and_problem(tmp_path, text, message):
    path = tmp_path / "readers.csv" if text is None else write(tmp_path, text)
    with pytest.raises(DataError) as err:
        load_real_readers(path, BOOK_IDS, KNOWN_USERS)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_the_path_comes_from_the_flag_then_the_environment():
    assert resolve_readers_path("a.csv", {"REAL_READERS": "b.csv"}).name == "a.csv"
    assert resolve_readers_path(None, {"REAL_READERS": "b.csv"}).name == "b.csv"
    assert resolve_readers_path(None, {}) is None


def test_folds_are_seeded_disjoint_and_cover_every_reader():
    readers = user_ratings({i: [(i % 20, 4.0), ((i + 1) % 20, 5.0)] for i in range(41)})
    folds = reader_folds(readers, seed=3)
    parts = [set(p.user_ids.tolist()) for p in (folds.fit, folds.check, folds.report)]
    assert set().union(*parts) == set(readers.user_ids.tolist())
    assert sum(len(p) for p in parts) == 41 and len(parts[2]) == 20
    assert set(folds.choosing.user_ids.tolist()) == parts[0] | parts[1]
    again = reader_folds(readers, seed=3)
    assert again.report.user_ids.tolist() == folds.report.user_ids.tolist()
    first, _ = halves(readers, 3)
    for i in range(len(first)):  # every user keeps exactly their own ratings
        user = int(first.user_ids[i])
        assert first.of(i)[0].tolist() == [user % 20, (user + 1) % 20]


def test_an_import_picks_every_rating_but_the_held_share_and_targets_held_likes():
    ratings = [(row, 5.0 if row % 2 else 2.0) for row in range(40)]
    readers = user_ratings({1: ratings})
    picks, targets = import_cases(readers, seed=0, held_share=0.25)
    (rows, stars), target = picks[0], targets[0]
    held = sorted(set(range(40)) - set(rows.tolist()))
    assert 0 < len(held) < 40 and stars.tolist() == [5.0 if r % 2 else 2.0 for r in rows]
    assert target.tolist() == [r for r in held if r % 2]  # only the liked held books


def test_protocols_drop_readers_left_without_a_target():
    exactly_ten = [(row, 5.0) for row in range(10)]
    many = [(row, 4.0) for row in range(30)]
    names = {p.name: p for p in reader_protocols(user_ratings({1: exactly_ten, 2: many}), seed=0)}
    assert len(names["real readers, 5 picks"].picks) == 2
    assert len(names["real readers, 10 picks"].picks) == 1  # ten picks of ten liked: nothing left
    assert all(len(t) for p in names.values() for t in p.targets)


def test_readers_with_one_rating_are_left_out_and_too_few_is_an_error(tmp_path):
    table = {i: [(0, 5.0), (1, 4.0)] for i in range(8)}
    table[99] = [(2, 5.0)]  # one rating: nothing to give and predict
    kept = usable_readers(user_ratings(table), tmp_path / "r.csv")
    assert kept.user_ids.tolist() == list(range(8))
    del table[0]
    with pytest.raises(DataError, match="r.csv: 7 readers with two ratings or more; at least 8"):
        usable_readers(user_ratings(table), tmp_path / "r.csv")


def test_the_real_reader_file_loads_against_the_real_data_without_a_leak(real_data):
    from model.data import load_books, load_ratings, load_to_read
    from tests.conftest import REAL_READERS

    if not REAL_READERS.is_file():
        pytest.skip(f"real-reader file not found at {REAL_READERS} (set REAL_READERS)")
    book_ids = load_books(real_data)["book_id"].to_numpy()
    known = np.union1d(
        load_ratings(real_data, book_ids)["user_id"].to_numpy(),
        load_to_read(real_data, book_ids)["user_id"].to_numpy(),
    )
    readers = usable_readers(load_real_readers(REAL_READERS, book_ids, known), REAL_READERS)
    folds = reader_folds(readers, seed=42)
    assert len(readers) == 1322 and len(folds.report) == 661 and len(folds.choosing) == 661
