// The browser's Goodreads import (web/js/goodreads.js) on files given by
// tests/model/test_goodreads_parity.py, printed as JSON for it to compare with model/goodreads.py.
//   node tests/model/goodreads_parity.mjs BOOKS_JSON GOODREADS_JSON EXPORT.csv...
import { readFileSync } from "node:fs";

import { buildShelf, decodeExport, matchIndex, matchRow, readExport, summarize } from "../../web/js/goodreads.js";

const [booksPath, goodreadsPath, ...exports] = process.argv.slice(2);
const books = JSON.parse(readFileSync(booksPath, "utf8"));
const index = matchIndex(books, JSON.parse(readFileSync(goodreadsPath, "utf8")));
const out = [];
for (const path of exports) {
  try {
    const rows = await readExport(decodeExport(new Uint8Array(readFileSync(path))), { pause: async () => {} });
    const matches = rows.map((row) => matchRow(row, index));
    const shelf = buildShelf(rows, matches);
    out.push({ rows, matches, summary: summarize(rows, matches), picks: [...shelf.picks], marks: [...shelf.marks] });
  } catch (error) {
    out.push({ error: error.message });
  }
}
process.stdout.write(JSON.stringify(out));
