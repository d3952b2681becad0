// The visitor's shelf beyond the picks: books marked read, not interested, to-read or being
// read (never suggested), the compact shared link, and the suggestion filters. Pure: no DOM.
//
// Shared link: ?shelf=<base64url> (and a check byte). Per book one number, step * CODES + code, where code is
// 1..5 for a pick's stars or one of MARK_CODES, and step the gap from the previous book_id,
// written as Exp-Golomb bits (writeEntries). Kept in pick order when that fits, else sorted by
// book_id (a gap of a few books costs about a byte); a shelf too big for SHARE_CHARS shares a
// subset, the picks with the most stars first (shareShelf says how many, for the page to say
// so), marked as a part so that the page, opening its own link again, keeps the whole shelf.

export const MARKS_KEY = "shelf.marks.v1"; // localStorage: "12:r,45:n" (picks stay in shelf.picks.v1)
export const MARKS = ["not_interested", "read", "to_read", "reading"]; // also the subset's order
const MARK_LETTERS = { not_interested: "n", read: "r", to_read: "t", reading: "c" };
const MARK_CODES = { read: 0, not_interested: 6, to_read: 7, reading: 8 };
const MARK_OF_CODE = Object.fromEntries(Object.entries(MARK_CODES).map(([mark, code]) => [code, mark]));
const isPickCode = (code) => code >= 1 && code <= 5; // a pick's stars; any other code is a mark
const CODES = 9;
const ORDERED = 1; // the link's format byte: entries in pick order, zigzag deltas
const SORTED = 2; // entries sorted by book_id, deltas - 1
const PART = 3; // as SORTED, and only part of a shelf too big for one link
// The page writes each format + CHECKED: the same, with a last byte that checks the others, so
// a link cut short or mistyped is told from a shorter list. Links without it still open.
const CHECKED = 3;
const MAX_ORDER = 40;
// A link stays well under gunicorn's 4,094-byte request line and the ~2,000 characters that
// chat apps and old browsers keep.
export const SHARE_CHARS = 1800;
// A link keeps the pick order (the friend sees the list as it was made) unless that costs more.
const KEEP_ORDER_CHARS = 100;

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

// ---------------------------------------------------------------------------------------
// The compact shared link

function toBase64Url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

// Exponential-Golomb codes of order k: x = value + 2^k is written as (bits of x - 1 - k) zeros,
// then x's bits. Short for the small values of a dense shelf, and never more than about twice
// a value's own bits for an outlier. Arithmetic, not bit operators: values pass 2^32.
function expGolombBits(value, k) {
  const x = value + 2 ** k;
  const n = Math.floor(Math.log2(x));
  return 2 * (n - k) + k + 1;
}

function writeExpGolomb(bits, value, k) {
  const x = value + 2 ** k;
  let n = Math.floor(Math.log2(x));
  if (2 ** n > x) n -= 1; // log2 rounding
  else if (2 ** (n + 1) <= x) n += 1;
  for (let i = 0; i < n - k; i++) bits.push(0);
  for (let i = n; i >= 0; i--) bits.push(Math.floor(x / 2 ** i) % 2);
}

/** The entries' values: zigzag(delta) in pick order, or delta - 1 when sorted by book_id. */
function entryValues(entries, sorted) {
  let previous = 0;
  return entries.map(([bookId, code]) => {
    const delta = bookId - previous;
    previous = bookId;
    const step = sorted ? delta - 1 : delta >= 0 ? 2 * delta : -2 * delta - 1;
    return step * CODES + code;
  });
}

/** The Exp-Golomb order that makes `values` shortest, and their total bits with it. */
function bestOrder(values) {
  const mean = values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  const guess = Math.max(0, Math.floor(Math.log2(mean + 1)));
  let best = { k: 0, bits: Infinity };
  for (let k = Math.max(0, guess - 3); k <= Math.min(MAX_ORDER, guess + 3); k++) {
    let bits = 0;
    for (const value of values) bits += expGolombBits(value, k);
    if (bits < best.bits) best = { k, bits };
  }
  return best;
}

const isSorted = (entries) => entries.every(([bookId], i) => i === 0 || bookId > entries[i - 1][0]);

