// web/js/import-file.js: a Goodreads export's bytes read and matched to a shelf, with progress.
import assert from "node:assert/strict";
import { test } from "node:test";

import { GoodreadsError, MAX_FILE_BYTES, matchIndex } from "../../web/js/goodreads.js";
import { readFile } from "../../web/js/import-file.js";

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

const matcher = async () => matchIndex(BOOKS, GOODREADS);

test("an export becomes the shelf it adds, its summary and the times each step ended", async () => {
  const seen = [];
  let clock = 0;
  const got = await readFile(new File([EXPORT], "library.csv"), {
    matcher,
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
  assert.deepEqual([got.rows.length, got.started, got.times], [3, 10, { readMs: 10, parseMs: 10, matchMs: 10 }]);
  // Reading is 0..80% of the bar, matching the rest.
  assert.deepEqual(seen, [
    [0, "Reading library.csv…"],
    [0.8, "Reading library.csv…"],
    [1, "Matching 3 rows to the catalogue…"],
  ]);
});

test("a file that is not an export throws GoodreadsError", async () => {
  await assert.rejects(readFile(new File([], "empty.csv"), { matcher }), GoodreadsError);
  const notCsv = new File(["just some words\nand more"], "notes.txt");
  await assert.rejects(readFile(notCsv, { matcher, pause: async () => {} }), GoodreadsError);
});

test("a chosen file waits for the catalogue, then is read and matched, with each step's time", async () => {
  const steps = [];
  let clock = 100;
  const got = await readFile(new File([EXPORT], "library.csv"), {
    untilCatalogue: async () => steps.push("catalogue"),
    matcher: async () => {
      steps.push("matcher");
      return matchIndex(BOOKS, GOODREADS);
    },
    onProgress: (fraction, message) => steps.push([fraction, message]),
    pause: async () => {},
    now: () => (clock += 10),
  });
  assert.deepEqual(steps.slice(0, 4), [
    [0, "Reading library.csv…"],
    [0, "Reading library.csv… It is matched as soon as the catalogue has loaded."],
    "catalogue",
    "matcher",
  ]);
  assert.deepEqual(got.shelf, { picks: new Map([[1, 5]]), marks: new Map([[4, "to_read"]]) });
  assert.deepEqual([got.started, got.times], [110, { readMs: 10, parseMs: 10, matchMs: 10 }]);
  // Too big: said at once, before the catalogue, the match index or the bytes are waited for.
  const big = { name: "huge.csv", size: MAX_FILE_BYTES + 1, arrayBuffer: () => assert.fail("read") };
  const never = () => assert.fail("waited");
  await assert.rejects(readFile(big, { untilCatalogue: never, matcher: never }), GoodreadsError);
});
