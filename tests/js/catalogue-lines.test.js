// web/js/loader.js parseBookLines: books.json one book per line, parsed in slices with pauses between,
// gives what JSON.parse gives; anything else is parsed whole, and a broken file is a SyntaxError.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseBookLines } from "../../web/js/loader.js";

const BOOKS = Array.from({ length: 7 }, (_, i) => ({ book_id: i + 1, title: `Book, "${i}"\n[x],`, year: i ? 1990 + i : null }));
const byLine = (books) => `[\n${books.map((book) => JSON.stringify(book)).join(",\n")}\n]\n`;

test("a list written one book per line is parsed in slices, each after a pause, to what JSON.parse gives", async () => {
  let pauses = 0;
  const pause = async () => (pauses += 1);
  assert.deepEqual(await parseBookLines(byLine(BOOKS), { rowsPerSlice: 3, pause }), BOOKS);
  assert.equal(pauses, 2); // 7 books in slices of 3: two pauses between three slices
  assert.deepEqual(await parseBookLines(byLine(BOOKS), { rowsPerSlice: 7, pause }), BOOKS);
  assert.equal(pauses, 2);
  assert.deepEqual(await parseBookLines("[\n]", { pause }), []);
});

test("any other layout is parsed whole, as JSON.parse does", async () => {
  assert.deepEqual(await parseBookLines(JSON.stringify(BOOKS)), BOOKS);
  assert.deepEqual(await parseBookLines('{"a": [1,\n2]}'), { a: [1, 2] });
});

test("a file cut short, or lines that are not one book each, is a SyntaxError", async () => {
  const text = byLine(BOOKS);
  const pause = async () => {};
  await assert.rejects(parseBookLines(text.slice(0, text.length - 20), { rowsPerSlice: 3, pause }), SyntaxError);
  await assert.rejects(parseBookLines(text.replace("},\n{", "}\n{"), { rowsPerSlice: 3, pause }), SyntaxError);
  await assert.rejects(parseBookLines(text.replace('}\n]', '},\n]'), { rowsPerSlice: 3, pause }), SyntaxError);
  await assert.rejects(parseBookLines("[\n{\"a\": 1}, {\"b\": 2},\n]", { pause }), SyntaxError);
});
