// Entry module, wiring only: the downloads, the model, the pure modules, the shelf, the panels, the UI.
import { NewBuildError, fetchJson, fetchOptionalJson, nextTask } from "./checked-fetch.js";
import { createDownloads } from "./downloads.js";
import { formatPicks } from "./picks.js";
import { shareShelf } from "./shelf-link.js";
import { createSharedView } from "./shared-view.js";
import { createShelfKeeper } from "./shelf-keeper.js";
import { createUnsavedNotice } from "./unsaved-notice.js";
import { createDiscoveryControl } from "./discovery-control.js";
import * as shelfEdits from "./shelf-edits.js";
import { loadAdvice, pendingNote, pickOptions } from "./page-view.js";
import { publicationYears, yearProblem, yearRange } from "./filters.js";
import { matchIndex } from "./goodreads.js";
import { createImportBox } from "./import-box.js";
import { createSearchPanel } from "./search-panel.js";
import { createSuggestionsPanel } from "./suggestions-panel.js";
import { createUi } from "./ui.js";
import { seriesTable } from "./series.js";
import { createSimilarPanel } from "./similar-panel.js";
import { offerOffline, reloadForUpdate, watchForNewBuild } from "./offline.js";
import { catalogueWaitsForModel, initialState, initialStats } from "./page-state.js";

const PAGE = 20; // search results, suggestions and listed picks per page ("more" adds another page)
const NEW_VERSION = "A new version of Shelf is ready.";
await nextTask(); // boot.js's downloads started, the rest in a task of its own (a phone's long tasks)
const state = initialState(PAGE);
const stats = initialStats();
window.shelf = { stats };

const ui = createUi(document, {
  onSearch(query) {
    catalogueNow(); // a search is for any book: the whole catalogue, now
    search.setQuery(query);
  },
  onSearchFocus() {
    catalogueNow();
    search.focused();
  },
  onSearchMore: () => search.more(),
  onPick: (bookId) => shelfChanged(shelfEdits.pick(state, bookId, starOptions().defaultStars)),
  onUnpick: (bookId) => shelfChanged(shelfEdits.unpick(state, bookId)),
  onStars: (bookId, stars) => shelfChanged(shelfEdits.rate(state, bookId, stars)),
  onRead: (bookId, stars) => shelfChanged(shelfEdits.markRead(state, bookId, stars), { keepPages: true }),
  onNotInterested: (bookId) => shelfChanged(shelfEdits.mark(state, bookId, "not_interested"), { keepPages: true }),
  onUnmark: (bookId) => shelfChanged(shelfEdits.unmark(state, bookId), { keepPages: true }),
  onSimilar: (bookId) => similar.show(bookId),
  onSimilarClosed: () => similar.closed(),
  onSuggestionsMore: () => suggestions.more(),
  onPicksMore: () => listMore("picksLimit"),
  onMarksMore: () => listMore("marksLimit"),
  onFilter(boxes) {
    ui.filterNote(yearProblem(boxes, yearRange(publicationYears(state.books.filter(Boolean)))));
    suggestions.filter(boxes);
  },
  onRetry: () => (state.stale ? reloadForUpdate() : start()), // a newer build met: the whole page
  onSharedAdd: () => shared.add(),
  onSharedReplace: () => shared.replace(),
  onSharedBack: () => shared.back(),
  onUpdateReload: () => reloadForUpdate(),
  onClear() {
    importBox.forget();
    shelfChanged({ picks: new Map(), marks: new Map() }, { replace: true });
  },
  onShare: () => shared.copyLink(keeper.shareHref()),
});

// What the panels read of the page's state.
const downloads = createDownloads(state, ui.pageBuild(), {
  catalogue: catalogueArrived,
  model: modelArrived,
  progress: showProgress,
  failed: loadFailed,
});
const keeper = createShelfKeeper(state, starOptions, {
  unsaved: () => unsavedNotice.show(location.href),
  otherTab: () => picksChanged({ keepPages: true }), // another tab's change, merged: shown, suggested for
});
const unsavedNotice = createUnsavedNotice(document);
const discoveryControl = createDiscoveryControl(document, (discovery) =>
  shelfChanged({ picks: state.picks, marks: state.marks, discovery }),
);
const page = { shelf: () => state, books: () => state.books, rowOf: () => state.rowOf, namesFor: downloads.namesFor, stats };
const search = createSearchPanel(ui, page, PAGE);
const suggestions = createSuggestionsPanel(
  ui,
  { ...page, model: modelCalls, pending: suggestionsPending, failed: modelFailed },
  PAGE,
);
const similar = createSimilarPanel(ui, state, {
  catalogueIn: () => downloads.catalogueIn(),
  optional: checkedOptional,
  failed: modelFailed,
});
const shared = createSharedView(state, { shelfChanged, forgetImport: () => importBox.forget(), ui });
const importBox = createImportBox(document, {
  ...page,
  ownShelf: () => shared.ownShelfFor(),
  untilCatalogue: () => (state.site === null ? downloads.catalogueIn : null),
  matcher: goodreadsMatcher,
  shelfChanged,
  newBuildMet,
});

