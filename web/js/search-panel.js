// The search box's wiring: which index answers (the popular books' until the catalogue is in,
// then every book's, built when a search first needs it), the query, how many results are
// shown, and the drawing (page-view.js searchPage computes it; ui.js draws it).
import { searchPage } from "./page-view.js";
import { buildSearchIndex, cappedQuery, searchRows } from "./search.js";

/**
 * ui: ui.js's (searchValue, renderSearch); `page`: {books(): row -> book, shelf(): {picks,
 * marks}}; pageSize: results per page ("more" adds another).
 */
export function createSearchPanel(ui, page, pageSize) {
  const search = {
    index: null, // search index (over indexRows until the catalogue is in)
    indexRows: null, // index row -> book row while the index covers only the popular books; null after
    catalogue: null, // every book (books.json) once it is in
    query: "",
    limit: pageSize,
    drawn: null, // what render drew last (it draws nothing new for the same)
  };

  /**
   * The search index over every book, once the catalogue is in; built when a search first
   * needs it (the search box focused, a query, more than the popular books), never in the way
   * of the first suggestions (it takes a quarter of a second on a phone). Until then the
   * popular books' index answers the empty query exactly as it would: the same books in the
   * same order.
   */
  function fullIndex() {
    if (search.catalogue !== null && search.indexRows !== null) {
      search.index = buildSearchIndex(search.catalogue);
      search.indexRows = null;
    }
  }

  function render() {
    if (search.indexRows !== null && (search.query.trim() !== "" || search.limit >= search.indexRows.length)) {
      fullIndex(); // no-op before the catalogue is in
    }
    if (search.index === null) return;
    // Before the catalogue is in, the index covers the popular books only: searchPage maps its rows back.
    const { results, summary, drawn } = searchPage({
      found: searchRows(search.index, search.query),
      indexRows: search.indexRows,
      limit: search.limit,
      query: search.query,
      books: page.books(),
      shelf: page.shelf(),
    });
    // The same list drawn again (the catalogue arriving under the popular books) is not redrawn:
    // a repaint of the first screen's biggest element would count as a late largest paint.
    if (drawn === search.drawn) return;
    search.drawn = drawn;
    ui.renderSearch(results, summary);
  }

  return {
    /** index.html's popular books (`books` at `rows`) searched until the catalogue is in. */
    popular(books, rows) {
      search.index = buildSearchIndex(books);
      search.indexRows = rows;
      search.query = cappedQuery(ui.searchValue());
    },
    /** The catalogue is in: every book can be searched (its index built when first needed). */
    catalogue(books) {
      search.catalogue = books;
      if (search.index === null) search.index = buildSearchIndex(books); // no popular books in the page
      search.query = cappedQuery(ui.searchValue());
    },
    setQuery(query) {
      search.query = cappedQuery(query); // the query searched and shown in the summary
      search.limit = pageSize;
      render();
    },
    more() {
      search.limit += pageSize;
      render();
    },
    focused: fullIndex, // before the first key: the visitor is about to search every book
    render,
  };
}
