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
]


def answers() -> dict:
    index = build_search_index(BOOKS)
    return {query: [int(r) for r in search_rows(index, query)] for query in QUERIES}


def main() -> None:
    GOLDEN.write_text(json.dumps({"books": BOOKS, "queries": answers()}, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
