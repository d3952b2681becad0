"""The batch recommendation CLI's contract, bad lines included."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_module

pytestmark = pytest.mark.slow  # runs the CLI, TensorFlow and all, many times


def run_recommend(artifacts, stdin: bytes, *args: str, shell_tail: str = "") -> subprocess.CompletedProcess:
    """``python -m model.recommend`` as a user runs it: no TF_CPP_MIN_LOG_LEVEL in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    command = [sys.executable, "-m", "model.recommend", "--artifacts", str(artifacts), *args]
    if shell_tail:  # e.g. "| head -1": run through bash, which reports the CLI's own status
        quoted = " ".join(f"'{part}'" for part in command)
        command = ["bash", "-c", f'{quoted} {shell_tail}; echo "status ${{PIPESTATUS[0]}}" >&2']
    return subprocess.run(command, cwd=REPO, input=stdin, capture_output=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def run(trained_artifacts):
    lines = [
        json.dumps({"liked": [2, 4, 6], "k": 5}),
        json.dumps({"ratings": {"3": 5, "5": 4, "8": 1}, "k": 3, "predict": [7, 8, 10]}),
        json.dumps({"liked": [2], "ratings": {"2": 3}}),
        "{not json",
        json.dumps({"liked": [99999]}),
        json.dumps({"ratings": {"3": 6}}),
        json.dumps({"liked": [2], "k": 0}),
        json.dumps([1, 2]),
        json.dumps({"liked": ["abc"]}),
        json.dumps({"favourites": [1]}),
        "",
        json.dumps({}),
        # Each of these costs only its own line (before: RecursionError or ValueError, no output).
        "[" * 100_000,
        '{"liked": [' + "1" * 5001 + "]}",
        '{"liked": [2], "k": 3}\udcff',  # an invalid UTF-8 byte (written as bytes below)
        json.dumps({"liked": ["１"]}),  # full-width digit one
        json.dumps({"ratings": {"٣": 5}}),  # Arabic-Indic three
        json.dumps({"liked": ["1" * 5001]}),
        json.dumps({"liked": [2, 4, 6], "k": 5}),  # the first line again, still answered
        # Series (model/synthetic.py SERIES_TITLES): Even Saga 48 #1, 52 #2, 56 #3, 58 #1-3;
        # Odd Trilogy 45 #0.5, 47 #2, 49 #3 (no #1).
        json.dumps({"liked": [48], "k": 5}),
        json.dumps({"liked": [48], "marks": {"52": "read"}, "k": 5}),
        json.dumps({"liked": [2], "marks": {"48": "not_interested"}, "k": 60}),
        json.dumps({"liked": [2], "marks": {"48": "shelved"}}),
        json.dumps({"liked": [2], "marks": [48]}),
    ]
    data = "\n".join(lines).encode("utf-8", "surrogateescape") + b"\n"
    return run_recommend(trained_artifacts, data)


@pytest.fixture(scope="module")
def outputs(run):
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_one_output_line_per_input_line_in_order(outputs):
    assert len(outputs) == 24
    assert ["error" in o for o in outputs] == [False, False, False] + [True] * 8 + [False] + [True] * 6 + [
        False
    ] * 4 + [True] * 2
    assert outputs[18] == outputs[0]


def test_no_tensorflow_noise_on_stderr(run):
    assert run.stderr == b""


def test_top_k_excludes_the_visitors_books(outputs):
    first = outputs[0]
    assert len(first["book_ids"]) == len(first["scores"]) == len(first["stars"]) == 5
    assert set(first["book_ids"]).isdisjoint({2, 4, 6})
    assert all(b % 2 == 0 for b in first["book_ids"])  # the planted group
    assert first["scores"] == sorted(first["scores"], reverse=True)
    assert all(1 <= s <= 5 for s in first["stars"])
    second = outputs[1]
    assert set(second["book_ids"]).isdisjoint({3, 5, 8})
    assert set(second["predicted"]) == {"7", "8", "10"}
    assert second["predicted"]["7"] > second["predicted"]["10"]  # loves odd books, hates even ones
    assert outputs[11]["book_ids"] and outputs[11]["predicted"] == {}


def test_one_card_per_series_and_the_next_volume_in_its_own_row(outputs):
    saga = {48, 52, 56, 58}
    first = outputs[19]  # Even Saga #1 liked: #2 is next, no other volume in the list
    assert first["next_in_series"] == [52] and len(first["next_stars"]) == len(first["next_scores"]) == 1
    assert saga.isdisjoint(first["book_ids"]) and len(first["book_ids"]) == len(first["more_in_series"]) == 5
    assert outputs[20]["next_in_series"] == [56]  # #1 liked and #2 read: #3
    assert saga.isdisjoint(outputs[20]["book_ids"])
    every = outputs[21]  # Even Saga dismissed; Odd Trilogy not started: one card, its first volume
    assert saga.isdisjoint(every["book_ids"]) and every["next_in_series"] == []
    assert 47 in every["book_ids"] and {45, 49}.isdisjoint(every["book_ids"])
    assert every["more_in_series"][every["book_ids"].index(47)] == 2
    assert set(every["more_in_series"]) == {0, 2}
    assert len(every["book_ids"]) == 60 - 1 - 4 - 2  # the pick, the dismissed series, the trilogy's other two


@pytest.mark.parametrize(
    "index, message",
    [
        (3, "bad JSON"),
        (4, "unknown book id 99999"),
        (5, "must be a number from 1 to 5, got 6"),
        (6, '"k" must be an integer from 1 to 60, got 0'),
        (7, "must be a JSON object"),
        (8, "book id 'abc' is not an integer"),
        (9, "unknown key(s): favourites"),
        (10, "empty line"),
        (12, "bad JSON: nested too deeply"),
        (13, "bad JSON: a number is too long (Exceeds the limit (4300 digits)"),
        (14, "not valid UTF-8 (byte 23)"),
        (15, "book id '１' is not an integer (ASCII digits)"),
        (16, "book id '٣' is not an integer (ASCII digits)"),
        (17, "book id '111111111111...1111111111111' is not an integer"),
        (22, "marks: book 48's mark must be one of read, reading, to_read, not_interested, got 'shelved'"),
        (23, '"marks" must be an object'),
    ],
)
def test_bad_lines_are_explained(outputs, index, message):
    assert message in outputs[index]["error"]


def test_missing_model_is_a_clear_error(tmp_path):
    result = run_module("model.recommend", "--artifacts", str(tmp_path), stdin="{}\n", check=False)
    assert result.returncode == 2
    assert "run `make build`" in result.stderr and "Traceback" not in result.stderr


def test_a_reader_that_stops_early_ends_it_quietly(trained_artifacts):
    # 3,000 answers are more than a pipe holds, so the CLI is still writing when head exits.
    data = (json.dumps({"liked": [2, 4, 6]}) + "\n").encode() * 3000
    result = run_recommend(trained_artifacts, data, shell_tail="| head -1")
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.decode().strip() == "status 141"  # SIGPIPE's status, and no traceback


def test_verbose_shows_tensorflow_log(trained_artifacts):
    result = run_recommend(trained_artifacts, b"{}\n", "--verbose")
    assert result.returncode == 0 and json.loads(result.stdout)["book_ids"]
    assert result.stderr.strip()


# ---------------------------------------------------------------------------------------
# --goodreads FILE: a library export instead of JSON lines


@pytest.fixture(scope="module")
def library(trained_artifacts):
    """``--goodreads`` on the realistic export fixture, as JSON (k 8) and as the table."""
    from tests.goodreads_fixture import FIXTURE

    as_json = run_recommend(trained_artifacts, b"", "--goodreads", str(FIXTURE), "--json", "--k", "8")
    table = run_recommend(trained_artifacts, b"", "--goodreads", str(FIXTURE))
    return as_json, table


def test_goodreads_json_summarises_and_suggests_outside_the_library(library, trained_artifacts):
    from tests.goodreads_fixture import TRUTH

    result, _ = library
    assert result.returncode == 0 and result.stderr == b""
    out = json.loads(result.stdout)
    assert list(out) == [
        *["rows", "matched", "matched_by", "unmatched", "book_ids", "stars", "reasons"],
        *["more_in_series", "next_in_series", "next_stars", "next_reasons"],
    ]
    assert (out["rows"], out["matched"], out["matched_by"]) == (295, 45, {"id": 27, "isbn": 12, "title": 6})
    assert len(out["unmatched"]) == 250 and "<img src=x onerror=alert(2)>" in out["unmatched"]
    in_library = {book_id for book_id, *_ in TRUTH if book_id is not None}
    assert len(out["book_ids"]) == len(out["stars"]) == len(out["reasons"]) == 8
    assert not in_library & set(out["book_ids"])  # to-read, reading and read books included
    rated = {book_id for book_id, _, stars, _ in TRUTH if book_id is not None and stars >= 4}
    assert set(out["reasons"]) <= rated  # a liked pick explains each suggestion


def test_goodreads_gives_what_the_json_lines_path_gives_for_its_picks(library, trained_artifacts):
    """The same picks and marks through stdin: the same main list, with the same stars and
    the same series counts, and the same next volumes."""
    from model.goodreads import build_shelf, match_index, match_row
    from model.goodreads_csv import decode_export, read_export
    from tests.goodreads_fixture import FIXTURE

    web = trained_artifacts / "model" / "web"
    index = match_index(
        json.loads((web / "books.json").read_text()), json.loads((web / "goodreads.json").read_text())
    )
    rows = read_export(decode_export(FIXTURE.read_bytes()))
    shelf = build_shelf(rows, [match_row(row, index) for row in rows])
    visitor = {
        "ratings": {str(b): s for b, s in shelf.picks.items()},
        "marks": {str(b): m for b, m in shelf.marks.items()},
        "k": 8,
    }
    plain = json.loads(run_recommend(trained_artifacts, (json.dumps(visitor) + "\n").encode()).stdout)
    out = json.loads(library[0].stdout)
    for key in ("book_ids", "stars", "more_in_series", "next_in_series", "next_stars"):
        assert out[key] == plain[key], key


def test_goodreads_table_is_readable(library):
    _, table = library
    assert table.returncode == 0 and table.stderr == b""
    lines = table.stdout.decode().splitlines()
    assert lines[0] == "295 rows, 45 matched (27 by id, 12 by ISBN, 6 by title), 250 not in the catalogue"
    assert lines[1].startswith("38 rated books are your picks; 5 read, reading or to-read books")
    assert lines[3].split() == ["#", "stars", "suggestion", "because", "you", "rated"]
    assert len(lines) == 4 + 10  # --k defaults to 10
    assert lines[4].lstrip().startswith("1 ") and "stars)" in lines[4]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--goodreads", "tests/fixtures/nope.csv"],
            "error: cannot read tests/fixtures/nope.csv: No such file",
        ),
        (
            ["--goodreads", "README.md"],
            "README.md: This is not a Goodreads library export: its first line lacks",
        ),
        (
            ["--goodreads", "tests/fixtures/goodreads_tricky.csv", "--k", "0"],
            "--k must be from 1 to 60, got 0",
        ),
        (["--json"], "--k and --json go with --goodreads FILE"),
    ],
)
def test_goodreads_bad_input_is_one_clear_line(trained_artifacts, args, message):
    result = run_recommend(trained_artifacts, b"", *args)
    assert result.returncode == 2
    assert message in result.stderr.decode() and "Traceback" not in result.stderr.decode()


