"""A realistic Goodreads library export against the synthetic catalogue (model/synthetic.py),
with the answer for every row known in advance.

    .venv/bin/python -m tests.goodreads_fixture    # rewrites tests/fixtures/goodreads_library.csv

The file has the real export's 24 columns, ISBNs written ``="0439023483"`` (and ``=""``),
titles with commas, quotes, HTML entities, accents and a script, reviews over several lines,
two editions of one book, and 250 books the catalogue lacks. ``TRUTH`` says for each row which
synthetic book it is and how it should be found; the tests compare the matchers against it.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from harness.goodreads_export import HEADER
from model.goodreads_csv import isbn13_check_digit, isbn13_of
from model.synthetic import synthetic_isbns, synthetic_title

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "goodreads_library.csv"
UNMATCHED = 250
XSS_UNMATCHED = "<img src=x onerror=alert(2)>"


def author(book_id: int) -> str:
    """The synthetic catalogue's author of ``book_id``."""
    return f"Author {chr(65 + book_id % 7)}"


def title(book_id: int) -> str:
    return synthetic_title(book_id)


def isbn10(book_id: int) -> str:
    """The ISBN-10 books.csv lost the leading zeros of."""
    isbn, _ = synthetic_isbns(book_id)
    return isbn.zfill(10) if isbn else ""


def isbn13(book_id: int) -> str:
    """The exact ISBN-13 (books.csv has it rounded)."""
    if isbn10(book_id):
        return isbn13_of(isbn10(book_id))
    first12 = f"979{10_000_000 + book_id * 7919:09d}"
    return first12 + isbn13_check_digit(first12)


def quoted_isbn(value: str) -> str:
    """How exports write an ISBN cell: ="0439023483", or ="" when there is none."""
    return f'="{value}"'


# (book_id the row is, Book Id written, ISBN, ISBN13, Title, Author, My Rating, shelf, method)
def matched_rows() -> list[tuple]:
    rows = []
    rating = {b: 5 - (b % 5) for b in range(1, 61)}  # 5, 4, 3, 2, 1 in turn: stars 1-5 all appear
    # By Goodreads id: goodreads_book_id is book_id + 1000.
    for b in [1, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30]:
        rows.append((b, b + 1000, isbn10(b), isbn13(b), title(b), author(b), rating[b], "read", "id"))
    # By best_book_id (another edition is the book's best): book_id + 5000 for books 17 and 27.
    for b in [17, 27]:
        rows.append((b, b + 5000, "", "", title(b), author(b), rating[b], "read", "id"))
    # By ISBN: an edition the catalogue does not know by id.
    for b in [31, 32, 34, 35, 37, 38, 39, 8]:  # ISBN-10 (8 ends in X)
        rows.append((b, 2_000_000 + b, isbn10(b), "", title(b), author(b), rating[b], "read", "isbn"))
    rows.append((33, 2_000_033, "", isbn13(33), title(33), author(33), 0, "read", "isbn"))  # ISBN13 only
    rows.append((6, 2_000_006, "", isbn13(6), title(6), author(6), 0, "to-read", "isbn"))  # 979-, rounded
    rows.append((54, 2_000_054, "", isbn13(54), title(54), author(54), 0, "currently-reading", "isbn"))
    # By title + first author: another edition, no ISBN; titles as other editions write them.
    rows.append((41, 2_000_041, "", "", "Odd Book 41 (Odd Ones, #2)", author(41), 4, "read", "title"))
    rows.append((42, 2_000_042, "", "", "EVEN BOOK 42", author(42).lower(), 0, "to-read", "title"))
    rows.append((43, 2_000_043, "", "", "Odd Book-43", author(43), 5, "favorites", "title"))
    rows.append((44, 2_000_044, "", "", "Even Book 44 (Hardcover)", author(44), 0, "did-not-finish", "title"))
    rows.append((2, 2_000_002, "", "", "Le Petit Prince - Edition speciale", author(2), 5, "read", "title"))
    # Two more editions of books already above: book 5 rated again later (5 stars wins over
    # its first row's), book 10 shelved to-read (its rating stays).
    rows.append((5, 2_000_005, isbn10(5), "", title(5) + " (Reissue)", author(5), 5, "read", "isbn"))
    rows.append((10, 2_000_010, "", "", title(10), author(10), 0, "to-read", "title"))
    return rows


def unmatched_rows(rng: random.Random) -> list[tuple]:
    rows = []
    for i in range(UNMATCHED):
        kind = i % 10
        name = f"A Novel Not Here, Part {i}"
        if kind == 1:
            name = f'The "Quoted" Story {i}'
        elif kind == 2:
            name = f"Pride &amp; Prejudice &amp; Zombies {i}"
        elif kind == 3:
            name = f"Cien años de soledad {i}"
        elif kind == 4:
            name = f"Series Book {i} (Some Series, #{i % 7 + 1})"
        isbn = f"1{rng.randrange(10**8, 10**9)}" if kind in (0, 5) else ""
        shelf = ["read", "read", "read", "to-read", "currently-reading"][i % 5]
        stars = rng.randint(1, 5) if shelf == "read" and i % 3 else 0
        # Even Book 46 by the wrong author: the title alone does not match.
        person = "Someone Else" if i == 7 else f"Writer {i % 13}"
        if i == 7:
            name = "Even Book 46"
        if i == 11:
            name = XSS_UNMATCHED
        rows.append((None, 30_000_000 + i * 17, isbn, "", name, person, stars, shelf, None))
    return rows


def review(i: int, rng: random.Random) -> str:
    if i % 9 == 0:
        return f'Loved it, "really".\nSecond paragraph, with a comma.\n\n<b>Bold</b> &amp; done {i}'
    if i % 9 == 4:
        return "Meh."
    return ""


def build() -> tuple[str, list[tuple]]:
    """(the CSV text, one truth entry (book_id, method, stars, shelf) per data row)."""
    rng = random.Random(10)
    rows = matched_rows() + unmatched_rows(rng)
    rng.shuffle(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    truth = []
    for i, (book_id, goodreads_id, isbn, isbn_13, name, person, stars, shelf, method) in enumerate(rows):
        last, _, first = person.rpartition(" ")
        year = 1950 + (book_id or i % 60)
        shelves = shelf if shelf in ("read", "to-read", "currently-reading") else f"{shelf}, read"
        writer.writerow(
            [
                goodreads_id,
                name,
                person,
                f"{first}, {last}",
                "Jane Translator" if i % 11 == 0 else "",
                quoted_isbn(isbn),
                quoted_isbn(isbn_13),
                stars,
                f"{3.5 + (i % 15) / 10:.2f}",
                "Penguin Books, Ltd." if i % 4 else "Vintage",
                ["Paperback", "Hardcover", "Kindle Edition", "Mass Market Paperback"][i % 4],
                200 + i,
                year + 10,
                year,
                f"2020/{1 + i % 12:02d}/{1 + i % 28:02d}" if shelf == "read" else "",
                f"2019/{1 + i % 12:02d}/{1 + i % 28:02d}",
                shelves,
                f"{shelves} (#{i + 1})",
                shelf,
                review(i, rng),
                "",
                "",
                1 if shelf == "read" else 0,
                0,
            ]
        )
        truth.append((book_id, method, stars, shelf))
    return out.getvalue(), truth


TEXT, TRUTH = build()


if __name__ == "__main__":
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(TEXT, encoding="utf-8", newline="")
    print(f"wrote {FIXTURE}: {len(TRUTH)} rows")
