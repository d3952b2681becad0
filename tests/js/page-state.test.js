// web/js/page-state.js: the entry page's state before anything has arrived.
import assert from "node:assert/strict";
import { test } from "node:test";

import { initialState, initialStats } from "../../web/js/page-state.js";

test("the page starts with nothing in, an empty shelf and first pages; each call its own maps", () => {
  const state = initialState(20);
  const { site, model, popular, rowOf, viewing } = state;
  assert.deepEqual([site, model, popular, rowOf, viewing], [null, null, null, null, null]);
  assert.deepEqual([state.picks, state.marks], [new Map(), new Map()]);
  assert.deepEqual([state.picksLimit, state.marksLimit], [20, 20]);
  assert.deepEqual(state.progress, { catalogue: 0, model: 0 });
  assert.equal(state.content, undefined); // content_similar.json not fetched yet
  const other = initialState(20);
  other.picks.set(1, 5);
  other.progress.model = 1;
  assert.deepEqual([state.picks.size, state.progress.model], [0, 0]);
  assert.deepEqual(initialStats(), {
    recomputeCount: 0,
    lastComputeMs: null,
    lastRecomputeMs: null,
    lastModelMs: null,
    readyAtMs: null,
    firstSuggestionsAtMs: null,
    importCount: 0,
    lastImport: null,
    shareChars: 0,
  });
});
