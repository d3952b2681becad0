// web/js/suggestions-panel.js with stand-ins for ui.js and the model: what is left out, pages,
// filters, the wait before the model, and a run overtaken by a newer one dropped.
import assert from "node:assert/strict";
import { test } from "node:test";

import { seriesTable } from "../../web/js/series.js";
import { createSuggestionsPanel } from "../../web/js/suggestions-panel.js";
import { settingOf } from "../../web/js/shown-list.js";

const BOOKS = [1, 2, 3, 4, 5].map((bookId, row) => ({ book_id: bookId, year: 1990 + 10 * row }));
const ROW_OF = new Map(BOOKS.map((book, row) => [book.book_id, row]));
// The model's output for any picks: row 4 scores highest, then 3, 2, 1, 0; the reason of a
// suggestion is the pick most like it (here: always row 0).
const RESULT = { scores: [5, 1, 2, 3, 4], stars: [5, 4.1, 4.2, 4.3, 4.4], reasonRows: [0] };
const REC = {
  topRows: (scores, k, excluded) =>
    scores
      .map((score, row) => [score, row])
      .filter(([, row]) => !excluded.has(row))
      .sort((a, b) => b[0] - a[0])
      .slice(0, k)
      .map(([, row]) => row),
  reasonFor: (similarity, row, reasonRows) => (row === 3 ? null : reasonRows[0]),
};

// Books 3, 4 and 5 (rows 2, 3, 4) are a series, #1, #2 and #3, as metadata.json says it.
const SERIES = seriesTable({
  book_ids: [1, 2, 3, 4, 5],
  series: { count: 1, rows: [2, 3, 4], index: [0, 0, 0], position: [1, 2, 3], end: [1, 2, 3] },
});

function setUp({ modelIn = true, series = undefined, discovery = undefined } = {}) {
  const drawn = [];
  const choices = [];
  const waits = [];
  const failures = [];
  const ui = {
    renderSuggestions: (suggestions, summary) => drawn.push({ suggestions, summary }),
    setFilterChoices: (choice) => choices.push(choice),
  };
  const shelf = { picks: new Map([[1, 5]]), marks: new Map([[4, "read"]]) };
  const stats = { recomputeCount: 0, firstSuggestionsAtMs: null };
  let scoring = async () => RESULT;
  let naming = async () => {};
  const page = {
    shelf: () => shelf,
    rowOf: () => ROW_OF,
    books: () => BOOKS,
    namesFor: (rows) => naming(rows),
    model: () => (modelIn ? { score: () => scoring(), rec: REC, similarity: null, numBooks: 5, series, discovery } : null),
    pending: () => waits.push(true),
    failed: (error) => failures.push(error.message),
    stats,
  };
  const panel = createSuggestionsPanel(ui, page, 2);
  const rows = (i) => drawn[i].suggestions.map(({ book }) => book.book_id);
  const setNaming = (f) => (naming = f);
  return { drawn, choices, waits, failures, shelf, stats, panel, rows, setScoring: (f) => (scoring = f), setNaming };
}

test("the top suggestions leave out picks and marks, with predicted stars and a reason", async () => {
  const { drawn, stats, panel, rows } = setUp();
  await panel.recompute();
  assert.deepEqual(rows(0), [5, 3]); // rows 4 and 2: row 3 (book 4) is marked, row 0 picked
  assert.deepEqual(drawn[0].suggestions[0], { book: BOOKS[4], predicted: 4.4, reason: BOOKS[0], more: 0 });
  assert.deepEqual(drawn[0].summary.next, []); // no series: no next volumes
  assert.deepEqual(drawn[0].summary.pickCount, 1);
  assert.deepEqual([drawn[0].summary.hasMore, drawn[0].summary.filtered], [true, false]);
  assert.equal(stats.recomputeCount, 1);
  panel.more();
  await new Promise((resolve) => setTimeout(resolve));
  assert.deepEqual([rows(1), drawn[1].summary.hasMore], [[5, 3, 2], false]);
});

test("the year and genre filters; the genre filter waits for genres.json", async () => {
  const { drawn, choices, panel, rows } = setUp();
  panel.catalogue(BOOKS);
  assert.deepEqual(choices, [{ genres: null, minYear: 1990, maxYear: 2030 }]);
  panel.filter({ genre: "", yearFrom: "2005", yearTo: "" });
  await new Promise((resolve) => setTimeout(resolve));
  assert.deepEqual([rows(0), drawn[0].summary.filtered], [[5, 3], true]);
  panel.filter({ genre: "1", yearFrom: "", yearTo: "" });
  await new Promise((resolve) => setTimeout(resolve));
  assert.deepEqual(rows(1), [5, 3]); // no genres.json yet: the genre filter leaves nothing out
  panel.genres({ book_ids: [1, 2, 3, 4, 5], genre_names: ["a", "b"], genres: [0, 1, 0, 1, 0] }, ROW_OF, 5);
  assert.deepEqual(choices.at(-1), { genres: ["a", "b"], minYear: 1990, maxYear: 2030 });
  await new Promise((resolve) => setTimeout(resolve));
  assert.deepEqual(rows(2), [2]); // genre 1: books 2 and 4, and book 4 is marked
});

