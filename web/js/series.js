// The catalogue's series as the page reads them: metadata.json's compact table (written by
// model/export.py from model/series.py's parser; docs/ARTIFACTS.md) turned into per-row arrays,
// and a volume's place in its series. Titles are never parsed here. Pure: no DOM.

/**
 * metadata.json's `series` ({names, rows, index, position, end}: only the rows in a series) as
 * {index: Int32Array [n] (-1 none), position, end: Float64Array [n] (NaN none), names}, the
 * shape of model/series.py's SeriesTable. Without it (an older build) no book is in a series.
 */
export function seriesTable(metadata) {
  const n = metadata.book_ids.length;
  const index = new Int32Array(n).fill(-1);
  const position = new Float64Array(n).fill(NaN);
  const end = new Float64Array(n).fill(NaN);
  const file = metadata.series;
  if (!file) return { index, position, end, names: [] };
  file.rows.forEach((row, i) => {
    if (!(row >= 0 && row < n)) return; // a table that does not fit the catalogue is not used
    index[row] = file.index[i];
    position[row] = file.position[i];
    end[row] = file.end[i];
  });
  return { index, position, end, names: file.names };
}

const members = new WeakMap(); // table -> per series, its rows in row order

/** Per series of `table`, its rows in row order (computed once a table). */
export function seriesMembers(table) {
  let found = members.get(table);
  if (found === undefined) {
    found = table.names.map(() => []);
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
  return [...rows].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}

/** A book's place in its series as a card says it: "Harry Potter #2", "Saga #1–3"; "" without. */
export function seriesLabel(series) {
  if (!series) return "";
  const range = series.end === undefined ? `${series.position}` : `${series.position}–${series.end}`;
  return `${series.name} #${range}`;
}
