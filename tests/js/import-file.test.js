// web/js/import-file.js: a Goodreads export's bytes read and matched to a shelf, with progress.
import assert from "node:assert/strict";
import { test } from "node:test";

import { GoodreadsError, matchIndex } from "../../web/js/goodreads.js";
import { readAndMatch, readingWhat } from "../../web/js/import-file.js";

const BOOKS = [
  { book_id: 1, title: "The Hunger Games (The Hunger Games, #1)", authors: "Suzanne Collins" },
  { book_id: 4, title: "Pride and Prejudice", authors: "Jane Austen" },
];
const GOODREADS = {
  format_version: 1,
  num_books: 2,
  goodreads_book_ids: [2767052, 1885],
  best_book_ids: {},
  isbn13: [[], []],
};
const HEADER = "Book Id,Title,Author,ISBN,ISBN13,My Rating,Exclusive Shelf";
const EXPORT = [
  HEADER,
  '2767052,"The Hunger Games",Suzanne Collins,"=""""","=""""",5,read',
  '555,"Pride and Prejudice",Jane Austen,"=""""","=""""",0,to-read',
  '777,"A Book Not Here",Nobody,"=""""","=""""",3,read',
].join("\n");

test("an export's bytes become the shelf it adds, its summary and the times each step ended", async () => {
  const seen = [];
  let clock = 0;
  const got = await readAndMatch(new TextEncoder().encode(EXPORT), matchIndex(BOOKS, GOODREADS), {
    name: "library.csv",
    onProgress: (fraction, message) => seen.push([fraction, message]),
    pause: async () => {},
    now: () => (clock += 10),
  });
  assert.deepEqual(got.shelf, { picks: new Map([[1, 5]]), marks: new Map([[4, "to_read"]]) });
  assert.deepEqual(
    got.matches.map((match) => [match.book_id, match.method]),
    [
      [1, "id"],
      [4, "title"],
      [null, null],
    ],
  );
  assert.deepEqual(got.summary, {
    rows: 3,
    matched: 2,
    matched_by: { id: 1, isbn: 0, title: 1 },
    unmatched: ["A Book Not Here"],
  });
  assert.deepEqual([got.rows.length, got.parsed, got.matched], [3, 10, 20]);
  // Reading is 0..80% of the bar, matching the rest.
  assert.deepEqual(seen.at(0), [0.8, "Reading library.csv…"]);
  assert.deepEqual(seen.at(-1), [1, "Matching 3 rows to the catalogue…"]);
  assert.equal(readingWhat("x.csv"), "Reading x.csv…");
});

test("a file that is not an export throws GoodreadsError", async () => {
  const matcher = matchIndex(BOOKS, GOODREADS);
  await assert.rejects(readAndMatch(new Uint8Array(), matcher, { name: "empty.csv" }), GoodreadsError);
  const notCsv = new TextEncoder().encode("just some words\nand more");
  await assert.rejects(readAndMatch(notCsv, matcher, { name: "notes.txt", pause: async () => {} }), GoodreadsError);
});
