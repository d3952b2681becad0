// The shelf as a compact shared link: ?shelf=<base64url>, and the addresses that carry it
// (shelfHref, urlWithShelf). Pure: no DOM.
//
// Per book one number, step * CODES + code, where code is 1..5 for a pick's stars or one of
// MARK_CODES, and step the gap from the previous book_id, written as Exp-Golomb bits
// (writeEntries). Kept in pick order when that fits, else sorted by book_id (a gap of a few
// books costs about a byte); a shelf too big for SHARE_CHARS shares a subset, the picks with
// the most stars first (shareShelf says how many, for the page to say so), marked as a part so
// that the page, opening its own link again, keeps the whole shelf.
//
// The link's bytes (the format the page writes, CRC_BASE + kind):
//   0: CRC_BASE + kind (ORDERED, SORTED, PART) + 4 * the discovery setting's code
//   1: 0x80 + the Exp-Golomb order k (never <= MAX_ORDER, so an old format's reader refuses it)
//   2..: the whole value's length in bytes (a varint), then the codes, then a CRC-16 of the rest.
// The length makes every cut link fail, the CRC-16 every one-character typo (a burst of at most
// 16 bits). Older links still open: formats 1-3 (no check) and 4-6 (a one-byte check).
import { MAX_BOOK_ID } from "./picks.js";

export const MARKS = ["not_interested", "read", "to_read", "reading"]; // also the subset's order
/** The visitor's discovery setting (issue 24), carried by the link and the saved shelf. */
export const DISCOVERY = ["balanced", "popular", "lesser-known"]; // index: the link's code
export const DEFAULT_DISCOVERY = "balanced";
const MARK_CODES = { read: 0, not_interested: 6, to_read: 7, reading: 8 };
const MARK_OF_CODE = Object.fromEntries(Object.entries(MARK_CODES).map(([mark, code]) => [code, mark]));
const isPickCode = (code) => code >= 1 && code <= 5; // a pick's stars; any other code is a mark
const CODES = 9;
const ORDERED = 1; // entries in pick order, zigzag deltas
const SORTED = 2; // entries sorted by book_id, deltas - 1
const PART = 3; // as SORTED, and only part of a shelf too big for one link
const CHECKED = 3; // formats 4-6 (older pages): the same, with a last byte that checks the others
const CRC_BASE = 0x40; // formats 0x41-0x4b: a length and a CRC-16 (the discovery in bits 2-3)
const K_FLAG = 0x80;
const MAX_ORDER = 40;
// A link stays well under gunicorn's 4,094-byte request line and the ~2,000 characters that
// chat apps and old browsers keep.
export const SHARE_CHARS = 1800;
// A link keeps the pick order (the friend sees the list as it was made) unless that costs more.
const KEEP_ORDER_CHARS = 100;

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

/** A value's whole length in bytes, with its length field (a varint: 7 bits a byte). */
function totalBytes(payload) {
  let fieldBytes = 1;
  while (2 + fieldBytes + payload + 2 >= 128 ** fieldBytes) fieldBytes += 1;
  return 2 + fieldBytes + payload + 2;
}

/** What writeEntries needs for `entries`, and the length of the value it writes (chars). */
function measure(entries) {
  const sorted = isSorted(entries);
  const values = entryValues(entries, sorted);
  const { k, bits } = bestOrder(values);
  return { entries, sorted, values, k, chars: Math.ceil((totalBytes(Math.ceil(bits / 8)) * 4) / 3) };
}

/** The check byte of formats 4-6: the low byte of the other bytes' 32-bit FNV-1a hash. */
function checkByte(bytes) {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash & 0xff;
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xffff) of `bytes`. */
export function crc16(bytes) {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The varint at bytes[at]: {value, next}, or null when it runs past the end or is over-long. */
function readVarint(bytes, at) {
  let value = 0;
  for (let i = 0; i < 3 && at + i < bytes.length; i++) {
    value += (bytes[at + i] & 0x7f) * 128 ** i;
    if (bytes[at + i] < 0x80) return { value, next: at + i + 1 };
  }
  return null;
}

/** The ?shelf= value of measured entries (measure), in the CRC format (see the top). */
function writeEntries({ sorted, values, k }, { part = false, discovery = DEFAULT_DISCOVERY } = {}) {
  const bits = [];
  for (const value of values) writeExpGolomb(bits, value, k);
  const payload = [];
  for (let i = 0; i < bits.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) byte = byte * 2 + (bits[i + j] ?? 0);
    payload.push(byte);
  }
  const kind = sorted ? (part ? PART : SORTED) : ORDERED;
  const code = Math.max(0, DISCOVERY.indexOf(discovery));
  const length = [];
  for (let rest = totalBytes(payload.length); length.length === 0 || rest > 0; rest = Math.floor(rest / 128)) {
    length.push(rest % 128);
  }
  for (let i = 0; i < length.length - 1; i++) length[i] |= 0x80;
  const bytes = [CRC_BASE + kind + 4 * code, K_FLAG + k, ...length, ...payload];
  const crc = crc16(bytes);
  return toBase64Url([...bytes, crc >> 8, crc & 0xff]);
}

/**
 * The bytes of a value as {kind, k, discovery, codes: the bytes of the codes}, or null when it
 * cannot be a value the page wrote: its check fails, its length is not the one it carries, an
 * unknown format.
 */
