// web/js/shelf.js: marks, the compact shared link and the suggestion filters.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  SHARE_CHARS,
  decodeShelf,
  excludedRows,
  formatMarks,
  genresByRow,
  parseMarks,
  parseYear,
  shareShelf,
  mergeShelves,
  openShelf,
  shelfHref,
  unreadableMarks,
} from "../../web/js/shelf.js";

test("marks round-trip through their localStorage text; junk is skipped", () => {
  const marks = new Map([
    [12, "read"],
    [45, "not_interested"],
    [7, "to_read"],
    [9, "reading"],
  ]);
  assert.equal(formatMarks(marks), "12:r,45:n,7:t,9:c");
  assert.deepEqual(parseMarks(formatMarks(marks)), marks);
  assert.deepEqual([...parseMarks("0:r,abc,5:x,6:r, 8:n ,")], [
    [6, "read"],
    [8, "not_interested"],
  ]);
  assert.equal(parseMarks(null).size, 0);
});

test("a small shelf keeps its order in the link, and decodes to the same maps", () => {
  const picks = new Map([
    [2, 5],
    [4, 3],
    [1, 5],
  ]);
  const marks = new Map([
    [9, "not_interested"],
    [3, "read"],
  ]);
  const shared = shareShelf(picks, marks);
  assert.deepEqual([shared.picks, shared.marks], [3, 2]);
  assert.match(shared.param, /^[A-Za-z0-9_-]+$/);
  assert.ok(shared.param.length < 16, shared.param); // 10 bytes, 5 of them the frame (length, CRC-16)
  const back = decodeShelf(shared.param);
  assert.deepEqual([...back.picks], [...picks]);
  assert.deepEqual([...back.marks], [...marks]);
  assert.deepEqual(shareShelf(new Map(), new Map()), { param: "", picks: 0, marks: 0 });
});

test("ids far apart and large survive; a bad or cut value decodes to what it can", () => {
  const picks = new Map([
    [999_999_999, 1],
    [1, 2],
    [500_000, 4],
  ]);
  const back = decodeShelf(shareShelf(picks, new Map()).param);
  assert.deepEqual([...back.picks], [...picks]);
  for (const bad of ["", "!!", "AA", "Ag", "%%%", "AQ"]) {
    const shelf = decodeShelf(bad);
    assert.ok(shelf.picks instanceof Map && shelf.marks instanceof Map && shelf.damaged, bad);
  }
  const full = shareShelf(
    new Map([
      [5, 3],
      [300, 4],
    ]),
    new Map(),
  ).param;
  assert.deepEqual([...decodeShelf(full).picks], [
    [5, 3],
    [300, 4],
  ]);
});

test("600 picks (4,228 characters as ?picks=) make a short link", () => {
  const picks = new Map(Array.from({ length: 600 }, (_, i) => [(i * 7919) % 10_000 || 10_000, 1 + (i % 5)]));
  const shared = shareShelf(picks, new Map());
  assert.equal(shared.picks, 600);
  assert.ok(shared.param.length < 1100, `${shared.param.length}`);
  assert.deepEqual(new Set(decodeShelf(shared.param).picks), new Set(picks));
});

test("any library keeps the link under SHARE_CHARS: the best-rated picks first", () => {
  // 10,000 books: 6,000 picks, 4,000 marks. Far too many for one link.
  const picks = new Map();
  const marks = new Map();
  for (let bookId = 1; bookId <= 10_000; bookId++) {
    if (bookId % 5 < 3) picks.set(bookId, 1 + (bookId % 5) * 2);
    else marks.set(bookId, bookId % 2 ? "read" : "to_read");
  }
  const shared = shareShelf(picks, marks);
  assert.ok(shared.param.length <= SHARE_CHARS);
  assert.ok(shared.picks > 1000 && shared.picks < picks.size && shared.marks === 0, JSON.stringify(shared));
  const back = decodeShelf(shared.param);
  assert.equal(back.picks.size, shared.picks);
  // 2,000 5-star picks do not all fit: the link carries 5-star picks only, the first ones.
  assert.deepEqual(new Set(back.picks.values()), new Set([5]));
  const fives = [...picks].filter(([, s]) => s === 5).map(([bookId]) => bookId);
  assert.deepEqual([...back.picks.keys()], fives.slice(0, shared.picks));
  // Whatever the size, a book is only shared once every pick with more stars is (marks last).
  for (const size of [1500, 3000, 4500, 10_000]) {
    const somePicks = new Map([...picks].filter(([bookId]) => bookId <= size));
    const someMarks = new Map([...marks].filter(([bookId]) => bookId <= size));
    const link = decodeShelf(shareShelf(somePicks, someMarks).param);
    const lowest = Math.min(...link.picks.values());
    for (const [bookId, stars] of somePicks) if (stars > lowest) assert.ok(link.picks.has(bookId), `${size} ${bookId}`);
    if (link.marks.size) assert.equal(link.picks.size, somePicks.size);
  }
  // Deterministic: the same shelf gives the same link.
  assert.equal(shareShelf(picks, marks).param, shared.param);
});

