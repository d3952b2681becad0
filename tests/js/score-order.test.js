// rank.js scoreOrder: the rows by score, highest first, ties to the lower row — the same order as
// sorting every row, though it sorts the best ones first and the rest only when read that far.
import assert from "node:assert/strict";
import { test } from "node:test";

import { scoreOrder } from "../../web/js/rank.js";

function fullOrder(scores) {
  return Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Seeded numbers in [0, 1) (a linear congruential generator): the same test every run. */
function numbers(seed, n) {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  });
}

test("scoreOrder is the full sort's order, ties to the lower row, for few and many rows", () => {
  for (const n of [0, 1, 5, 511, 512, 513, 3000]) {
    const values = numbers(n + 1, n);
    // Ties at every level, the threshold's too: a tenth of the values rounded to two places.
    const scores = Float32Array.from(values, (v, i) => (i % 10 === 0 ? Math.round(v * 100) / 100 : v));
    assert.deepEqual([...scoreOrder(scores)], fullOrder(scores), `n = ${n}`);
  }
});

test("scoreOrder with every score equal is the rows in order", () => {
  assert.deepEqual([...scoreOrder(new Float64Array(1000).fill(2))], Array.from({ length: 1000 }, (_, row) => row));
});

test("scoreOrder read only partly gives the best rows first", () => {
  const scores = Float64Array.from({ length: 2000 }, (_, row) => (row * 7919) % 2000);
  const best = [];
  for (const row of scoreOrder(scores)) {
    if (best.length === 3) break;
    best.push(row);
  }
  assert.deepEqual(best, fullOrder(scores).slice(0, 3));
});

test("scoreOrder with a NaN among many rows orders them as the comparator does, not by a threshold", () => {
  const scores = Float64Array.from(numbers(3, 1500));
  scores[700] = NaN;
  assert.deepEqual([...scoreOrder(scores)], fullOrder(scores));
});
