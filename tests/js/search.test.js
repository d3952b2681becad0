// web/js/search.js: normalisation and the ranking tiers (server/search.py mirrors both).
import assert from "node:assert/strict";
import { test } from "node:test";

import { buildSearchIndex, matchTier, normalize, searchRows } from "../../web/js/search.js";

test("normalize folds case and accents and turns punctuation into single spaces", () => {
  assert.equal(normalize("Le Petit Prince — Édition"), "le petit prince edition");
  assert.equal(normalize("  Éric-M.  Ñandú!! "), "eric m nandu");
  assert.equal(normalize("ＡＢＣ ²"), "abc 2");
  assert.equal(normalize(""), "");
  assert.equal(normalize(undefined), "");
});

const BOOKS = [
  { title: "Dune", authors: "Frank Herbert", ratings_count: 10 }, // row 0
  { title: "Dune Messiah", authors: "Frank Herbert", ratings_count: 5 }, // 1
  { title: "Children of Dune", authors: "Frank Herbert", ratings_count: 7 }, // 2
  { title: "The Road", authors: "Dune Person", ratings_count: 3 }, // 3
  { title: "Sandunes", authors: "X", ratings_count: 1 }, // 4
  { title: "Nothing Here", authors: "Z", ratings_count: 1000 }, // 5
];

test("the tiers: exact title, title prefix, title word, author word, word prefixes, anywhere", () => {
  const index = buildSearchIndex(BOOKS);
  const tier = (row, query) => matchTier(index, row, normalize(query), normalize(query).split(" "));
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((row) => tier(row, "dune")),
    [0, 1, 2, 3, 5, null],
  );
  assert.equal(tier(2, "dune child"), 4); // every word starts a word, in any order
  assert.equal(tier(3, "oad"), 5); // a word inside another
});

test("searchRows ranks by tier, then by ratings_count; an empty query lists by popularity", () => {
  const index = buildSearchIndex(BOOKS);
  assert.deepEqual(searchRows(index, "DUNE"), [0, 1, 2, 3, 4]);
  assert.deepEqual(searchRows(index, "frank herbert"), [0, 2, 1]); // all tier 3: by popularity
  assert.deepEqual(searchRows(index, "  "), [5, 0, 2, 1, 3, 4]);
  assert.deepEqual(searchRows(index, "zzz"), []);
});
