// web/js/shown-list.js: the discovery weight follows how many books the visitor gave (the picks
// in the catalogue), and lesser-known leans each list only as far as it needs (model/scoring.py
// discovery_arrange, pinned in both languages by tests/golden/scoring.json).
import assert from "node:assert/strict";
import { test } from "node:test";

import { shownList } from "../../web/js/shown-list.js";

// Eight books, rows 0-7, book_id = row + 1. Rows 0 and 1 are bestsellers (popularity 3.0 past a
// knee of 1.0: excess 2), the rest are not (popularity 0).
const N = 8;
const rowOf = new Map(Array.from({ length: N }, (_, row) => [row + 1, row]));
const DISCOVERY = {
  settings: ["popular", "balanced", "lesser-known"],
  default: "balanced",
  picks_from: [1, 2, 4, 8],
  // Balanced leans away from the bestsellers only with 4 or more picks.
  weights: { popular: [-1, -1, -1, -1], balanced: [0, 0, 0.2, 0.2], "lesser-known": [0, 0, 0.2, 0.2] },
  lesser_known: { steps: [0, 0.1, 1], at_most: 0, most_rated: [0, 1], knee: 1 },
  scale: 10,
  knee: 1,
  popularity: [30, 30, 0, 0, 0, 0, 0, 0],
};
// Books 8 and 7 (rows 7, 6) are picked; of the rest the bestsellers score highest.
const SCORES = Float32Array.from([1.0, 0.9, 0.8, 0.75, 0.7, 0.65, 0.1, 0.1]);
const options = (picks) => ({ rowOf, excluded: new Set(picks.map((b) => rowOf.get(b) ?? -1)), series: null, discovery: DISCOVERY, numBooks: N, k: 3 });
const shelf = (picks, discovery = "balanced") => ({ picks: new Map(picks.map((b) => [b, 5])), marks: new Map(), discovery });

test("balanced's weight is its bucket's for the number of picks in the catalogue", () => {
  // One pick (and a book outside the catalogue, which does not count): no lean.
  assert.deepEqual(shownList(SCORES, shelf([8, 999]), options([8, 999])).mainRows, [0, 1, 2]);
  // Four picks: 0.2 x 2 = 0.4 off each bestseller: 0.6 and 0.5 fall below 0.8, 0.75 and 0.7.
  const four = [8, 7, 6, 999];
  assert.deepEqual(shownList(SCORES, shelf([8, 7, 6, 5]), options([8, 7, 6, 5])).mainRows, [2, 3, 0]);
  // Three of four in the catalogue: the 2-3 bucket, no lean.
  assert.deepEqual(shownList(SCORES, shelf(four), options(four)).mainRows, [0, 1, 2]);
});

test("lesser-known takes the first step that leaves at most at_most bestsellers on the cards", () => {
  // One pick: step 0 shows both bestsellers, step 0.1 (0.2 off: 0.8 and 0.7) still shows row 0
  // (a tie with row 2 goes to the lower row), step 1 (2 off) none of them: at_most is 0.
  assert.deepEqual(shownList(SCORES, shelf([8], "lesser-known"), options([8])).mainRows, [2, 3, 4]);
  // Popular: 2 onto each bestseller, they stay first.
  assert.deepEqual(shownList(SCORES, shelf([8], "popular"), options([8])).mainRows, [0, 1, 2]);
});
