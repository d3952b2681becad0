// The shelf the page opens with: a shared link (?shelf=, or an old ?picks= link), the shelf
// saved in this browser, or nothing; and what the page says when something could not be read.
// Pure: the entry module reads localStorage and the address, and passes the text in.
import { parseMarks, unreadableMarks } from "./marks.js";
import { knownPicks, parsePicks, unreadablePicks } from "./picks.js";
import { DEFAULT_DISCOVERY, DISCOVERY, decodeShelf, shareShelf } from "./shelf-link.js";

export const DISCOVERY_KEY = "shelf.discovery.v1"; // localStorage: "popular" | "balanced" | "lesser-known"

/**
 * The shelf as saved in localStorage, from its texts ({picksText, marksText, discoveryText}: ""
 * when absent): {picks, marks, discovery, unreadable: [entries that could not be read], kept:
 * {picks, marks}: those entries of each text, written back as they were (shelf-storage.js) so
 * that a newer version's entries survive this one's saves}. options: the star range
 * (defaultStars, minStars, maxStars) for parsePicks.
 */
export function storedShelf({ picksText, marksText, discoveryText = "" }, options = {}) {
  const known = discoveryText === "" || DISCOVERY.includes(discoveryText);
  const kept = {
    picks: unreadablePicks(picksText),
    marks: unreadableMarks(marksText),
    discovery: known ? null : discoveryText, // written back until the visitor chooses a setting
  };
  const discovery = known && discoveryText !== "" ? discoveryText : DEFAULT_DISCOVERY;
  const unreadable = [...kept.picks, ...kept.marks, ...(known ? [] : [discoveryText])];
  return { picks: parsePicks(picksText, options), marks: parseMarks(marksText), discovery, unreadable, kept };
}

/** Up to three entries, quoted, "and N more". */
function named(entries) {
  const shown = entries
    .slice(0, 3)
    .map((entry) => `“${String(entry).trim().slice(0, 20)}”`)
    .join(", ");
  return shown + (entries.length > 3 ? ` and ${entries.length - 3} more` : "");
}

/** What the page says about the saved shelf's unreadable entries ("" when there are none). */
export function unreadableNote(unreadable) {
  const count = unreadable.length;
  if (count === 0) return "";
  const one = count === 1;
  return (
    `${count} entr${one ? "y" : "ies"} saved in this browser could not be read and ` +
    `${one ? "was" : "were"} left out (${named(unreadable)}). ${one ? "It stays" : "They stay"} saved as ` +
    `${one ? "it was" : "they were"}, for a version of Shelf that can read ${one ? "it" : "them"}.`
  );
}

/** Whether `shelf` holds `bookId`, picked or marked. */
const holds = (shelf, bookId) => shelf.picks.has(bookId) || shelf.marks.has(bookId);

/** "N book(s) <whose> is/are not in this catalogue (book_id …)<after>", `after` given "it is"/"they are". */
function notInCatalogue(bookIds, whose, after) {
  const one = bookIds.length === 1;
  return (
    `${bookIds.length} book${one ? "" : "s"} ${whose} ${one ? "is" : "are"} not in this catalogue ` +
    `(book_id ${named(bookIds)})${after(one ? "it is" : "they are")}`
  );
}

/**
 * What the page says about the shelf's books this catalogue does not have ("" when there are
 * none): those in `saved` (the shelf as this browser's storage holds it) stay saved; the others
 * are this tab's changes it could not save (the page says so beside it), so they are not saved.
 */
