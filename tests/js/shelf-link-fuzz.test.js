// web/js/shelf-link.js: the ?shelf= link's frame (a length and a CRC-16) refuses every cut and
// every one-character typo of 1,000 seeded shelves. About 10 s: `make test` runs it, `make
// test-fast` does not (tests/test_js.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import { DISCOVERY, decodeShelf, shareShelf } from "../../web/js/shelf-link.js";

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
