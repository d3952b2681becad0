// The similar-books dialog's wiring: which request may open it, what it waits for (the
// catalogue, the model's later part, content_similar.json) and what it shows (by rating, by
// content, the book's series and more by its author). The drawing is ui.js's.
import { similarLists } from "./page-view.js";
import { byAuthor, seriesVolumes } from "./series.js";

const SIMILAR_K = 10;

/**
 * ui: ui.js's (openSimilar); state: the page's state (similarity, model, rec, site, books,
 * rowOf, picks, content, similarOf); calls: {
 *   catalogueIn(): resolves once the catalogue is in (rejects with its error);
 *   optional(url): an optional JSON file of this page's build, or null;
 *   failed(error): the model could not go on (its later part failed): say so, offer Retry
 * }
 */
export function createSimilarPanel(ui, state, calls) {
  // Each request for similar books (a Similar button, a refresh after a pick) and each closing
  // of the dialog counts one; a request that waited shows its books only if nothing came after
  // it. Else the answer to an older Similar, arriving late, reopened a dialog the visitor had
  // closed, or replaced a newer one.
  let asked = 0;

  async function show(bookId) {
    const mine = ++asked;
    const current = () => mine === asked;
    if (state.similarity === null) return; // the model is not in yet (its vectors are)
    try {
      if (state.site === null) await calls.catalogueIn(); // its similar books may be any books
    } catch {
      return; // the catalogue failed: the page says so, with Retry
    }
    const model = state.model;
    if (model === null || !current()) return; // it failed meanwhile, or another request came
    const row = state.rowOf.get(bookId);
    if (model.firstRows !== null && row >= model.firstRows) {
      // Its row of the neighbor table is in the model's later part: wait for it.
      try {
        await model.whole();
      } catch (error) {
        if (state.model === model) calls.failed(error);
        return;
      }
    }
    if (state.content === undefined) state.content = await calls.optional("content_similar.json");
    if (!current() || state.model !== model) return;
    const rows = state.rec.similarRows(state.similarity, row, SIMILAR_K);
    const { books, rowOf, picks } = state;
    const { rating, content } = similarLists({ bookId, rows, content: state.content, books, rowOf, picks, k: SIMILAR_K });
    state.similarOf = bookId; // the book the dialog shows (a pick refreshes its Pick buttons)
    const item = (other) => ({ book: books[other], picked: picks.has(books[other].book_id) });
    const more = { series: seriesVolumes(books, row).map(item), byAuthor: byAuthor(books, row, SIMILAR_K).map(item) };
    ui.openSimilar(books[row], rating, content, more);
  }

  /** The dialog was closed: a request still waiting must not open it again. */
  function closed() {
    asked += 1;
    state.similarOf = null;
  }

  return { show, closed };
}
