"""model/goodreads_csv.py and model/goodreads.py: reading Goodreads exports and matching them,
on files with known answers."""

from __future__ import annotations

import pytest

from model.data import load_books
from model.export import book_catalogue, goodreads_json
from model.goodreads import (
    build_shelf,
    catalogue_isbns,
    match_index,
    match_row,
    normalize_text,
    summarize,
    summary_line,
    title_key,
)
from model.goodreads_csv import MAX_FILE_BYTES, GoodreadsError, decode_export, isbn13_of, read_export
from tests.goodreads_fixture import FIXTURE, TEXT, TRUTH, XSS_UNMATCHED

TRICKY = FIXTURE.parent / "goodreads_tricky.csv"


@pytest.fixture(scope="module")
def catalogue(synthetic_data):
    """(books.json, goodreads.json) of the synthetic catalogue, as model.export writes them."""
    books = load_books(synthetic_data)
    return book_catalogue(books), goodreads_json(books)


@pytest.fixture(scope="module")
def index(catalogue):
    return match_index(*catalogue)


def test_the_library_fixture_is_what_its_generator_writes():
    assert FIXTURE.read_text(encoding="utf-8") == TEXT, "run: .venv/bin/python -m tests.goodreads_fixture"


@pytest.mark.parametrize(
    ("isbn", "isbn13", "expected"),
    [
        ("439023483", "9.78043902348e+12", ["9780439023481"]),  # books.csv lost the leading zero
        ("189221301X", "6.45573003012e+11", ["9781892213013"]),  # the ISBN-10 wins over the isbn13 cell
        ("", "9780439023481", ["9780439023481"]),
        ("", "9780439023481.0", ["9780439023481"]),
        # Rounded to 12 digits: every valid ISBN-13 that rounds so (the true 9790100475143, and one more).
        ("", "9.79010047514e+12", ["9790100475136", "9790100475143"]),
        ("", "9.79010427626e+12", ["9790104276258", "9790104276265"]),  # ...65 rounds half to even
        ("", "76783609419.0", []),  # not 13 digits
        ("", "", []),
        ("", "nan", []),
    ],
)
def test_catalogue_isbns(isbn, isbn13, expected):
    assert catalogue_isbns(isbn, isbn13) == expected


def test_export_isbn_cells():
    assert isbn13_of('="0439023483"') == "9780439023481"
    assert isbn13_of('="9780439023481"') == "9780439023481"
    assert isbn13_of("978-0-439-02348-1") == "9780439023481"
    assert isbn13_of("043902348x") == "9780439023481"
    assert isbn13_of('=""') is None
    assert isbn13_of("12345") is None


def test_titles_and_authors_normalize():
    assert (
        normalize_text("Harry Potter &amp; the Philosopher’s Stone") == "harrypotterandthephilosophersstone"
    )
    assert normalize_text("A &#233; &#xE9; &bogus; &#xD800;") == "aeeandbogusandxd800"
    assert normalize_text("Cien años") == "cienanos"
    assert title_key("The Hunger Games (The Hunger Games, #1)", "Suzanne Collins") == (
        "thehungergames|suzannecollins"
    )
    assert title_key("Harry Potter (HP #1)", "J.K. Rowling, Mary GrandPré") == "harrypotter|jkrowling"
    assert title_key("(Only a series)", "X") is None


def test_the_library_fixture_matches_every_row_as_planted(index):
    rows = read_export(decode_export(FIXTURE.read_bytes()))
    matches = [match_row(row, index) for row in rows]
    assert [(m.book_id, m.method) for m in matches] == [(book_id, method) for book_id, method, _, _ in TRUTH]
    summary = summarize(rows, matches)
    assert (
        summary_line(summary)
        == "295 rows, 45 matched (27 by id, 12 by ISBN, 6 by title), 250 not in the catalogue"
    )
    assert len(summary["unmatched"]) == 250 and XSS_UNMATCHED in summary["unmatched"]
    shelf = build_shelf(rows, matches)
    assert shelf.marks == {6: "to_read", 42: "to_read", 54: "reading", 33: "read", 44: "read"}
    assert len(shelf.picks) == 38
    assert shelf.picks[5] == 5  # rated 5 in its later edition's row (its first row said 5 - 5 % 5 = 5)
    assert shelf.picks[10] == 5  # its later to-read row does not undo the rating
    assert shelf.picks[43] == 5  # a custom shelf with a rating is a pick


def test_the_tricky_fixture(index):
    """BOM, CRLF, an older export's 20 columns, quotes, line ends in fields, entities, ="..." unquoted."""
    rows = read_export(decode_export(TRICKY.read_bytes()))
    matches = [match_row(row, index) for row in rows]
    assert [(r.row, r.line) for r in rows] == [(1, 2), (2, 5), (3, 6), (4, 7), (5, 8), (6, 9), (7, 11)]
    assert [(m.book_id, m.method) for m in matches] == [
        (1, "id"),
        (2, "title"),  # "Le Petit Prince &#8212; &#201;dition sp&#233;ciale (Folio, #2)"
        (3, "isbn"),  # ="0001237578" unquoted
        (9, "title"),  # no Book Id
        (10, "id"),
        (None, None),
        (17, "id"),
    ]
    assert rows[0].title == "<img src=x onerror=alert(1)>"
    assert summarize(rows, matches)["unmatched"] == ["Not in the catalogue,\r\na title over two lines"]
    shelf = build_shelf(rows, matches)
    assert shelf.picks == {1: 5, 2: 4, 3: 3}
    assert shelf.marks == {9: "read", 10: "to_read", 17: "reading"}


