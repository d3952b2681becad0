// web/js/shelf-keeper.js and shelf-storage.js's saver against stand-ins for the browser's
// localStorage, sessionStorage and history.state: the cases where the visitor's saved shelf
// was replaced or dropped (a shared list reloaded, an older own link reopened, changes made
// while storage was full, two tabs writing at once).
import assert from "node:assert/strict";
import { test } from "node:test";

import { catalogueWaitsForModel } from "../../web/js/page-state.js";
import { createShelfKeeper } from "../../web/js/shelf-keeper.js";
import { createShelfSaver } from "../../web/js/shelf-storage.js";
import { replaceWith } from "../../web/js/shelf-sync.js";
import { shareShelf } from "../../web/js/shelf-link.js";
import * as shelfEdits from "../../web/js/shelf-edits.js";

const OPTIONS = { defaultStars: 5, minStars: 1, maxStars: 5 };
const PAGE = "http://x/index.html";

/** A browser: localStorage (full: every write throws), sessionStorage, and the storage events' listeners. */
function browser(saved = {}) {
  const items = new Map(Object.entries(saved));
  const local = {
    items,
    full: false,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem(key, value) {
      if (local.full) throw new Error("QuotaExceededError");
      items.set(key, String(value));
    },
    removeItem: (key) => items.delete(key),
  };
  const session = new Map();
  const listeners = [];
  globalThis.localStorage = local;
  globalThis.sessionStorage = { getItem: (key) => session.get(key) ?? null, setItem: (key, value) => session.set(key, String(value)) };
  globalThis.window = { addEventListener: (type, listener) => listeners.push(listener) };
  return { local, fire: () => listeners.forEach((listener) => listener({ key: "shelf.picks.v1" })) };
}

/** A page (main.js's keeper and state) opened at `href` with `historyState`. */
function page(href = PAGE, historyState = null) {
  const state = { picks: new Map(), marks: new Map(), discovery: "balanced", viewing: null, site: null, rowOf: null };
  const keeper = createShelfKeeper(state, () => OPTIONS, { unsaved() {}, otherTab() {} });
  keeper.open(href, historyState);
  return { state, keeper };
}

/** The catalogue in, then main.js's picksChanged: the address and history.state it writes. */
function catalogueIn({ state, keeper }, bookIds) {
  state.site = {};
  state.rowOf = new Map(bookIds.map((bookId, row) => [bookId, row]));
  keeper.catalogueIn();
  return addressOf({ state, keeper });
}

function addressOf({ state, keeper }) {
  const param = keeper.addressParam(shareShelf(state.picks, state.marks, { discovery: state.discovery }).param);
  return { href: `${PAGE}?shelf=${param}`, historyState: keeper.linkState(param) };
}

const picksOf = (state) => [...state.picks];

test("reloading a shared list shows it again and never saves it over the visitor's own shelf", () => {
  const { local } = browser({ "shelf.picks.v1": "1,2:4" });
  const friend = shareShelf(new Map([[10, 5], [11, 3]]), new Map()).param;
  const first = page(`${PAGE}?shelf=${friend}`);
  const address = catalogueIn(first, [1, 2, 10, 11]);
  assert.notEqual(first.state.viewing, null);
  const reloaded = page(address.href, address.historyState);
  assert.notEqual(reloaded.state.viewing, null);
  assert.deepEqual(picksOf(reloaded.state), [[10, 5], [11, 3]]);
  assert.equal(local.items.get("shelf.picks.v1"), "1,2:4");
  // An old ?picks= link, reloaded as the ?shelf= address the page wrote for it: the same.
  const old = page(`${PAGE}?picks=10,11:3`);
  const oldAddress = catalogueIn(old, [1, 2, 10, 11]);
  assert.notEqual(page(oldAddress.href, oldAddress.historyState).state.viewing, null);
  assert.equal(local.items.get("shelf.picks.v1"), "1,2:4");
});

test("reopening an older own link shows the saved shelf, with changes made elsewhere since", () => {
  const { local } = browser({ "shelf.picks.v1": "1,2:4" });
  const tab = page();
  const address = catalogueIn(tab, [1, 2, 7, 9]);
  // Meanwhile the map page (or another tab) adds pick 7 and marks 9.
  local.items.set("shelf.picks.v1", "1,2:4,7");
  local.items.set("shelf.marks.v1", "9:n");
  const reloaded = page(address.href, address.historyState);
  assert.equal(reloaded.state.viewing, null);
  assert.deepEqual(picksOf(reloaded.state), [[1, 5], [2, 4], [7, 5]]);
  assert.deepEqual([local.items.get("shelf.picks.v1"), local.items.get("shelf.marks.v1")], ["1,2:4,7", "9:n"]);
});

