// The suggestions' wiring: how many are shown, the genre and year filters, and a run that a
// newer one overtook dropped. What is left out is shelf.js excludedRows; the drawing is ui.js's.
// The model itself is reached through `page` (main.js keeps the model's call sites).
import { isFiltered, publicationYears, suggestionFilter, yearRange } from "./page-view.js";
import { excludedRows, genresByRow } from "./shelf.js";

/**
 * ui: ui.js's (renderSuggestions, setFilterChoices); pageSize: suggestions per page ("more"
 * adds another); page: {
 *   shelf(): {picks, marks}; rowOf(): Map book_id -> row; books(): row -> book;
 *   namesFor(rows): resolves once books() has every one of `rows` (before the catalogue is in, a
 *     few of them are fetched; it may reject with the catalogue's error);
 *   model(): null until the model is in, then {score(): a promise of the
 *     model's output for the current picks ({scores, stars, reasonRows}), rec: model-client.js
 *     (topRows, reasonFor), similarity: its unit-length book vectors, numBooks};
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
    const { picks, marks } = page.shelf();
    const { filter, years, genres } = view;
    const excluded = excludedRows({ picks, marks, rowOf: page.rowOf(), filter, years, genres: genres?.rows ?? null });
    const top = model.rec.topRows(result.scores, view.limit, excluded);
    const reasons = top.map((row) => model.rec.reasonFor(model.similarity, row, result.reasonRows));
    try {
      await page.namesFor([...top, ...reasons.filter((row) => row !== null)]); // before the catalogue: its parts
    } catch {
      return; // the catalogue failed: the page says so, with Retry
    }
    if (generation !== view.generation) return;
    const books = page.books();
    const suggestions = top.map((row, i) => {
      const reasonRow = reasons[i];
      return { book: books[row], predicted: result.stars[row], reason: reasonRow === null ? null : books[reasonRow] };
    });
    const millis = performance.now() - started;
    const hasMore = top.length < model.numBooks - excluded.size;
    ui.renderSuggestions(suggestions, { pickCount: picks.size, hasMore, millis, filtered: isFiltered(filter) });
    const { stats } = page;
    stats.recomputeCount += 1;
    stats.lastComputeMs = millis; // model + top k + reasons
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
