// web/js/shelf-open.js: the shelf the page opens with, from a shared link, this browser's
// localStorage or nothing, and what it says when something could not be read.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  catalogueShelf,
  knownShelf,
  sharedUnknownNote,
  linkedShelf,
  openShelf,
  storedShelf,
  unknownNote,
  unreadableNote,
} from "../../web/js/shelf-open.js";
import { decodeShelf, shareShelf } from "../../web/js/shelf-link.js";

const OPTIONS = { defaultStars: 5, minStars: 1, maxStars: 5 };
const ROW_OF = new Map([1, 2, 3, 4, 5, 6, 7, 8].map((bookId) => [bookId, bookId - 1]));
const PAGE = "https://shelf.example/index.html";
const plain = (shelf) => ({ picks: [...shelf.picks], marks: [...shelf.marks] });
const SAVED = storedShelf({ picksText: "1,2:3", marksText: "3:r" }, OPTIONS);
/** The page at `href` opened (linkedShelf), then cut to the catalogue when it comes (catalogueShelf). */
function open(href, stored, ownLinks = []) {
  const linked = linkedShelf(href, stored, OPTIONS, ownLinks);
  const { problem, viewing } = linked;
  // Not someone else's list beside a saved shelf: the page saves what it opened (shelf-keeper.js).
  const saved = viewing ? stored : { ...stored, picks: linked.picks, marks: linked.marks, discovery: linked.discovery };
  return catalogueShelf({ shown: linked, viewing, stored: saved, problem, options: OPTIONS, rowOf: ROW_OF });
}

test("the saved texts parse to the shelf; an empty storage is an empty shelf", () => {
  assert.deepEqual(plain(SAVED), {
    picks: [
      [1, 5],
      [2, 3],
    ],
    marks: [[3, "read"]],
  });
  assert.deepEqual(SAVED.unreadable, []);
  const empty = open(PAGE, storedShelf({ picksText: "", marksText: "" }, OPTIONS));
  assert.deepEqual(empty, { picks: new Map(), marks: new Map(), discovery: "balanced", own: null, note: "" });
  assert.deepEqual(open(PAGE, SAVED), { picks: SAVED.picks, marks: SAVED.marks, discovery: "balanced", own: null, note: "" });
});

test("someone else's link is shown beside the saved shelf, which stays as it was", () => {
  const theirs = shareShelf(new Map([[7, 4]]), new Map([[8, "not_interested"]])).param;
  const opened = open(`${PAGE}?shelf=${theirs}`, SAVED);
  assert.deepEqual(plain(opened), { picks: [[7, 4]], marks: [[8, "not_interested"]] });
  assert.deepEqual(plain(opened.own), plain(SAVED));
  assert.equal(opened.note, "");
  // Nothing saved here: the link's list is the shelf, with nothing kept aside.
  const alone = open(`${PAGE}?shelf=${theirs}`, storedShelf({ picksText: "", marksText: "" }, OPTIONS));
  assert.deepEqual([plain(alone), alone.own], [plain(opened), null]);
  // The page's own link (what it writes for the saved shelf) is the saved shelf.
  const mine = shareShelf(SAVED.picks, SAVED.marks).param;
  assert.deepEqual(open(`${PAGE}?shelf=${mine}`, SAVED).own, null);
  // An old ?picks= link: its picks, with this browser's marks of other books.
  const old = open(`${PAGE}?picks=7:4,1`, SAVED);
  assert.deepEqual(plain(old), {
    picks: [
      [7, 4],
      [1, 5],
    ],
    marks: [[3, "read"]],
  });
  assert.deepEqual(plain(old.own), plain(SAVED));
});

test("a damaged link keeps the saved shelf and says so", () => {
  const theirs = shareShelf(new Map([[7, 4]]), new Map()).param;
  const opened = open(`${PAGE}?shelf=${theirs.slice(0, -2)}x`, SAVED);
  assert.deepEqual(plain(opened), plain(SAVED));
  assert.equal(opened.own, null);
  assert.equal(
    opened.note,
    "The shared link could not be read (it is damaged or cut short), so your saved shelf is shown, unchanged. " +
      "Ask for the link again.",
  );
  const nothing = open(`${PAGE}?shelf=@@`, storedShelf({ picksText: "", marksText: "" }, OPTIONS));
  assert.match(nothing.note, /, so nothing was opened\. Ask for the link again\.$/);
});

