"""Write tests/golden/search.json: queries -> server/search.py's answers over a small tricky
catalogue. Both languages are checked against it (tests/web/test_search_golden.py for Python,
tests/js/search-golden.test.js for web/js/search.js); regenerate only on purpose:

    .venv/bin/python -m tests.golden.make_search
"""

from __future__ import annotations

import json
from pathlib import Path

from server.search import build_search_index, search_rows

GOLDEN = Path(__file__).with_name("search.json")
BOOKS = [
    {"title": "Dune", "authors": "Frank Herbert", "ratings_count": 900},
    {"title": "Dune Messiah (Dune Chronicles, #2)", "authors": "Frank Herbert", "ratings_count": 300},
    {"title": "Children of Dune", "authors": "Frank Herbert", "ratings_count": 300},
    {"title": "Le Petit Prince", "authors": "Antoine de Saint-Exupéry", "ratings_count": 800},
    {"title": "Émile, ou De l'éducation", "authors": "Jean-Jacques Rousseau", "ratings_count": 40},
    {"title": "The Hitchhiker's Guide to the Galaxy", "authors": "Douglas Adams", "ratings_count": 700},
    {
        "title": "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)",
        "authors": "J.K. Rowling, Mary GrandPré",
        "ratings_count": 4600,
    },
    {
        "title": "Harry Potter and the Chamber of Secrets (Harry Potter, #2)",
        "authors": "J.K. Rowling",
        "ratings_count": 1800,
    },
    {"title": "<img src=x onerror=alert(1)>", "authors": "Hostile Person", "ratings_count": 5},
    {"title": "1984", "authors": "George Orwell, Erich Fromm", "ratings_count": 2000},
    {"title": "Fahrenheit 451", "authors": "Ray Bradbury", "ratings_count": 1200},
    {"title": "ＡＢＣ Murders", "authors": "Agatha Christie", "ratings_count": 60},
    {"title": "Ñandú del Sur", "authors": "Ana Núñez", "ratings_count": 7},
    {"title": "ノルウェイの森", "authors": "村上春樹", "ratings_count": 90},
    {"title": "The Road", "authors": "Cormac McCarthy", "ratings_count": 500},
    {"title": "Roadside Picnic", "authors": "Arkady Strugatsky", "ratings_count": 50},
    {"title": "On the Road", "authors": "Jack Kerouac", "ratings_count": 500},
    {"title": "", "authors": "", "ratings_count": 0},
    # Typos: the meant book against a less popular one that matches a typo'd word otherwise.
    {"title": "The Hobbit", "authors": "J.R.R. Tolkien", "ratings_count": 2000},
    {"title": "Chobits, Vol. 1", "authors": "CLAMP", "ratings_count": 30},
    {"title": "Crime and Punishment", "authors": "Fyodor Dostoyevsky", "ratings_count": 380},
    {"title": "The Power of Habit", "authors": "Charles Duhigg", "ratings_count": 150},
    {"title": "Little Women", "authors": "Louisa May Alcott", "ratings_count": 1250},
    {"title": "The Woman in White", "authors": "Wilkie Collins", "ratings_count": 90},
    {"title": "The Alchemist", "authors": "Paulo Coelho", "ratings_count": 1300},
    {"title": "The Alchemyst", "authors": "Michael Scott", "ratings_count": 80},
    {"title": "Foundation", "authors": "Isaac Asimov", "ratings_count": 280},
    {"title": "𠮷abcd", "authors": "", "ratings_count": 1},  # 5 code points, 6 UTF-16 units
]
QUERIES = [
    "dune",
    "DUNE",
    "  dune  ",
    "dune child",
    "dune #2",
    "herbert",
    "frank herbert",
    "petit",
    "le petit prince",
    "exupery",
    "saint-exupéry",
    "emile",
    "éducation",
    "l education",
    "hitchhiker's",
    "hitchhikers",
    "harry potter",
    "potter 2",
    "rowling",
    "grandpre",
    "<img",
    "onerror",
    "1984",
    "451",
    "abc",
    "ａｂｃ",
    "nandu",
    "núñez",
    "ノルウェイ",
    "村上",
    "road",
    "oad",
    "the road",
    "mccarthy road",
    "",
    "   ",
    "zzz",
    "-",
    "a",
    # typos: swapped, missing, doubled, wrong letters; transliterations; still typing
    # ("hitchhikers" above found nothing before typos were forgiven)
    "tolkein",
    "hobit",
    "hobbitt",
    "harry poter",
    "dostoevsky",
    "dostoevski",
    "ray bradbery",
    "isaac asimow",
    "the alchemest",
    "alchemy",
    "little woman",
    "litle women",
    "fahrenheit 415",
    "orwel",
    "mccarthy raod",
    "crime and punishmnet",
    "dostoev",
    "hobb",
    "teh hobbit",
    "chobit",
    "ab",
    "abd",
    "𠮷abce",
    "𠮷abxy",
    "zzzz",
    # initials written together
    "jk rowling",
    "jrr tolkein",
    "jr",
]


def answers() -> dict:
    index = build_search_index(BOOKS)
    return {query: [int(r) for r in search_rows(index, query)] for query in QUERIES}


def main() -> None:
    GOLDEN.write_text(json.dumps({"books": BOOKS, "queries": answers()}, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
