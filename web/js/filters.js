// The suggestion filters (a genre, a span of publication years) and what suggestions always
// leave out (the picks and the marked books): excludedRows, from the filter boxes' text
// (suggestionFilter) and the catalogue's years and genres. Pure: no DOM.

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

/** Each book's publication year (null unknown), by row, for the year filter. */
export function publicationYears(books) {
  return books.map((book) => (Number.isInteger(book.year) ? book.year : null));
}

/** The year filter's bounds: {minYear, maxYear}, "" for both when no year is known. */
export function yearRange(years) {
  const known = years.filter((year) => year !== null);
  return known.length ? { minYear: Math.min(...known), maxYear: Math.max(...known) } : { minYear: "", maxYear: "" };
}

/** The filter boxes' text as the filter excludedRows takes: {genre: index or null, yearFrom, yearTo}. */
export function suggestionFilter({ genre, yearFrom, yearTo }) {
  return { genre: genre === "" ? null : Number(genre), yearFrom: parseYear(yearFrom), yearTo: parseYear(yearTo) };
}

/**
 * What the page says of a year box it cannot use ("" when both are years or empty): a year is a
 * whole number of at most four digits (parseYear); `range` the catalogue's ({minYear, maxYear}).
 */
export function yearProblem({ yearFrom, yearTo }, { minYear, maxYear }) {
  const bad = [yearFrom, yearTo].map((text) => String(text ?? "").trim()).filter((text) => text && parseYear(text) === null);
  if (bad.length === 0) return "";
  const run = minYear === "" ? "" : ` (this catalogue's books run from ${minYear} to ${maxYear})`;
  return `${bad.map((text) => `“${text.slice(0, 12)}”`).join(" and ")} is not a year${run}, so the filter leaves it out.`;
}

/** Whether `filter` (suggestionFilter) leaves any book out. */
export function isFiltered(filter) {
  return filter.genre !== null || filter.yearFrom !== null || filter.yearTo !== null;
}
