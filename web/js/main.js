// Entry module: wires the loader, the pure search / picks / shelf / import / recommendation
// code and the UI.
import { NewBuildError, fetchJson, fetchOptionalJson, loadCatalogue } from "./loader.js";
import { loadModel } from "./model-client.js";
import { STORAGE_KEY, formatPicks, knownPicks, parsePicks, unreadablePicks } from "./picks.js";
import {
  MARKS_KEY,
  excludedRows,
  formatMarks,
  genresByRow,
  mergeShelves,
  openShelf,
  parseMarks,
  parseYear,
  shareShelf,
  unreadableMarks,
  urlWithShelf,
} from "./shelf.js";
import {
  GoodreadsError,
  MAX_FILE_BYTES,
  buildShelf,
  decodeExport,
  matchIndex,
  matchRows,
  nextTask,
  readExport,
  summarize,
  summaryLine,
  tooBig,
} from "./goodreads.js";
import { buildSearchIndex, searchRows } from "./search.js";
import { createUi } from "./ui.js";
import { createImportUi } from "./ui-import.js";

const PAGE = 20; // search results, suggestions and listed picks per page ("more" adds another page)
const SIMILAR_K = 10;
const NEW_VERSION = "A new version of Shelf is ready.";

// What the page needs, in the order it arrives: index.html's popular books (a first screen to
// pick from), then the catalogue (metadata.json, books.json), then TF.js and the model.
const state = {
  site: null, // {metadata, books}: the catalogue; null until it is in
  model: null, // the model, in its worker (model-client.js's handle); null until it is in
  rec: null, // model-client.js: runs the model in its worker, ranks and explains here
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
  reloading: false, // the visitor asked for the new version: reload once the new worker controls the page
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
  onSearchFocus() {
    fullIndex(); // before the first key: the visitor is about to search every book
  },
  onSearchMore() {
    state.searchLimit += PAGE;
    renderSearch();
  },
  onPick(bookId) {
    state.picks.set(bookId, pickOptions().defaultStars);
    state.marks.delete(bookId);
    picksChanged();
  },
  onUnpick(bookId) {
    state.picks.delete(bookId);
    picksChanged();
  },
  onStars(bookId, stars) {
    state.picks.set(bookId, stars);
    picksChanged();
  },
  onRead(bookId, stars) {
    // A read mark with stars is a pick; without, the book is only never suggested again.
    if (stars > 0) {
      state.picks.set(bookId, stars);
      state.marks.delete(bookId);
    } else {
      state.marks.set(bookId, "read");
    }
    picksChanged({ keepPages: true });
  },
  onNotInterested(bookId) {
    state.marks.set(bookId, "not_interested");
    picksChanged({ keepPages: true });
  },
  onUnmark(bookId) {
    state.marks.delete(bookId);
    picksChanged({ keepPages: true });
  },
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
    state.filter = { genre: genre === "" ? null : Number(genre), yearFrom: parseYear(yearFrom), yearTo: parseYear(yearTo) };
    state.suggestionLimit = PAGE;
    recompute();
  },
  onRetry() {
    if (state.stale) reloadForUpdate();
    else start();
  },
  onSharedAdd() {
    const merged = mergeShelves(state.viewing.own, { picks: state.picks, marks: state.marks });
    leaveSharedView(merged, "The shared list was added to your shelf.");
  },
  onSharedReplace() {
    leaveSharedView({ picks: state.picks, marks: state.marks }, "This list is your shelf now.");
  },
  onSharedBack() {
    leaveSharedView(state.viewing.own, "");
  },
  onUpdateReload() {
    reloadForUpdate();
  },
  onClear() {
    state.picks.clear();
    state.marks.clear();
    state.lastImport = null;
    importUi.reset();
    picksChanged();
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

function pickOptions() {
  const source = state.site?.metadata ?? state.popular ?? {};
  const { default_pick_stars: defaultStars, min_stars: minStars, max_stars: maxStars } = source;
  return { defaultStars, minStars, maxStars };
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
  // Before the catalogue is in, the index covers the popular books only: map its rows back.
  const found = searchRows(state.index, state.query);
  const rows = state.indexRows === null ? found : found.map((i) => state.indexRows[i]);
  const shown = rows.slice(0, state.searchLimit);
  const results = shown.map((row) => {
    const book = bookAt(row);
    return { book, picked: state.picks.has(book.book_id), mark: state.marks.get(book.book_id) };
  });
  const summary = {
    query: state.query,
    total: rows.length,
    hasMore: rows.length > shown.length,
    among: state.indexRows === null ? null : state.indexRows.length, // only the popular books so far
  };
  // The same list drawn again (the catalogue arriving under the popular books) is not redrawn:
  // a repaint of the first screen's biggest element would count as a late largest paint.
  const drawn = JSON.stringify([results.map(({ book, picked, mark }) => [book.book_id, picked, mark]), summary]);
  if (drawn === state.searchDrawn) return;
  state.searchDrawn = drawn;
  ui.renderSearch(results, summary);
}

/** The picks (the first picksLimit of them) and the marked books (the first marksLimit). */
function renderPicks() {
  const picks = [];
  for (const [bookId, stars] of state.picks) {
    if (picks.length >= state.picksLimit) break;
    picks.push({ book: bookById(bookId), stars });
  }
  ui.renderPicks(picks, { total: state.picks.size, marked: state.marks.size });
  const marks = [];
  const counts = {};
  for (const [bookId, mark] of state.marks) {
    counts[mark] = (counts[mark] ?? 0) + 1;
    if (marks.length < state.marksLimit) marks.push({ book: bookById(bookId), mark });
  }
  ui.renderMarks(marks, counts);
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
  ui.shareNote(shareNote(shared));
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
    localStorage.setItem(STORAGE_KEY, formatPicks(state.picks, pickOptions()));
    localStorage.setItem(MARKS_KEY, formatMarks(state.marks));
  } catch {
    // Private mode or storage full: the URL still carries the shelf (or its best part).
  }
}

