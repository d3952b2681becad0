// The shelf in this browser's localStorage: the page's only reads and writes of it (the map
// page's too). Every write re-reads what is stored and re-applies this tab's change onto it
// (shelf-sync.js), so another tab's changes, and books this catalogue does not know, stay.
// Storage may be disabled or full (private mode): reads then give an empty shelf and a write
// says it failed, so that the page can tell the visitor and offer the link, which still
// carries the shelf (or its best part).
import { STORAGE_KEY, formatPicks } from "./picks.js";
import { MARKS_KEY, formatMarks } from "./marks.js";
import { DISCOVERY_KEY, storedShelf } from "./shelf-open.js";
import { applyChanges, sameShelf } from "./shelf-sync.js";

export const SHELF_KEYS = [STORAGE_KEY, MARKS_KEY, DISCOVERY_KEY];
const OWN_LINK_KEY = "shelf.ownLink.v2"; // sessionStorage: the own link this tab last wrote (rememberOwnLink)

/** The saved shelf (shelf-open.js storedShelf); options: the star range for its picks. */
export function readShelf(options = {}) {
  try {
    const picksText = localStorage.getItem(STORAGE_KEY) ?? "";
    const marksText = localStorage.getItem(MARKS_KEY) ?? "";
    const discoveryText = localStorage.getItem(DISCOVERY_KEY) ?? "";
    return storedShelf({ picksText, marksText, discoveryText }, options);
  } catch {
    return storedShelf({ picksText: "", marksText: "", discoveryText: "" }, options);
  }
}

/**
 * Save `shelf` ({picks, marks, discovery, kept}); options: defaultStars, written as a bare
 * book_id. The entries this version could not read (`kept`, storedShelf) are written back after
 * the others, as they were (a discovery text it cannot read instead of the default it shows).
 * All keys or none: a key that cannot be written (storage full) puts back the ones written before
 * it, so that no half-saved shelf (an import's picks without its marks) is left. True when saved.
 */
export function writeShelf(shelf, options) {
  const text = (entries, kept = []) => [entries, ...kept].filter((entry) => entry !== "").join(",");
  const writes = [
    [MARKS_KEY, text(formatMarks(shelf.marks), shelf.kept?.marks)],
    [STORAGE_KEY, text(formatPicks(shelf.picks, options), shelf.kept?.picks)],
  ];
  const discovery = shelf.kept?.discovery ?? shelf.discovery;
  if (discovery) writes.push([DISCOVERY_KEY, discovery]);
  const written = [];
  try {
    for (const [key, value] of writes) {
      const before = localStorage.getItem(key);
      if (before === value) continue;
      localStorage.setItem(key, value);
      written.push([key, before]);
    }
    return true;
  } catch {
    // Private mode or storage full: the page says so and offers the link.
    for (const [key, before] of written.reverse()) {
      try {
        if (before === null) localStorage.removeItem(key);
        else localStorage.setItem(key, before);
      } catch {
        // Nothing more to do: the page still says the shelf was not saved.
      }
    }
    return false;
  }
}

/**
 * Apply `changes` (shelf-sync.js) to the shelf as stored now and save it: {stored: the shelf
 * as saved ({picks, marks, discovery, kept}: every book it holds, known here or not, and the
 * entries this version cannot read), saved: false when it could not be written}.
 */
export function saveChanges(changes, options) {
  const fresh = readShelf(options);
  const merged = { ...applyChanges(fresh, changes), kept: keptAfter(fresh, changes) };
  const saved = writeShelf(merged, options);
  return { stored: { ...merged, unreadable: [] }, saved };
}

/**
 * The unreadable entries of `stored` (its `kept`, storedShelf) still to write back after
 * `changes`: no picks or marks once the visitor replaced the whole shelf (Clear, or a shared
 * list made their own), no discovery text once they chose a setting (one of their own, or a
 * list's that differs from the one shown).
 */
export function keptAfter(stored, changes) {
  const replace = changes.findLast((change) => change.op === "replace");
  const listSetting = replace?.shelf.discovery;
  const chose = changes.some((change) => change.op === "discovery") || (listSetting !== undefined && listSetting !== stored.discovery);
  return {
    picks: replace ? [] : stored.kept.picks,
    marks: replace ? [] : stored.kept.marks,
    discovery: chose ? null : stored.kept.discovery,
  };
}

// A tab's own saves: its operations not saved yet (storage full or off), re-applied whole onto
// the stored shelf on each later save and on each other tab's write until one is saved; and
// those saved in the last RECENT_MS, re-applied once if another tab's write (from a read made
// before them: localStorage's read-modify-write is not atomic across tabs) comes without them.
const RECENT_MS = 2000; // far under the seconds a visitor takes to undo a change in another tab

/**
 * The saves of one page (the main page's keeper, the map): options() gives the star range;
 * now() the time in ms. {save(changes), storageChanged(), unsaved(), pending()}; save and
 * storageChanged return {stored: the stored shelf with this tab's changes (saved or not),
 * saved}.
 */
export function createShelfSaver(options, { now = () => Date.now() } = {}) {
  let pending = []; // operations not saved yet, in the order they were made
  let recent = []; // [{changes, at, again: re-applied once already}]

  function save(changes, again = false) {
    pending = [...pending, ...changes];
    if (pending.length === 0) return { stored: readShelf(options()), saved: true };
    const result = saveChanges(pending, options());
    if (result.saved) {
      recent.push({ changes: pending, at: now(), again });
      pending = [];
    }
    return result;
  }

  /** Another tab wrote: this tab's unsaved or lost operations re-applied onto its shelf. */
  function storageChanged() {
    const time = now();
    recent = recent.filter(({ at }) => time - at <= RECENT_MS);
    const stored = readShelf(options());
    const lost = recent.filter(({ changes, again }) => !again && !sameShelf(applyChanges(stored, changes), stored));
    recent = recent.filter((entry) => !lost.includes(entry));
    if (lost.length === 0 && pending.length === 0) return { stored, saved: true };
    pending = [...lost.flatMap(({ changes }) => changes), ...pending]; // made before the pending ones
    return save([], lost.length > 0);
  }

  return { save, storageChanged, unsaved: () => pending.length > 0, pending: () => pending };
}

// Maps (a replace operation's shelf) in JSON, for sessionStorage.
const toJson = (_, value) => (value instanceof Map ? { $map: [...value] } : value);
const fromJson = (_, value) => (Array.isArray(value?.$map) ? new Map(value.$map) : value);

/**
 * Remember `link` ({shelf: the ?shelf= value this tab wrote into its address as its own, own:
 * true, pending: the operations not saved yet}) in sessionStorage, beside history.state.
 */
export function rememberOwnLink(link) {
  try {
    sessionStorage.setItem(OWN_LINK_KEY, JSON.stringify(link, toJson));
  } catch {
    // history.state still has it, for a reload
  }
}

/**
 * The links this tab wrote as its own ([{shelf, pending}]: rememberOwnLink's), from
 * history.state and sessionStorage: only those marked own, never a shared list this tab showed.
 */
export function ownLinks(historyState) {
  const links = [historyState];
  try {
    links.push(JSON.parse(sessionStorage.getItem(OWN_LINK_KEY), fromJson));
  } catch {
    // sessionStorage disabled, or an older page's plain value: not marked own
  }
  return links
    .filter((link) => link?.own === true && typeof link.shelf === "string" && link.shelf !== "")
    .map(({ shelf, pending }) => ({ shelf, pending: Array.isArray(pending) ? pending : [] }));
}
