// web/js/shelf-edits.js: the shelf's changes (picks, marks, an import merged and undone, a
// shared list added) and what the page says about them.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  importMessage,
  mark,
  markRead,
  mergeImport,
  mergeShelves,
  pick,
  rate,
  shareNote,
  sharedViewNote,
  shelfLists,
  undoImport,
  unmark,
  unpick,
} from "../../web/js/shelf-edits.js";

const shelfOf = (picks, marks = []) => ({ picks: new Map(picks), marks: new Map(marks) });
const plain = (shelf) => ({ picks: [...shelf.picks], marks: [...shelf.marks] });

test("marks: a pick drops the book's mark, read with stars is a pick, without it a mark", () => {
  const start = shelfOf([[1, 5]], [[2, "to_read"]]);
  assert.deepEqual(plain(pick(start, 2, 4)), { picks: [[1, 5], [2, 4]], marks: [] });
  assert.deepEqual(plain(markRead(start, 2, 3)), { picks: [[1, 5], [2, 3]], marks: [] });
  assert.deepEqual(plain(markRead(start, 3, 0)), { picks: [[1, 5]], marks: [[2, "to_read"], [3, "read"]] });
  assert.deepEqual(plain(mark(start, 2, "not_interested")), { picks: [[1, 5]], marks: [[2, "not_interested"]] });
  assert.deepEqual(plain(unmark(start, 2)), { picks: [[1, 5]], marks: [] });
  assert.deepEqual(plain(unpick(start, 1)), { picks: [], marks: [[2, "to_read"]] });
  // New stars keep the book's place in the pick order.
  assert.deepEqual(plain(rate(shelfOf([[1, 5], [7, 4]]), 1, 2)), { picks: [[1, 2], [7, 4]], marks: [] });
  // Every change returns a new shelf: the one it was given is as it was.
  assert.deepEqual(plain(start), { picks: [[1, 5]], marks: [[2, "to_read"]] });
});

test("an import adds new books, keeps the shelf's picks and marks, and a rating replaces a mark", () => {
  const own = shelfOf(
    [[1, 5]],
    [
      [2, "not_interested"],
      [3, "read"],
    ],
  );
  const imported = shelfOf(
    [
      [1, 2], // already picked here: keeps 5 stars
      [2, 4], // marked here: the rating replaces the mark
      [4, 3], // new
      [99, 5], // not in the catalogue
    ],
    [
      [3, "to_read"], // already marked: stays read
      [5, "reading"], // new
      [4, "read"], // picked just above
    ],
  );
  const known = new Set([1, 2, 3, 4, 5]);
  const { shelf, added } = mergeImport(own, imported, known);
  assert.deepEqual(plain(shelf), {
    picks: [
      [1, 5],
      [2, 4],
      [4, 3],
    ],
    marks: [
      [3, "read"],
      [5, "reading"],
    ],
  });
  assert.deepEqual(added, {
    picks: [2, 4],
    marks: [5],
    replaced: new Map([[2, "not_interested"]]),
    kept: 1,
    marksBefore: [2, 3],
  });
  assert.deepEqual(plain(own), { picks: [[1, 5]], marks: [[2, "not_interested"], [3, "read"]] });
});

test("undo gives back exactly the shelf before the import", () => {
  const own = shelfOf(
    [
      [1, 5],
      [6, 2],
    ],
    [
      [2, "not_interested"],
      [3, "read"],
    ],
  );
  const imported = shelfOf(
    [
      [2, 4],
      [4, 3],
      [1, 1],
    ],
    [[5, "to_read"]],
  );
  const { shelf, added } = mergeImport(own, imported, new Set([1, 2, 3, 4, 5, 6]));
  const back = undoImport(shelf, added);
  // In the same order, so that the share link is the one from before the import.
  assert.deepEqual(plain(back), plain(own));
  // Changes made since to other books stay; the replaced mark comes back at its place.
  const later = mark(unpick(shelf, 6), 7, "reading");
  assert.deepEqual(plain(undoImport(later, added)), {
    picks: [[1, 5]],
    marks: [
      [2, "not_interested"],
      [3, "read"],
      [7, "reading"],
    ],
  });
});

