// web/js/goodreads.js matches the Goodreads fixtures as tests/golden/goodreads.json says
// (model/goodreads.py is held to the same file by tests/model/test_goodreads_golden.py;
// tests/golden/make_goodreads.py writes it).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { decodeExport, matchIndex, matchRow, readExport } from "../../web/js/goodreads.js";

const golden = JSON.parse(readFileSync(new URL("../golden/goodreads.json", import.meta.url), "utf-8"));

test("every row of every fixture matches the golden book, by the golden rule", async () => {
  const index = matchIndex(golden.books, golden.goodreads);
  for (const [name, expected] of Object.entries(golden.exports)) {
    const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
    const rows = await readExport(decodeExport(bytes), { pause: async () => {} });
    const got = rows.map((row) => {
      const match = matchRow(row, index);
      return [row.row, match.book_id, match.method];
    });
    assert.deepEqual(got, expected, name);
  }
});
