// web/js/filters.js: what suggestions leave out (picks, marks, books outside the genre and year
// filters), genres.json on model rows, the filter boxes' text read as a filter.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  excludedRows,
  genresByRow,
  isFiltered,
  parseYear,
  publicationYears,
  suggestionFilter,
  yearProblem,
  yearRange,
} from "../../web/js/filters.js";

test("excludedRows: picks, marks and books outside the filters", () => {
  const rowOf = new Map([10, 20, 30, 40, 50].map((bookId, row) => [bookId, row]));
  const picks = new Map([[10, 5]]);
  const marks = new Map([
    [40, "to_read"],
    [99, "read"],
  ]);
  const years = [2001, 1999, null, 1850, 2010];
  const genres = Int16Array.from([0, 1, 1, -1, 1]);
  const sorted = (set) => [...set].sort();
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf })), [0, 3]);
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 1 }, years, genres })), [0, 3]);
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 0 }, years, genres })), [0, 1, 2, 3, 4]);
  assert.deepEqual(
    sorted(excludedRows({ picks, marks, rowOf, filter: { yearFrom: 2000, yearTo: null }, years, genres })),
    [0, 1, 2, 3],
  );
  assert.deepEqual(
    sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 1, yearTo: 2000 }, years, genres })),
    [0, 2, 3, 4],
  );
  // No genres file: the genre filter cannot apply.
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 1 }, years, genres: null })), [0, 3]);
});

test("genresByRow maps genres.json onto model rows; parseYear", () => {
  const rowOf = new Map([
    [10, 0],
    [20, 1],
    [30, 2],
  ]);
  const file = { book_ids: [30, 10, 77], genre_names: ["fantasy", "poetry"], genres: [1, 0, 1] };
  const genres = genresByRow(file, rowOf, 3);
  assert.deepEqual(genres.names, ["fantasy", "poetry"]);
  assert.deepEqual([...genres.rows], [0, -1, 1]);
  assert.equal(genresByRow(null, rowOf, 3), null);
  assert.equal(genresByRow({ book_ids: [] }, rowOf, 3), null);
  assert.equal(parseYear(" 1999 "), 1999);
  assert.equal(parseYear(""), null);
  assert.equal(parseYear("19.5"), null);
  assert.equal(parseYear("-500"), -500);
});

test("the year filter: years by row, their range, the boxes' text as a filter", () => {
  const years = publicationYears([{ year: 1999 }, { year: null }, { year: 1813 }, { year: "2001" }, {}]);
  assert.deepEqual(years, [1999, null, 1813, null, null]);
  assert.deepEqual(yearRange(years), { minYear: 1813, maxYear: 1999 });
  assert.deepEqual(yearRange([null, null]), { minYear: "", maxYear: "" });
  const filter = suggestionFilter({ genre: "2", yearFrom: " 1900 ", yearTo: "soon" });
  assert.deepEqual(filter, { genre: 2, yearFrom: 1900, yearTo: null });
  assert.equal(isFiltered(filter), true);
  const none = suggestionFilter({ genre: "", yearFrom: "", yearTo: "" });
  assert.deepEqual(none, { genre: null, yearFrom: null, yearTo: null });
  assert.equal(isFiltered(none), false);
  assert.equal(isFiltered({ genre: 0, yearFrom: null, yearTo: null }), true);
});

test("a year box the filter cannot use is named: 99999, 1997.5; years and empty boxes are not", () => {
  const range = { minYear: 1850, maxYear: 2017 };
  assert.equal(
    yearProblem({ yearFrom: "99999", yearTo: "" }, range),
    "“99999” is not a year (this catalogue's books run from 1850 to 2017), so the filter leaves it out.",
  );
  assert.match(yearProblem({ yearFrom: "1990", yearTo: "1997.5" }, range), /^“1997\.5” is not a year/);
  assert.equal(yearProblem({ yearFrom: "1990", yearTo: " 2001 " }, range), "");
  assert.equal(yearProblem({ yearFrom: "", yearTo: "" }, range), "");
});
