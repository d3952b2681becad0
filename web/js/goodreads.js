// Goodreads library exports: read the CSV, match its rows to the catalogue, build a shelf.
// Pure (no DOM, no TF.js). The same rules as model/goodreads.py, which documents them; the
// parity test (tests/model/test_goodreads_parity.py) runs both on the same files.
import { nextTask } from "./checked-fetch.js";
import { CsvError, csvRecords } from "./csv.js";

// A library of several thousand books with reviews is a few MB; a bigger file is another file.
export const MAX_FILE_BYTES = 20_000_000;
const REQUIRED_COLUMNS = ["Book Id", "Title", "Author", "My Rating", "Exclusive Shelf"];
const HOW_TO_EXPORT = 'Export it on Goodreads: My Books → Import and export → Export Library.';
// A row's place on the visitor's shelf, strongest first (a rated book is a "pick").
const STATUSES = ["pick", "read", "reading", "to_read"];
const SHELF_STATUS = { "to-read": "to_read", "currently-reading": "reading" }; // other shelves: "read"
const METHODS = ["id", "isbn", "title"];

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);/g;
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const PARENTHESES = /\([^()]*\)/g;

/** A file that is not a usable Goodreads export; the message says where and what to do. */
export class GoodreadsError extends Error {
  constructor(message) {
    super(message);
    this.name = "GoodreadsError";
  }
}

// ---------------------------------------------------------------------------------------
// ISBNs: every ISBN is compared as an ISBN-13 string

function isbn13CheckDigit(first12) {
  let total = 0;
  for (let i = 0; i < 12; i++) total += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return String((10 - (total % 10)) % 10);
}

/** An export's ISBN or ISBN13 cell (="0439023483", ="", 978-0-...) as an ISBN-13, or null. */
export function isbn13Of(text) {
  const value = (text || "").replace(/[="'\s-]/g, "").toUpperCase();
  if (/^[0-9]{9}[0-9X]$/.test(value)) {
    const core = "978" + value.slice(0, 9);
    return core + isbn13CheckDigit(core);
  }
  return /^[0-9]{13}$/.test(value) ? value : null;
}

// ---------------------------------------------------------------------------------------
// Titles and authors

/** &amp; &lt; &gt; &quot; &apos; &nbsp; and &#...; decoded; anything else left as it is. */
export function unescapeEntities(text) {
  return text.replace(ENTITY, (match, name) => {
    if (name[0] !== "#") return NAMED[name];
    const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : match;
  });
}

/** Letters and digits only, lower case, without accents, entities decoded, "&" as "and". */
export function normalizeText(text) {
  const lower = unescapeEntities(text || "").toLowerCase().replaceAll("&", " and ");
  return lower.normalize("NFKD").replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Title without its parenthesised parts (the series) + "|" + first author, normalized; null without a title. */
export function titleKey(title, author) {
  const key = normalizeText((title || "").replace(PARENTHESES, " "));
  if (!key) return null;
  return key + "|" + normalizeText((author || "").split(",")[0]);
}

// ---------------------------------------------------------------------------------------
// The catalogue side

/**
 * Catalogue keys -> book_id, from books.json (titles, authors) and goodreads.json (ids,
 * ISBNs), first come first kept: between two books with one key the lower row wins, and a
 * goodreads_book_id beats a best_book_id.
 */
export function matchIndex(books, goodreads) {
  if (goodreads?.num_books !== books.length) {
    throw new GoodreadsError("goodreads.json does not match books.json (a rebuild in progress?); retry");
  }
  const byId = new Map();
  const byIsbn = new Map();
  const byTitle = new Map();
  const keep = (map, key, bookId) => {
    if (!map.has(key)) map.set(key, bookId);
  };
  goodreads.goodreads_book_ids.forEach((id, row) => keep(byId, id, books[row].book_id));
  const best = Object.entries(goodreads.best_book_ids).map(([row, id]) => [Number(row), id]);
  best.sort((a, b) => a[0] - b[0]);
  for (const [row, id] of best) keep(byId, id, books[row].book_id);
  goodreads.isbn13.forEach((isbns, row) => isbns.forEach((isbn) => keep(byIsbn, isbn, books[row].book_id)));
  for (const book of books) {
    const key = titleKey(book.title, book.authors);
    if (key !== null) keep(byTitle, key, book.book_id);
  }
  return { byId, byIsbn, byTitle };
}

// ---------------------------------------------------------------------------------------
// The export side

// What to do with a file a spreadsheet re-saved (in UTF-16, or with other separators).
const RESAVE =
  "Export it again from Goodreads (My Books → Import and export → Export Library), or save it " +
  "from your spreadsheet as “CSV UTF-8 (comma delimited)”.";
const SEPARATORS = { ";": "semicolons (as spreadsheets save CSV in some languages)", "\t": "tabs (a TSV file)" };

/**
 * Whether `bytes` look like UTF-16 text: a UTF-16 byte-order mark, or (ASCII text in UTF-16)
 * zero bytes in at least 40% of the odd or of the even places of the first 512, none in the other.
 */
function looksUtf16(bytes) {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return true;
  }
  const n = Math.min(bytes.length, 512) - (Math.min(bytes.length, 512) % 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) if (bytes[i] === 0) i % 2 ? odd++ : even++;
  return n >= 4 && ((odd >= 0.2 * n && even === 0) || (even >= 0.2 * n && odd === 0));
}

/** The file's bytes (Uint8Array) as text: UTF-8, a byte-order mark dropped; or a GoodreadsError. */
export function decodeExport(bytes) {
  if (bytes.length === 0) throw new GoodreadsError(`The file is empty. ${HOW_TO_EXPORT}`);
  if (bytes.length > MAX_FILE_BYTES) throw tooBig(bytes.length);
  if (looksUtf16(bytes)) {
    throw new GoodreadsError(
      `This file is UTF-16 text (what spreadsheets save as “Unicode Text”), but a Goodreads export is UTF-8 text with commas. ${RESAVE}`,
    );
  }
  if (bytes.includes(0)) throw new GoodreadsError(`This is not a CSV file (it holds binary data). ${HOW_TO_EXPORT}`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Only for the message: where the lenient decoder first had to put a replacement character.
    const lenient = new TextDecoder("utf-8").decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf("\ufffd")));
    const line = before.split("\n").length;
    throw new GoodreadsError(`This is not a UTF-8 CSV file (line ${line} is not UTF-8 text). ${HOW_TO_EXPORT}`);
  }
}