test("unreadable saved entries are left out, kept for the next save as they were, and reported", () => {
  const stored = storedShelf({ picksText: "1,abc,2:4,0", marksText: "3:r,4:q" }, OPTIONS);
  assert.deepEqual(plain(stored), {
    picks: [
      [1, 5],
      [2, 4],
    ],
    marks: [[3, "read"]],
  });
  assert.deepEqual(stored.unreadable, ["abc", "0", "4:q"]);
  assert.deepEqual(stored.kept, { picks: ["abc", "0"], marks: ["4:q"], discovery: null });
  assert.deepEqual(SAVED.kept, { picks: [], marks: [], discovery: null });
  const note =
    "3 entries saved in this browser could not be read and were left out (“abc”, “0”, “4:q”). They stay " +
    "saved as they were, for a version of Shelf that can read them.";
  assert.equal(unreadableNote(stored.unreadable), note);
  assert.equal(open(PAGE, stored).note, note);
  assert.match(unreadableNote(["a", "b", "c", "d", "e"]), /\(“a”, “b”, “c” and 2 more\)/);
  assert.match(unreadableNote(["x"]), /^1 entry saved in this browser could not be read and was left out .*It stays saved as it was/);
  assert.equal(unreadableNote([]), "");
});

test("the opened shelf is cut to the catalogue and its stars to the range; the saved books it lacks are named", () => {
  const shelf = { picks: new Map([[1, 5], [2, 1], [99, 4]]), marks: new Map([[1, "read"], [3, "read"], [98, "read"]]) };
  assert.deepEqual(plain(knownShelf(shelf, { minStars: 2, maxStars: 4 }, ROW_OF)), {
    picks: [
      [1, 4],
      [2, 2],
    ],
    marks: [[3, "read"]],
  });
  // The shelf: 1:2,2:3,20000:4 with marks 5:n,30000:r.
  const stored = storedShelf({ picksText: "1:2,2:3,20000:4", marksText: "5:n,30000:r" }, OPTIONS);
  const opened = open(PAGE, stored);
  assert.deepEqual(plain(opened), { picks: [[1, 2], [2, 3]], marks: [[5, "not_interested"]] });
  assert.equal(
    opened.note,
    "2 books saved in this browser are not in this catalogue (book_id “20000”, “30000”): they are kept in " +
      "your saved shelf, not shown, for a version of Shelf that has them.",
  );
  assert.equal(unknownNote(SAVED, ROW_OF), "");
  // Not saved (storage full): only what storage holds is said to be kept in the saved shelf.
  const inStorage = storedShelf({ picksText: "1:2,2:3,20000:4", marksText: "5:n" }, OPTIONS);
  assert.equal(
    unknownNote(stored, ROW_OF, inStorage),
    "1 book saved in this browser is not in this catalogue (book_id “20000”): it is kept in your saved shelf, " +
      "not shown, for a version of Shelf that has them. 1 book of your shelf is not in this catalogue (book_id " +
      "“30000”): it is not shown, and not saved in this browser (it could not save your shelf).",
  );
});

