// web/js/shelf-link.js: the ?shelf= link's frame (a length and a CRC-16) refuses every cut and
// every one-character typo of 1,000 seeded shelves; the links older pages wrote still open as
// before; the discovery setting goes there and back.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { DISCOVERY, crc16, decodeShelf, shareShelf } from "../../web/js/shelf-link.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A seeded generator (mulberry32): the same shelves on every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shelf number `i` of the fuzz: 1 to 60 books (every 50th up to 600), ids up to 10,000 or far beyond. */
function fuzzShelf(next, i) {
  const size = 1 + Math.floor(next() * (i % 50 === 0 ? 600 : 60));
  const top = next() < 0.1 ? 1e9 : 10_000;
  const picks = new Map();
  const marks = new Map();
  const names = ["read", "not_interested", "to_read", "reading"];
  while (picks.size + marks.size < size) {
    const bookId = 1 + Math.floor(next() * top);
    if (picks.has(bookId) || marks.has(bookId)) continue;
    if (next() < 0.7) picks.set(bookId, 1 + Math.floor(next() * 5));
    else marks.set(bookId, names[Math.floor(next() * 4)]);
  }
  return { picks, marks, discovery: DISCOVERY[Math.floor(next() * 3)] };
}

test("CRC-16/CCITT-FALSE of '123456789' is 0x29b1 (its check value)", () => {
  assert.equal(crc16(new TextEncoder().encode("123456789")), 0x29b1);
});

test("1,000 seeded shelves: every link opens as written, no cut point opens, no one-character typo opens", () => {
  const next = random(25);
  let links = 0;
  let cuts = 0;
  let cutsPassed = 0;
  let typos = 0;
  let typosPassed = 0;
  let parts = 0;
  for (let i = 0; i < 1000; i++) {
    const shelf = fuzzShelf(next, i);
    const maxChars = i % 97 === 0 ? 120 : undefined; // a few parts of a shelf too big for the link
    const { param, picks } = shareShelf(shelf.picks, shelf.marks, { maxChars, discovery: shelf.discovery });
    const back = decodeShelf(param);
    assert.equal(back.damaged, false, param);
    assert.equal(back.discovery, shelf.discovery);
    assert.equal(back.picks.size, picks);
    for (const [bookId, stars] of back.picks) assert.equal(shelf.picks.get(bookId), stars);
    for (const [bookId, mark] of back.marks) assert.equal(shelf.marks.get(bookId), mark);
    if (back.part) parts += 1;
    else assert.equal(back.picks.size + back.marks.size, shelf.picks.size + shelf.marks.size);
    links += 1;
    for (let cut = 0; cut < param.length; cut++) {
      cuts += 1;
      if (!decodeShelf(param.slice(0, cut)).damaged) cutsPassed += 1;
    }
    for (let at = 0; at < param.length; at++) {
      for (let n = 0; n < 2; n++) {
        const other = ALPHABET[(ALPHABET.indexOf(param[at]) + 1 + Math.floor(next() * 63)) % 64];
        typos += 1;
        if (!decodeShelf(param.slice(0, at) + other + param.slice(at + 1)).damaged) typosPassed += 1;
      }
    }
  }
  console.log(`${links} links (${parts} parts): ${cutsPassed} of ${cuts} cut points and ${typosPassed} of ${typos} one-character typos opened`);
  assert.equal(cutsPassed, 0);
  assert.equal(typosPassed, 0);
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