/** Show a shared list beside the visitor's own shelf (kept in state.viewing.own, and saved). */
function enterSharedView(own) {
  state.viewing = { own };
  const n = (x) => x.toLocaleString("en-US");
  const s = (x, word) => `${n(x)} ${word}${x === 1 ? "" : "s"}`;
  const size = own.picks.size + own.marks.size;
  ui.sharedView(
    `You are looking at a shared list (${s(state.picks.size, "pick")}, ${s(state.marks.size, "never-suggested book")}). ` +
      `Your own shelf (${s(size, "book")}) is kept in this browser and stays as it is unless you choose below.`,
  );
}

/** The visitor chose: `shelf` becomes their shelf (saved), and the shared list's banner goes. */
function leaveSharedView(shelf, message) {
  state.viewing = null;
  state.picks = new Map(shelf.picks);
  state.marks = new Map(shelf.marks);
  state.lastImport = null;
  importUi.reset();
  ui.sharedView(null);
  ui.shelfNote(message);
  picksChanged();
}

/** What the link leaves out of a big shelf, said on the page ("" when it carries all of it). */
function shareNote(shared) {
  const total = state.picks.size + state.marks.size;
  const carried = shared.picks + shared.marks;
  if (carried === total) return "";
  const n = (x) => x.toLocaleString("en-US");
  const what = shared.picks < state.picks.size ? `your ${n(shared.picks)} best-rated picks` : "all your picks";
  return (
    `The link carries ${what} and ${n(shared.marks)} of your ${n(state.marks.size)} never-suggested books ` +
    `(${n(carried)} of ${n(total)}), so it stays short enough to share. This browser keeps them all.`
  );
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
  const filtered = state.filter.genre !== null || state.filter.yearFrom !== null || state.filter.yearTo !== null;
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
  ui.setFilterChoices({ genres: state.genres?.names ?? null, ...yearRange() });
  if (state.genres && state.filter.genre !== null) recompute();
}

function yearRange() {
  const known = state.years.filter((year) => year !== null);
  return known.length ? { minYear: Math.min(...known), maxYear: Math.max(...known) } : { minYear: "", maxYear: "" };
}

