// web/js/shelf-link.js: the ?shelf= link's frame (a length and a CRC-16): its check value, a cut
// link refused; the links older pages wrote still open as before; the discovery setting goes there
// and back. The 1,000 seeded shelves are in shelf-link-fuzz.test.js (slow: tests/test_js.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { DISCOVERY, crc16, decodeShelf, shareShelf } from "../../web/js/shelf-link.js";

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
