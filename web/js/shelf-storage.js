// The shelf in this browser's localStorage: the page's only reads and writes of it (the map
// page's too). Every write re-reads what is stored and re-applies this tab's change onto it
// (shelf-sync.js), so another tab's changes, and books this catalogue does not know, stay.
// Storage may be disabled or full (private mode): reads then give an empty shelf and a write
// says it failed, so that the page can tell the visitor and offer the link, which still
// carries the shelf (or its best part).
import { STORAGE_KEY, formatPicks } from "./picks.js";
import { MARKS_KEY, formatMarks } from "./shelf.js";
import { DISCOVERY_KEY, storedShelf } from "./shelf-open.js";
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

/**
 * Save `shelf` ({picks, marks, discovery, kept}); options: defaultStars, written as a bare
 * book_id. The entries this version could not read (`kept`, storedShelf) are written back after
 * the others, as they were. All keys or none: a key that cannot be written (storage full) puts
 * back the ones written before it, so that no half-saved shelf (an import's picks without its
 * marks) is left. True when saved.
 */
export function writeShelf(shelf, options) {
  const text = (entries, kept = []) => [entries, ...kept].filter((entry) => entry !== "").join(",");
  const writes = [
    [MARKS_KEY, text(formatMarks(shelf.marks), shelf.kept?.marks)],
    [STORAGE_KEY, text(formatPicks(shelf.picks, options), shelf.kept?.picks)],
  ];
  if (shelf.discovery) writes.push([DISCOVERY_KEY, shelf.discovery]);
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
  const merged = { ...applyChanges(fresh, changes), kept: fresh.kept };
  const saved = writeShelf(merged, options);
  return { stored: { ...merged, unreadable: [] }, saved };
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