test("no picks: an empty list; picks before the model: what they wait for; an overtaken run is dropped", async () => {
  const empty = setUp();
  empty.shelf.picks.clear();
  await empty.panel.recompute();
  assert.deepEqual(empty.drawn, [{ suggestions: [], summary: { pickCount: 0, hasMore: false, millis: 0 } }]);
  const waiting = setUp({ modelIn: false });
  await waiting.panel.recompute();
  assert.deepEqual([waiting.drawn.length, waiting.waits.length], [0, 1]);
  const { drawn, panel, setScoring } = setUp();
  let release;
  setScoring(() => new Promise((resolve) => (release = () => resolve(RESULT))));
  const first = panel.recompute();
  const slow = release;
  setScoring(async () => RESULT);
  await panel.recompute();
  slow();
  await first;
  assert.equal(drawn.length, 1); // only the newer run drew
});

test("a model that cannot score (its worker died) is reported once, nothing drawn; an overtaken failure is not", async () => {
  const { drawn, failures, panel, setScoring } = setUp();
  setScoring(async () => {
    throw new Error("model-worker.js: could not be started");
  });
  await panel.recompute();
  assert.deepEqual([drawn.length, failures], [0, ["model-worker.js: could not be started"]]);
  let fail;
  setScoring(() => new Promise((resolve, reject) => (fail = () => reject(new Error("gone")))));
  const overtaken = panel.recompute();
  const slow = fail;
  setScoring(async () => RESULT);
  await panel.recompute();
  slow();
  await overtaken;
  assert.deepEqual([drawn.length, failures.length], [1, 1]);
});

test("the suggestions wait for their books' names (and their reasons'); none are drawn if those cannot be had", async () => {
  const { drawn, panel, rows, setNaming } = setUp();
  let release;
  const asked = [];
  setNaming((wanted) => {
    asked.push(wanted);
    return new Promise((resolve) => (release = resolve));
  });
  const run = panel.recompute();
  await new Promise((resolve) => setTimeout(resolve));
  assert.deepEqual(asked, [[4, 2, 0, 0]]); // the top 2 (rows 4 and 2), then their reasons (row 0)
  assert.equal(drawn.length, 0);
  release();
  await run;
  assert.deepEqual(rows(0), [5, 3]);

  setNaming(async () => {
    throw new Error("books.json: HTTP 503");
  });
  await panel.recompute();
  assert.equal(drawn.length, 1); // nothing new drawn: the page reports the catalogue's failure
});

test("one card per series: a series not started is its first volume with +N", async () => {
  const { drawn, shelf, panel, rows } = setUp({ series: SERIES });
  shelf.marks.clear();
  await panel.recompute();
  // Row 4 (#3) scores highest: its card is #1 (book 3) with 2 more; row 1 (book 2) next.
  assert.deepEqual(rows(0), [3, 2]);
  assert.deepEqual(
    drawn[0].suggestions.map(({ more }) => more),
    [2, 0],
  );
  assert.deepEqual(drawn[0].summary.next, []);
});

test("a series started by a pick or a read mark: its next volume in its own row, none in the list", async () => {
  const { drawn, shelf, panel, rows } = setUp({ series: SERIES });
  await panel.recompute(); // book 4 (#2) marked read: #3 (book 5) is next
  assert.deepEqual(rows(0), [2]);
  assert.deepEqual(drawn[0].summary.next, [{ book: BOOKS[4], predicted: 4.4, reason: BOOKS[0] }]);
  assert.equal(drawn[0].summary.hasMore, false);
  shelf.marks.clear();
  shelf.picks.set(3, 5); // #1 picked: #2 (book 4) is next
  await panel.recompute();
  assert.deepEqual(
    drawn[1].summary.next.map(({ book }) => book.book_id),
    [4],
  );
  assert.deepEqual(rows(1), [2]);
  shelf.marks.set(5, "not_interested"); // a volume not wanted dismisses the series: no next
  await panel.recompute();
  assert.deepEqual(drawn[2].summary.next, []);
});

test("metadata.json's discovery re-scores before the cards are arranged (its default setting)", async () => {
  const weights = { popular: -1, balanced: 1, "lesser-known": 2 };
  const discovery = { settings: Object.keys(weights), default: "balanced", weights, scale: 1, knee: 0, popularity: [0, 0, 0, 0, 10] };
  const { panel, rows } = setUp({ discovery });
  await panel.recompute();
  assert.deepEqual(rows(0), [3, 2]); // row 4 (book 5), the most read, falls from first to last
});

test("the visitor's discovery setting picks the weight; one metadata.json lacks falls back to its default", async () => {
  const weights = { popular: -1, balanced: 1, "lesser-known": 2 };
  const discovery = { settings: Object.keys(weights), default: "balanced", weights, scale: 1, knee: 0, popularity: [0, 0, 0, 0, 10] };
  const { panel, rows, shelf } = setUp({ discovery });
  shelf.discovery = "popular"; // -1: the most read book gains
  await panel.recompute();
  assert.deepEqual(rows(0), [5, 3]);
  shelf.discovery = "lesser-known";
  await panel.recompute();
  assert.deepEqual(rows(1), [3, 2]);
  assert.equal(settingOf(discovery, "popular"), "popular");
  assert.equal(settingOf(discovery, "obscure"), "balanced");
  assert.equal(settingOf(discovery, undefined), "balanced");
});
