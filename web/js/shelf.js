// The visitor's shelf beyond the picks: books marked read, not interested, to-read or being
// read (never suggested), what a link opens, and the suggestion filters. Pure: no DOM. The
// compact ?shelf= link itself is shelf-link.js's.
import { DEFAULT_DISCOVERY, DISCOVERY, MARKS, SHARE_CHARS, decodeShelf, shareShelf } from "./shelf-link.js";

export { DEFAULT_DISCOVERY, DISCOVERY, MARKS, SHARE_CHARS, decodeShelf, shareShelf };
export const MARKS_KEY = "shelf.marks.v1"; // localStorage: "12:r,45:n" (picks stay in shelf.picks.v1)
const MARK_LETTERS = { not_interested: "n", read: "r", to_read: "t", reading: "c" };

// ---------------------------------------------------------------------------------------
// Marks in localStorage

const LETTER_MARKS = Object.fromEntries(Object.entries(MARK_LETTERS).map(([mark, letter]) => [letter, mark]));

/** One "12:r" entry as [book_id, mark], or null when malformed. */
function markEntry(part) {
  const match = /^(\d{1,9}):([a-z])$/.exec(part.trim());
  return match && LETTER_MARKS[match[2]] && Number(match[1]) > 0 ? [Number(match[1]), LETTER_MARKS[match[2]]] : null;
}

/** "12:r,45:n" -> Map book_id -> mark; malformed entries are skipped (unreadableMarks lists them). */
export function parseMarks(text) {
  const marks = new Map();
  for (const part of (text || "").split(",")) {
    const entry = markEntry(part);
    if (entry) marks.set(...entry);
  }
  return marks;
}

/** The entries of a marks text that parseMarks skips (blank ones aside), for the page to report. */
export function unreadableMarks(text) {
  return (text || "").split(",").filter((part) => part.trim() !== "" && markEntry(part) === null);
}

/** The inverse of parseMarks. */
export function formatMarks(marks) {
  return [...marks].map(([bookId, mark]) => `${bookId}:${MARK_LETTERS[mark]}`).join(",");
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
    const onShelf = (bookId) => stored.picks.has(bookId) || stored.marks.has(bookId);
    if (link.part && [...link.picks.keys(), ...link.marks.keys()].every(onShelf)) return ownShelf;
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
 * The visitor's own shelf with a shared list added ("Add to my shelf"): every book of the own
 * shelf keeps its stars or mark; the list's other books come after, its picks winning over
 * the own shelf's marks.
 */
export function mergeShelves(own, shared) {
  const picks = new Map(own.picks);
  const marks = new Map(own.marks);
  for (const [bookId, stars] of shared.picks) {
    if (picks.has(bookId)) continue;
    marks.delete(bookId);
    picks.set(bookId, stars);
  }
  for (const [bookId, mark] of shared.marks) if (!picks.has(bookId) && !marks.has(bookId)) marks.set(bookId, mark);
  return { picks, marks };
}

/**
 * A link to `page` (e.g. "index.html") that carries the shelf as ?shelf= (shareShelf: at most
 * SHARE_CHARS, so any shelf fits in a request line); `page` alone for an empty shelf.
 */
export function shelfHref(page, picks, marks = new Map(), discovery = DEFAULT_DISCOVERY) {
  const { param } = shareShelf(picks, marks, { discovery });
  return param ? `${page}?shelf=${param}` : page;
}

/** `href` sharing the shelf as ?shelf=param (none when param is ""); an old ?picks= goes. */
export function urlWithShelf(href, param) {
  const url = new URL(href);
  url.searchParams.delete("picks");
  if (param) url.searchParams.set("shelf", param);
  else url.searchParams.delete("shelf");
  return url.toString();
}

// ---------------------------------------------------------------------------------------
// Suggestions: what is never shown, and the filters

/**
 * The rows to leave out of suggestions (a Set): the picks, the marked books and, with a
 * filter, every book outside it. filter: {genre: index or null, yearFrom, yearTo (null: open)};
 * years: each row's publication year (null unknown, left out by a year filter); genres: each
 * row's genre index (-1 none), or null when genres.json is absent.
 */
export function excludedRows({ picks, marks, rowOf, filter = {}, years = null, genres = null }) {
  const excluded = new Set();
  for (const bookId of picks.keys()) if (rowOf.has(bookId)) excluded.add(rowOf.get(bookId));
  for (const bookId of marks.keys()) if (rowOf.has(bookId)) excluded.add(rowOf.get(bookId));
  const { genre = null, yearFrom = null, yearTo = null } = filter;
  const byGenre = genre !== null && genres !== null;
  const byYear = (yearFrom !== null || yearTo !== null) && years !== null;
  if (!byGenre && !byYear) return excluded;
  const n = (years ?? genres).length;
  for (let row = 0; row < n; row++) {
    if (byGenre && genres[row] !== genre) excluded.add(row);
    else if (byYear) {
      const year = years[row];
      if (year === null || (yearFrom !== null && year < yearFrom) || (yearTo !== null && year > yearTo)) {
        excluded.add(row);
      }
    }
  }
  return excluded;
}

/**
 * genres.json ({book_ids, genre_names, genres}: the map's genre of each book) as
 * {names, rows: Int16Array row -> genre index (-1 none)} in model rows; null when it does not fit.
 */
export function genresByRow(file, rowOf, numBooks) {
  if (!file || !Array.isArray(file.book_ids) || !Array.isArray(file.genres) || !Array.isArray(file.genre_names)) {
    return null;
  }
  const rows = new Int16Array(numBooks).fill(-1);
  file.book_ids.forEach((bookId, i) => {
    const row = rowOf.get(bookId);
    const genre = file.genres[i];
    if (row !== undefined && Number.isInteger(genre) && genre >= 0 && genre < file.genre_names.length) {
      rows[row] = genre;
    }
  });
  return { names: file.genre_names.map(String), rows };
}

/** A filter's year box as a number or null ("" or not a whole number). */
export function parseYear(text) {
  const trimmed = String(text ?? "").trim();
  return /^-?\d{1,4}$/.test(trimmed) ? Number(trimmed) : null;
}
