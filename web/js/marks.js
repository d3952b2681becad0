// The visitor's marks (read, not interested, to-read, reading: never suggested) as localStorage
// keeps them: "12:r,45:n", a Map book_id -> mark. Pure parsing and formatting, as picks.js is for
// the picks; shelf-storage.js does the reading and writing.
export const MARKS_KEY = "shelf.marks.v1"; // localStorage: "12:r,45:n" (picks stay in shelf.picks.v1)
const MARK_LETTERS = { not_interested: "n", read: "r", to_read: "t", reading: "c" };

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
