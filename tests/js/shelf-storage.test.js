// web/js/shelf-storage.js against a stand-in for the browser's localStorage: the shelf read,
// written and, when some saved entries cannot be read, copied aside once.
import assert from "node:assert/strict";
import { test } from "node:test";

import { keepUnreadable, readShelf, writeShelf } from "../../web/js/shelf-storage.js";

/** A localStorage over a Map; `broken` makes every call throw, as private modes do. */
function fakeStorage(entries = {}, broken = false) {
  const items = new Map(Object.entries(entries));
  const check = () => {
    if (broken) throw new Error("SecurityError");
  };
  return {
    items,
    getItem: (key) => (check(), items.has(key) ? items.get(key) : null),
    setItem: (key, value) => (check(), items.set(key, String(value))),
  };
}

function withStorage(storage, run) {
  globalThis.localStorage = storage;
  try {
    return run();
  } finally {
    delete globalThis.localStorage;
  }
}

const OPTIONS = { defaultStars: 5, minStars: 1, maxStars: 5 };

test("the saved shelf is read, and written back in the same form", () => {
  const storage = fakeStorage({ "shelf.picks.v1": "12,45:4", "shelf.marks.v1": "7:r,8:n" });
  const shelf = withStorage(storage, () => readShelf(OPTIONS));
  assert.deepEqual([...shelf.picks], [
    [12, 5],
    [45, 4],
  ]);
  assert.deepEqual([...shelf.marks], [
    [7, "read"],
    [8, "not_interested"],
  ]);
  const picks = new Map([
    [45, 4],
    [3, 5],
  ]);
  withStorage(storage, () => writeShelf({ picks, marks: new Map([[9, "to_read"]]) }, OPTIONS));
  assert.deepEqual(Object.fromEntries(storage.items), { "shelf.picks.v1": "45:4,3", "shelf.marks.v1": "9:t" });
});

test("nothing saved, or storage that throws: an empty shelf, and writing does nothing", () => {
  const empty = withStorage(fakeStorage(), () => readShelf(OPTIONS));
  assert.deepEqual([empty.picks.size, empty.marks.size, empty.unreadable], [0, 0, []]);
  const broken = fakeStorage({ "shelf.picks.v1": "12" }, true);
  const shelf = withStorage(broken, () => readShelf(OPTIONS));
  assert.deepEqual([shelf.picks.size, shelf.marks.size, shelf.unreadable], [0, 0, []]);
  withStorage(broken, () => writeShelf({ picks: new Map([[1, 5]]), marks: new Map() }, OPTIONS));
  withStorage(broken, () => keepUnreadable({ unreadable: ["x"], picksText: "x", marksText: "" }));
  assert.deepEqual(Object.fromEntries(broken.items), { "shelf.picks.v1": "12" });
});

test("saved text with unreadable entries is copied aside once, never over an older copy", () => {
  const storage = fakeStorage({ "shelf.picks.v1": "12,oops", "shelf.marks.v1": "7:r" });
  withStorage(storage, () => keepUnreadable(readShelf(OPTIONS)));
  assert.equal(storage.items.get("shelf.picks.v1.unreadable"), "12,oops");
  assert.equal(storage.items.get("shelf.marks.v1.unreadable"), "7:r");
  storage.items.set("shelf.picks.v1", "12,again?");
  withStorage(storage, () => keepUnreadable(readShelf(OPTIONS)));
  assert.equal(storage.items.get("shelf.picks.v1.unreadable"), "12,oops");
  // Every entry read: nothing is copied.
  const clean = fakeStorage({ "shelf.picks.v1": "12" });
  withStorage(clean, () => keepUnreadable(readShelf(OPTIONS)));
  assert.deepEqual([...clean.items.keys()], ["shelf.picks.v1"]);
});