test("Undo of an import brings no mark back onto a shelf cleared since (in another tab)", () => {
  const own = shelfOf([[1, 5]], [[3, "not_interested"], [7, "read"]]);
  const { shelf, added } = mergeImport(own, shelfOf([[3, 4], [8, 2]], []), new Set([1, 3, 7, 8]));
  assert.deepEqual(plain(undoImport(shelf, added)), plain(own));
  const cleared = shelfOf([], []); // another tab's Clear, merged into this one
  assert.deepEqual(plain(undoImport(cleared, added)), { picks: [], marks: [] });
  // In this tab, the imported pick of 3 taken off by hand: Undo still brings its mark back.
  assert.deepEqual(plain(undoImport(unpick(shelf, 3), added)), plain(own));
});

test("the import's message counts what was added and what kept the page's stars", () => {
  const summary = { rows: 5, matched: 4, matched_by: { id: 2, isbn: 1, title: 1 }, unmatched: ["X"] };
  assert.equal(
    importMessage(summary, { picks: [1, 2], marks: [3], replaced: new Map(), kept: 1 }),
    "5 rows, 4 matched (2 by id, 1 by ISBN, 1 by title), 1 not in the catalogue. Added 2 rated books as " +
      "picks and 1 book you have read, are reading or want to read (never suggested). 1 book you had picked " +
      "here kept your stars from this page.",
  );
  assert.match(
    importMessage(summary, { picks: [1], marks: [], replaced: new Map(), kept: 0 }),
    /Added 1 rated book as picks and 0 books you have read, are reading or want to read \(never suggested\)\.$/,
  );
});

test("the shared list's banner and what the link leaves out", () => {
  const shown = shelfOf([[1, 5]], [[2, "read"], [3, "read"]]);
  const own = shelfOf([[7, 4]]);
  assert.equal(
    sharedViewNote(shown, own),
    "You are looking at a shared list (1 pick, 2 never-suggested books). Your own shelf (1 book) is kept in " +
      "this browser and stays as it is unless you choose below.",
  );
  const big = shelfOf(
    Array.from({ length: 1500 }, (_, i) => [i + 1, 5]),
    Array.from({ length: 20 }, (_, i) => [5000 + i, "read"]),
  );
  assert.equal(shareNote(big, { picks: 1500, marks: 20 }), "");
  assert.equal(
    shareNote(big, { picks: 1200, marks: 0 }),
    "The link carries your 1,200 best-rated picks and 0 of your 20 never-suggested books (1,200 of 1,520), " +
      "so it stays short enough to share. This browser keeps them all.",
  );
  assert.match(shareNote(big, { picks: 1500, marks: 5 }), /^The link carries all your picks and 5 of your 20 /);
});

test("the listed shelf: the first picks and marks, and every mark counted", () => {
  const shelf = shelfOf(
    [
      [1, 5],
      [2, 4],
      [3, 3],
    ],
    [
      [4, "read"],
      [5, "to_read"],
      [6, "read"],
    ],
  );
  const bookOf = (bookId) => ({ book_id: bookId });
  assert.deepEqual(shelfLists(shelf, { picksLimit: 2, marksLimit: 1, bookOf }), {
    picks: [
      { book: { book_id: 1 }, stars: 5 },
      { book: { book_id: 2 }, stars: 4 },
    ],
    marks: [{ book: { book_id: 4 }, mark: "read" }],
    counts: { read: 2, to_read: 1 },
  });
});

test("mergeShelves keeps the own shelf's stars and marks; the list's other books come after", () => {
  const own = { picks: new Map([[1, 2]]), marks: new Map([[5, "read"], [6, "not_interested"]]) };
  const shared = { picks: new Map([[1, 5], [5, 4], [8, 3]]), marks: new Map([[6, "to_read"], [9, "reading"]]) };
  const merged = mergeShelves(own, shared);
  assert.deepEqual([...merged.picks], [[1, 2], [5, 4], [8, 3]]);
  assert.deepEqual([...merged.marks], [[6, "not_interested"], [9, "reading"]]);
});