/** Picks but no suggestions yet: say what they wait for (the catalogue, the model) and how far it is. */
function suggestionsPending() {
  if (state.picks.size === 0) return;
  const percent = Math.round(100 * state.progress.model); // it downloads from the start, beside the catalogue
  ui.suggestionsPending(
    state.loadingModel === null && state.model === null && state.site !== null
      ? "Your suggestions appear once the model has loaded: use Retry above."
      : `Your suggestions appear as soon as the model has loaded (${percent}%).`,
  );
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
  const what = `Reading ${file.name}…`;
  try {
    importUi.progress(0, what);
    if (file.size > MAX_FILE_BYTES) throw tooBig(file.size);
    if (state.site === null) {
      importUi.progress(0, `${what} It is matched as soon as the catalogue has loaded.`);
      await catalogueIn();
    }
    const [bytes, matcher] = await Promise.all([file.arrayBuffer(), goodreadsMatcher()]);
    const read = performance.now();
    const text = decodeExport(new Uint8Array(bytes));
    // Reading is most of the work (0..80%), matching the rest; both in short tasks.
    const rows = await readExport(text, { onProgress: (fraction) => importUi.progress(0.8 * fraction, what) });
    const parsed = performance.now();
    const matching = `Matching ${rows.length.toLocaleString("en-US")} rows to the catalogue…`;
    const matches = await matchRows(rows, matcher, {
      onProgress: (fraction) => importUi.progress(0.8 + 0.2 * fraction, matching),
    });
    const shelf = buildShelf(rows, matches);
    const matched = performance.now();
    const added = mergeImport(shelf);
    state.lastImport = added;
    stats.importCount += 1;
    stats.lastImport = {
      rows: rows.length,
      readMs: read - started,
      parseMs: parsed - read,
      matchMs: matched - parsed,
      totalMs: performance.now() - started,
    };
    const summary = summarize(rows, matches);
    importUi.done(importMessage(summary, added), summary.unmatched);
    picksChanged({ yieldFirst: true });
  } catch (error) {
    if (error instanceof NewBuildError) {
      newBuildMet();
      importUi.error(
        "Shelf was updated since this page was opened, so this page's catalogue no longer matches the " +
          "server's. Reload the page (your shelf is kept), then import the file again.",
      );
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

/** Add the import's books to the shelf; return what was added (for Undo and the message). */
function mergeImport(shelf) {
  const added = { picks: [], marks: [], replaced: new Map(), kept: 0 };
  for (const [bookId, stars] of shelf.picks) {
    if (!state.rowOf.has(bookId)) continue;
    if (state.picks.has(bookId)) {
      added.kept += 1;
      continue;
    }
    if (state.marks.has(bookId)) added.replaced.set(bookId, state.marks.get(bookId));
    state.marks.delete(bookId);
    state.picks.set(bookId, stars);
    added.picks.push(bookId);
  }
  for (const [bookId, mark] of shelf.marks) {
    if (!state.rowOf.has(bookId) || state.picks.has(bookId) || state.marks.has(bookId)) continue;
    state.marks.set(bookId, mark);
    added.marks.push(bookId);
  }
  return added;
}

function importMessage(summary, added) {
  const n = (x) => x.toLocaleString("en-US");
  const s = (x, word) => `${n(x)} ${word}${x === 1 ? "" : "s"}`;
  const kept = added.kept ? ` ${s(added.kept, "book")} you had picked here kept your stars from this page.` : "";
  return (
    `${summaryLine(summary)}. Added ${s(added.picks.length, "rated book")} as picks and ` +
    `${s(added.marks.length, "book")} you have read, are reading or want to read (never suggested).${kept}`
  );
}

/** One click takes back what the last import added (later changes to other books stay). */
function undoImport() {
  const added = state.lastImport;
  if (!added) return;
  for (const bookId of added.picks) state.picks.delete(bookId);
  for (const [bookId, mark] of added.replaced) if (!state.picks.has(bookId)) state.marks.set(bookId, mark);
  for (const bookId of added.marks) state.marks.delete(bookId);
  state.lastImport = null;
  importUi.reset("The import was undone.");
  picksChanged();
}

// ---------------------------------------------------------------------------------------
// Start

/**
 * The shelf as saved in localStorage: {picks, marks, unreadable: [entries that could not be
 * read]}. Unreadable entries are reported on the page, and the text they came from is copied
 * to "<key>.unreadable" before the page writes the shelf again, so nothing is lost silently.
 */
function storedShelf(options) {
  try {
    const picksText = localStorage.getItem(STORAGE_KEY) ?? "";
    const marksText = localStorage.getItem(MARKS_KEY) ?? "";
    const unreadable = [...unreadablePicks(picksText), ...unreadableMarks(marksText)];
    return { picks: parsePicks(picksText, options), marks: parseMarks(marksText), unreadable, picksText, marksText };
  } catch {
    return { picks: new Map(), marks: new Map(), unreadable: [] };
  }
}

/** Keep a copy of saved text that had unreadable entries; say so on the page. */
function reportUnreadable(stored) {
  const count = stored.unreadable.length;
  if (count === 0) return "";
  try {
    for (const [key, text] of [
      [STORAGE_KEY, stored.picksText],
      [MARKS_KEY, stored.marksText],
    ]) {
      if (text && localStorage.getItem(`${key}.unreadable`) === null) localStorage.setItem(`${key}.unreadable`, text);
    }
  } catch {
    // Storage full or disabled: the message below still tells the visitor.
  }
  const shown = stored.unreadable
    .slice(0, 3)
    .map((entry) => `“${entry.trim().slice(0, 20)}”`)
    .join(", ");
  const more = count > 3 ? ` and ${count - 3} more` : "";
  return (
    `${count} entr${count === 1 ? "y" : "ies"} saved in this browser could not be read and ` +
    `${count === 1 ? "was" : "were"} left out (${shown}${more}). A copy of what was saved is kept ` +
    `in this browser's storage under “${STORAGE_KEY}.unreadable”.`
  );
}

/**
 * The shelf to open with (openShelf): a shared link (?shelf=, or an old ?picks= link) is
 * shown, never saved over this browser's own shelf until the visitor chooses; a damaged link
 * leaves the saved shelf as it is and says so. Also {stored}: the saved shelf.
 */
function savedShelf(options = {}) {
  const params = new URL(location.href).searchParams;
  const legacy = params.has("picks") ? parsePicks(params.get("picks"), options) : null;
  const stored = storedShelf(options);
  return { ...openShelf(params.get("shelf"), stored, legacy), stored };
}

/** A shelf's picks clamped to metadata's star range and both maps to the catalogue's books. */
function knownShelf({ picks, marks }, { minStars, maxStars }) {
  // A ?shelf= link's stars are 1..5 whatever metadata's range: clamp them to metadata's too.
  const clamped = new Map([...picks].map(([bookId, stars]) => [bookId, Math.min(maxStars, Math.max(minStars, stars))]));
  const known = knownPicks(clamped, state.rowOf);
  return { picks: known, marks: new Map([...marks].filter(([bookId]) => state.rowOf.has(bookId) && !known.has(bookId))) };
}

/** Open the page's shelf: the saved one, or a shared list beside it; notes for what went wrong. */
function initialShelf() {
  const options = pickOptions();
  const opened = savedShelf(options);
  const early = state.picks; // picked from the popular books before the catalogue was in
  ({ picks: state.picks, marks: state.marks } = knownShelf(opened, options));
  for (const [bookId, stars] of early) {
    state.picks.set(bookId, stars);
    state.marks.delete(bookId);
  }
  const notes = [opened.problem, reportUnreadable(opened.stored)].filter(Boolean);
  ui.shelfNote(notes.join(" "));
  if (opened.viewing) enterSharedView(knownShelf(opened.stored, options));
  else ui.sharedView(null);
}

/**
 * Reload the whole page, so that every file comes from one build: when a new service worker
 * waits (it never takes over a page by itself), let it take over first, then reload.
 */
async function reloadForUpdate() {
  const registration = await navigator.serviceWorker?.getRegistration().catch(() => null);
  if (registration?.waiting && navigator.serviceWorker.controller) {
    state.reloading = true;
    registration.waiting.postMessage("skip-waiting"); // controllerchange reloads
  } else {
    location.reload();
  }
}

/**
 * Once the page works: sw.js keeps this build for offline visits (where the browser allows).
 * A newer build's worker installs beside it and waits; the page says a new version is ready
 * and reloads whole when the visitor asks (reloadForUpdate), never mixing the two builds.
 */
function offerOffline() {
  if (!("serviceWorker" in navigator)) return; // plain http on another host: no service workers
  const container = navigator.serviceWorker;
  container.addEventListener("controllerchange", () => {
    if (state.reloading) location.reload();
    else newBuildMet(); // another tab of the site let the new version in
  });
  container
    .register("sw.js")
    .then((registration) => {
      const watch = (worker, isUpdate) =>
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed" && isUpdate) ui.offerUpdate(NEW_VERSION);
        });
      if (registration.waiting && registration.active) ui.offerUpdate(NEW_VERSION);
      watch(registration.installing, registration.active !== null);
      registration.addEventListener("updatefound", () => watch(registration.installing, registration.active !== null));
    })
    .catch((error) => console.warn("no offline copy:", error));
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
  state.years = site.books.map((book) => (Number.isInteger(book.year) ? book.year : null));
  initialShelf();
  state.query = ui.searchValue();
  ui.setFilterChoices({ genres: null, ...yearRange() });
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
  offerOffline();
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
      import("./model-client.js"),
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
    const kept = state.site === null ? Math.max(savedShelf().picks.size, state.picks.size) : state.picks.size;
    ui.showError(error.message || String(error), kept);
    suggestionsPending();
  }
}

showPopular();
start();