/** The error for a file of `size` bytes over MAX_FILE_BYTES (checked before reading it). */
export function tooBig(size) {
  return new GoodreadsError(
    `The file is ${(size / 1e6).toFixed(1)} MB; a Goodreads export is a few MB at most ` +
      `(the limit is ${(MAX_FILE_BYTES / 1e6).toFixed(0)} MB). Is it the right file?`,
  );
}

function preview(text, limit = 60) {
  const flat = text.split(/\s+/).filter(Boolean).join(" ");
  return flat.length <= limit ? flat : flat.slice(0, limit - 1) + "…";
}

/** Column name -> position, or a GoodreadsError naming the missing columns. */
function checkHeader(fields) {
  const columns = new Map();
  fields.forEach((name, position) => {
    if (!columns.has(name.trim())) columns.set(name.trim(), position);
  });
  const missing = REQUIRED_COLUMNS.filter((name) => !columns.has(name));
  if (missing.length) {
    const line = fields.join(",");
    for (const [separator, what] of Object.entries(SEPARATORS)) {
      const names = new Set(line.split(separator).map((name) => name.trim()));
      if (REQUIRED_COLUMNS.every((name) => names.has(name))) {
        throw new GoodreadsError(
          `This file's columns are separated by ${what}, but a Goodreads export separates them with commas. ${RESAVE}`,
        );
      }
    }
    throw new GoodreadsError(
      `This is not a Goodreads library export: its first line lacks the column${missing.length > 1 ? "s" : ""} ` +
        `${missing.join(", ")} (it starts “${preview(fields.join(","))}”). ${HOW_TO_EXPORT}`,
    );
  }
  return columns;
}

/** One record as a row {row, line, goodreads_id, title, author, isbns, stars, shelf}, or a GoodreadsError. */
function exportRow(row, line, fields, columns, width) {
  const where = `Row ${row} (line ${line})`;
  if (fields.length !== width) {
    throw new GoodreadsError(
      `${where} has ${fields.length} field${fields.length !== 1 ? "s" : ""} where the header has ${width} ` +
        `(it starts “${preview(fields.join(","))}”). Nothing was imported.`,
    );
  }
  const cell = (name) => (columns.has(name) ? fields[columns.get(name)].trim() : "");
  const rating = cell("My Rating") || "0";
  if (!/^[0-5]$/.test(rating)) {
    throw new GoodreadsError(`${where}: My Rating “${preview(rating, 20)}” is not a number from 0 to 5. Nothing was imported.`);
  }
  const goodreadsId = cell("Book Id");
  if (goodreadsId && !/^[0-9]{1,15}$/.test(goodreadsId)) {
    throw new GoodreadsError(
      `${where}: Book Id “${preview(goodreadsId, 20)}” is not a Goodreads book id (digits only, at most 15). Nothing was imported.`,
    );
  }
  const isbns = [...new Set([isbn13Of(cell("ISBN")), isbn13Of(cell("ISBN13"))].filter(Boolean))];
  return {
    row,
    line,
    goodreads_id: goodreadsId ? Number(goodreadsId) : null,
    title: cell("Title"),
    author: cell("Author"),
    isbns,
    stars: Number(rating),
    shelf: cell("Exclusive Shelf").toLowerCase(),
  };
}

