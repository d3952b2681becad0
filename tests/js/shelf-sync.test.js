// web/js/shelf-sync.js: a tab's change re-applied onto what storage holds now, so that two tabs
// never undo each other (the cases of issue 25).
import assert from "node:assert/strict";
import { test } from "node:test";

import { applyChanges, changesOf, replaceWith, sameShelf } from "../../web/js/shelf-sync.js";
import { pick, rate, unpick, mark, mergeImport, undoImport } from "../../web/js/shelf-edits.js";

const shelfOf = (picks, marks = [], discovery = "balanced") => ({ picks: new Map(picks), marks: new Map(marks), discovery });
const plain = (shelf) => ({ picks: [...shelf.picks], marks: [...shelf.marks], discovery: shelf.discovery });

/** A tab that read `stored`, made `change`, and saves onto `now`. */
const save = (read, changed, now) => applyChanges(now, changesOf(read, changed));

test("two tabs each picking one book: both picks are saved", () => {
  const saved = shelfOf([[1, 5], [2, 4]]);
  const afterA = save(saved, pick(saved, 3, 5), saved); // tab A picks 3
  const afterB = save(saved, pick(saved, 4, 5), afterA); // tab B, which read the same shelf, picks 4
  assert.deepEqual(plain(afterB).picks, [[1, 5], [2, 4], [3, 5], [4, 5]]);
});

test("a star change after another tab cleared the shelf does not bring the shelf back", () => {
  const saved = shelfOf([[1, 5], [2, 4]], [[7, "read"]]);
  const cleared = applyChanges(saved, replaceWith(shelfOf([])));
  const starred = save(saved, rate(saved, 1, 2), cleared); // tab A, stale
  assert.deepEqual(plain(starred), plain(shelfOf([])));
});

test("the map page adding a book keeps the main tab's picks; unknown ids stay", () => {
  const saved = shelfOf([[1, 5], [20000, 4]], [[30000, "read"]]);
  const main = save(saved, pick(saved, 5, 3), saved);
  const map = save(saved, pick(saved, 6, 5), main);
  assert.deepEqual(plain(map).picks, [[1, 5], [20000, 4], [5, 3], [6, 5]]);
  assert.deepEqual(plain(map).marks, [[30000, "read"]]);
  // A tab that shows only the books it knows changes only those.
  const known = shelfOf([[1, 5]]);
  assert.deepEqual(plain(save(known, unpick(known, 1), map)).picks, [[20000, 4], [5, 3], [6, 5]]);
});

test("a pick of a book already picked keeps its saved stars (an early pick); unpick and unmark win", () => {
  const saved = shelfOf([[1, 2], [2, 3]]);
  const early = shelfOf([]);
  assert.deepEqual(plain(save(early, pick(early, 1, 5), saved)).picks, [[1, 2], [2, 3]]);
  const marked = shelfOf([], [[4, "read"]]);
  const other = applyChanges(marked, changesOf(marked, pick(marked, 5, 5)));
  assert.deepEqual(plain(save(marked, { ...marked, marks: new Map() }, other)), plain(shelfOf([[5, 5]])));
});

test("Undo of an import re-applied onto storage restores the marks at their places", () => {
  const own = shelfOf([[1, 5]], [[2, "not_interested"], [3, "read"], [4, "to_read"]]);
  const { shelf, added } = mergeImport(own, shelfOf([[3, 4], [9, 5]]), new Set([1, 2, 3, 4, 9]));
  const stored = applyChanges(own, changesOf(own, shelf));
  const undone = undoImport(shelf, added);
  const back = applyChanges(stored, changesOf(shelf, undone));
  assert.deepEqual(plain(back), plain(own));
  assert.ok(sameShelf(back, own));
  // An import's thousands of marks, each after the one before: placed without deep recursion.
  const many = shelfOf([], Array.from({ length: 50_000 }, (_, i) => [i + 1, "read"]));
  const moved = applyChanges(shelfOf([]), changesOf(shelfOf([]), mark(many, 50_001, "to_read")));
  assert.equal(moved.marks.size, 50_001);
});

test("the discovery setting is merged like the rest", () => {
  const saved = shelfOf([[1, 5]]);
  const other = save(saved, pick(saved, 2, 5), saved);
  const changed = save(saved, { ...saved, discovery: "lesser-known" }, other);
  assert.deepEqual(plain(changed), plain(shelfOf([[1, 5], [2, 5]], [], "lesser-known")));
});

test("a mark saved over another tab's pick of the same book replaces it; unmarking brings nothing back", () => {
  const saved = shelfOf([[1, 5]]);
  const picked = save(saved, pick(saved, 5, 4), saved); // tab A picks 5
  const marked = save(saved, mark(saved, 5, "not_interested"), picked); // tab B, stale, marks 5
  assert.deepEqual(plain(marked), plain(shelfOf([[1, 5]], [[5, "not_interested"]])));
  // In one tab too: a mark drops the pick, as a pick drops the mark.
  assert.deepEqual(plain({ ...mark(picked, 5, "read"), discovery: "balanced" }), plain(shelfOf([[1, 5]], [[5, "read"]])));
});
