// web/js/goodreads.js: reading a Goodreads export and matching it to a hand-made catalogue.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  GoodreadsError,
  MAX_FILE_BYTES,
  buildShelf,
  decodeExport,
  isbn13Of,
  matchIndex,
  matchRow,
  normalizeText,
  matchRows,
  readExport,
  summarize,
  summaryLine,
  titleKey,
  tooBig,
  unescapeEntities,
} from "../../web/js/goodreads.js";

// Four books, as books.json and goodreads.json describe them (row = position).
const BOOKS = [
  { book_id: 1, title: "The Hunger Games (The Hunger Games, #1)", authors: "Suzanne Collins" },
  { book_id: 2, title: "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)", authors: "J.K. Rowling, Mary GrandPré" },
  { book_id: 3, title: "Cien años de soledad", authors: "Gabriel García Márquez" },
  { book_id: 4, title: "Pride and Prejudice", authors: "Jane Austen" },
];
const GOODREADS = {
  format_version: 1,
  num_books: 4,
  goodreads_book_ids: [2767052, 3, 320, 1885],
  best_book_ids: { 1: 4 }, // book 2's best edition is Goodreads id 4
  isbn13: [["9780439023481"], ["9780439554930"], [], ["9780141439518", "9780141439525"]],
};
const HEADER =
  "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher," +
  "Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves," +
  "Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies";

function row(id, title, author, isbn, isbn13, stars, shelf, review = "") {
  const q = (s) => `"${s.replaceAll('"', '""')}"`;
  const cells = [id, q(title), author, "", "", q(`="${isbn}"`), q(`="${isbn13}"`), stars, "4.1", "", "", "", "", ""];
  return [...cells, "", "2020/01/01", shelf, "", shelf, q(review), "", "", "1", "0"].join(",");
}

const EXPORT = [
  HEADER,
  row(2767052, "The Hunger Games (The Hunger Games, #1)", "Suzanne Collins", "0439023483", "9780439023481", 5, "read"),
  row(4, "Harry Potter and the Sorcerer's Stone", "J.K. Rowling", "", "", 4, "read", 'Loved it,\n"really".'),
  row(99, "Pride & Prejudice", "Jane Austen", "", "9780141439518", 0, "to-read"),
  row(98, "Cien A&ntilde;os de Soledad (Spanish Edition)", "Gabriel Garcia Marquez", "", "", 0, "currently-reading"),
  row(97, "Cien años de soledad (Edición)", "Gabriel García Márquez", "", "", 0, "currently-reading"),
  row(96, "<img src=x onerror=alert(1)>", "Nobody", "", "", 3, "read"),
  row(95, "Pride and Prejudice", "Jane Austen", "014143951X", "", 2, "did-not-finish"),
].join("\r\n");

const noPause = { pause: async () => {} };

test("ISBN cells as exports write them, all as ISBN-13", () => {
  assert.equal(isbn13Of('="0439023483"'), "9780439023481");
  assert.equal(isbn13Of("043902348X"), "9780439023481"); // the ISBN-10's own check digit is not used
  assert.equal(isbn13Of('="9780439023481"'), "9780439023481");
  assert.equal(isbn13Of("978-0-439-02348-1"), "9780439023481");
  assert.equal(isbn13Of('=""'), null);
  assert.equal(isbn13Of("12345"), null);
});

test("titles and authors normalize: case, accents, punctuation, entities, the series", () => {
  assert.equal(unescapeEntities("A &amp; B &#233; &#xE9; &bogus; &#xD800;"), "A & B é é &bogus; &#xD800;");
  assert.equal(normalizeText("Harry Potter &amp; the Philosopher’s Stone"), "harrypotterandthephilosophersstone");
  assert.equal(normalizeText("Cien años"), "cienanos");
  assert.equal(titleKey("The Hunger Games (The Hunger Games, #1)", "Suzanne Collins"), "thehungergames|suzannecollins");
  assert.equal(titleKey("Harry Potter (HP #1)", "J.K. Rowling, Mary GrandPré"), "harrypotter|jkrowling");
  assert.equal(titleKey("(Only a series)", "X"), null);
});