test("excludedRows: picks, marks and books outside the filters", () => {
  const rowOf = new Map([10, 20, 30, 40, 50].map((bookId, row) => [bookId, row]));
  const picks = new Map([[10, 5]]);
  const marks = new Map([
    [40, "to_read"],
    [99, "read"],
  ]);
  const years = [2001, 1999, null, 1850, 2010];
  const genres = Int16Array.from([0, 1, 1, -1, 1]);
  const sorted = (set) => [...set].sort();
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf })), [0, 3]);
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 1 }, years, genres })), [0, 3]);
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 0 }, years, genres })), [0, 1, 2, 3, 4]);
  assert.deepEqual(
    sorted(excludedRows({ picks, marks, rowOf, filter: { yearFrom: 2000, yearTo: null }, years, genres })),
    [0, 1, 2, 3],
  );
  assert.deepEqual(
    sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 1, yearTo: 2000 }, years, genres })),
    [0, 2, 3, 4],
  );
  // No genres file: the genre filter cannot apply.
  assert.deepEqual(sorted(excludedRows({ picks, marks, rowOf, filter: { genre: 1 }, years, genres: null })), [0, 3]);
});

test("genresByRow maps genres.json onto model rows; parseYear", () => {
  const rowOf = new Map([
    [10, 0],
    [20, 1],
    [30, 2],
  ]);
  const file = { book_ids: [30, 10, 77], genre_names: ["fantasy", "poetry"], genres: [1, 0, 1] };
  const genres = genresByRow(file, rowOf, 3);
  assert.deepEqual(genres.names, ["fantasy", "poetry"]);
  assert.deepEqual([...genres.rows], [0, -1, 1]);
  assert.equal(genresByRow(null, rowOf, 3), null);
  assert.equal(genresByRow({ book_ids: [] }, rowOf, 3), null);
  assert.equal(parseYear(" 1999 "), 1999);
  assert.equal(parseYear(""), null);
  assert.equal(parseYear("19.5"), null);
  assert.equal(parseYear("-500"), -500);
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

test("unreadable saved entries are listed; mergeShelves keeps the own shelf's stars and marks", () => {
  assert.deepEqual(unreadableMarks("12:r,abc, 5:x ,,0:r,7:t"), ["abc", " 5:x ", "0:r"]);
  const own = { picks: new Map([[1, 2]]), marks: new Map([[5, "read"], [6, "not_interested"]]) };
  const shared = { picks: new Map([[1, 5], [5, 4], [8, 3]]), marks: new Map([[6, "to_read"], [9, "reading"]]) };
  const merged = mergeShelves(own, shared);
  assert.deepEqual([...merged.picks], [[1, 2], [5, 4], [8, 3]]);
  assert.deepEqual([...merged.marks], [[6, "not_interested"], [9, "reading"]]);
});

test("shelfHref: the main page with any shelf as a short ?shelf= link", () => {
  const picks = new Map(Array.from({ length: 900 }, (_, i) => [1 + 7 * i, 1 + (i % 5)]));
  const href = shelfHref("index.html", picks, new Map([[5, "read"]]));
  assert.ok(href.startsWith("index.html?shelf=") && href.length <= "index.html?shelf=".length + SHARE_CHARS);
  assert.equal(href, `index.html?shelf=${shareShelf(picks, new Map([[5, "read"]])).param}`);
  assert.deepEqual([...decodeShelf(shelfHref("x", new Map([[3, 4]])).slice(8)).picks], [[3, 4]]);
  assert.equal(shelfHref("index.html", new Map()), "index.html");
});
