// web/js/shelf-storage.js against a stand-in for the browser's localStorage: the shelf read,
// written whole or not at all, and entries it cannot read written back as they were.
import assert from "node:assert/strict";
import { test } from "node:test";

import { readShelf, saveChanges, writeShelf } from "../../web/js/shelf-storage.js";

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
  assert.deepEqual(Object.fromEntries(broken.items), { "shelf.picks.v1": "12" });
});

test("unreadable saved entries survive every save, a newer version's added ones too", () => {
  const storage = fakeStorage({ "shelf.marks.v1": "5:n,6:q" });
  withStorage(storage, () => saveChanges([{ op: "pick", bookId: 1, stars: 5 }], OPTIONS));
  assert.deepEqual(Object.fromEntries(storage.items), { "shelf.picks.v1": "1", "shelf.marks.v1": "5:n,6:q", "shelf.discovery.v1": "balanced" });
  storage.items.set("shelf.marks.v1", "5:n,6:q,7:d"); // a newer version wrote a mark this one cannot read
  storage.items.set("shelf.picks.v1", "1,8:x");
  withStorage(storage, () => saveChanges([{ op: "pick", bookId: 2, stars: 4 }, { op: "unmark", bookId: 5 }], OPTIONS));
  assert.equal(storage.items.get("shelf.marks.v1"), "6:q,7:d");
  assert.equal(storage.items.get("shelf.picks.v1"), "1,2:4,8:x");
  assert.deepEqual([...storage.items.keys()].filter((key) => key.endsWith(".unreadable")), []);
});

test("a discovery setting this version cannot read stays saved, named, until the visitor chooses one", () => {
  const storage = fakeStorage({ "shelf.picks.v1": "1", "shelf.discovery.v1": "very-lesser-known" });
  const shelf = withStorage(storage, () => readShelf(OPTIONS));
  assert.equal(shelf.discovery, "balanced"); // what this version shows and ranks by
  assert.deepEqual(shelf.unreadable, ["very-lesser-known"]);
  withStorage(storage, () => saveChanges([{ op: "pick", bookId: 2, stars: 5 }], OPTIONS));
  assert.equal(storage.items.get("shelf.discovery.v1"), "very-lesser-known");
  assert.equal(storage.items.get("shelf.picks.v1"), "1,2");
  withStorage(storage, () => saveChanges([{ op: "discovery", value: "balanced" }], OPTIONS));
  assert.equal(storage.items.get("shelf.discovery.v1"), "balanced"); // chosen: this version's own
});

test("Clear (a replace) takes the unreadable picks and marks away too: the visitor chose an empty shelf", () => {
  const storage = fakeStorage({ "shelf.picks.v1": "1,abc", "shelf.marks.v1": "5:n,6:q", "shelf.discovery.v1": "new" });
  const empty = { picks: new Map(), marks: new Map(), discovery: "balanced" }; // the setting shown
  withStorage(storage, () => saveChanges([{ op: "replace", shelf: empty }], OPTIONS));
  assert.deepEqual(Object.fromEntries(storage.items), {
    "shelf.picks.v1": "",
    "shelf.marks.v1": "",
    "shelf.discovery.v1": "new", // no setting chosen: kept
  });
  const popular = { picks: new Map([[2, 5]]), marks: new Map(), discovery: "popular" }; // a list's Replace
  withStorage(storage, () => saveChanges([{ op: "replace", shelf: popular }], OPTIONS));
  assert.equal(storage.items.get("shelf.discovery.v1"), "popular");
  assert.deepEqual(withStorage(storage, () => readShelf(OPTIONS)).unreadable, []);
});

test("a shelf is written whole or not at all: a key storage refuses puts back the ones before it", () => {
  const saved = { "shelf.picks.v1": "1,2:4", "shelf.marks.v1": "9:r", "shelf.discovery.v1": "balanced" };
  for (const refused of ["shelf.picks.v1", "shelf.marks.v1"]) {
    const storage = fakeStorage(saved);
    const setItem = storage.setItem;
    storage.setItem = (key, value) => {
      if (key === refused && String(value).length > 8) throw new Error("QuotaExceededError");
      return setItem(key, value);
    };
    const imported = [...Array(20).keys()].map((i) => ({ op: "mark", bookId: 100 + i, mark: "read", after: null }));
    const picked = [...Array(20).keys()].map((i) => ({ op: "pick", bookId: 200 + i, stars: 5 }));
    const { saved: ok } = withStorage(storage, () => saveChanges([...picked, ...imported], OPTIONS));
    assert.equal(ok, false);
    assert.deepEqual(Object.fromEntries(storage.items), saved, refused);
  }
});