test("rows match by id, best_book_id, ISBN, then title + first author", async () => {
  const rows = await readExport(EXPORT, noPause);
  const index = matchIndex(BOOKS, GOODREADS);
  const matches = rows.map((r) => matchRow(r, index));
  assert.deepEqual(
    matches.map((m) => [m.book_id, m.method]),
    [
      [1, "id"],
      [2, "id"], // Goodreads id 4 is book 2's best_book_id
      [4, "isbn"], // ISBN13
      [null, null], // "A&ntilde;os": an entity browsers know but exports do not write
      [3, "title"],
      [null, null],
      [4, "isbn"], // ISBN-10 with X
    ],
  );
  assert.deepEqual(rows[1].title, "Harry Potter and the Sorcerer's Stone");
  assert.deepEqual(
    rows.map((r) => r.line),
    [2, 3, 5, 6, 7, 8, 9],
  );
  const summary = summarize(rows, matches);
  assert.deepEqual(summary, {
    rows: 7,
    matched: 5,
    matched_by: { id: 2, isbn: 2, title: 1 },
    unmatched: ["Cien A&ntilde;os de Soledad (Spanish Edition)", "<img src=x onerror=alert(1)>"],
  });
  assert.equal(summaryLine(summary), "7 rows, 5 matched (2 by id, 2 by ISBN, 1 by title), 2 not in the catalogue");
  // Rated -> picks; book 4 is to-read in one row and rated 2 in a later one: the rating wins.
  const shelf = buildShelf(rows, matches);
  assert.deepEqual([...shelf.picks], [
    [1, 5],
    [2, 4],
    [4, 2],
  ]);
  assert.deepEqual([...shelf.marks], [[3, "reading"]]);
});

test("between two ratings of one book the later row wins; read beats to-read", () => {
  const rows = [
    { stars: 3, shelf: "read" },
    { stars: 5, shelf: "read" },
    { stars: 0, shelf: "to-read" },
    { stars: 0, shelf: "favorites" },
    { stars: 0, shelf: "to-read" },
  ];
  const matches = [1, 1, 2, 2, 3].map((book_id) => ({ book_id, method: "id" }));
  const shelf = buildShelf(rows, matches);
  assert.deepEqual([...shelf.picks], [[1, 5]]);
  assert.deepEqual([...shelf.marks], [
    [2, "read"],
    [3, "to_read"],
  ]);
});

test("a lower row wins a shared key; goodreads_book_id beats best_book_id", () => {
  const books = [
    { book_id: 10, title: "Same", authors: "A" },
    { book_id: 20, title: "Same (Other edition)", authors: "A" },
  ];
  const goodreads = { num_books: 2, goodreads_book_ids: [5, 6], best_book_ids: { 1: 5 }, isbn13: [["1"], ["1"]] };
  const index = matchIndex(books, goodreads);
  assert.equal(index.byId.get(5), 10);
  assert.equal(index.byIsbn.get("1"), 10);
  assert.equal(index.byTitle.get("same|a"), 10);
  assert.throws(() => matchIndex(books, { ...goodreads, num_books: 3 }), /does not match books.json/);
});

async function importError(text) {
  try {
    await readExport(text, noPause);
  } catch (error) {
    assert.ok(error instanceof GoodreadsError, String(error));
    return error.message;
  }
  assert.fail("no error");
}

test("bad files say which row and what is wrong", async () => {
  assert.match(await importError(""), /^The file is empty/);
  assert.match(await importError("\n\n"), /^The file is empty/);
  assert.match(await importError(HEADER + "\n"), /^The file has a header but no books/);
  assert.match(
    await importError('{"picks": [1, 2]}\n'),
    /^This is not a Goodreads library export: its first line lacks the columns Book Id, Title, Author, My Rating, Exclusive Shelf \(it starts “\{"picks": \[1, 2\]\}”\)/,
  );
  assert.match(await importError("Book Id,Title,Author,My Rating\n1,a,b,5\n"), /lacks the column Exclusive Shelf /);
  const lines = EXPORT.split("\r\n");
  assert.match(
    await importError([lines[0], lines[1], "1,<img src=x onerror=alert(1)>,3"].join("\n")),
    /^Row 2 \(line 3\) has 3 fields where the header has 24 \(it starts “1,<img src=x onerror=alert\(1\)>,3”\)\. Nothing was imported\.$/,
  );
  assert.match(
    await importError([lines[0], lines[1].replace(",5,4.1,", ",7,4.1,")].join("\n")),
    /^Row 1 \(line 2\): My Rating “7” is not a number from 0 to 5/,
  );
  assert.match(
    await importError([lines[0], lines[1].replace("2767052,", "abc,")].join("\n")),
    /^Row 1 \(line 2\): Book Id “abc” is not a Goodreads book id/,
  );
  assert.match(
    await importError([lines[0], lines[1], '5,"never closed'].join("\n")),
    /^Line 3: a quoted field is never closed .*Nothing was imported\.$/,
  );
});