test("a shared list's books this catalogue lacks are named, once: those this browser saved by the saved shelf's note", () => {
  const theirs = shareShelf(new Map([[7, 4], [70000, 3]]), new Map([[80000, "read"], [8, "read"]])).param;
  const opened = open(`${PAGE}?shelf=${theirs}`, SAVED);
  assert.deepEqual(plain(opened), { picks: [[7, 4]], marks: [[8, "read"]] });
  assert.equal(
    opened.note,
    "2 books of the shared list are not in this catalogue (book_id “70000”, “80000”), so they are not shown, " +
      "nor added to your shelf.",
  );
  // An old ?picks= link carries this browser's marks: an unknown saved mark is named by the saved shelf's note only.
  const stored = storedShelf({ picksText: "1", marksText: "30000:r" }, OPTIONS);
  const old = open(`${PAGE}?picks=7,60000`, stored);
  assert.deepEqual(plain(old), { picks: [[7, 5]], marks: [] });
  assert.equal(
    old.note,
    "1 book saved in this browser is not in this catalogue (book_id “30000”): it is kept in your saved shelf, " +
      "not shown, for a version of Shelf that has them. " +
      "1 book of the shared list is not in this catalogue (book_id “60000”), so it is not shown, nor added to " +
      "your shelf.",
  );
  // A book the list names twice (a pick and a mark) is named once; one saved here is the saved shelf's note's.
  const twice = { picks: new Map([[70000, 3], [30000, 5]]), marks: new Map([[70000, "read"]]) };
  assert.match(sharedUnknownNote(twice, stored, ROW_OF), /^1 book of the shared list .*“70000”\)/);
});

test("an old ?picks= link with an unreadable entry is damaged, as a ?shelf= link is; one naming no book is not shown", () => {
  for (const query of ["?picks=12,abc,13:x", "?picks=7,abc"]) {
    const opened = open(`${PAGE}${query}`, SAVED);
    assert.deepEqual(plain(opened), plain(SAVED), query);
    assert.equal(opened.own, null, query);
    assert.match(opened.note, /^The shared link could not be read \(it is damaged or cut short\)/, query);
  }
  const none = open(`${PAGE}?picks=99999999`, SAVED);
  assert.deepEqual([plain(none), none.own], [plain(SAVED), null]);
  assert.match(none.note, /^The shared link names no book of this catalogue, so your saved shelf is shown, unchanged/);
});

test("the tab's own link opens the saved shelf (never a shared list) and gives back what it could not save", () => {
  const newer = shareShelf(new Map([[1, 5], [2, 3], [4, 2]]), new Map([[3, "read"]])).param;
  const href = `${PAGE}?shelf=${newer}`;
  assert.notEqual(open(href, SAVED).own, null); // from anyone else: a shared list
  const pending = [{ op: "pick", bookId: 4, stars: 2 }];
  const mine = linkedShelf(href, SAVED, OPTIONS, [{ shelf: newer, pending }]);
  assert.equal(mine.viewing, false);
  // The saved shelf (another tab, the map may have changed it since); the keeper re-applies `pending`.
  assert.deepEqual(plain(mine), plain(SAVED));
  assert.deepEqual(mine.pending, pending);
  assert.deepEqual(linkedShelf(href, SAVED, OPTIONS, [{ shelf: "other", pending }]).pending, []);
});

test("the discovery setting is read from storage (balanced when absent or unknown) and opened from a link", () => {
  assert.equal(SAVED.discovery, "balanced");
  const popular = storedShelf({ picksText: "1", marksText: "", discoveryText: "popular" }, OPTIONS);
  assert.equal(popular.discovery, "popular");
  assert.equal(storedShelf({ picksText: "1", marksText: "", discoveryText: "odd" }, OPTIONS).discovery, "balanced");
  assert.equal(open(PAGE, popular).discovery, "popular");
  const theirs = shareShelf(new Map([[7, 4]]), new Map(), { discovery: "lesser-known" }).param;
  const viewed = open(`${PAGE}?shelf=${theirs}`, popular);
  assert.equal(viewed.discovery, "lesser-known");
  assert.equal(viewed.own.discovery, "popular");
});

