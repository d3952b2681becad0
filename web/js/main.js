// Entry module: wires the loader, the pure search / picks / shelf / import / recommendation
// code and the UI.
import { NewBuildError, fetchJson, fetchOptionalJson, loadCatalogue, loadModel } from "./loader.js";
import { STORAGE_KEY, formatPicks } from "./picks.js";
import { MARKS_KEY, excludedRows, formatMarks, genresByRow, mergeShelves, shareShelf, urlWithShelf } from "./shelf.js";
import { linkedShelf, openingShelf, storedShelf, unreadableCopies } from "./shelf-open.js";
import * as shelfState from "./shelf-state.js";
import {
  isFiltered,
  pendingNote,
  pickOptions,
  publicationYears,
  searchPage,
  suggestionFilter,
  yearRange,
} from "./page-view.js";
import { GoodreadsError, MAX_FILE_BYTES, matchIndex, nextTask, tooBig } from "./goodreads.js";
import { NEWER_BUILD, readAndMatch, readingWhat } from "./import-file.js";
import { buildSearchIndex, searchRows } from "./search.js";
import { createUi } from "./ui.js";
import { createImportUi } from "./ui-import.js";
import { offerOffline, reloadForUpdate } from "./offline.js";

const PAGE = 20; // search results, suggestions and listed picks per page ("more" adds another page)
const SIMILAR_K = 10;
const WARM_UP_PICKS = 64; // the model's first run, before any pick, warms TF.js' kernels
const NEW_VERSION = "A new version of Shelf is ready.";

// What the page needs, in the order it arrives: index.html's popular books (a first screen to
// pick from), then the catalogue (metadata.json, books.json), then TF.js and the model.
const state = {
  site: null, // {metadata, books}: the catalogue; null until it is in
  model: null, // the TF.js model; null until it is in
  rec: null, // recommend.js (imports TF.js, so it comes with the model)
  popular: null, // index.html's popular books: {rows, books, default_pick_stars, min_stars, max_stars}
  books: [], // row -> book: the popular ones first, every book once the catalogue is in
  rowOf: null, // Map book_id -> row (of the books known so far)
  index: null, // search index (over indexRows until the catalogue is in)
  indexRows: null, // index row -> book row while the index covers only the popular books; null after
  // The downloads in flight, one of each: metadata.json (which both of the others need), the
  // catalogue (books.json) and the model (TF.js, model.json, the shards).
  loadingMetadata: null,
  loadingCatalogue: null,
  loadingModel: null,
  progress: { catalogue: 0, model: 0 },
  failed: false, // the last start() failed: its error stays shown until Retry, whatever still downloads
  waitingForCatalogue: [], // {resolve, reject} of imports begun before the catalogue was in
  similarity: null, // unit-length book vectors for reasons and "similar books"
  content: undefined, // content_similar.json: undefined = not fetched yet, null = absent
  genres: null, // genres.json by row ({names, rows}); null until fetched, or when absent
  years: null, // row -> publication year (null unknown), for the year filter
  // A shared list shown instead of the visitor's own shelf: {own: {picks, marks}}, the saved
  // shelf, which nothing overwrites until the visitor chooses (Add, Replace); null otherwise.
  viewing: null,
  picks: new Map(), // book_id -> stars, in pick order
  marks: new Map(), // book_id -> "read" | "not_interested" | "to_read" | "reading": never suggested
  filter: { genre: null, yearFrom: null, yearTo: null },
  scored: null, // {key, result}: the model's output for the picks it was run on
  matcher: null, // the Goodreads match index, built on the first import
  lastImport: null, // what the last import added, for Undo: {picks: [book_id], marks: [book_id], replaced: Map}
  importing: false,
  query: "",
  searchDrawn: null, // what renderSearch drew last (it draws nothing new for the same)
  searchLimit: PAGE,
  suggestionLimit: PAGE,
  picksLimit: PAGE,
  marksLimit: PAGE,
  similarOf: null, // book_id whose similar books the dialog shows
  generation: 0, // drops results of a recompute overtaken by a newer one
  stale: false, // a file of a newer build was met: only a whole reload gives one build again
};

