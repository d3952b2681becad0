// The catalogue's series as the page reads them: metadata.json's compact table (written by
// model/export.py from model/series.py's parser; docs/ARTIFACTS.md) turned into per-row arrays,
// and a volume's place in its series. Titles are never parsed here. Pure: no DOM.

/**
 * metadata.json's `series` ({count, rows, index, position, end}: only the rows in a series) as
 * {index: Int32Array [n] (-1 none), position, end: Float64Array [n] (NaN none), count}, the
 * shape of model/series.py's SeriesTable. Without it (an older build) no book is in a series.
 */
export function seriesTable(metadata) {
  const n = metadata.book_ids.length;
  const index = new Int32Array(n).fill(-1);
  const position = new Float64Array(n).fill(NaN);
  const end = new Float64Array(n).fill(NaN);
  const file = metadata.series;
  if (!file) return { index, position, end, count: 0 };
  file.rows.forEach((row, i) => {
    if (!(row >= 0 && row < n)) return; // a table that does not fit the catalogue is not used
    index[row] = file.index[i];
    position[row] = file.position[i];
    end[row] = file.end[i];
  });
  // An older file (format_version 1) listed the series' names instead of counting them.
  return { index, position, end, count: file.count ?? file.names?.length ?? 0 };
}

/** A table of `n` rows, none in a series (a build from before series). */
export function noSeries(n) {
  return seriesTable({ book_ids: { length: n } });
}

const members = new WeakMap(); // table -> per series, its rows in row order

/** Per series of `table`, its rows in row order (computed once a table). */
export function seriesMembers(table) {
  let found = members.get(table);
  if (found === undefined) {
    found = Array.from({ length: table.count }, () => []);
    table.index.forEach((series, row) => {
      if (series >= 0 && series < found.length) found[series].push(row);
    });
    members.set(table, found);
  }
  return found;
}

/**
 * `rows` of one series in reading order (model/series.py volume_order): positions >= 1 first
 * (a prequel "#0.5" after them), by position, a single volume before an omnibus at the same
 * position, then by row.
 */
export function volumeOrder(table, rows) {
  const key = (row) => [table.position[row] < 1 ? 1 : 0, table.position[row], table.end[row], row];
  return [...rows].sort((a, b) => compareKeys(key(a), key(b)));
}

/** A book's series (books.json's `series`) as a key: the lower-case name, spaces collapsed; null without. */
export function seriesKey(series) {
  if (!series || typeof series.name !== "string") return null;
  return series.name.split(/\s+/).filter(Boolean).join(" ").toLowerCase() || null;
}

/** The first of books.json's comma-separated `authors`, as a key ("" for none). */
export function firstAuthor(authors) {
  return typeof authors === "string" ? authors.split(",")[0].trim().toLowerCase() : "";
}

function volumeKey(book, row) {
  const position = Number(book.series.position ?? 0);
  return [position < 1 ? 1 : 0, position, Number(book.series.end ?? position), row];
}

/**
 * The rows of `row`'s whole series in reading order (itself included), from books.json (`books`
 * by row); [] without a series. server/series.py SeriesIndex.volumes answers the same.
 */
export function seriesVolumes(books, row) {
  const key = seriesKey(books[row]?.series);
  if (key === null) return [];
  const rows = [];
  books.forEach((book, other) => {
    if (seriesKey(book?.series) === key) rows.push(other);
  });
  const keys = new Map(rows.map((r) => [r, volumeKey(books[r], r)]));
  return rows.sort((a, b) => compareKeys(keys.get(a), keys.get(b)));
}

/**
 * Up to k rows of other books by `row`'s first author, outside its series, most rated first
 * (ties to the lower row). server/series.py SeriesIndex.by_author_rows answers the same.
 */
export function byAuthor(books, row, k) {
  const author = firstAuthor(books[row]?.authors);
  if (!author) return [];
  const own = new Set([row, ...seriesVolumes(books, row)]);
  const rows = [];
  books.forEach((book, other) => {
    if (!own.has(other) && firstAuthor(book?.authors) === author) rows.push(other);
  });
  const count = (r) => books[r].ratings_count || 0;
  return rows.sort((a, b) => count(b) - count(a) || a - b).slice(0, k);
}

/** Compare two keys (arrays of numbers) element by element: -1, 0 or 1. */
export function compareKeys(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
