// What the page shows, computed from its state: the star choices, the search results' page, the
// suggestions' wait message, the similar-books lists, a failed download's advice. Pure: no DOM.
// The suggestion filters are filters.js's.
import { ChangedFileError, NewBuildError } from "./checked-fetch.js";

/**
 * A pick's star choices from metadata.json (or, before it is in, the page's popular books):
 * {defaultStars, minStars, maxStars}.
 */
export function pickOptions(source = {}) {
  const { default_pick_stars: defaultStars, min_stars: minStars, max_stars: maxStars } = source;
  return { defaultStars, minStars, maxStars };
}

/**
 * The search results to draw: `found` the index's rows in order, `indexRows` index row -> book
 * row while the index covers only the popular books (null once it covers every book), `books`
 * row -> book, `shelf` {picks, marks}. Returns {results: [{book, picked, mark}], summary:
 * {query, total, hasMore, among}, drawn: a key equal for two identical drawings}.
 */
export function searchPage({ found, indexRows, limit, query, books, shelf }) {
  const rows = indexRows === null ? found : found.map((i) => indexRows[i]);
  const shown = rows.slice(0, limit);
  const results = shown.map((row) => {
    const book = books[row];
    return { book, picked: shelf.picks.has(book.book_id), mark: shelf.marks.get(book.book_id) };
  });
  const summary = {
    query,
    total: rows.length,
    hasMore: rows.length > shown.length,
    among: indexRows === null ? null : indexRows.length, // only the popular books so far
  };
  const drawn = JSON.stringify([results.map(({ book, picked, mark }) => [book.book_id, picked, mark]), summary]);
  return { results, summary, drawn };
}

/**
 * What picks without suggestions wait for: the model, `modelFraction` downloaded (it downloads
 * from the start, beside the catalogue), or a Retry when its download failed (`failed`).
 */
export function pendingNote({ modelFraction, failed }) {
  return failed
    ? "Your suggestions appear once the model has loaded: use Retry above."
    : `Your suggestions appear as soon as the model has loaded (${Math.round(100 * modelFraction)}%).`;
}

/**
 * The similar-books dialog's lists for `bookId`: `rows` (the model's nearest books' rows) as
 * [{book, picked}], and content_similar.json's neighbours of the book (`content`; null without
 * the file): the first `k` of them in the catalogue (rowOf), or null.
 */
export function similarLists({ bookId, rows, content, books, rowOf, picks, k }) {
  const item = (book) => ({ book, picked: picks.has(book.book_id) });
  const rating = rows.map((row) => item(books[row]));
  if (!content) return { rating, content: null };
  const ids = content.neighbors?.[String(bookId)] ?? [];
  return { rating, content: ids.filter((id) => rowOf.has(id)).slice(0, k).map((id) => item(books[rowOf.get(id)])) };
}

/** What the visitor can do about a download's `error`: ui.showError's default; for a file changed on the server, wait; for a newer build, reload. */
export function loadAdvice(error) {
  // Retry fetches the file again (never reloads the page into the same file): it works once the site is fixed.
  if (error instanceof ChangedFileError) return "Retry later, once the site is fixed.";
  // A newer build: Retry reloads the whole page into it (the banner offers the same).
  return error instanceof NewBuildError ? "Reload the page to use the new version." : undefined;
}