// Read-only numbers for the benchmarks and the end-to-end tests.
const stats = {
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
window.shelf = { stats };

const ui = createUi(document, {
  onSearch(query) {
    state.query = query;
    state.searchLimit = PAGE;
    renderSearch();
  },
  onSearchFocus: () => fullIndex(), // before the first key: the visitor is about to search every book
  onSearchMore() {
    state.searchLimit += PAGE;
    renderSearch();
  },
  onPick: (bookId) => shelfChanged(shelfState.pick(state, bookId, starOptions().defaultStars)),
  onUnpick: (bookId) => shelfChanged(shelfState.unpick(state, bookId)),
  onStars: (bookId, stars) => shelfChanged(shelfState.rate(state, bookId, stars)),
  onRead: (bookId, stars) => shelfChanged(shelfState.markRead(state, bookId, stars), { keepPages: true }),
  onNotInterested: (bookId) => shelfChanged(shelfState.mark(state, bookId, "not_interested"), { keepPages: true }),
  onUnmark: (bookId) => shelfChanged(shelfState.unmark(state, bookId), { keepPages: true }),
  onSimilar: showSimilar,
  onSuggestionsMore() {
    state.suggestionLimit += PAGE;
    recompute();
  },
  onPicksMore() {
    state.picksLimit += PAGE * 5;
    renderPicks();
  },
  onMarksMore() {
    state.marksLimit += PAGE * 5;
    renderPicks();
  },
  onFilter({ genre, yearFrom, yearTo }) {
    state.filter = suggestionFilter({ genre, yearFrom, yearTo });
    state.suggestionLimit = PAGE;
    recompute();
  },
  onRetry() {
    if (state.stale) reloadForUpdate();
    else start();
  },
  onSharedAdd() {
    leaveSharedView(mergeShelves(state.viewing.own, state), "The shared list was added to your shelf.");
  },
  onSharedReplace: () => leaveSharedView({ picks: state.picks, marks: state.marks }, "This list is your shelf now."),
  onSharedBack: () => leaveSharedView(state.viewing.own, ""),
  onUpdateReload: () => reloadForUpdate(),
  onClear() {
    state.lastImport = null;
    importUi.reset();
    shelfChanged({ picks: new Map(), marks: new Map() });
  },
  async onShare() {
    try {
      await navigator.clipboard.writeText(location.href);
      ui.shareStatus("Link copied.");
    } catch {
      ui.shareStatus("Copy the address bar to share this list.");
    }
  },
});

const importUi = createImportUi(document, { onFile: importFile, onUndo: undoImport });

function bookAt(row) {
  return state.books[row];
}

function bookById(bookId) {
  return bookAt(state.rowOf.get(bookId));
}

/** The star choices of a pick (metadata.json's; the popular books' before it is in). */
function starOptions() {
  return pickOptions(state.site?.metadata ?? state.popular ?? {});
}

/**
 * The search index over every book, once the catalogue is in; built when a search first needs
 * it (the search box focused, a query, more than the popular books), never in the way of the
 * first suggestions (it takes a quarter of a second on a phone). Until then the popular books'
 * index answers the empty query exactly as it would: the same books in the same order.
 */
function fullIndex() {
  if (state.site !== null && state.indexRows !== null) {
    state.index = buildSearchIndex(state.site.books);
    state.indexRows = null;
  }
}

function renderSearch() {
  if (state.indexRows !== null && (state.query.trim() !== "" || state.searchLimit >= state.indexRows.length)) {
    fullIndex(); // no-op before the catalogue is in
  }
  if (state.index === null) return;
  // Before the catalogue is in, the index covers the popular books only: searchPage maps its rows back.
  const { results, summary, drawn } = searchPage({
    found: searchRows(state.index, state.query),
    indexRows: state.indexRows,
    limit: state.searchLimit,
    query: state.query,
    books: state.books,
    shelf: state,
  });
  // The same list drawn again (the catalogue arriving under the popular books) is not redrawn:
  // a repaint of the first screen's biggest element would count as a late largest paint.
  if (drawn === state.searchDrawn) return;
  state.searchDrawn = drawn;
  ui.renderSearch(results, summary);
}

/** The picks (the first picksLimit of them) and the marked books (the first marksLimit). */
function renderPicks() {
  const { picksLimit, marksLimit } = state;
  const { picks, marks, counts } = shelfState.shelfLists(state, { picksLimit, marksLimit, bookOf: bookById });
  ui.renderPicks(picks, { total: state.picks.size, marked: state.marks.size });
  ui.renderMarks(marks, counts);
}

/** The visitor changed the shelf ({picks, marks}): keep it, then picksChanged. */
function shelfChanged(shelf, options) {
  ({ picks: state.picks, marks: state.marks } = shelf);
  picksChanged(options);
}

/**
 * Save the shelf to localStorage and the URL (without a new history entry), then re-render.
 * yieldFirst: run the model in a task of its own (after a big import), so no single task
 * both renders the shelf and scores it.
 */
function picksChanged({ keepPages = false, yieldFirst = false } = {}) {
  if (state.site === null) {
    // Picked from the popular books before the catalogue is in: the saved shelf is not read
    // yet, so nothing is saved; initialShelf adds these picks to it (catalogueArrived).
    renderPicks();
    renderSearch();
    suggestionsPending();
    return;
  }
  if (state.viewing === null) saveShelf();
  const shared = shareShelf(state.picks, state.marks);
  stats.shareChars = shared.param.length;
  history.replaceState(null, "", urlWithShelf(location.href, shared.param));
  ui.shareStatus("");
  ui.shareNote(shelfState.shareNote(state, shared));
  if (!keepPages) {
    state.suggestionLimit = PAGE;
    state.picksLimit = PAGE;
    state.marksLimit = PAGE;
  }
  renderPicks();
  renderSearch();
  if (state.similarOf !== null && ui.similarOpen()) showSimilar(state.similarOf); // refresh its Pick buttons
  if (yieldFirst) nextTask().then(recompute);
  else recompute();
}

/** The shelf into localStorage (never while a shared list is shown: the saved one is the visitor's). */
function saveShelf() {
  try {
    localStorage.setItem(STORAGE_KEY, formatPicks(state.picks, starOptions()));
    localStorage.setItem(MARKS_KEY, formatMarks(state.marks));
  } catch {
    // Private mode or storage full: the URL still carries the shelf (or its best part).
  }
}

/** Show a shared list beside the visitor's own shelf (kept in state.viewing.own, and saved). */
function enterSharedView(own) {
  state.viewing = { own };
  ui.sharedView(shelfState.sharedViewNote(state, own));
}

/** The visitor chose: `shelf` becomes their shelf (saved), and the shared list's banner goes. */
function leaveSharedView(shelf, message) {
  state.viewing = null;
  state.lastImport = null;
  importUi.reset();
  ui.sharedView(null);
  ui.shelfNote(message);
  shelfChanged({ picks: new Map(shelf.picks), marks: new Map(shelf.marks) });
}

/** The model's output for the current picks; rerun only when the picks changed (not for marks or filters). */
async function scoreCurrentPicks() {
  const key = formatPicks(state.picks);
  if (state.scored?.key === key) return state.scored.result;
  const { metadata } = state.site;
  const result = await state.rec.scorePicks(state.model, Object.fromEntries(state.picks), metadata, state.rowOf);
  state.scored = { key, result };
  return result;
}

/** Run the model on the picks and show the top suggestions with predicted stars and a reason. */
async function recompute() {
  const generation = ++state.generation;
  if (state.picks.size > 0 && (state.model === null || state.site === null)) {
    suggestionsPending(); // queued: modelArrived recomputes
    return;
  }
  if (state.picks.size === 0) {
    ui.renderSuggestions([], { pickCount: 0, hasMore: false, millis: 0 });
    return;
  }
  const started = performance.now();
  const { metadata } = state.site;
  const result = await scoreCurrentPicks();
  if (generation !== state.generation) return;
  const scored = performance.now();
  const excluded = excludedRows({
    picks: state.picks,
    marks: state.marks,
    rowOf: state.rowOf,
    filter: state.filter,
    years: state.years,
    genres: state.genres?.rows ?? null,
  });
  const top = state.rec.topRows(result.scores, state.suggestionLimit, excluded);
  const suggestions = top.map((row) => {
    const reasonRow = state.rec.reasonFor(state.similarity, row, result.reasonRows);
    return { book: bookAt(row), predicted: result.stars[row], reason: reasonRow === null ? null : bookAt(reasonRow) };
  });
  const millis = performance.now() - started;
  const available = metadata.num_books - excluded.size;
  const filtered = isFiltered(state.filter);
  ui.renderSuggestions(suggestions, { pickCount: state.picks.size, hasMore: top.length < available, millis, filtered });
  stats.recomputeCount += 1;
  stats.lastComputeMs = millis; // model + top k + reasons
  stats.lastModelMs = scored - started; // the model alone (0 when only marks or filters changed)
  stats.lastRecomputeMs = performance.now() - started; // ... and the suggestions' DOM
  stats.firstSuggestionsAtMs ??= performance.now();
}

/** An optional file of this page's build, or null (absent; or of a newer build: then say so). */
async function checkedOptional(url) {
  try {
    return await fetchOptionalJson(url, { check: state.site.metadata });
  } catch (error) {
    if (!(error instanceof NewBuildError)) throw error;
    newBuildMet();
    return null;
  }
}

/** A file of a newer build was met: never use it; offer the new version, reloaded whole. */
function newBuildMet() {
  state.stale = true;
  ui.offerUpdate(NEW_VERSION);
}

/** genres.json (written by the explorer) for the genre filter, once the page works. */
async function loadGenres() {
  const file = await checkedOptional("genres.json");
  state.genres = genresByRow(file, state.rowOf, state.site.metadata.num_books);
  ui.setFilterChoices({ genres: state.genres?.names ?? null, ...yearRange(state.years) });
  if (state.genres && state.filter.genre !== null) recompute();
}

/** Picks but no suggestions yet: say what they wait for (the catalogue, the model) and how far it is. */
function suggestionsPending() {
  if (state.picks.size === 0) return;
  const failed = state.loadingModel === null && state.model === null && state.site !== null;
  ui.suggestionsPending(pendingNote({ modelFraction: state.progress.model, failed }));
}

async function showSimilar(bookId) {
  if (state.similarity === null) return; // the model is not in yet (its vectors are)
  state.similarOf = bookId;
  const row = state.rowOf.get(bookId);
  const item = (other) => ({ book: other, picked: state.picks.has(other.book_id) });
  const rating = state.rec.similarRows(state.similarity, row, SIMILAR_K).map((r) => item(bookAt(r)));
  if (state.content === undefined) state.content = await checkedOptional("content_similar.json");
  let content = null;
  if (state.content) {
    const ids = state.content.neighbors?.[String(bookId)] ?? [];
    content = ids.filter((id) => state.rowOf.has(id)).slice(0, SIMILAR_K).map((id) => item(bookById(id)));
  }
  ui.openSimilar(bookAt(row), rating, content);
}

// ---------------------------------------------------------------------------------------
// Importing a Goodreads export

/** The match index (goodreads.json, fetched on the first import, + books.json). */
async function goodreadsMatcher() {
  // goodreads.json is indexed by row like books.json: only this page's build of it will do.
  state.matcher ??= matchIndex(state.site.books, await fetchJson("goodreads.json", { check: state.site.metadata }));
  return state.matcher;
}

/**
 * Read, check and match the whole file first; only then merge it into the shelf, so a bad
 * file changes nothing. Existing picks and marks win over the file's; a rated book replaces a
 * mark (Undo puts it back).
 */
async function importFile(file) {
  if (state.importing) return;
  // An import is the visitor's own library: it goes into their own shelf, not a shared list.
  if (state.viewing !== null) leaveSharedView(state.viewing.own, "Your own shelf is shown again for the import.");
  state.importing = true;
  const started = performance.now();
  try {
    importUi.progress(0, readingWhat(file.name));
    if (file.size > MAX_FILE_BYTES) throw tooBig(file.size);
    if (state.site === null) {
      importUi.progress(0, `${readingWhat(file.name)} It is matched as soon as the catalogue has loaded.`);
      await catalogueIn();
    }
    const [bytes, matcher] = await Promise.all([file.arrayBuffer(), goodreadsMatcher()]);
    const read = performance.now();
    const onProgress = (fraction, message) => importUi.progress(fraction, message);
    const imported = await readAndMatch(new Uint8Array(bytes), matcher, { name: file.name, onProgress });
    const { shelf: merged, added } = shelfState.mergeImport(state, imported.shelf, state.rowOf);
    ({ picks: state.picks, marks: state.marks } = merged);
    state.lastImport = added;
    stats.importCount += 1;
    stats.lastImport = {
      rows: imported.rows.length,
      readMs: read - started,
      parseMs: imported.parsed - read,
      matchMs: imported.matched - imported.parsed,
      totalMs: performance.now() - started,
    };
    importUi.done(shelfState.importMessage(imported.summary, added), imported.summary.unmatched);
    picksChanged({ yieldFirst: true });
  } catch (error) {
    if (error instanceof NewBuildError) {
      newBuildMet();
      importUi.error(NEWER_BUILD);
      return;
    }
    if (!(error instanceof GoodreadsError) && !(error instanceof Error && error.name === "LoadError")) {
      console.error(error);
    }
    importUi.error(error.message || String(error));
  } finally {
    state.importing = false;
  }
}

/** Resolves once the catalogue is in (catalogueArrived); rejects with its error if it failed. */
function catalogueIn() {
  if (state.site !== null) return Promise.resolve();
  return new Promise((resolve, reject) => state.waitingForCatalogue.push({ resolve, reject }));
}

/** One click takes back what the last import added (later changes to other books stay). */
function undoImport() {
  const added = state.lastImport;
  if (!added) return;
  state.lastImport = null;
  importUi.reset("The import was undone.");
  shelfChanged(shelfState.undoImport(state, added));
}

// ---------------------------------------------------------------------------------------
// Start

/** The shelf saved in localStorage (shelf-open.js storedShelf); an empty one where storage is off. */
function readStoredShelf(options) {
  try {
    const picksText = localStorage.getItem(STORAGE_KEY) ?? "";
    const marksText = localStorage.getItem(MARKS_KEY) ?? "";
    return storedShelf({ picksText, marksText }, options);
  } catch {
    return storedShelf({ picksText: "", marksText: "" }, options);
  }
}

/**
 * Open the page's shelf: the saved one, or a shared list beside it; notes for what went wrong.
 * Saved text with unreadable entries is copied aside first (unreadableCopies), before the page
 * writes the shelf again, so nothing is lost silently.
 */
function initialShelf() {
  const options = starOptions();
  const stored = readStoredShelf(options);
  try {
    for (const [key, text] of unreadableCopies(stored)) {
      if (localStorage.getItem(key) === null) localStorage.setItem(key, text);
    }
  } catch {
    // Storage full or disabled: the note still tells the visitor.
  }
  const early = state.picks; // picked from the popular books before the catalogue was in
  const opened = openingShelf({ href: location.href, stored, options, rowOf: state.rowOf, early });
  ({ picks: state.picks, marks: state.marks } = opened);
  ui.shelfNote(opened.note);
  if (opened.own) enterSharedView(opened.own);
  else ui.sharedView(null);
}

/**
 * Run the model once, for nothing, while the visitor has no picks yet: the first run of
 * TF.js' kernels costs about three times a later one (160 ms against 50 for a 1,500-book
 * import), and that first run should not be the visitor's first suggestions.
 */
function warmUp() {
  if (state.picks.size > 0) return; // the suggestions already ran it
  const { metadata } = state.site;
  const stars = metadata.default_pick_stars;
  const picks = Object.fromEntries(metadata.book_ids.slice(0, WARM_UP_PICKS).map((bookId) => [bookId, stars]));
  state.rec.scorePicks(state.model, picks, metadata, state.rowOf).catch((error) => console.warn("warm-up:", error));
}

/**
 * The first screen, before any download: index.html carries the most popular books
 * (build_site.py), so they can be searched and picked at once. Picks made now wait for the
 * catalogue (initialShelf) and the model (recompute).
 */
function showPopular() {
  state.popular = ui.popularBooks();
  if (state.popular === null) return; // a page built without them: wait for the catalogue
  const { rows, books } = state.popular;
  rows.forEach((row, i) => (state.books[row] = books[i]));
  state.rowOf = new Map(books.map((book, i) => [book.book_id, rows[i]]));
  state.index = buildSearchIndex(books);
  state.indexRows = rows;
  state.query = ui.searchValue();
  ui.showUsable();
  importUi.enable(); // a file chosen now is read, then matched once the catalogue is in
  renderSearch();
}

function showProgress() {
  if (state.failed) return; // a download still in flight must not write over the error and its Retry
  const { catalogue, model } = state.progress;
  const message = state.site === null ? "Loading the catalogue and the model…" : "Loading the model…";
  ui.showLoading(0.25 * catalogue + 0.75 * model, message);
  if (state.site === null || state.model === null) suggestionsPending();
}

/** The catalogue is in: every book can be searched, the saved shelf is opened, import works. */
function catalogueArrived(site) {
  state.site = site;
  state.books = site.books;
  state.rowOf = new Map(site.metadata.book_ids.map((bookId, row) => [bookId, row]));
  if (state.index === null) state.index = buildSearchIndex(site.books); // no popular books in the page
  state.years = publicationYears(site.books);
  initialShelf();
  state.query = ui.searchValue();
  ui.setFilterChoices({ genres: null, ...yearRange(state.years) });
  ui.showUsable();
  importUi.enable();
  picksChanged(); // saves the shelf; its suggestions wait for the model (recompute)
  for (const waiting of state.waitingForCatalogue.splice(0)) waiting.resolve();
  if (state.model === null) showProgress();
  loadGenres();
}

/** The model is in (and the catalogue): the queued picks get their suggestions. */
function modelArrived({ model, rec }) {
  state.model = model;
  state.rec = rec;
  state.similarity = rec.similarityMatrix(model, state.site.metadata);
  ui.showReady();
  stats.readyAtMs = performance.now();
  recompute();
  (window.requestIdleCallback ?? setTimeout)(warmUp);
  offerOffline({ onNewVersion: () => ui.offerUpdate(NEW_VERSION), onNewBuild: newBuildMet });
}

/** Start (or, after Retry, restart) the downloads still missing; the catalogue's and the model's at once. */
async function start() {
  state.failed = false;
  const build = ui.pageBuild();
  // metadata.json once, for both: the model's download must not wait for books.json's.
  const metadata = state.site?.metadata ?? (state.loadingMetadata ??= fetchJson("metadata.json"));
  if (state.site === null) {
    state.loadingCatalogue ??= loadCatalogue({
      build,
      metadata,
      onBytes: (received) => {
        state.progress.catalogue = Math.min(1, received / (state.popular?.books_json_bytes || 2e6));
        showProgress();
      },
    });
  }
  if (state.model === null) {
    state.loadingModel ??= Promise.all([
      loadModel(metadata, {
        onFraction: (fraction) => {
          state.progress.model = fraction;
          showProgress();
        },
      }),
      import("./recommend.js"),
    ]).then(([{ model }, rec]) => ({ model, rec }));
    state.loadingModel.catch(() => {}); // awaited below, after the catalogue (whose error comes first)
  }
  showProgress();
  try {
    if (state.site === null) catalogueArrived(await state.loadingCatalogue);
    const loaded = await state.loadingModel;
    modelArrived(loaded);
  } catch (error) {
    state.failed = true;
    state.loadingMetadata = null;
    state.loadingCatalogue = null;
    state.loadingModel = null;
    if (error instanceof NewBuildError) newBuildMet(); // Retry then reloads the whole page
    else console.error(error);
    // Nothing was changed: the shelf stays in the URL and localStorage for the retry.
    for (const waiting of state.waitingForCatalogue.splice(0)) waiting.reject(error);
    const saved = () => linkedShelf(location.href, readStoredShelf()).picks.size;
    const kept = state.site === null ? Math.max(saved(), state.picks.size) : state.picks.size;
    ui.showError(error.message || String(error), kept);
    suggestionsPending();
  }
}

showPopular();
start();