test("openShelf: a link is shown, the page's own (whole, or the best part of a big shelf) is the saved shelf", () => {
  const picks = new Map(Array.from({ length: 3000 }, (_, i) => [i + 1, 1 + (i % 5)]));
  const stored = { picks, marks: new Map([[5000, "read"]]) };
  const own = shareShelf(stored.picks, stored.marks);
  assert.ok(own.picks < picks.size && decodeShelf(own.param).part);
  const saved = { picks, marks: stored.marks, discovery: "balanced", viewing: false, problem: null };
  assert.deepEqual(openShelf(null, stored), saved);
  assert.deepEqual(openShelf(own.param, stored), saved);
  // An older link of the same big shelf (one pick's stars changed since): still this shelf.
  const older = new Map(picks);
  older.set(3, 5);
  assert.deepEqual(openShelf(shareShelf(older, stored.marks).param, stored), saved);
  // A friend's list, or a part with a book this shelf lacks: the link's, shown beside the saved one.
  const friend = openShelf(shareShelf(new Map([[1, 5]]), new Map()).param, stored);
  assert.deepEqual([...friend.picks], [[1, 5]]);
  assert.equal(friend.viewing, true);
  const other = new Map(picks);
  other.set(9999, 5);
  const theirs = openShelf(shareShelf(other, new Map()).param, stored);
  assert.ok(theirs.picks.has(9999) && theirs.viewing);
  // An old ?picks= link carries no marks: this browser's stay.
  const legacy = openShelf(null, stored, new Map([[5000, 4], [7, 5]]));
  assert.deepEqual([...legacy.picks], [[5000, 4], [7, 5]]);
  assert.equal(legacy.marks.size, 0); // 5000 is a pick now, not a mark
  assert.equal(legacy.viewing, true);
  assert.deepEqual([...openShelf(null, stored, new Map([[7, 5]])).marks], [[5000, "read"]]);
  assert.deepEqual(openShelf(null, stored, new Map(picks)), saved); // its own ?picks= link
  // The same shelf in a link an older page wrote (format 1, no check byte): the saved one.
  const mine = { picks: new Map([[2, 5], [4, 3]]), marks: new Map([[7, "read"], [3, "to_read"]]) };
  const old = "AQmS4gBBJQQMGRg"; // tests/js/old-links.json: [4, 3], [2, 5], [900, 1] and two marks
  mine.picks.set(900, 1);
  assert.deepEqual([...decodeShelf(old).picks], [[4, 3], [2, 5], [900, 1]]);
  assert.deepEqual(openShelf(old, mine), { ...mine, discovery: "balanced", viewing: false, problem: null });
  // A small shelf's own link: the same shelf either way.
  const small = { picks: new Map([[2, 5], [4, 3]]), marks: new Map() };
  assert.equal(openShelf(shareShelf(small.picks, small.marks).param, small).viewing, false);
  // Nothing saved here: the list is simply opened (nothing to replace).
  const empty = { picks: new Map(), marks: new Map() };
  const opened = openShelf(shareShelf(small.picks, small.marks).param, empty);
  assert.deepEqual([...opened.picks], [...small.picks]);
  assert.equal(opened.viewing, false);
});

test("a damaged, empty or cut-off link keeps the saved shelf and says so", () => {
  const stored = { picks: new Map([[2, 5], [4, 3]]), marks: new Map([[9, "read"]]) };
  const friend = shareShelf(
    new Map(Array.from({ length: 40 }, (_, i) => [100 + 7 * i, 1 + (i % 5)])),
    new Map([[3, "not_interested"]]),
  ).param;
  assert.equal(decodeShelf(friend).damaged, false);
  const cuts = [friend.slice(0, -1), friend.slice(0, -2), friend.slice(0, -3), friend.slice(0, 10), friend.slice(0, 3)];
  for (const bad of ["", "garbage!!", "AAAA", "AQ", "BwA", "%%%", ...cuts]) {
    const link = decodeShelf(bad);
    assert.equal(link.damaged, true, bad);
    assert.equal(link.picks.size + link.marks.size, 0, bad);
    const opened = openShelf(bad, stored);
    assert.equal(opened.picks, stored.picks, bad);
    assert.equal(opened.marks, stored.marks, bad);
    assert.equal(opened.viewing, false, bad);
    assert.match(opened.problem, /could not be read \(it is damaged or cut short\), so your saved shelf is shown, unchanged/, bad);
  }
  // ?picks=abc (an old link with nothing readable in it)
  assert.match(openShelf(null, stored, new Map()).problem, /could not be read/);
  assert.equal(openShelf(null, stored, new Map()).picks, stored.picks);
  assert.match(openShelf("", { picks: new Map(), marks: new Map() }).problem, /nothing was opened/);
});