test("changes made while storage is full are kept, saved with the next save and re-applied on reload", () => {
  const { local, fire } = browser({ "shelf.picks.v1": "1,2:4" });
  const tab = page();
  catalogueIn(tab, [1, 2, 3, 4, 5, 6]);
  local.full = true;
  tab.keeper.change(shelfEdits.pick(tab.state, 3, 5));
  assert.equal(tab.keeper.unsaved(), true);
  const address = addressOf(tab); // main.js writes it with each change
  // Reloaded while storage is still full: the unsaved pick is shown again, the shelf not replaced.
  const reloaded = page(address.href, address.historyState);
  assert.deepEqual(picksOf(reloaded.state), [[1, 5], [2, 4], [3, 5]]);
  assert.equal(reloaded.state.viewing, null);
  local.full = false; // storage frees up
  tab.keeper.change(shelfEdits.pick(tab.state, 4, 5));
  assert.equal(local.items.get("shelf.picks.v1"), "1,2:4,3,4");
  assert.deepEqual(picksOf(tab.state), [[1, 5], [2, 4], [3, 5], [4, 5]]);
  assert.equal(tab.keeper.unsaved(), false);
  // Full again: another tab's write (storage freed by it) saves what this tab could not.
  local.full = true;
  tab.keeper.change(shelfEdits.unpick(tab.state, 1));
  local.full = false;
  local.items.set("shelf.picks.v1", "1,2:4,3,4,6"); // the other tab picked 6
  fire();
  assert.equal(local.items.get("shelf.picks.v1"), "2:4,3,4,6");
  assert.deepEqual(picksOf(tab.state), [[2, 4], [3, 5], [4, 5], [6, 5]]);
});

test("a Clear or Replace saved late never wipes what another tab saved after it was pressed", () => {
  const { local, fire } = browser({ "shelf.picks.v1": "1,2:4", "shelf.marks.v1": "8:r" });
  const tab = page();
  catalogueIn(tab, [1, 2, 3, 4, 5, 8, 9]);
  local.full = true; // this tab's writes fail (a nearly full storage: its bigger write)
  tab.keeper.change({ picks: new Map(), marks: new Map() }, { replace: true }); // Clear
  assert.equal(tab.keeper.unsaved(), true);
  // Another tab, whose writes still fit, then stars 1, picks 3 and marks 9: saved.
  local.items.set("shelf.picks.v1", "1:2,2:4,3");
  local.items.set("shelf.marks.v1", "8:r,9:n");
  fire(); // still full here: nothing written
  assert.equal(local.items.get("shelf.picks.v1"), "1:2,2:4,3");
  local.full = false;
  tab.keeper.change({ picks: tab.state.picks, marks: tab.state.marks, discovery: "popular" }); // as the discovery control
  // The Clear, then the other tab's later pick and mark (its star on a cleared book goes with it).
  assert.deepEqual(
    [local.items.get("shelf.picks.v1"), local.items.get("shelf.marks.v1"), local.items.get("shelf.discovery.v1")],
    ["3", "9:n", "popular"],
  );
  assert.deepEqual([picksOf(tab.state), [...tab.state.marks]], [[[3, 5]], [[9, "not_interested"]]]);
  // Saved at once, a replace is what it was: the list, nothing kept of the shelf it replaced.
  tab.keeper.change({ picks: new Map([[4, 3]]), marks: new Map() }, { replace: true });
  assert.deepEqual([local.items.get("shelf.picks.v1"), local.items.get("shelf.marks.v1")], ["4:3", ""]);
});

test("a shared list opened into a browser that cannot save: its unknown books are never said to be saved", () => {
  const { local } = browser();
  local.full = true;
  const list = shareShelf(new Map([[1, 3], [50000, 2]]), new Map([[60001, "read"]])).param;
  const tab = page(`${PAGE}?shelf=${list}`);
  assert.equal(tab.keeper.unsaved(), true);
  tab.state.site = {};
  tab.state.rowOf = new Map([[1, 0]]);
  const { note } = tab.keeper.catalogueIn();
  assert.match(note, /^2 books of your shelf are not in this catalogue .*not saved in this browser/);
  assert.deepEqual([...local.items], []);
});

test("a Clear another tab's stale write left out is re-applied without bringing back this tab's own earlier changes", () => {
  const { local } = browser({ "shelf.picks.v1": "1,2:4" });
  let time = 0;
  const saver = createShelfSaver(() => OPTIONS, { now: () => time });
  const tabTwoRead = local.items.get("shelf.picks.v1"); // another tab reads the shelf now
  saver.save([{ op: "unpick", bookId: 2 }]);
  time = 300;
  const base = { picks: new Map([[1, 5]]), marks: new Map(), discovery: "balanced" }; // as the keeper reads it
  saver.save(replaceWith({ picks: new Map(), marks: new Map(), discovery: "balanced" }, base)); // Clear
  assert.equal(local.items.get("shelf.picks.v1"), "");
  local.items.set("shelf.picks.v1", `${tabTwoRead},3`); // its pick of 3 onto what it read
  time = 600;
  saver.storageChanged();
  assert.equal(local.items.get("shelf.picks.v1"), "3"); // book 2 was unpicked, then cleared
  // A pick this tab could not save, then Clear: the Clear takes it too.
  const { local: full } = browser({ "shelf.picks.v1": "1" });
  const tab = page();
  catalogueIn(tab, [1, 4]);
  full.full = true;
  tab.keeper.change(shelfEdits.pick(tab.state, 4, 5));
  tab.keeper.change({ picks: new Map(), marks: new Map() }, { replace: true });
  full.full = false;
  tab.keeper.change({ picks: tab.state.picks, marks: tab.state.marks, discovery: "popular" });
  assert.deepEqual([full.items.get("shelf.picks.v1"), picksOf(tab.state)], ["", []]);
});