/** What writeEntries needs for `entries`, and the length of the value it writes (chars). */
function measure(entries) {
  const sorted = isSorted(entries);
  const values = entryValues(entries, sorted);
  const { k, bits } = bestOrder(values);
  return { entries, sorted, values, k, chars: Math.ceil(((3 + Math.ceil(bits / 8)) * 4) / 3) };
}

/** The check byte of a link's other bytes: the low byte of their 32-bit FNV-1a hash. */
function checkByte(bytes) {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash & 0xff;
}

/**
 * The ?shelf= value of measured entries (measure: [[book_id, code], ...]): byte 0 the format
 * (ORDERED, or SORTED when the entries are sorted by book_id; PART for a part of a shelf),
 * byte 1 the Exp-Golomb order k that makes it shortest, then one code per entry (zero bits pad
 * the last byte), then the check byte.
 */
function writeEntries({ sorted, values, k }, part = false) {
  const bits = [];
  for (const value of values) writeExpGolomb(bits, value, k);
  const bytes = [(sorted ? (part ? PART : SORTED) : ORDERED) + CHECKED, k];
  for (let i = 0; i < bits.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) byte = byte * 2 + (bits[i + j] ?? 0);
    bytes.push(byte);
  }
  bytes.push(checkByte(bytes));
  return toBase64Url(bytes);
}

/**
 * The ?shelf= value as {picks: Map book_id -> stars, marks: Map book_id -> mark, part: true
 * when it is only part of a bigger shelf, damaged: true when it cannot be the value the page
 * wrote (empty, not base64url, an unknown format, a code cut short, bits after the last code
 * that are not the last byte's zero padding, an impossible book_id): then the maps are empty}.
 */
export function decodeShelf(text) {
  const damaged = () => ({ picks: new Map(), marks: new Map(), part: false, damaged: true });
  const picks = new Map();
  const marks = new Map();
  const value = text || "";
  let bytes = value.length % 4 === 1 ? null : fromBase64Url(value);
  if (bytes && bytes[0] > CHECKED) {
    // A checked link: its last byte must check the others (a cut or a typo fails this).
    if (bytes.length < 4 || bytes.at(-1) !== checkByte(bytes.subarray(0, -1))) return damaged();
    bytes = [bytes[0] - CHECKED, ...bytes.subarray(1, -1)];
  }
  if (!bytes || bytes.length < 3 || ![ORDERED, SORTED, PART].includes(bytes[0]) || bytes[1] > MAX_ORDER) {
    return damaged();
  }
  const sorted = bytes[0] !== ORDERED;
  const part = bytes[0] === PART;
  const k = bytes[1];
  const total = (bytes.length - 2) * 8;
  const bit = (i) => (bytes[2 + (i >> 3)] >> (7 - (i & 7))) & 1;
  let previous = 0;
  let i = 0;
  for (;;) {
    let zeros = 0;
    const from = i;
    while (i < total && bit(i) === 0) {
      zeros += 1;
      i += 1;
    }
    const width = zeros + k + 1;
    if (i + width > total || width > 52) {
      // Only the last byte's zero padding may follow the last code: anything else is a value
      // cut short (a link cut off), or bytes that were never a shelf.
      if (i < total || total - from >= 8) return damaged();
      break;
    }
    let x = 0;
    for (let j = 0; j < width; j++) x = x * 2 + bit(i + j);
    i += width;
    const value = x - 2 ** k;
    const code = value % CODES;
    const step = (value - code) / CODES;
    const bookId = previous + (sorted ? step + 1 : step % 2 === 0 ? step / 2 : -(step + 1) / 2);
    previous = bookId;
    if (!Number.isSafeInteger(bookId) || bookId < 1) return damaged();
    if (isPickCode(code)) picks.set(bookId, code);
    else marks.set(bookId, MARK_OF_CODE[code]);
  }
  if (picks.size + marks.size === 0) return damaged();
  return { picks, marks, part, damaged: false };
}