/** The star choices of a pick (metadata.json's; the popular books' before it is in). */
function starOptions() {
  return pickOptions(state.site?.metadata ?? state.popular ?? {});
}

/** "More" under the picks or the marked books: `limit` (picksLimit or marksLimit) grows by five pages. */
function listMore(limit) {
  state[limit] += PAGE * 5;
  renderPicks();
}

/** The picks (the first picksLimit of them) and the marked books (the first marksLimit). */
function renderPicks() {
  const { picksLimit, marksLimit } = state;
  const bookOf = (bookId) => state.books[state.rowOf?.get(bookId)]; // undefined until its title is in
  const { picks, marks, counts } = shelfEdits.shelfLists(state, { picksLimit, marksLimit, bookOf });
  ui.renderPicks(picks, { total: state.picks.size, marked: state.marks.size });
  ui.renderMarks(marks, counts);
}

/** The visitor changed the shelf ({picks, marks}; replace: the whole shelf, as Clear): save it, then picksChanged. */
function shelfChanged(shelf, options = {}) {
  keeper.change(shelf, options);
  picksChanged(options);
}

/**
 * Save the shelf to localStorage and the URL (without a new history entry), then re-render.
 * yieldFirst: run the model in a task of its own (after a big import), so no single task
 * both renders the shelf and scores it.
 */
function picksChanged({ keepPages = false, yieldFirst = false } = {}) {
  discoveryControl.show(state.discovery);
  const shared = shareShelf(state.picks, state.marks, { discovery: state.discovery });
  stats.shareChars = shared.param.length;
  keeper.writeAddress(shared.param); // before the catalogue is in too: it may never come
  if (keeper.unsaved()) unsavedNotice.show(location.href);
  if (state.site === null) {
    // Before the catalogue is in (picked from the popular books, or the saved shelf opened):
    // saved already (keeper), listed once their titles are in. The model, once in, suggests
    // for them already (named by parts of the catalogue: namesFor).
    renderPicks();
    search.render();
    if (state.model === null) suggestionsPending();
    else suggestions.recompute();
    return;
  }
  ui.shareStatus("");
  ui.shareNote(shelfEdits.shareNote(state, shared));
  if (!keepPages) {
    Object.assign(state, { picksLimit: PAGE, marksLimit: PAGE });
    suggestions.firstPage();
  }
  renderPicks();
  search.render();
  if (state.similarOf !== null && ui.similarOpen()) similar.show(state.similarOf); // refresh its Pick buttons
  if (yieldFirst) nextTask().then(suggestions.recompute);
  else suggestions.recompute();
}

/** The model's output for the current picks; rerun only when the picks changed (not for marks or filters). */
async function scoreCurrentPicks() {
  const key = formatPicks(state.picks);
  // Kept while under way too: a recompute that overtakes another (the catalogue arriving) waits
  // for the same run rather than running the model again.
  if (state.scored?.key !== key) {
    const result = state.rec.scorePicks(state.model, Object.fromEntries(state.picks), state.metadata, state.rowOf);
    state.scored = { key, result };
    result.catch(() => state.scored?.result === result && (state.scored = null));
  }
  return state.scored.result;
}

/** What the suggestions need of the model; null until it (and metadata.json) is in. */
function modelCalls() {
  if (state.model === null || state.metadata === null) return null;
  const { rec, similarity } = state;
  state.series ??= seriesTable(state.metadata); // metadata.json's: arranged before books.json is in
  const { num_books: numBooks, discovery = null } = state.metadata;
  return { score: scoreCurrentPicks, rec, similarity, numBooks, series: state.series, discovery };
}

/**
 * An optional file of this page's build, or null (absent; changed on the server; or of a newer
 * build: then say so).
 */
