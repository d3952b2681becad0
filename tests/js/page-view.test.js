// web/js/page-view.js: what the page computes to show its state (star choices, a page of search
// results, the suggestions' wait message, the similar books, a failed download's advice).
import assert from "node:assert/strict";
import { test } from "node:test";

import { pendingNote, pickOptions, searchPage, similarLists } from "../../web/js/page-view.js";

test("star choices come from metadata's keys", () => {
  assert.deepEqual(pickOptions({ default_pick_stars: 5, min_stars: 1, max_stars: 5, num_books: 9 }), {
    defaultStars: 5,
    minStars: 1,
    maxStars: 5,
  });
  assert.deepEqual(pickOptions(), { defaultStars: undefined, minStars: undefined, maxStars: undefined });
});

test("a page of search results, over the popular books' rows or every book's", () => {
  const books = [10, 11, 12, 13].map((bookId) => ({ book_id: bookId }));
  const shelf = { picks: new Map([[11, 5]]), marks: new Map([[13, "read"]]) };
  // The popular books' index: its rows 0, 1, 2 are book rows 3, 1, 0.
  const popular = searchPage({ found: [2, 0, 1], indexRows: [3, 1, 0], limit: 2, query: "", books, shelf });
  assert.deepEqual(popular.results, [
    { book: books[0], picked: false, mark: undefined },
    { book: books[3], picked: false, mark: "read" },
  ]);
  assert.deepEqual(popular.summary, { query: "", total: 3, hasMore: true, among: 3 });
  const every = searchPage({ found: [0, 3, 1], indexRows: null, limit: 5, query: "x", books, shelf });
  assert.deepEqual(
    every.results.map(({ book, picked }) => [book.book_id, picked]),
    [
      [10, false],
      [13, false],
      [11, true],
    ],
  );
  assert.deepEqual(every.summary, { query: "x", total: 3, hasMore: false, among: null });
  // The same drawing twice has the same key; another shelf does not.
  const again = searchPage({ found: [0, 3, 1], indexRows: null, limit: 5, query: "x", books, shelf });
  assert.equal(again.drawn, every.drawn);
  const other = { picks: new Map(), marks: new Map() };
  const unpicked = searchPage({ found: [0, 3, 1], indexRows: null, limit: 5, query: "x", books, shelf: other });
  assert.notEqual(unpicked.drawn, every.drawn);
});

test("picks without suggestions say what they wait for", () => {
  assert.equal(
    pendingNote({ modelFraction: 0.426, failed: false }),
    "Your suggestions appear as soon as the model has loaded (43%).",
  );
  assert.equal(
    pendingNote({ modelFraction: 0.5, failed: true }),
    "Your suggestions appear once the model has loaded: use Retry above.",
  );
});

test("the similar books: the model's rows, and the content neighbours in the catalogue, the first k", () => {
  const books = [10, 11, 12, 13].map((bookId) => ({ book_id: bookId }));
  const rowOf = new Map(books.map((book, row) => [book.book_id, row]));
  const picks = new Map([[12, 5]]);
  const content = { neighbors: { 10: [99, 12, 13, 11] } };
  const base = { bookId: 10, rows: [2, 1], books, rowOf, picks, k: 2 };
  assert.deepEqual(similarLists({ ...base, content }), {
    rating: [
      { book: books[2], picked: true },
      { book: books[1], picked: false },
    ],
    content: [
      { book: books[2], picked: true },
      { book: books[3], picked: false },
    ],
  });
  assert.equal(similarLists({ ...base, content: null }).content, null);
  assert.deepEqual(similarLists({ ...base, bookId: 11, content }).content, []);
});

test("a failed download's advice: wait for a file changed on the server, reload for a newer build", async () => {
  const { loadAdvice } = await import("../../web/js/page-view.js");
  const { ChangedFileError, LoadError, NewBuildError } = await import("../../web/js/checked-fetch.js");
  assert.equal(loadAdvice(new ChangedFileError("books.json")), "Retry later, once the site is fixed.");
  assert.equal(loadAdvice(new NewBuildError("metadata.json")), "Reload the page to use the new version.");
  assert.equal(loadAdvice(new LoadError("books.json", "HTTP 500")), undefined); // ui.showError's own
});