/**
 * Every book of an export's text, or a GoodreadsError for the first problem (which row, what
 * is wrong): nothing is half-read. Every `yieldEvery` rows it reports onProgress(0..1) and
 * awaits pause(), so a big library keeps the page responsive.
 */
export async function readExport(text, { onProgress = () => {}, yieldEvery = 250, pause = nextTask } = {}) {
  const rows = [];
  let header = null;
  let columns = null;
  try {
    for (const { line, fields, end } of csvRecords(text)) {
      if (header === null) {
        header = fields;
        columns = checkHeader(fields);
        continue;
      }
      rows.push(exportRow(rows.length + 1, line, fields, columns, header.length));
      if (rows.length % yieldEvery === 0) {
        onProgress(end / text.length);
        await pause();
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw new GoodreadsError(`${error.message.slice(0, -1)}. Nothing was imported.`);
    throw error;
  }
  if (header === null) throw new GoodreadsError(`The file is empty. ${HOW_TO_EXPORT}`);
  if (rows.length === 0) throw new GoodreadsError(`The file has a header but no books. ${HOW_TO_EXPORT}`);
  onProgress(1);
  return rows;
}

// ---------------------------------------------------------------------------------------
// Matching and the shelf

/** {book_id (null: not in the catalogue), method}: by Goodreads id, then ISBN, then title + first author. */
export function matchRow(row, index) {
  if (row.goodreads_id !== null && index.byId.has(row.goodreads_id)) {
    return { book_id: index.byId.get(row.goodreads_id), method: "id" };
  }
  for (const isbn of row.isbns) {
    if (index.byIsbn.has(isbn)) return { book_id: index.byIsbn.get(isbn), method: "isbn" };
  }
  const key = titleKey(row.title, row.author);
  if (key !== null && index.byTitle.has(key)) return { book_id: index.byTitle.get(key), method: "title" };
  return { book_id: null, method: null };
}

/**
 * matchRow for every row, in tasks of `yieldEvery` rows: after each it reports onProgress(0..1)
 * and awaits pause(), so a 100,000-row library never holds the page for long (in one task it
 * froze it for about a second).
 */
export async function matchRows(rows, index, { onProgress = () => {}, yieldEvery = 2000, pause = nextTask } = {}) {
  const matches = [];
  for (let i = 0; i < rows.length; i++) {
    matches.push(matchRow(rows[i], index));
    if ((i + 1) % yieldEvery === 0 && i + 1 < rows.length) {
      onProgress((i + 1) / rows.length);
      await pause();
    }
  }
  onProgress(1);
  return matches;
}

/** "pick" (rated), else from the shelf: "to_read", "reading", or "read" (read, or a custom shelf). */
function rowStatus(row) {
  return row.stars > 0 ? "pick" : (SHELF_STATUS[row.shelf] ?? "read");
}

/**
 * What an import adds: {picks: Map book_id -> stars, marks: Map book_id -> "read" | "reading" |
 * "to_read"}, in the order books first appear. A book in two rows gets the strongest status;
 * between two ratings, the later row's.
 */
export function buildShelf(rows, matches) {
  const best = new Map();
  rows.forEach((row, i) => {
    const bookId = matches[i].book_id;
    if (bookId === null) return;
    const status = rowStatus(row);
    const old = best.get(bookId);
    if (old === undefined || STATUSES.indexOf(status) <= STATUSES.indexOf(old.status)) {
      best.set(bookId, { status, stars: row.stars });
    }
  });
  const picks = new Map();
  const marks = new Map();
  for (const [bookId, { status, stars }] of best) {
    if (status === "pick") picks.set(bookId, stars);
    else marks.set(bookId, status);
  }
  return { picks, marks };
}

/** {rows, matched, matched_by: {id, isbn, title}, unmatched: [titles]}. */
export function summarize(rows, matches) {
  const matchedBy = Object.fromEntries(METHODS.map((m) => [m, matches.filter((x) => x.method === m).length]));
  return {
    rows: rows.length,
    matched: METHODS.reduce((sum, m) => sum + matchedBy[m], 0),
    matched_by: matchedBy,
    unmatched: rows.filter((_, i) => matches[i].book_id === null).map((row) => row.title),
  };
}

/** "412 rows, 287 matched (260 by id, 19 by ISBN, 8 by title), 125 not in the catalogue". */
export function summaryLine(summary) {
  const n = (x) => x.toLocaleString("en-US");
  const by = summary.matched_by;
  return (
    `${n(summary.rows)} row${summary.rows !== 1 ? "s" : ""}, ${n(summary.matched)} matched ` +
    `(${n(by.id)} by id, ${n(by.isbn)} by ISBN, ${n(by.title)} by title), ` +
    `${n(summary.rows - summary.matched)} not in the catalogue`
  );
}
