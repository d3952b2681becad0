// The visitor's picks: a Map book_id -> stars (1..5) in the order they were picked.
// Pure parsing and formatting; the entry module does the reading and writing.
// URL form: ?picks=12,45:4,78  (a bare id means the default stars, "loved it").

export const STORAGE_KEY = "shelf.picks.v1";
export const MAX_BOOK_ID = 999_999_999; // the nine digits a saved pick or mark holds (PICK, marks.js)

const PICK = /^\s*(\d{1,9})(?::(\d))?\s*$/;

/** Parse "12,45:4,78" into a Map; malformed entries are skipped (unreadablePicks lists them), stars clamped to the range. */
export function parsePicks(text, { defaultStars = 5, minStars = 1, maxStars = 5 } = {}) {
  const picks = new Map();
  for (const part of (text || "").split(",")) {
    const match = PICK.exec(part);
    if (!match) continue;
    const bookId = Number(match[1]);
    if (bookId < 1) continue;
    const stars = match[2] === undefined ? defaultStars : Number(match[2]);
    picks.set(bookId, Math.min(maxStars, Math.max(minStars, stars)));
  }
  return picks;
}

/** The entries of a picks text that parsePicks skips (blank ones aside), for the page to report. */
export function unreadablePicks(text) {
  return (text || "")
    .split(",")
    .filter((part) => part.trim() !== "" && !(PICK.test(part) && Number(PICK.exec(part)[1]) >= 1));
}

/** The inverse of parsePicks: "12,45:4,78". */
export function formatPicks(picks, { defaultStars = 5 } = {}) {
  return [...picks].map(([bookId, stars]) => (stars === defaultStars ? `${bookId}` : `${bookId}:${stars}`)).join(",");
}

/** Drop picks whose book_id is not in the catalogue (an old link after a catalogue change). */
export function knownPicks(picks, rowOf) {
  return new Map([...picks].filter(([bookId]) => rowOf.has(bookId)));
}
