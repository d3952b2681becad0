// metadata.json's book_id_runs as the page reads them (web/js/checked-fetch.js idsFromRuns),
// held to tests/golden/book_id_runs.json like model/metadata.py and server/catalogue.py
// (tests/test_book_id_runs.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { LoadError, fetchMetadata, idsFromRuns } from "../../web/js/checked-fetch.js";

const GOLDEN = JSON.parse(readFileSync(new URL("../golden/book_id_runs.json", import.meta.url)));

test("the golden runs give the golden ids; what is not runs is a LoadError naming metadata.json", () => {
  for (const { runs, ids } of GOLDEN.cases) assert.deepEqual(idsFromRuns(runs), ids);
  for (const runs of GOLDEN.not_runs) {
    assert.throws(() => idsFromRuns(runs), (error) => error instanceof LoadError && error.file === "metadata.json", JSON.stringify(runs));
  }
});

test("runs of another number of ids than num_books are a LoadError, counted before any id is listed", () => {
  for (const { runs, num_books } of GOLDEN.not_num_books) {
    assert.throws(() => idsFromRuns(runs, num_books), (error) => error instanceof LoadError && /num_books/.test(error.message));
  }
});

test("fetchMetadata gives the page book_ids from the runs (an older file's list as it is)", async (t) => {
  let served = {};
  globalThis.fetch = async () => new Response(JSON.stringify(served));
  t.after(() => delete globalThis.fetch);
  served = { num_books: 3, book_id_runs: [[7, 2], [12, 1]] };
  assert.deepEqual((await fetchMetadata()).book_ids, [7, 8, 12]);
  served = { num_books: 2, book_ids: [4, 9] };
  assert.deepEqual((await fetchMetadata()).book_ids, [4, 9]);
});