test("a change another tab's write left out (it read before this tab wrote) is re-applied, once and only lately", () => {
  const { local } = browser({ "shelf.picks.v1": "1,2:4" });
  let time = 0;
  const saver = createShelfSaver(() => OPTIONS, { now: () => time });
  saver.save([{ op: "pick", bookId: 3, stars: 5 }]);
  local.items.set("shelf.picks.v1", "1,2:4,5"); // tab B, which read before that, picked 5
  time = 500;
  saver.storageChanged();
  assert.equal(local.items.get("shelf.picks.v1"), "1,2:4,5,3");
  // Tab B takes 3 off later, on purpose: not undone.
  saver.save([{ op: "pick", bookId: 6, stars: 5 }]);
  time = 5000;
  local.items.set("shelf.picks.v1", "1,2:4,5");
  saver.storageChanged();
  assert.equal(local.items.get("shelf.picks.v1"), "1,2:4,5");
});

test("the page knows whether it opened with a shelf: picks made after opening do not count", () => {
  browser();
  const empty = page();
  assert.equal(empty.state.opensShelf, false);
  empty.keeper.change({ picks: new Map([[7, 5]]), marks: new Map() }); // a tap on the first screen
  assert.equal(empty.state.opensShelf, false);
  assert.equal(catalogueWaitsForModel({ ...empty.state, popular: { rows: [], books: [] } }), true);

  const saved = page(); // a second page of the same browser: the pick is saved here
  assert.equal(saved.state.opensShelf, true);
  assert.equal(catalogueWaitsForModel({ ...saved.state, popular: { rows: [], books: [] } }), false);
});

test("the own address opened in a new tab is the own shelf when it holds books this catalogue lacks", () => {
  const { local } = browser({ "shelf.picks.v1": "1:2,2:3,20000:4", "shelf.marks.v1": "5:n" });
  const first = page();
  const { href } = catalogueIn(first, [1, 2, 3, 4, 5]);
  assert.deepEqual(picksOf(first.state), [
    [1, 2],
    [2, 3],
  ]); // 20000 not shown, still saved
  globalThis.sessionStorage = { getItem: () => null, setItem() {} }; // a new tab: its own, empty
  const second = page(href, null); // a bookmark, or the address pasted: no history.state
  assert.equal(second.state.viewing, null);
  catalogueIn(second, [1, 2, 3, 4, 5]);
  second.keeper.change({ picks: new Map([...second.state.picks, [4, 5]]), marks: second.state.marks });
  assert.equal(local.items.get("shelf.picks.v1"), "1:2,2:3,20000:4,4");
});

test("an own shelf too big for one link with the books this catalogue lacks keeps the shown shelf's link", () => {
  let id = 20000;
  const lacking = Array.from({ length: 1500 }, (_, i) => `${(id += 1 + ((i * 7919) % 613))}:${1 + (i % 5)}`).join(",");
  browser({ "shelf.picks.v1": `${lacking},1,2:4`, "shelf.marks.v1": "5:n" });
  const opened = page();
  catalogueIn(opened, [1, 2, 3, 4, 5]);
  const shown = shareShelf(opened.state.picks, opened.state.marks, { discovery: "balanced" }).param;
  assert.equal(opened.keeper.addressParam(shown), shown); // not a part of the whole that drops 1, 2 and 5
});

test("a damaged link's note survives a reload made before the catalogue is in", () => {
  browser({ "shelf.picks.v1": "1,2:4" });
  const first = page(`${PAGE}?shelf=@@`);
  assert.deepEqual(picksOf(first.state), [
    [1, 5],
    [2, 4],
  ]);
  const { href, historyState } = addressOf(first); // written at once, before the catalogue
  const reloaded = page(href, historyState);
  reloaded.state.site = {};
  reloaded.state.rowOf = new Map([1, 2, 3].map((bookId, row) => [bookId, row]));
  assert.match(reloaded.keeper.catalogueIn().note, /could not be read/);
  assert.equal(addressOf(reloaded).historyState.problem, undefined); // said once: not carried on
});