test("matchRows matches like matchRow, in tasks of yieldEvery rows", async () => {
  const rows = await readExport(EXPORT, noPause);
  const index = matchIndex(BOOKS, GOODREADS);
  let pauses = 0;
  const progress = [];
  const matches = await matchRows(rows, index, {
    yieldEvery: 4,
    pause: async () => {
      pauses += 1;
    },
    onProgress: (fraction) => progress.push(fraction),
  });
  assert.deepEqual(matches, rows.map((row) => matchRow(row, index)));
  assert.equal(pauses, Math.ceil(rows.length / 4) - 1);
  assert.equal(progress.at(-1), 1);
});

test("a file a spreadsheet re-saved (UTF-16, semicolons, tabs) says what it is and what to do", async () => {
  const text = "Book Id,Title,Author,My Rating,Exclusive Shelf\n1,Dune,Frank Herbert,5,read\n";
  const utf16le = new Uint8Array([0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0), 0])]);
  const utf16be = new Uint8Array([...text].flatMap((c) => [0, c.charCodeAt(0)]));
  for (const bytes of [utf16le, utf16be, utf16le.subarray(2)]) {
    assert.throws(() => decodeExport(bytes), /^GoodreadsError: This file is UTF-16 text .* a Goodreads export is UTF-8 text with commas\. Export it again from Goodreads/);
  }
  const encode = (s) => new TextEncoder().encode(s);
  for (const [separator, what] of [[";", "semicolons"], ["\t", "tabs \\(a TSV file\\)"]]) {
    const file = decodeExport(encode(text.replaceAll(",", separator)));
    await assert.rejects(readExport(file, { pause: async () => {} }), (error) => {
      assert.match(error.message, new RegExp(`^This file's columns are separated by ${what}.*separates them with commas`));
      return true;
    });
  }
});

test("bytes: empty, too big, binary, not UTF-8; a BOM is dropped", () => {
  assert.throws(() => decodeExport(new Uint8Array()), /^GoodreadsError: The file is empty/);
  assert.throws(() => decodeExport(new Uint8Array(MAX_FILE_BYTES + 1)), /The file is 20.0 MB; .*limit is 20 MB/);
  assert.match(tooBig(50 * 1024 * 1024).message, /^The file is 52.4 MB/);
  assert.throws(() => decodeExport(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1])), /holds binary data/);
  const latin1 = Uint8Array.from([...new TextEncoder().encode("a,b\nc,"), 0xe9, 0x0a]);
  assert.throws(() => decodeExport(latin1), /not a UTF-8 CSV file \(line 2 is not UTF-8 text\)/);
  assert.equal(decodeExport(new TextEncoder().encode("\ufeffBook Id")), "Book Id");
});

test("progress is reported and the reader pauses every yieldEvery rows", async () => {
  const many = [HEADER, ...Array.from({ length: 10 }, (_, i) => row(i, `T${i}`, "A", "", "", 0, "read"))].join("\n");
  const fractions = [];
  let pauses = 0;
  const rows = await readExport(many, {
    yieldEvery: 4,
    onProgress: (f) => fractions.push(f),
    pause: async () => {
      pauses += 1;
    },
  });
  assert.equal(rows.length, 10);
  assert.equal(pauses, 2);
  assert.equal(fractions.length, 3);
  assert.ok(fractions[0] > 0 && fractions[0] < fractions[1] && fractions[2] === 1);
});
