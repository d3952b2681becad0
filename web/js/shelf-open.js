// The shelf the page opens with: a shared link (?shelf=, or an old ?picks= link), the shelf
// saved in this browser, or nothing; and what the page says when something could not be read.
// Pure: the entry module reads localStorage and the address, and passes the text in.
import { STORAGE_KEY, knownPicks, parsePicks, unreadablePicks } from "./picks.js";
import { MARKS_KEY, openShelf, parseMarks, unreadableMarks } from "./shelf.js";

/**
 * The shelf as saved in localStorage, from its two texts ({picksText, marksText}: "" when
 * absent): {picks, marks, unreadable: [entries that could not be read], picksText, marksText}.
 * options: the star range (defaultStars, minStars, maxStars) for parsePicks.
 */
export function storedShelf({ picksText, marksText }, options = {}) {
  const unreadable = [...unreadablePicks(picksText), ...unreadableMarks(marksText)];
  return { picks: parsePicks(picksText, options), marks: parseMarks(marksText), unreadable, picksText, marksText };
}

/**
 * Where the saved texts of a shelf with unreadable entries are kept, so that nothing is lost
 * silently when the page writes the shelf again: [[key, text]], "<key>.unreadable" for each
 * non-empty text (none when every entry was read). The page writes a key only if it is free.
 */
export function unreadableCopies(stored) {
  if (stored.unreadable.length === 0) return [];
  return [
    [`${STORAGE_KEY}.unreadable`, stored.picksText],
    [`${MARKS_KEY}.unreadable`, stored.marksText],
  ].filter(([, text]) => text);
}

/** What the page says about the saved shelf's unreadable entries ("" when there are none). */
export function unreadableNote(unreadable) {
  const count = unreadable.length;
  if (count === 0) return "";
  const shown = unreadable
    .slice(0, 3)
    .map((entry) => `“${entry.trim().slice(0, 20)}”`)
    .join(", ");
  const more = count > 3 ? ` and ${count - 3} more` : "";
  return (
    `${count} entr${count === 1 ? "y" : "ies"} saved in this browser could not be read and ` +
    `${count === 1 ? "was" : "were"} left out (${shown}${more}). A copy of what was saved is kept ` +
    `in this browser's storage under “${STORAGE_KEY}.unreadable”.`
  );
}

/**
 * The shelf to open with for the page at `href`, given the `stored` shelf (shelf.js openShelf:
 * {picks, marks, viewing, problem}): a shared link is shown, never saved over this browser's
 * own shelf until the visitor chooses; a damaged link leaves the saved shelf as it is and says so.
 */
export function linkedShelf(href, stored, options = {}) {
  const params = new URL(href).searchParams;
  const legacy = params.has("picks") ? parsePicks(params.get("picks"), options) : null;
  return openShelf(params.get("shelf"), stored, legacy);
}

/**
 * A shelf's picks clamped to the star range ({minStars, maxStars}: a ?shelf= link's stars are
 * 1..5 whatever metadata's range) and both maps cut to the books `rowOf` has (the catalogue's).
 */
export function knownShelf({ picks, marks }, { minStars, maxStars }, rowOf) {
  const clamped = new Map([...picks].map(([bookId, stars]) => [bookId, Math.min(maxStars, Math.max(minStars, stars))]));
  const known = knownPicks(clamped, rowOf);
  return { picks: known, marks: new Map([...marks].filter(([bookId]) => rowOf.has(bookId) && !known.has(bookId))) };
}

/**
 * The page's shelf once the catalogue is in: {picks, marks, own, note}. From the link at
 * `href` or the `stored` shelf (storedShelf), cut to the catalogue (`rowOf`), with the `early`
 * picks and `earlyMarks` (made before the catalogue was in: from the popular books, or on the
 * first suggestions) added last. `own`: the
 * visitor's saved shelf when a shared list is shown instead (null otherwise); `note`: what
 * went wrong ("" when nothing did): a damaged link, unreadable saved entries.
 */
export function openingShelf({ href, stored, options, rowOf, early = new Map(), earlyMarks = new Map() }) {
  const opened = linkedShelf(href, stored, options);
  const { picks, marks } = knownShelf(opened, options, rowOf);
  for (const [bookId, stars] of early) {
    picks.set(bookId, stars);
    marks.delete(bookId);
  }
  for (const [bookId, mark] of earlyMarks) {
    marks.set(bookId, mark);
    picks.delete(bookId);
  }
  const note = [opened.problem, unreadableNote(stored.unreadable)].filter(Boolean).join(" ");
  return { picks, marks, own: opened.viewing ? knownShelf(stored, options, rowOf) : null, note };
}
