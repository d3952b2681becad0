// The series parts of the page's DOM: the "Next in your series" row above the suggestions, and
// in the similar-books dialog the book's whole series and more by its author. ui.js wires their
// clicks with its other lists; the books are drawn by book-item.js (text only, never HTML).
import { bookItem, replaceItems } from "./book-item.js";

/** A suggestion card: predicted stars, the pick that earned it, "+N more in the series". */
export function suggestionItem({ book, predicted, reason, more = 0 }) {
  return bookItem(book, { predicted, reason, more, picked: false, suggestion: true });
}

/** root: the document. Returns {lists: the lists whose buttons ui.js handles, renderNext, renderSimilar}. */
export function createSeriesView(root) {
  const $ = (id) => root.getElementById(id);
  const nodes = {
    nextSection: $("next-in-series"),
    next: $("next-list"),
    seriesSection: $("similar-series-section"),
    series: $("similar-series"),
    authorSection: $("similar-author-section"),
    author: $("similar-author"),
  };
  return {
    lists: [nodes.next, nodes.series, nodes.author],
    /** next: [{book, predicted, reason}] of the next volumes; none hides the row. */
    renderNext(next) {
      nodes.nextSection.hidden = next.length === 0;
      replaceItems(nodes.next, next.map(suggestionItem));
    },
    /** series / byAuthor: [{book, picked}] (the whole series in order, the author's other books). */
    renderSimilar(series, byAuthor) {
      nodes.seriesSection.hidden = series.length === 0;
      replaceItems(
        nodes.series,
        series.map(({ book, picked }) => bookItem(book, { picked })),
      );
      nodes.authorSection.hidden = byAuthor.length === 0;
      replaceItems(
        nodes.author,
        byAuthor.map(({ book, picked }) => bookItem(book, { picked })),
      );
    },
  };
}
