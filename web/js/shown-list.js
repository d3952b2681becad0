// The suggestions as a page shows them, from the model's output for a shelf: the visitor's
// discovery setting re-scores (rank.js discoveryScores), the shelf and the filters leave books
// out (filters.js excludedRows), and rank.js arrange makes one card per series and the "Next in
// your series" row. The main page's suggestions and the map page's both come from here, and
// model/scoring.py does the same for the CLI and eval.md. Pure: no DOM, no TF.js.
import { arrange, discoveryArrange } from "./rank.js";
import { noSeries } from "./series.js";

const STARTED_MARKS = new Set(["read", "reading"]); // as a pick, they start a book's series (model/scoring.py)

/** arrange's started and dismissed rows of a shelf (model/scoring.py shelf_rows). */
export function shelfSeriesRows({ picks, marks }, rowOf) {
  const started = [];
  const dismissed = [];
  for (const bookId of picks.keys()) if (rowOf.has(bookId)) started.push(rowOf.get(bookId));
  for (const [bookId, mark] of marks) {
    if (!rowOf.has(bookId)) continue;
    if (STARTED_MARKS.has(mark)) started.push(rowOf.get(bookId));
    else if (mark === "not_interested") dismissed.push(rowOf.get(bookId));
  }
  return { started, dismissed };
}

/** `setting` where metadata.json's discovery weighs it, else its default (a build without that setting). */
export function settingOf(discovery, setting) {
  return Object.hasOwn(discovery.weights, setting ?? "") ? setting : discovery.default;
}

/**
 * {mainRows, moreCounts, nextRows} (rank.js arrange) for `scores` (the model's, [numBooks]) and
 * `shelf` ({picks, marks, discovery}). `excluded`: the rows never shown (filters.js excludedRows:
 * the shelf's books and what the filters leave out); `series`: series.js seriesTable of
 * metadata.json (null: no series); `discovery`: metadata.json's entry (null: the scores as they are).
 */
export function shownList(scores, shelf, { rowOf, excluded, series, discovery, numBooks, k }) {
  const { started, dismissed } = shelfSeriesRows(shelf, rowOf);
  const table = series ?? noSeries(numBooks);
  if (!discovery) return arrange(scores, excluded, table, started, dismissed, k);
  // The weight depends on how many books the visitor gave (model/discovery.py): the picks the
  // model was given, as model.recommend counts a line's liked and rated books.
  const numPicks = [...shelf.picks.keys()].filter((bookId) => rowOf.has(bookId)).length;
  const setting = settingOf(discovery, shelf.discovery);
  const { mainRows, moreCounts, nextRows } = discoveryArrange(scores, discovery, setting, numPicks, excluded, table, started, dismissed, k);
  return { mainRows, moreCounts, nextRows };
}
