// The visitor's shelf as the page changes it: {picks: Map book_id -> stars in pick order,
// marks: Map book_id -> mark}. Each change takes a shelf and returns a new one (the maps are
// copied, never changed in place), so the entry module only stores what comes back: a pick, its
// stars, a mark, an import and its Undo, a shared list added. Also what the page says about the
// shelf (an import, a shared list, what the link leaves out). Pure: no DOM, no storage.
import { summaryLine } from "./goodreads.js";

const n = (x) => x.toLocaleString("en-US");
const counted = (x, word) => `${n(x)} ${word}${x === 1 ? "" : "s"}`;

/** A copy of `shelf` ({picks, marks}): the maps a change may write into. */
function copied(shelf) {
  return { picks: new Map(shelf.picks), marks: new Map(shelf.marks) };
}

/** `bookId` picked with `stars`: a mark it had goes (a picked book is never only marked). */
export function pick(shelf, bookId, stars) {
  const next = copied(shelf);
  next.picks.set(bookId, stars);
  next.marks.delete(bookId);
  return next;
}

/** A picked book's stars changed (its place in the pick order stays). */
export function rate(shelf, bookId, stars) {
  const next = copied(shelf);
  next.picks.set(bookId, stars);
  return next;
}

export function unpick(shelf, bookId) {
  const next = copied(shelf);
  next.picks.delete(bookId);
  return next;
}

/** `bookId` marked (shelf-link.js MARKS): never suggested; a pick it had goes (as a pick drops a mark). */
export function mark(shelf, bookId, what) {
  const next = copied(shelf);
  next.picks.delete(bookId);
  next.marks.set(bookId, what);
  return next;
}

export function unmark(shelf, bookId) {
  const next = copied(shelf);
  next.marks.delete(bookId);
  return next;
}

/** "Read it" with stars (> 0) is a pick; without, the book is only marked read. */
export function markRead(shelf, bookId, stars) {
  return stars > 0 ? pick(shelf, bookId, stars) : mark(shelf, bookId, "read");
}

/**
 * An import's shelf ({picks, marks}: goodreads.js buildShelf) added to `shelf`, for the books
 * `known` has (a Map or Set of book_ids: the catalogue's). The shelf's picks and marks win over
 * the file's, except that a rated book replaces a mark. Returns {shelf, added}: added is what
 * Undo takes back and the message counts: {picks: [book_id], marks: [book_id], replaced: Map
 * book_id -> the mark a new pick replaced, kept: picks of the file already picked here}.
 */
export function mergeImport(shelf, imported, known) {
  const next = copied(shelf);
  // marksBefore: the marks' order before, which Undo restores (the share link is the same again).
  const added = { picks: [], marks: [], replaced: new Map(), kept: 0, marksBefore: [...shelf.marks.keys()] };
  for (const [bookId, stars] of imported.picks) {
    if (!known.has(bookId)) continue;
    if (next.picks.has(bookId)) {
      added.kept += 1;
      continue;
    }
    if (next.marks.has(bookId)) added.replaced.set(bookId, next.marks.get(bookId));
    next.marks.delete(bookId);
    next.picks.set(bookId, stars);
    added.picks.push(bookId);
  }
  for (const [bookId, what] of imported.marks) {
    if (!known.has(bookId) || next.picks.has(bookId) || next.marks.has(bookId)) continue;
    next.marks.set(bookId, what);
    added.marks.push(bookId);
  }
  return { shelf: next, added };
}

/**
 * `shelf` without what an import added (mergeImport's `added`): its picks and marks go, the
 * marks its picks replaced come back unless the book was picked again since. Changes made since
 * to other books stay. Once nothing the import added is left (a Clear in another tab), there is
 * nothing to undo: no mark comes back onto the cleared shelf.
 */
export function undoImport(shelf, added) {
  const next = copied(shelf);
  const left = added.picks.some((bookId) => shelf.picks.has(bookId)) || added.marks.some((bookId) => shelf.marks.has(bookId));
  if (!left) return next;
  for (const bookId of added.picks) next.picks.delete(bookId);
  for (const [bookId, what] of added.replaced) if (!next.picks.has(bookId)) next.marks.set(bookId, what);
  for (const bookId of added.marks) next.marks.delete(bookId);
  if (added.replaced.size === 0) return next;
  // The restored marks at their places again: the marks there before first, in their order.
  const marks = new Map();
  for (const bookId of added.marksBefore ?? []) if (next.marks.has(bookId)) marks.set(bookId, next.marks.get(bookId));
  for (const [bookId, what] of next.marks) if (!marks.has(bookId)) marks.set(bookId, what);
  return { picks: next.picks, marks };
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

/** What the page says after an import: the file's summary (goodreads.js summarize), then what was added. */
export function importMessage(summary, added) {
  const kept = added.kept ? ` ${counted(added.kept, "book")} you had picked here kept your stars from this page.` : "";
  return (
    `${summaryLine(summary)}. Added ${counted(added.picks.length, "rated book")} as picks and ` +
    `${counted(added.marks.length, "book")} you have read, are reading or want to read (never suggested).${kept}`
  );
}

/** The banner over a shared list `shown` ({picks, marks}) while the visitor's `own` shelf is kept aside. */
export function sharedViewNote(shown, own) {
  const size = own.picks.size + own.marks.size;
  return (
    `You are looking at a shared list (${counted(shown.picks.size, "pick")}, ` +
    `${counted(shown.marks.size, "never-suggested book")}). ` +
    `Your own shelf (${counted(size, "book")}) is kept in this browser and stays as it is unless you choose below.`
  );
}

/**
 * What the link leaves out of a big shelf, said on the page ("" when it carries all of it).
 * shared: shelf-link.js shareShelf's counts {picks, marks}.
 */
export function shareNote(shelf, shared) {
  const total = shelf.picks.size + shelf.marks.size;
  const carried = shared.picks + shared.marks;
  if (carried === total) return "";
  const what = shared.picks < shelf.picks.size ? `your ${n(shared.picks)} best-rated picks` : "all your picks";
  return (
    `The link carries ${what} and ${n(shared.marks)} of your ${n(shelf.marks.size)} never-suggested books ` +
    `(${n(carried)} of ${n(total)}), so it stays short enough to share. This browser keeps them all.`
  );
}

/**
 * The shelf as the page lists it: the first `picksLimit` picks [{book, stars}], the first
 * `marksLimit` marked books [{book, mark}] (bookOf: book_id -> book, undefined for a book whose
 * title is not in yet: the saved shelf opens before the catalogue, and such books are listed
 * once it is), and how many books carry each mark.
 */
export function shelfLists(shelf, { picksLimit, marksLimit, bookOf }) {
  const picks = [];
  for (const [bookId, stars] of shelf.picks) {
    if (picks.length >= picksLimit) break;
    const book = bookOf(bookId);
    if (book) picks.push({ book, stars });
  }
  const marks = [];
  const counts = {};
  for (const [bookId, what] of shelf.marks) {
    counts[what] = (counts[what] ?? 0) + 1;
    const book = marks.length < marksLimit ? bookOf(bookId) : undefined;
    if (book) marks.push({ book, mark: what });
  }
  return { picks, marks, counts };
}
