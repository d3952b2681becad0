// web/js/shelf-link.js: the ?shelf= link's frame (a length and a CRC-16): its check value, a cut
// link refused; the links older pages wrote still open as before; the discovery setting goes there
// and back. The 1,000 seeded shelves are in shelf-link-fuzz.test.js (slow: tests/test_js.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { DISCOVERY, SHARE_CHARS, crc16, decodeShelf, shareShelf, shelfHref } from "../../web/js/shelf-link.js";

test("CRC-16/CCITT-FALSE of '123456789' is 0x29b1 (its check value)", () => {
  assert.equal(crc16(new TextEncoder().encode("123456789")), 0x29b1);
});

test("the issue's 16-pick link cut in half is refused, not opened as 8 picks", () => {
  const links = JSON.parse(readFileSync(new URL("./old-links.json", import.meta.url), "utf8")).links;
  const whole = links[0];
  assert.equal(decodeShelf(whole.p).picks.size, 16); // an old link (format 4) opens as before
  // The same shelf written today: cut anywhere, refused.
  const param = shareShelf(new Map(whole.picks), new Map()).param;
  assert.equal(decodeShelf(param).picks.size, 16);
  for (let cut = 0; cut < param.length; cut++) assert.equal(decodeShelf(param.slice(0, cut)).damaged, true, `${cut}`);
});

test("every link format older pages wrote (1-6) still opens as before, as balanced", () => {
  const { links } = JSON.parse(readFileSync(new URL("./old-links.json", import.meta.url), "utf8"));
  const formats = new Set();
  for (const link of links) {
    const back = decodeShelf(link.p);
    formats.add(link.p[0]);
    assert.equal(back.damaged, false, link.p);
    assert.deepEqual([...back.picks], link.picks);
    assert.deepEqual([...back.marks], link.marks);
    assert.equal(back.part, link.part);
    assert.equal(back.discovery, "balanced");
  }
  assert.deepEqual([...formats].sort(), ["A", "B"]); // format bytes 1-3 and 4-6
  assert.equal(links.length, 7);
});

test("the discovery setting goes through the link; a shelf without one is balanced", () => {
  const picks = new Map([
    [3, 4],
    [10, 5],
  ]);
  for (const discovery of DISCOVERY) {
    const { param } = shareShelf(picks, new Map(), { discovery });
    assert.equal(decodeShelf(param).discovery, discovery);
  }
  assert.equal(decodeShelf(shareShelf(picks, new Map()).param).discovery, "balanced");
  assert.notEqual(shareShelf(picks, new Map(), { discovery: "popular" }).param, shareShelf(picks, new Map()).param);
});

test("a book both picked and marked goes once, as a pick: a big shelf's link stays a part of the own shelf", () => {
  const picks = new Map(Array.from({ length: 3000 }, (_, i) => [1 + i * 3, 1 + (i % 5)]));
  const marks = new Map([[4, "read"], [2, "not_interested"]]); // 4 is picked too
  const shared = shareShelf(picks, marks);
  const opened = decodeShelf(shared.param);
  assert.equal(opened.damaged, false);
  assert.equal(opened.part, true);
  assert.equal(opened.marks.has(4), false);
  const small = decodeShelf(shareShelf(new Map([[4, 3]]), marks).param);
  assert.deepEqual([[...small.picks], [...small.marks]], [[[4, 3]], [[2, "not_interested"]]]);
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
  assert.deepEqual([shared.picks, shared.marks, shared.part], [3, 2, false]);
  assert.match(shared.param, /^[A-Za-z0-9_-]+$/);
  assert.ok(shared.param.length < 16, shared.param); // 10 bytes, 5 of them the frame (length, CRC-16)
  const back = decodeShelf(shared.param);
  assert.deepEqual([...back.picks], [...picks]);
  assert.deepEqual([...back.marks], [...marks]);
  assert.deepEqual(shareShelf(new Map(), new Map()), { param: "", picks: 0, marks: 0, part: false });
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
  assert.equal(shared.part, true);
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

test("shelfHref: the main page with any shelf as a short ?shelf= link", () => {
  const picks = new Map(Array.from({ length: 900 }, (_, i) => [1 + 7 * i, 1 + (i % 5)]));
  const href = shelfHref("index.html", picks, new Map([[5, "read"]]));
  assert.ok(href.startsWith("index.html?shelf=") && href.length <= "index.html?shelf=".length + SHARE_CHARS);
  assert.equal(href, `index.html?shelf=${shareShelf(picks, new Map([[5, "read"]])).param}`);
  assert.deepEqual([...decodeShelf(shelfHref("x", new Map([[3, 4]])).slice(8)).picks], [[3, 4]]);
  assert.equal(shelfHref("index.html", new Map()), "index.html");
});

test("a book_id longer than the saved shelf holds (nine digits) makes a link damaged, not a shelf", () => {
  const fits = decodeShelf(shareShelf(new Map([[1, 5], [999_999_999, 4]]), new Map()).param);
  assert.deepEqual([fits.damaged, [...fits.picks.keys()]], [false, [1, 999_999_999]]);
  for (const [picks, marks] of [
    [new Map([[1, 5], [1_234_567_890, 4]]), new Map()],
    [new Map([[1, 5]]), new Map([[10_000_000_000, "read"]])],
  ]) {
    assert.equal(decodeShelf(shareShelf(picks, marks).param).damaged, true);
  }
});