HEADER = TEXT.splitlines()[0]
GOOD_ROW = '1001,Odd Book 1,Author B,"B, Author",,"=""""","=""""",5' + ",x" * 16


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (HEADER.encode() + b"\n", "The file has a header but no books."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a CSV file (it holds binary data)."),
        (b"a,b\nc,\xe9\n", "This is not a UTF-8 CSV file (line 2 is not UTF-8 text)."),
        (
            f"{HEADER}\n{GOOD_ROW}\n".encode("utf-16"),
            "This file is UTF-16 text (what spreadsheets save as “Unicode Text”), but a Goodreads "
            "export is UTF-8 text with commas. Export it again from Goodreads",
        ),
        (f"{HEADER}\n{GOOD_ROW}\n".encode("utf-16-le"), "This file is UTF-16 text"),
        (
            f"{HEADER}\n{GOOD_ROW}\n".replace(",", ";").encode(),
            "This file's columns are separated by semicolons (as spreadsheets save CSV in some "
            "languages), but a Goodreads export separates them with commas. Export it again",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\n".replace(",", "\t").encode(),
            "This file's columns are separated by tabs (a TSV file)",
        ),
        (
            b'{"picks": [1, 2]}\n',
            "This is not a Goodreads library export: its first line lacks the columns Book Id, Title, "
            'Author, My Rating, Exclusive Shelf (it starts “{"picks": [1, 2]}”).',
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\n1,<img src=x onerror=alert(1)>,3\n".encode(),
            "Row 2 (line 3) has 3 fields where the header has 24 "
            "(it starts “1,<img src=x onerror=alert(1)>,3”). Nothing was imported.",
        ),
        (
            f"{HEADER}\n{GOOD_ROW.replace(',5,', ',9,')}\n".encode(),
            "Row 1 (line 2): My Rating “9” is not a number from 0 to 5. Nothing was imported.",
        ),
        (
            f"{HEADER}\n{GOOD_ROW.replace('1001,', 'x1,')}\n".encode(),
            "Row 1 (line 2): Book Id “x1” is not a Goodreads book id (digits only, at most 15). "
            "Nothing was imported.",
        ),
        (
            f'{HEADER}\n{GOOD_ROW}\n\n5,"never closed\n'.encode(),
            "Line 4: a quoted field is never closed (a missing closing quote). Nothing was imported.",
        ),
        (
            f'{HEADER}\n5,"ab"c\n'.encode(),
            "Line 2: a closing quote is followed by more text (a quote inside a field must be doubled). "
            "Nothing was imported.",
        ),
    ],
)
def test_bad_files_say_where_and_what(data, message):
    with pytest.raises(GoodreadsError) as error:
        read_export(decode_export(data))
    assert str(error.value).startswith(message)


def test_a_file_over_the_limit_is_refused_before_reading_it():
    with pytest.raises(GoodreadsError, match=r"^The file is 52.4 MB; .*the limit is 20 MB"):
        decode_export(b"x" * (50 * 1024 * 1024))
    assert MAX_FILE_BYTES == 20_000_000


def test_books_csv_without_the_match_columns_still_loads(tmp_path, synthetic_data):
    books = (synthetic_data / "books.csv").read_text().splitlines()
    header = books[0].split(",")
    keep = [i for i, name in enumerate(header) if name not in ("best_book_id", "isbn", "isbn13")]
    lines = [",".join(line.split(",")[i] for i in keep) for line in books]  # no commas inside these cells
    (tmp_path / "books.csv").write_text("\n".join(lines) + "\n")
    loaded = load_books(tmp_path)
    assert (loaded["best_book_id"] == loaded["goodreads_book_id"]).all()
    assert set(loaded["isbn"]) == {""} and set(loaded["isbn13"]) == {""}
    written = goodreads_json(loaded)
    assert written["best_book_ids"] == {} and written["isbn13"] == [[]] * len(loaded)


def test_real_books_csv_isbn13_agrees_with_isbn(real_data):
    """On the real data the rounded isbn13 cell holds the ISBN-10's ISBN-13 for 99% of books
    with both (the others are other editions), so the rule is sound."""
    books = load_books(real_data)
    both = [(i, j) for i, j in zip(books["isbn"], books["isbn13"], strict=True) if i and j]
    agree = sum(catalogue_isbns(i, "")[0] in catalogue_isbns("", j) for i, j in both)
    assert len(both) > 9000 and agree / len(both) > 0.99
