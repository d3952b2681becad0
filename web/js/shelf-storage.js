// The shelf in this browser's localStorage: the page's only reads and writes of it (the map
// page's too). Every write re-reads what is stored and re-applies this tab's change onto it
// (shelf-sync.js), so another tab's changes, and books this catalogue does not know, stay.
// Storage may be disabled or full (private mode): reads then give an empty shelf and a write
// says it failed, so that the page can tell the visitor and offer the link, which still
// carries the shelf (or its best part).
import { STORAGE_KEY, formatPicks } from "./picks.js";
import { MARKS_KEY, formatMarks } from "./shelf.js";
import { DISCOVERY_KEY, storedShelf, unreadableCopies } from "./shelf-open.js";
import { applyChanges } from "./shelf-sync.js";

export const SHELF_KEYS = [STORAGE_KEY, MARKS_KEY, DISCOVERY_KEY];
const OWN_LINK_KEY = "shelf.ownLink"; // sessionStorage: the ?shelf= value this tab last wrote

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

/** Save `shelf` ({picks, marks, discovery}); options: defaultStars, written as a bare book_id. True when saved. */
export function writeShelf(shelf, options) {
  try {
    localStorage.setItem(STORAGE_KEY, formatPicks(shelf.picks, options));
    localStorage.setItem(MARKS_KEY, formatMarks(shelf.marks));
    if (shelf.discovery) localStorage.setItem(DISCOVERY_KEY, shelf.discovery);
    return true;
  } catch {
    return false; // private mode or storage full: the page says so and offers the link
  }
}

/**
 * Apply `changes` (shelf-sync.js) to the shelf as stored now and save it: {stored: the shelf
 * as saved ({picks, marks, discovery, unreadable: []}: every book it holds, known here or
 * not), saved: false when it could not be written}. Unreadable stored entries are copied aside first (keepUnreadable).
 */
export function saveChanges(changes, options) {
  const fresh = readShelf(options);
  keepUnreadable(fresh);
  const merged = applyChanges(fresh, changes);
  const saved = writeShelf(merged, options);
  return { stored: { ...merged, unreadable: [] }, saved };
}

/**
 * Copy the saved text of a shelf with unreadable entries aside (unreadableCopies), before the
 * page writes the shelf again, so nothing is lost silently; an older copy is never overwritten.
 */
export function keepUnreadable(stored) {
  try {
    for (const [key, text] of unreadableCopies(stored)) {
      if (localStorage.getItem(key) === null) localStorage.setItem(key, text);
    }
  } catch {
    // Storage full or disabled: the page's note still tells the visitor.
  }
}

/** Remember `param`, the ?shelf= value this tab wrote into its address (sessionStorage, beside history.state). */
export function rememberOwnLink(param) {
  try {
    sessionStorage.setItem(OWN_LINK_KEY, param);
  } catch {
    // history.state still has it, for a reload
  }
}

/** The ?shelf= values this tab wrote itself (its address bar's, not someone else's list). */
export function ownLinks(historyState) {
  const links = [historyState?.shelf];
  try {
    links.push(sessionStorage.getItem(OWN_LINK_KEY));
  } catch {
    // sessionStorage disabled
  }
  return links.filter(Boolean);
}
