// web/js/series.js: metadata.json's series table, a book's whole series and more by its author
// from books.json (the answers server/series.py gives: tests/web/test_web_api.py, the same books).
import assert from "node:assert/strict";
import { test } from "node:test";

import { byAuthor, noSeries, seriesKey, seriesMembers, seriesTable, seriesVolumes, volumeOrder } from "../../web/js/series.js";

// As test_web_api.py's with_series_and_authors: 20 is S #1, the box 40 S #1-2, 10 S #2.
const BOOKS = [
  { book_id: 10, authors: "Same Author", ratings_count: 50, series: { name: "S", position: 2 } },
  { book_id: 20, authors: "Same Author, An Illustrator", ratings_count: 500, series: { name: "s", position: 1 } },
  { book_id: 30, authors: "Same Author", ratings_count: 40, series: null },
  { book_id: 40, authors: "Hostile Person", ratings_count: 5, series: { name: "S", position: 1, end: 2 } },
  { book_id: 50, authors: "Same Author", ratings_count: 900, series: null },
];
const ids = (rows) => rows.map((row) => BOOKS[row].book_id);

test("the whole series in reading order, and more by the author outside it", () => {
  assert.deepEqual(ids(seriesVolumes(BOOKS, 0)), [20, 40, 10]);
  assert.deepEqual(ids(seriesVolumes(BOOKS, 2)), []);
  assert.deepEqual(ids(byAuthor(BOOKS, 0, 10)), [50, 30]);
  assert.deepEqual(ids(byAuthor(BOOKS, 0, 1)), [50]);
  assert.deepEqual(ids(byAuthor(BOOKS, 2, 2)), [50, 20]);
  assert.deepEqual(ids(byAuthor(BOOKS, 3, 10)), []);
  const old = BOOKS.map(({ series, ...book }) => book); // a books.json from before series
  assert.deepEqual(ids(seriesVolumes(old, 0)), []);
  assert.deepEqual(ids(byAuthor(old, 0, 10)), [50, 20, 30]);
});

test("series keys are the lower-case name, spaces collapsed", () => {
  assert.equal(seriesKey({ name: "  The   Saga ", position: 1 }), "the saga");
  assert.equal(seriesKey(null), null);
  assert.equal(seriesKey({ position: 1 }), null);
});

test("metadata.json's table by row; a row outside the catalogue is not used; no table, no series", () => {
  const table = seriesTable({
    book_ids: [1, 2, 3, 4],
    series: { count: 1, rows: [0, 2, 3, 9], index: [0, 0, 0, 0], position: [2, 1, 1, 5], end: [2, 3, 1, 5] },
  });
  assert.deepEqual([...table.index], [0, -1, 0, 0]);
  assert.deepEqual([...table.end].map((x) => (Number.isNaN(x) ? null : x)), [2, null, 3, 1]);
  assert.deepEqual(volumeOrder(table, [0, 2, 3]), [3, 2, 0]); // #1, the omnibus #1-3, #2
  assert.deepEqual([...noSeries(3).index], [-1, -1, -1]);
  assert.equal(seriesTable({ book_ids: [1, 2] }).count, 0);
  // An older metadata.json (format_version 1) named its series rather than counting them.
  const older = seriesTable({ book_ids: [1, 2], series: { names: ["A"], rows: [1], index: [0], position: [1], end: [1] } });
  assert.deepEqual(seriesMembers(older), [[1]]);
});
