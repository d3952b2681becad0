// The entry page's state: what it holds, in one place, as it is before anything has arrived.
// main.js keeps one such object and changes it; the pure modules (shelf-edits.js,
// shelf-open.js, page-view.js, filters.js) compute the new values from plain data. The search box, the
// suggestions and the import box keep their own (search-panel.js, suggestions-panel.js,
// import-box.js).

/**
 * The page's state before any download. `page`: how many search results, suggestions and
 * listed books one page shows ("more" adds another). What the page needs arrives in this
 * order: index.html's popular books (a first screen to pick from), then the catalogue
 * (metadata.json, books.json), then TF.js and the model.
 */
export function initialState(page) {
  return {
    site: null, // {metadata, books}: the catalogue; null until it is in
    metadata: null, // metadata.json, once in (before the catalogue: the model and the first suggestions need it)
    parts: new Map(), // catalogue part -> its download (downloads.js namesFor), before the catalogue is in
    model: null, // the model, in its worker (model-client.js's handle); null until it is in
    rec: null, // model-client.js: runs the model in its worker, ranks and explains here
    popular: null, // index.html's popular books: {rows, books, default_pick_stars, min_stars, max_stars}
    books: [], // row -> book: the popular ones first, every book once the catalogue is in
    rowOf: null, // Map book_id -> row (of the books known so far)
    // The downloads in flight, one of each: metadata.json (which both of the others need), the
    // catalogue (books.json) and the model (TF.js, model.json, the shards).
    loadingMetadata: null,
    loadingCatalogue: null,
    loadingModel: null,
    catalogueWaits: false, // a first visit's catalogue waits for the model (main.js start, catalogueNow)
    progress: { catalogue: 0, model: 0 },
    failed: false, // the last start() failed: its error stays shown until Retry, whatever still downloads
    waitingForCatalogue: [], // {resolve, reject} of imports begun before the catalogue was in
    similarity: null, // unit-length book vectors for reasons and "similar books"
    content: undefined, // content_similar.json: undefined = not fetched yet, null = absent
    // genres.json (the genre filter) and the offline copy wait until the page is ready, not to
    // slow the first suggestions on a phone (main.js pageReady): false until then.
    afterFirst: false,
    // A shared list shown instead of the visitor's own shelf: {own: {picks, marks}}, the saved
    // shelf, which nothing overwrites until the visitor chooses (Add, Replace); null otherwise.
    viewing: null,
    opensShelf: false, // the page opened with a shelf (shelf-keeper.js open: saved here or linked)
    picks: new Map(), // book_id -> stars, in pick order
    marks: new Map(), // book_id -> "read" | "not_interested" | "to_read" | "reading": never suggested
    // The visitor's discovery setting (shelf-link.js DISCOVERY), saved and shared with the shelf.
    discovery: "balanced",
    scored: null, // {key, result}: the model's output for the picks it was run on
    matcher: null, // the Goodreads match index, built on the first import
    picksLimit: page,
    marksLimit: page,
    similarOf: null, // book_id whose similar books the dialog shows
    stale: false, // a file of a newer build was met: only a whole reload gives one build again
  };
}

/** Read-only numbers for the benchmarks and the end-to-end tests (window.shelf.stats). */
export function initialStats() {
  return {
    recomputeCount: 0,
    lastComputeMs: null,
    lastRecomputeMs: null,
    lastModelMs: null,
    readyAtMs: null, // performance.now() (ms since navigation) when the model was ready
    firstSuggestionsAtMs: null,
    importCount: 0,
    lastImport: null, // {rows, readMs, parseMs, matchMs, totalMs}
    shareChars: 0, // length of the ?shelf= value last written
  };
}

/**
 * Whether a first visit's catalogue waits for the model (main.js start), on a visit the service
 * worker serves too (reading and parsing its 2 MB would hold up the first suggestions; its parts
 * are cached): not when the page opens a shelf (its books are named by the catalogue, and its
 * suggestions wait for it anyway) or when it has no popular books to show first.
 */
export function catalogueWaitsForModel(state) {
  // The shelf it opened with, not picks made since (a tap on the first screen before the downloads
  // start: its suggestions wait for the model, not for the catalogue too).
  return state.popular !== null && !state.opensShelf;
}
