// web/js/search-panel.js with a stand-in for ui.js: which index answers before and after the
// catalogue, the pages of results, and nothing drawn twice.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createSearchPanel } from "../../web/js/search-panel.js";

// The catalogue by row; index.html's popular books are rows 2 and 0 (most ratings first).
const BOOKS = [
  { book_id: 10, title: "Dune", authors: "Frank Herbert", ratings_count: 50 },
  { book_id: 11, title: "Emma", authors: "Jane Austen", ratings_count: 5 },
  { book_id: 12, title: "Dracula", authors: "Bram Stoker", ratings_count: 90 },
  { book_id: 13, title: "Dune Messiah", authors: "Frank Herbert", ratings_count: 1 },
];

function setUp(query = "") {
  const drawn = [];
  const ui = { searchValue: () => query, renderSearch: (results, summary) => drawn.push({ results, summary }) };
  const page = { books: [], shelf: { picks: new Map([[12, 4]]), marks: new Map([[13, "read"]]) } };
  const panel = createSearchPanel(ui, { books: () => page.books, shelf: () => page.shelf }, 1);
  const ids = (i) => drawn[i].results.map(({ book }) => book.book_id);
  return { drawn, page, panel, ids };
}

test("before the catalogue the popular books answer; after it, every book, drawn only when it changes", () => {
  const { drawn, page, panel, ids } = setUp();
  panel.render(); // no index yet: nothing to draw
  assert.equal(drawn.length, 0);
  const rows = [2, 0];
  page.books[2] = BOOKS[2];
  page.books[0] = BOOKS[0];
  panel.popular([BOOKS[2], BOOKS[0]], rows);
  panel.render();
  assert.deepEqual(ids(0), [12]);
  assert.deepEqual(drawn[0].summary, { query: "", total: 2, hasMore: true, among: 2 });
  assert.deepEqual(drawn[0].results[0], { book: BOOKS[2], picked: true, mark: undefined });
  panel.render(); // the same drawing: not drawn again
  assert.equal(drawn.length, 1);
  // The catalogue arrives: the popular books still answer the empty query, with the same books.
  page.books = BOOKS;
  panel.catalogue(BOOKS);
  panel.render();
  assert.equal(drawn.length, 1);
  panel.more(); // past the popular books: the index over every book
  assert.deepEqual(ids(1), [12, 10]);
  assert.deepEqual(drawn[1].summary, { query: "", total: 4, hasMore: true, among: null });
  panel.setQuery("dune"); // a query: the index over every book, its first page
  assert.deepEqual(ids(2), [10]);
  assert.deepEqual(drawn[2].summary, { query: "dune", total: 2, hasMore: true, among: null });
  panel.more();
  assert.deepEqual(drawn[3].results.map(({ book, mark }) => [book.book_id, mark]), [
    [10, undefined],
    [13, "read"],
  ]);
});

test("a page without popular books searches the catalogue from the query already typed", () => {
  const { drawn, page, panel, ids } = setUp("emma");
  page.books = BOOKS;
  panel.catalogue(BOOKS);
  panel.render();
  assert.deepEqual(ids(0), [11]);
  assert.deepEqual(drawn[0].summary, { query: "emma", total: 1, hasMore: false, among: null });
});