@pytest.fixture
def unloadable_model(trained_artifacts, tmp_path):
    """The artifacts with a model.keras that cannot be loaded: any error that comes before the
    model load is told cleanly, anything after it would be a traceback."""
    artifacts = tmp_path / "artifacts"
    shutil.copytree(trained_artifacts / "model" / "web", artifacts / "model" / "web")
    (artifacts / "model" / "model.keras").write_bytes(b"not a model")
    return artifacts


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda tmp: str(tmp / "nope.csv"), "nope.csv: No such file or directory"),
        (lambda tmp: str(tmp), "Is a directory"),
        (lambda tmp: "/dev/zero", "The file is more than 20 MB; a Goodreads export is a few MB at most"),
        (lambda tmp: sparse_file(tmp / "huge.csv", 10**9), "The file is 1000.0 MB; a Goodreads export"),
        (lambda tmp: sparse_file(tmp / "big.csv", 20_000_001), "The file is 20.0 MB; a Goodreads export"),
    ],
    ids=["missing", "directory", "dev-zero", "1-GB", "one-byte-over"],
)
def test_goodreads_file_is_checked_before_the_model_loads_and_never_read_whole(
    unloadable_model, tmp_path, make_file, message
):
    path = make_file(tmp_path)
    result = run_recommend(unloadable_model, b"", "--goodreads", path)
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert message in stderr and "Traceback" not in stderr and "MemoryError" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


def sparse_file(path, size: int) -> str:
    """A file of ``size`` bytes that takes no disk (a hole), for the size checks."""
    with open(path, "wb") as file:
        file.truncate(size)
    return str(path)
