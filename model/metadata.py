"""metadata.json's book ids, written compactly and read back (model/export.py writes the file).

The catalogue's book ids in row order go in the file as runs of consecutive ids,
``book_id_runs``: [[first id, count], ...]. goodbooks-10k's 1..10000 is [[1, 10000]], a few
bytes where the list was 15 KiB compressed, on the page's way to its first suggestion. Readers
get the list back as ``book_ids`` (read_metadata here; server/catalogue.py and
web/js/checked-fetch.js fetchMetadata do the same, held to the same answers by tests).
"""

from __future__ import annotations

import json
from pathlib import Path


def id_runs(ids) -> list[list[int]]:
    """``ids`` as runs of consecutive ids: [3, 4, 5, 9] -> [[3, 3], [9, 1]]."""
    runs: list[list[int]] = []
    for value in (int(i) for i in ids):
        if runs and value == runs[-1][0] + runs[-1][1]:
            runs[-1][1] += 1
        else:
            runs.append([value, 1])
    return runs


def ids_from_runs(runs, num_books: int | None = None) -> list[int]:
    """The ids of ``runs`` ([[first, count], ...]); ValueError for anything else, or for runs
    that do not hold ``num_books`` ids (checked before any is listed: a corrupt count of a
    billion is an error, not a billion ids)."""
    if not isinstance(runs, list):
        raise ValueError("book_id_runs should be a list of [first id, count] runs")
    for run in runs:
        ok = isinstance(run, list) and len(run) == 2 and all(type(v) is int for v in run)
        if not ok or run[1] < 1:
            raise ValueError(f"book_id_runs: {run!r} is not a [first id, count] run")
    total = sum(run[1] for run in runs)
    if num_books is not None and total != num_books:
        raise ValueError(f"book_id_runs hold {total} ids, not num_books ({num_books})")
    return [book_id for first, count in runs for book_id in range(first, first + count)]


def with_book_ids(metadata: dict) -> dict:
    """``metadata`` as its readers use it: ``book_ids`` from ``book_id_runs`` (a file from
    before the runs has ``book_ids`` itself)."""
    if "book_id_runs" not in metadata:
        return metadata
    return {**metadata, "book_ids": ids_from_runs(metadata["book_id_runs"], metadata.get("num_books"))}


def read_metadata(path: Path) -> dict:
    """metadata.json at ``path``, with ``book_ids`` (with_book_ids)."""
    return with_book_ids(json.loads(Path(path).read_text()))
