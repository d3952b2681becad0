// web/js/picks.js: the picks' text form (URL and localStorage) and back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatPicks, knownPicks, parsePicks } from "../../web/js/picks.js";

test("parsePicks reads ids with optional stars, in order", () => {
  assert.deepEqual([...parsePicks("12,45:4,78")], [
    [12, 5],
    [45, 4],
    [78, 5],
  ]);
  assert.deepEqual([...parsePicks(" 7 : 3 ".replace(/ /g, ""))], [[7, 3]]);
});

test("parsePicks skips malformed entries and clamps stars", () => {
  const text = "0,abc,-3,12:9,13:0,1234567890,5:,6:44, 8 ,,9";
  assert.deepEqual([...parsePicks(text)], [
    [12, 5],
    [13, 1],
    [8, 5],
    [9, 5],
  ]);
  assert.equal(parsePicks("").size, 0);
  assert.equal(parsePicks(null).size, 0);
  assert.deepEqual([...parsePicks("4", { defaultStars: 3 })], [[4, 3]]);
});

test("formatPicks is the inverse of parsePicks", () => {
  const picks = new Map([
    [12, 5],
    [45, 4],
    [78, 1],
  ]);
  assert.equal(formatPicks(picks), "12,45:4,78:1");
  assert.deepEqual(parsePicks(formatPicks(picks)), picks);
  assert.equal(formatPicks(new Map()), "");
});

test("knownPicks keeps the picks whose book is in the catalogue", () => {
  const rowOf = new Map([
    [12, 0],
    [78, 1],
  ]);
  assert.deepEqual([...knownPicks(parsePicks("12,45:4,78"), rowOf).keys()], [12, 78]);
});