export function unknownNote(stored, rowOf, saved = stored) {
  const unknown = [...stored.picks.keys(), ...stored.marks.keys()].filter((bookId) => !rowOf.has(bookId));
  const kept = unknown.filter((bookId) => holds(saved, bookId));
  const unsaved = unknown.filter((bookId) => !holds(saved, bookId));
  const notes = [];
  if (kept.length > 0) {
    const after = (they) => `: ${they} kept in your saved shelf, not shown, for a version of Shelf that has them.`;
    notes.push(notInCatalogue(kept, "saved in this browser", after));
  }
  if (unsaved.length > 0) {
    const after = (they) => `: ${they} not shown, and not saved in this browser (it could not save your shelf).`;
    notes.push(notInCatalogue(unsaved, "of your shelf", after));
  }
  return notes.join(" ");
}

/**
 * What the page says about the books of a shared list (`shown`) this catalogue does not have and
 * this browser has not saved ("" when there are none; the saved ones are named by unknownNote).
 */
export function sharedUnknownNote(shown, stored, rowOf) {
  const listed = new Set([...shown.picks.keys(), ...shown.marks.keys()]);
  const unknown = [...listed].filter((bookId) => !rowOf.has(bookId) && !holds(stored, bookId));
  if (unknown.length === 0) return "";
  return notInCatalogue(unknown, "of the shared list", (they) => `, so ${they} not shown, nor added to your shelf.`);
}

/**
 * What the page opens with, given the link's ?shelf= value (null: none), the picks of an old
 * ?picks= link (null: none; they carry no marks, so this browser's marks go with them) and
 * the shelf localStorage keeps ({picks, marks, discovery}). Returns {picks, marks, discovery,
 * viewing, problem}:
 * - no link, or the page's own (the value it would write itself, or a partial link, a big
 *   shelf's best part, whose books are all on the saved shelf): the saved shelf;
 * - a link this tab wrote itself as its own (`own`: its address bar's): the saved shelf, never
 *   shown as someone else's list (the keeper re-applies what the tab could not save);
 * - a damaged, empty or cut-off link: the saved shelf, and `problem` says what was wrong;
 * - someone else's list while this browser has a shelf of its own: their list with
 *   `viewing` true. The page shows it but never saves it over the visitor's own shelf until
 *   the visitor chooses to (the saved shelf is their data);
 * - someone else's list and nothing saved here: their list (nothing is replaced).
 */
export function openShelf(shared, stored, legacy = null, { own = false } = {}) {
  const discovery = stored.discovery ?? DEFAULT_DISCOVERY;
  const ownShelf = { picks: stored.picks, marks: stored.marks, discovery, viewing: false, problem: null };
  const storedEmpty = stored.picks.size + stored.marks.size === 0;
  const damagedLink = (what) => ({
    ...ownShelf,
    problem: `${what} could not be read (it is damaged or cut short), so ${
      storedEmpty ? "nothing was opened" : "your saved shelf is shown, unchanged"
    }. Ask for the link again.`,
  });
  let link;
  if (shared !== null) {
    if (shareShelf(stored.picks, stored.marks, { discovery }).param === shared && !storedEmpty) return ownShelf;
    // Written by this tab as its own: the saved shelf, which may be newer (another tab, the
    // map); what this tab could not save is re-applied onto it (shelf-keeper.js).
    if (own) return ownShelf;
    link = decodeShelf(shared);
    if (link.damaged) return damagedLink("The shared link");
    if (link.part && [...link.picks.keys(), ...link.marks.keys()].every((bookId) => holds(stored, bookId))) return ownShelf;
    // The saved shelf itself, in another spelling (a link an older version of the page wrote).
    const same = (a, b) => a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
    if (same(link.picks, stored.picks) && same(link.marks, stored.marks)) return ownShelf;
  } else if (legacy !== null) {
    if (legacy.size === 0) return damagedLink("The shared link");
    const same = legacy.size === stored.picks.size && [...legacy].every(([id, stars]) => stored.picks.get(id) === stars);
    if (same) return ownShelf;
    link = { picks: legacy, marks: new Map([...stored.marks].filter(([bookId]) => !legacy.has(bookId))), discovery };
  } else {
    return ownShelf;
  }
  return { picks: link.picks, marks: link.marks, discovery: link.discovery, viewing: !storedEmpty, problem: null };
}

