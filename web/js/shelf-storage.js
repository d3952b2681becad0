// The shelf in this browser's localStorage: the page's only reads and writes of it. Storage
// may be disabled or full (private mode): reads then give an empty shelf and writes do
// nothing, since the URL still carries the shelf (or its best part).
import { STORAGE_KEY, formatPicks } from "./picks.js";
import { MARKS_KEY, formatMarks } from "./shelf.js";
import { storedShelf, unreadableCopies } from "./shelf-open.js";

/** The saved shelf (shelf-open.js storedShelf); options: the star range for its picks. */
export function readShelf(options = {}) {
  try {
    const picksText = localStorage.getItem(STORAGE_KEY) ?? "";
    const marksText = localStorage.getItem(MARKS_KEY) ?? "";
    return storedShelf({ picksText, marksText }, options);
  } catch {
    return storedShelf({ picksText: "", marksText: "" }, options);
  }
}

/** Save `shelf` ({picks, marks}); options: defaultStars, written as a bare book_id. */
export function writeShelf(shelf, options) {
  try {
    localStorage.setItem(STORAGE_KEY, formatPicks(shelf.picks, options));
    localStorage.setItem(MARKS_KEY, formatMarks(shelf.marks));
  } catch {
    // Private mode or storage full: the URL still carries the shelf (or its best part).
  }
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