function framed(value) {
  const bytes = value.length % 4 === 1 ? null : fromBase64Url(value);
  if (!bytes || bytes.length < 3) return null;
  if (bytes[0] > CRC_BASE && bytes[0] <= CRC_BASE + 15) {
    const kind = bytes[0] & 3;
    const code = (bytes[0] - CRC_BASE) >> 2;
    if (kind === 0 || code >= DISCOVERY.length || bytes[1] < K_FLAG || bytes[1] - K_FLAG > MAX_ORDER) return null;
    // The text as this writer spells it: no other spelling of the same bytes (the unused bits of
    // a last character) passes for it.
    if (toBase64Url(bytes) !== value) return null;
    const length = readVarint(bytes, 2);
    if (length === null || length.value !== bytes.length || length.next + 2 > bytes.length) return null;
    if (crc16(bytes.subarray(0, -2)) !== bytes.at(-2) * 256 + bytes.at(-1)) return null;
    return { kind, k: bytes[1] - K_FLAG, discovery: DISCOVERY[code], codes: bytes.subarray(length.next, -2) };
  }
  let plain = bytes;
  if (bytes[0] > CHECKED) {
    // Formats 4-6: the last byte must check the others.
    if (bytes.length < 4 || bytes.at(-1) !== checkByte(bytes.subarray(0, -1))) return null;
    plain = [bytes[0] - CHECKED, ...bytes.subarray(1, -1)];
  }
  if (plain.length < 3 || ![ORDERED, SORTED, PART].includes(plain[0]) || plain[1] > MAX_ORDER) return null;
  return { kind: plain[0], k: plain[1], discovery: DEFAULT_DISCOVERY, codes: plain.slice(2) };
}

/**
 * The ?shelf= value as {picks: Map book_id -> stars, marks: Map book_id -> mark, part: true
 * when it is only part of a bigger shelf, discovery (DISCOVERY; "balanced" for old links),
 * damaged: true when it cannot be the value the page wrote (empty, not base64url, an unknown
 * format, a failed check or length, a code cut short, bits after the last code that are not the
 * last byte's zero padding, an impossible book_id): then the maps are empty}.
 */
export function decodeShelf(text) {
  const damaged = () => ({ picks: new Map(), marks: new Map(), part: false, discovery: DEFAULT_DISCOVERY, damaged: true });
  const frame = framed(text || "");
  if (frame === null || frame.codes.length === 0) return damaged();
  const { kind, k, codes } = frame;
  const picks = new Map();
  const marks = new Map();
  const sorted = kind !== ORDERED;
  const total = codes.length * 8;
  const bit = (i) => (codes[i >> 3] >> (7 - (i & 7))) & 1;
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
    // A book_id the saved shelf could not hold (nine digits at most) is no book of a shelf.
    if (!Number.isSafeInteger(bookId) || bookId < 1 || bookId > MAX_BOOK_ID) return damaged();
    if (isPickCode(code)) picks.set(bookId, code);
    else marks.set(bookId, MARK_OF_CODE[code]);
  }
  if (picks.size + marks.size === 0) return damaged();
  return { picks, marks, part: kind === PART, discovery: frame.discovery, damaged: false };
}

/**
 * The ?shelf= value for picks (Map book_id -> stars 1..5) and marks: {param, picks, marks,
 * part}, the counts it carries and whether that is only part of the shelf. options: maxChars (SHARE_CHARS), discovery (carried in the link). In
 * pick order when that costs at most KEEP_ORDER_CHARS more than sorted by book_id, else sorted,
 * else the largest subset that fits: picks with more stars first, then not-interested, read,
 * to-read and reading marks. Deterministic, so the page can tell its own link (a subset of what
 * localStorage holds) from someone else's.
 */
export function shareShelf(picks, marks, { maxChars = SHARE_CHARS, discovery = DEFAULT_DISCOVERY } = {}) {
  // A book both picked and marked (a shelf saved by an older page) goes once, as a pick: a
  // duplicate would make a pick-order value of a big shelf, read back as someone else's list.
  const entries = [
    ...[...picks].map(([bookId, stars]) => [bookId, stars]),
    ...[...marks].filter(([bookId]) => !picks.has(bookId)).map(([bookId, mark]) => [bookId, MARK_CODES[mark]]),
  ];
  const result = (chosen, param) => ({
    param,
    picks: chosen.filter(([, code]) => isPickCode(code)).length,
    marks: chosen.filter(([, code]) => !isPickCode(code)).length,
    part: chosen.length < entries.length,
  });
  if (entries.length === 0) return result([], "");
  const write = (measured, part = false) => writeEntries(measured, { part, discovery });
  const byId = (list) => [...list].sort((a, b) => a[0] - b[0]);
  const inOrder = measure(entries);
  // A pick-order value that fits and is at most KEEP_ORDER_CHARS long (or already sorted) is
  // kept whatever the sorted one's length: that one is measured only when it could win.
  if (inOrder.chars <= maxChars && (inOrder.sorted || inOrder.chars <= KEEP_ORDER_CHARS)) {
    return result(entries, write(inOrder));
  }
  const sorted = inOrder.sorted ? inOrder : measure(byId(entries));
  if (inOrder.chars <= Math.min(maxChars, sorted.chars + KEEP_ORDER_CHARS)) return result(entries, write(inOrder));
  if (sorted.chars <= maxChars) return result(entries, write(sorted));
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
  return result(fits.entries, write(fits, true));
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
