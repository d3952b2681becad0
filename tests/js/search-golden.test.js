// web/js/search.js gives tests/golden/search.json's answers (server/search.py is held to the
// same file by tests/web/test_search_golden.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { buildSearchIndex, searchRows } from "../../web/js/search.js";

const golden = JSON.parse(readFileSync(new URL("../golden/search.json", import.meta.url), "utf-8"));

test("every golden query gives the golden rows, in order", () => {
  const index = buildSearchIndex(golden.books);
  for (const [query, rows] of Object.entries(golden.queries)) {
    assert.deepEqual(searchRows(index, query), rows, `query ${JSON.stringify(query)}`);
  }
});