/**
 * The ?shelf= value for picks (Map book_id -> stars 1..5) and marks, at most `maxChars` long:
 * {param, picks, marks}, the counts it carries. In pick order when that costs at most
 * KEEP_ORDER_CHARS more than sorted by book_id, else sorted, else the largest subset that fits: picks with more stars first, then
 * not-interested, read, to-read and reading marks. Deterministic, so the page can tell its own
 * link (a subset of what localStorage holds) from someone else's.
 */
export function shareShelf(picks, marks, maxChars = SHARE_CHARS) {
  const entries = [
    ...[...picks].map(([bookId, stars]) => [bookId, stars]),
    ...[...marks].map(([bookId, mark]) => [bookId, MARK_CODES[mark]]),
  ];
  const result = (chosen, param) => ({
    param,
    picks: chosen.filter(([, code]) => isPickCode(code)).length,
    marks: chosen.filter(([, code]) => !isPickCode(code)).length,
  });
  if (entries.length === 0) return result([], "");
  const byId = (list) => [...list].sort((a, b) => a[0] - b[0]);
  const inOrder = measure(entries);
  // A pick-order value that fits and is at most KEEP_ORDER_CHARS long (or already sorted) is
  // kept whatever the sorted one's length: that one is measured only when it could win.
  if (inOrder.chars <= maxChars && (inOrder.sorted || inOrder.chars <= KEEP_ORDER_CHARS)) {
    return result(entries, writeEntries(inOrder));
  }
  const sorted = inOrder.sorted ? inOrder : measure(byId(entries));
  if (inOrder.chars <= Math.min(maxChars, sorted.chars + KEEP_ORDER_CHARS)) return result(entries, writeEntries(inOrder));
  if (sorted.chars <= maxChars) return result(entries, writeEntries(sorted));
  const rank = (code) => (isPickCode(code) ? 5 - code : 5 + MARKS.indexOf(MARK_OF_CODE[code]));
  const priority = entries.map((entry, i) => [entry, i]).sort((a, b) => rank(a[0][1]) - rank(b[0][1]) || a[1] - b[1]);
  let low = 0; // fits
  let high = entries.length; // does not
  let fits = null; // measure() of the first `low` entries, once low > 0
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const subset = measure(byId(priority.slice(0, mid).map(([e]) => e)));
    if (subset.chars <= maxChars) [low, fits] = [mid, subset];
    else high = mid;
  }
  fits ??= measure([]);
  return result(fits.entries, writeEntries(fits, true));
}

/**
 * What the page opens with, given the link's ?shelf= value (null: none), the picks of an old
 * ?picks= link (null: none; they carry no marks, so this browser's marks go with them) and
 * the shelf localStorage keeps ({picks, marks}). Returns {picks, marks, viewing, problem}:
 * - no link, or the page's own (the value it would write itself, or a partial link, a big
 *   shelf's best part, whose books are all on the saved shelf): the saved shelf;
 * - a damaged, empty or cut-off link: the saved shelf, and `problem` says what was wrong;
 * - someone else's list while this browser has a shelf of its own: their list with
 *   `viewing` true. The page shows it but never saves it over the visitor's own shelf until
 *   the visitor chooses to (the saved shelf is their data);
 * - someone else's list and nothing saved here: their list (nothing is replaced).
 */
export function openShelf(shared, stored, legacy = null) {
  const ownShelf = { picks: stored.picks, marks: stored.marks, viewing: false, problem: null };
  const storedEmpty = stored.picks.size + stored.marks.size === 0;
  const damagedLink = (what) => ({
    ...ownShelf,
    problem: `${what} could not be read (it is damaged or cut short), so ${
      storedEmpty ? "nothing was opened" : "your saved shelf is shown, unchanged"
    }. Ask for the link again.`,
  });
  let link;
  if (shared !== null) {
    if (shareShelf(stored.picks, stored.marks).param === shared && !storedEmpty) return ownShelf;
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
    link = { picks: legacy, marks: new Map([...stored.marks].filter(([bookId]) => !legacy.has(bookId))) };
  } else {
    return ownShelf;
  }
  return { picks: link.picks, marks: link.marks, viewing: !storedEmpty, problem: null };
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
export function shelfHref(page, picks, marks = new Map()) {
  const { param } = shareShelf(picks, marks);
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
