"""model/series.py: the series a title names, on the real catalogue's odd cases (written out
here as small titles), a seeded fuzz that never breaks it, and every real title (skipped
without GOODBOOKS_DIR)."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from model.series import Series, parse_series, series_json, series_key, series_table, volume_order


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Hunger Games (The Hunger Games, #1)", Series("The Hunger Games", 1, None)),
        ("Catching Fire (The Hunger Games #2)", Series("The Hunger Games", 2, None)),
        ("Beyond Exile (Day by Day Armageddon,# 2)", Series("Day by Day Armageddon", 2, None)),
        (
            "One Thousand White Women (One Thousand White Women#1)",
            Series("One Thousand White Women", 1, None),
        ),
        # omnibus editions
        ("The Lord of the Rings (The Lord of the Rings, #1-3)", Series("The Lord of the Rings", 1, 3)),
        ("The Oedipus Cycle (The Theban Plays, #1–3)", Series("The Theban Plays", 1, 3)),
        ("Four: A Divergent Story Collection (Divergent, #0.1 - 0.4)", Series("Divergent", 0.1, 0.4)),
        ("The Twilight Saga Complete Collection  (Twilight, #1-4 + 3.5)", Series("Twilight", 1, 4)),
        ("From the Two Rivers (Wheel of time, #1-1)", Series("Wheel of time", 1, None)),
        # parts of one volume
        (
            "A Storm of Swords: Blood and Gold (A Song of Ice and Fire, #3: Part 2 of 2)",
            Series("A Song of Ice and Fire", 3, None),
        ),
        (
            "Harry Potter and the Order of the Phoenix (Harry Potter, #5, Part 1)",
            Series("Harry Potter", 5, None),
        ),
        (
            "To Green Angel Tower, Part 1 (Memory, Sorrow, and Thorn, #3; Part 1)",
            Series("Memory, Sorrow, and Thorn", 3, None),
        ),
        # two series: the first
        (
            "The Dark Elf Trilogy (Forgotten Realms: Dark Elf Trilogy, #1-3; Legend of Drizzt, #1-3)",
            Series("Forgotten Realms: Dark Elf Trilogy", 1, 3),
        ),
        ("Raising Steam (Discworld, #40, Moist von Lipwig #3 )", Series("Discworld", 40, None)),
        # a prequel
        ("The Assassin and the Pirate Lord (Throne of Glass, #0.1)", Series("Throne of Glass", 0.1, None)),
        ("The Selection Stories (The Selection, #0.5, 2.5)", Series("The Selection", 0.5, None)),
        # a series named with parentheses of its own
        ("Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)", Series("Ranma ½ (US 2nd)", 1, None)),
        # what only looks like a series: no "#n", not at the end, no parentheses, no name
        ("Sleeping Beauty (Disney Princess, 5)", None),
        ("The Firm (Penguin Readers, Level 5)", None),
        ("Some Book (Vol. 2)", None),
        ("Some Book (1999)", None),
        ("The Talisman (Volume 1): The Road of Trials", None),
        ("Saga #1", None),
        ("Nancy Drew: #1-64", None),
        ("#GIRLBOSS", None),
        ("Odd (#3)", None),
        ("Odd (, #3)", None),
        ("Odd (## #3)", None),
        ("Unclosed (Series, #1", None),
        ("Unopened Series, #1)", None),
        ("", None),
    ],
)
def test_parse_series(title, expected):
    assert parse_series(title) == expected


def test_a_series_whose_first_volume_is_missing_starts_where_the_catalogue_does():
    titles = ["Book Three (Gap, #3)", "Alone", "Book Two (Gap, #2)", "Book Five (gap #5)"]
    table = series_table(titles)
    assert table.count == 1  # "gap" is the same series: names are keyed in lower case
    assert table.index.tolist() == [0, -1, 0, 0]
    assert volume_order(table, [0, 2, 3]) == [2, 0, 3]


def test_series_table_positions_ends_and_order():
    titles = [
        "Box (Saga, #1-3)",  # an omnibus at position 1: after the single volume #1
        "Prequel (Saga, #0.5)",  # before #1, yet the series' first volume is #1
        "One (Saga, #1)",
        "Two (Saga, #2)",
        "Other (Other, #1)",
        "Plain",
    ]
    table = series_table(titles, list(range(1, 7)))
    assert table.count == 2
    assert table.index.tolist() == [0, 0, 0, 0, 1, -1]
    assert table.position[:5].tolist() == [1, 0.5, 1, 2, 1]
    assert table.end[:5].tolist() == [3, 0.5, 1, 2, 1]
    assert math.isnan(table.position[5]) and math.isnan(table.end[5])
    assert volume_order(table, [0, 1, 2, 3]) == [2, 0, 3, 1]


def test_series_key_and_json():
    assert series_key("Two (The Saga, #2)", 7) == "the saga"
    assert series_key("Two  (The   SAGA, #2)", 7) == "the saga"
    assert series_key("Plain", 7) == "book:7"
    assert series_json(parse_series("Two (The Saga, #2)")) == {"name": "The Saga", "position": 2}
    assert series_json(parse_series("Box (The Saga, #1-3)")) == {"name": "The Saga", "position": 1, "end": 3}
    assert series_json(parse_series("Pre (The Saga, #0.5)")) == {"name": "The Saga", "position": 0.5}
    assert series_json(None) is None


def _sane(found) -> bool:
    if found is None:
        return True
    return (
        isinstance(found.name, str)
        and found.name == found.name.strip()
        and any(c.isalnum() for c in found.name)
        and math.isfinite(found.position)
        and found.position >= 0
        and (found.end is None or (math.isfinite(found.end) and found.end > found.position))
    )


REAL_LIKE = [
    "The Hunger Games (The Hunger Games, #1)",
    "A Storm of Swords: Blood and Gold (A Song of Ice and Fire, #3: Part 2 of 2)",
    "The Dark Elf Trilogy (Forgotten Realms: Dark Elf Trilogy, #1-3; Legend of Drizzt, #1-3)",
    "Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)",
    "Four: A Divergent Story Collection (Divergent, #0.1 - 0.4)",
]
ALPHABET = "()#,;:-–. 0123456789aZ½\t\n\\[]{}*+?|^$"


def test_fuzz_never_raises_and_stays_sane():
    rng = random.Random(24)
    for _ in range(4000):
        length = rng.randrange(0, 40)
        text = "".join(rng.choice(ALPHABET) for _ in range(length))
        assert _sane(parse_series(text)), text
        title = list(rng.choice(REAL_LIKE))
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(len(title) + 1)
            op = rng.randrange(3)
            if op == 0:
                title.insert(at, rng.choice(ALPHABET))
            elif title and op == 1:
                del title[min(at, len(title) - 1)]
            elif title:
                title[min(at, len(title) - 1)] = rng.choice(ALPHABET)
        mutated = "".join(title)
        assert _sane(parse_series(mutated)), mutated
        series_key(mutated, 1)
    for odd in [
        None,
        12,
        3.5,
        b"(A, #1)",
        float("nan"),
        "(" * 5000 + "A, #1" + ")" * 5000,
        "x (A, #" + "9" * 400 + ")",
    ]:
        assert _sane(parse_series(odd))
    assert parse_series("x " * 20000 + "(A, #1)") == Series("A", 1, None)


def test_every_real_title(real_data):
    books = pd.read_csv(real_data / "books.csv")
    table = series_table(books["title"].tolist(), books["book_id"].tolist())
    found = [parse_series(t) for t in books["title"]]
    assert all(_sane(f) for f in found)
    in_series = sum(f is not None for f in found)
    assert 4000 < in_series < 5000  # 4,529 titles end in a group; 91 of them have no "#n"
    assert int((table.index >= 0).sum()) == in_series
    by_title = dict(zip(books["title"], found, strict=False))
    assert by_title["Harry Potter and the Chamber of Secrets (Harry Potter, #2)"] == Series(
        "Harry Potter", 2, None
    )
    assert by_title["Harry Potter Boxset (Harry Potter, #1-7)"] == Series("Harry Potter", 1, 7)
    second = "Harry Potter and the Chamber of Secrets (Harry Potter, #2)"
    hp = table.index[books["title"].tolist().index(second)]
    first = volume_order(table, np.flatnonzero(table.index == hp))[0]
    assert books["title"][first] == "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)"


def test_an_older_metadata_series_table_with_names_reads_as_their_count():
    from model.series import table_from_metadata

    older = {"names": ["S", "T"], "rows": [0, 2], "index": [0, 1], "position": [1, 1], "end": [1, 1]}
    table = table_from_metadata({"num_books": 3, "series": older})
    assert table.count == 2 and table.index.tolist() == [0, -1, 1]


def test_series_metadata_is_compact_and_round_trips():
    from model.series import series_metadata

    table = series_table(["A (S, #1)", "Plain", "B (S, #1-2)", "C (T #0.5)"])
    assert series_metadata(table) == {
        "count": 2,
        "rows": [0, 2, 3],
        "index": [0, 0, 1],
        "position": [1, 1, 0.5],
        "end": [1, 2, 0.5],
    }
    empty = series_metadata(series_table([]))
    assert empty == {"count": 0, "rows": [], "index": [], "position": [], "end": []}