async function checkedOptional(url) {
  try {
    return await fetchOptionalJson(url, { check: state.site.metadata });
  } catch (error) {
    if (error instanceof NewBuildError) newBuildMet();
    else console.warn(error.message); // changed or damaged on the server: done without it
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
  suggestions.genres(await checkedOptional("genres.json"), state.rowOf, state.site.metadata.num_books);
}

/** Picks but no suggestions yet: say what they wait for (the catalogue, the model) and how far it is. */
function suggestionsPending() {
  if (state.picks.size === 0) return;
  const failed = state.loadingModel === null && state.model === null && state.site !== null;
  ui.suggestionsPending(pendingNote({ modelFraction: state.progress.model, failed }));
}

/** The match index (goodreads.json, fetched on the first import, + books.json). */
async function goodreadsMatcher() {
  // goodreads.json is indexed by row like books.json: only this page's build of it will do.
  state.matcher ??= matchIndex(state.site.books, await fetchJson("goodreads.json", { check: state.site.metadata }));
  return state.matcher;
}

// ---------------------------------------------------------------------------------------
// Start

/** The catalogue is in: the shelf cut to it (the saved books it lacks stay saved); notes for what went wrong. */
function initialShelf() {
  const { note } = keeper.catalogueIn();
  ui.shelfNote(note);
  ui.sharedView(state.viewing ? shelfEdits.sharedViewNote(state, state.viewing.own) : null);
}

/**
 * The first screen, before any download: index.html carries the most popular books
 * (sitebuild/catalogue.py), so they can be searched and picked at once. Picks made now wait for the
 * catalogue (initialShelf) and the model (suggestions.recompute).
 */
function showPopular() {
  state.popular = ui.popularBooks();
  if (state.popular === null) return; // a page built without them: wait for the catalogue
  const { rows, books } = state.popular;
  rows.forEach((row, i) => (state.books[row] = books[i]));
  state.rowOf = new Map(books.map((book, i) => [book.book_id, rows[i]]));
  search.popular(books, rows);
  ui.showUsable();
  importBox.enable(); // a file chosen now is read, then matched once the catalogue is in
  search.render();
}

function showProgress() {
  if (state.failed) return; // a download still in flight must not write over the error and its Retry
  const { catalogue, model } = state.progress;
  const loading = [state.loadingCatalogue !== null && "the catalogue", state.model === null && "the model"];
  const missing = loading.filter(Boolean);
  ui.showLoading(0.25 * catalogue + 0.75 * model, `Loading ${missing.join(" and ") || "the catalogue"}…`);
  if (state.model === null) suggestionsPending();
}

/** The catalogue is in: every book can be searched, the saved shelf is opened, import works. */
function catalogueArrived(site) {
  state.site = site;
  state.books = site.books;
  state.rowOf = new Map(site.metadata.book_ids.map((bookId, row) => [bookId, row]));
  search.catalogue(site.books);
  initialShelf();
  suggestions.catalogue(site.books);
  ui.showUsable();
  importBox.enable();
  picksChanged(); // saves the shelf; its suggestions wait for the model (suggestions.recompute)
  if (state.model === null) showProgress();
  else pageReady();
}

/** The model is in: the queued picks get their suggestions (the catalogue may still come: namesFor). */
function modelArrived({ model, rec }) {
  state.model = model;
  state.rec = rec;
  state.similarity = rec.similarityMatrix(model);
  stats.readyAtMs = performance.now();
  if (state.site === null) showProgress();
  else pageReady();
  // The catalogue, if it waited for the model, once the first suggestions are drawn (named by
  // its parts): reading and parsing it would hold them up on a phone.
  suggestions.recompute().finally(catalogueNow);
}

/**
 * The catalogue and the model are both in: the page is ready. Then what it fetches last, so as
 * not to slow the first suggestions on a phone: the model's later part, genres.json (the genre
 * filter) and, through the service worker, the offline copy.
 */
function pageReady() {
  ui.showReady();
  const whole = state.model.whole().catch((error) => console.warn("the model's later part is fetched again when needed:", error));
  if (state.afterFirst) return;
  state.afterFirst = true;
  // The offline copy after these, which it caches too: not downloaded twice at once.
  Promise.allSettled([whole, loadGenres()]).then(() =>
    offerOffline({ onNewVersion: () => ui.offerUpdate(NEW_VERSION) }),
  );
}

/** The model stopped answering (its worker died): say so and keep the picks; Retry loads it again. */
function modelFailed(error) {
  console.error(error);
  state.model?.close(); // its worker, if still running, goes: Retry starts a new one
  Object.assign(state, { failed: true, model: null, rec: null, similarity: null, loadingModel: null });
  ui.showError(error.message || String(error), state.picks.size, loadAdvice(error));
  suggestionsPending();
}

/** A download failed (downloads.js reset it for Retry): say which file and why; picks are kept. */
function loadFailed(error) {
  catalogueNow(); // if it waited for the model: search and import need no model
  state.failed = true;
  if (error instanceof NewBuildError) newBuildMet(); // Retry then reloads the whole page
  else console.error(error);
  // Nothing was changed: the shelf stays in the URL and localStorage for the retry.
  ui.showError(error.message || String(error), state.picks.size, loadAdvice(error));
  suggestionsPending();
}

/** Start (or, after Retry, restart) the downloads still missing: the model's, and the catalogue's at once or after it. */
function start({ first = false } = {}) {
  state.failed = false;
  state.catalogueWaits = first && catalogueWaitsForModel(state);
  if (!state.catalogueWaits) downloads.startCatalogue();
  downloads.startModel();
  showProgress();
}

/** The catalogue that waited for the model (start) is wanted now (downloads.startCatalogue ends the wait). */
function catalogueNow() {
  if (state.catalogueWaits) downloads.startCatalogue();
}

watchForNewBuild(newBuildMet);
keeper.open(location.href, history.state); // the saved shelf, at once: its picks show as picked
ui.sharedView(state.viewing ? shelfEdits.sharedViewNote(state, state.viewing.own) : null);
// Each in a task of its own (a phone's long tasks): evaluating the modules, drawing the popular
// books and the shelf, starting the downloads (the first of them started in boot.js already).
nextTask()
  .then(() => {
    showPopular();
    picksChanged();
  })
  .then(nextTask)
  .then(() => start({ first: true }));