/**
 * The shelf to open with for the page at `href`, given the `stored` shelf (openShelf:
 * {picks, marks, discovery, viewing, problem}): a shared link is shown, never saved over this
 * browser's own shelf until the visitor chooses; a damaged link (an old ?picks= link with any
 * entry that cannot be read, as a ?shelf= link is read whole or not at all) leaves the saved
 * shelf as it is and says so. ownLinks: the links this tab wrote as its own ([{shelf, pending}]:
 * shelf-storage.js ownLinks); `pending` of the result: the operations this tab could not save
 * before, to re-apply onto the saved shelf ([] for any other link).
 */
export function linkedShelf(href, stored, options = {}, ownLinks = []) {
  const params = new URL(href).searchParams;
  const shared = params.get("shelf");
  let legacy = null;
  if (params.has("picks")) {
    const text = params.get("picks");
    legacy = unreadablePicks(text).length > 0 ? new Map() : parsePicks(text, options);
  }
  const own = shared === null ? undefined : ownLinks.find((link) => link.shelf === shared);
  return { ...openShelf(shared, stored, legacy, { own: own !== undefined }), pending: own?.pending ?? [] };
}

/**
 * A shelf's picks clamped to the star range ({minStars, maxStars}: a ?shelf= link's stars are
 * 1..5 whatever metadata's range) and both maps cut to the books `rowOf` has (the catalogue's).
 */
export function knownShelf({ picks, marks, discovery = DEFAULT_DISCOVERY }, { minStars, maxStars }, rowOf) {
  const clamped = new Map([...picks].map(([bookId, stars]) => [bookId, Math.min(maxStars, Math.max(minStars, stars))]));
  const known = knownPicks(clamped, rowOf);
  const knownMarks = new Map([...marks].filter(([bookId]) => rowOf.has(bookId) && !known.has(bookId)));
  return { picks: known, marks: knownMarks, discovery };
}

/**
 * The page's shelf once the catalogue is in: {picks, marks, discovery, own, note}. `shown`:
 * the shelf the page shows (opened at the start: linkedShelf, with what the visitor changed
 * since); `viewing`: it is someone else's list; `stored`: the saved shelf as it is now
 * (storedShelf); `unsaved`: the page could not save, so `shown` is the visitor's newest shelf.
 * Both are cut to the catalogue (`rowOf`); the saved books it does not know stay saved, and are
 * named in `note` with a damaged link (`problem`) and unreadable saved entries. A shared list
 * that names no book of the catalogue is not shown: the saved shelf is, and the note says why;
 * one that names some is shown, and the note names the books of it the catalogue lacks.
 * `own`: the visitor's saved shelf when a shared list is shown instead (null otherwise). `saved`:
 * the shelf as storage holds it, when `stored` has changes this tab could not save applied (its
 * unknown books only in those are named as not saved).
 */
export function catalogueShelf({ shown, viewing, stored, saved = stored, unsaved = false, problem = null, options, rowOf }) {
  const own = knownShelf(unsaved && !viewing ? shown : stored, options, rowOf);
  const notes = [problem, unreadableNote(stored.unreadable), unknownNote(stored, rowOf, saved)];
  let opened = { ...own, own: null };
  if (viewing) {
    const list = knownShelf(shown, options, rowOf);
    // An old ?picks= link carries this browser's marks: only its picks, or other marks, count.
    const named = list.picks.size > 0 || [...list.marks.keys()].some((bookId) => !own.marks.has(bookId));
    if (named) {
      opened = { ...list, own };
      notes.push(sharedUnknownNote(shown, stored, rowOf));
    } else {
      notes.unshift(
        "The shared link names no book of this catalogue, so your saved shelf is shown, unchanged. " +
          "Ask for the link again.",
      );
    }
  }
  return { ...opened, note: notes.filter(Boolean).join(" ") };
}
