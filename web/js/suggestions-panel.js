// The suggestions' wiring: how many are shown, the genre and year filters, and a run that a
// newer one overtook dropped. What is left out is filters.js excludedRows; the list itself
// (discovery, one card per series, the "Next in your series" row) is shown-list.js's; the
// drawing is ui.js's.
// The model itself is reached through `page` (main.js keeps the model's call sites).
import { excludedRows, genresByRow, isFiltered, publicationYears, suggestionFilter, yearRange } from "./filters.js";
import { shownList } from "./shown-list.js";

/**
 * ui: ui.js's (renderSuggestions, setFilterChoices); pageSize: suggestions per page ("more"
 * adds another); page: {
 *   shelf(): {picks, marks, discovery: the visitor's setting}; rowOf(): Map book_id -> row; books(): row -> book;
 *   namesFor(rows): resolves once books() has every one of `rows` (before the catalogue is in, a
 *     few of them are fetched; it may reject with the catalogue's error);
 *   model(): null until the model is in, then {score(): a promise of the
 *     model's output for the current picks ({scores, stars, reasonRows}), rec: model-client.js
 *     (reasonFor), similarity: its unit-length book vectors, numBooks, series: series.js
 *     seriesTable of metadata.json (absent: no series), discovery: metadata.json's (absent: the
 *     model's scores as they are)};
 *   pending(): say what picks without suggestions wait for;
 *   failed(error): the model could not score (its worker died): say so, offer Retry;
 *   stats: the page's stats (recomputeCount, lastComputeMs, lastModelMs, lastRecomputeMs, firstSuggestionsAtMs)
 * }
 */
export function createSuggestionsPanel(ui, page, pageSize) {
  const view = {
    limit: pageSize,
    filter: { genre: null, yearFrom: null, yearTo: null },
    years: null, // row -> publication year (null unknown), for the year filter
    genres: null, // genres.json by row ({names, rows}); null until fetched, or when absent
    generation: 0, // drops the results of a run overtaken by a newer one
  };

  /** Run the model on the picks and show the top suggestions with predicted stars and a reason. */
  async function recompute() {
    const generation = ++view.generation;
    const model = page.model();
    if (page.shelf().picks.size > 0 && model === null) {
      page.pending(); // queued: the model's arrival recomputes
      return;
    }
    if (page.shelf().picks.size === 0) {
      ui.renderSuggestions([], { pickCount: 0, hasMore: false, millis: 0 });
      return;
    }
    const started = performance.now();
    let result;
    try {
      result = await model.score();
    } catch (error) {
      if (generation === view.generation) page.failed(error); // the model is gone: Retry loads it again
      return;
    }
    if (generation !== view.generation) return;
    const scored = performance.now();
    const { picks, marks, discovery } = page.shelf();
    const { filter, years, genres } = view;
    const rowOf = page.rowOf();
    const excluded = excludedRows({ picks, marks, rowOf, filter, years, genres: genres?.rows ?? null });
    const { series, discovery: weights, numBooks } = model;
    const arranged = shownList(result.scores, { picks, marks, discovery }, { rowOf, excluded, series, discovery: weights, numBooks, k: view.limit });
    const { mainRows, moreCounts, nextRows } = arranged;
    const reasonOf = (row) => model.rec.reasonFor(model.similarity, row, result.reasonRows);
    const [reasons, nextReasons] = [mainRows.map(reasonOf), nextRows.map(reasonOf)];
    const named = [...mainRows, ...nextRows, ...reasons, ...nextReasons].filter((row) => row !== null);
    try {
      await page.namesFor(named); // before the catalogue: its parts
    } catch {
      return; // the catalogue failed: the page says so, with Retry
    }
    if (generation !== view.generation) return;
    const books = page.books();
    const card = (row, reasonRow) => ({
      book: books[row],
      predicted: result.stars[row],
      reason: reasonRow === null ? null : books[reasonRow],
    });
    const suggestions = mainRows.map((row, i) => ({ ...card(row, reasons[i]), more: moreCounts[i] }));
    const next = nextRows.map((row, i) => card(row, nextReasons[i]));
    const millis = performance.now() - started;
    const hasMore = mainRows.length >= view.limit; // a full page: "more" may find others
    const summary = { pickCount: picks.size, hasMore, millis, filtered: isFiltered(filter), next };
    ui.renderSuggestions(suggestions, summary);
    const { stats } = page;
    stats.recomputeCount += 1;
    stats.lastComputeMs = millis; // model + arrange + reasons
    stats.lastModelMs = scored - started; // the model alone (0 when only marks or filters changed)
    stats.lastRecomputeMs = performance.now() - started; // ... and the suggestions' DOM
    stats.firstSuggestionsAtMs ??= performance.now();
  }

  return {
    recompute,
    more() {
      view.limit += pageSize;
      recompute();
    },
    /** The filter boxes' text ({genre, yearFrom, yearTo}) changed. */
    filter(boxes) {
      view.filter = suggestionFilter(boxes);
      view.limit = pageSize;
      recompute();
    },
    firstPage() {
      view.limit = pageSize;
    },
    /** The catalogue is in: the year filter's range. */
    catalogue(books) {
      view.years = publicationYears(books);
      ui.setFilterChoices({ genres: null, ...yearRange(view.years) });
    },
    /** genres.json (written by the explorer; null when absent) for the genre filter. */
    genres(file, rowOf, numBooks) {
      view.genres = genresByRow(file, rowOf, numBooks);
      ui.setFilterChoices({ genres: view.genres?.names ?? null, ...yearRange(view.years) });
      if (view.genres && view.filter.genre !== null) recompute();
    },
  };
}
