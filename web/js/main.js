// Entry module: wires the loader, the pure search / picks / recommendation code and the UI.
import { fetchOptionalJson, loadSite } from "./loader.js";
import { STORAGE_KEY, formatPicks, knownPicks, parsePicks, urlWithPicks } from "./picks.js";
import { reasonFor, rowIndex, scorePicks, similarRows, similarityMatrix, topSuggestions } from "./recommend.js";
import { buildSearchIndex, searchRows } from "./search.js";
import { createUi } from "./ui.js";

const PAGE = 20; // search results and suggestions per page ("more" adds another page)
const SIMILAR_K = 10;

const state = {
  site: null, // {tf, metadata, books, model}
  rowOf: null, // Map book_id -> row
  index: null, // search index
  similarity: null, // unit-length book vectors for reasons and "similar books"
  content: undefined, // content_similar.json: undefined = not fetched yet, null = absent
  picks: new Map(), // book_id -> stars, in pick order
  query: "",
  searchLimit: PAGE,
  suggestionLimit: PAGE,
  similarOf: null, // book_id whose similar books the dialog shows
  generation: 0, // drops results of a recompute overtaken by a newer one
};

// Read-only numbers for the benchmark and the end-to-end tests.
const stats = {
  recomputeCount: 0,
  lastComputeMs: null,
  lastRecomputeMs: null,
  readyAtMs: null, // performance.now() (ms since navigation) when the model was ready
  firstSuggestionsAtMs: null,
};
window.shelf = { stats };

const ui = createUi(document, {
  onSearch(query) {
    state.query = query;
    state.searchLimit = PAGE;
    renderSearch();
  },
  onSearchMore() {
    state.searchLimit += PAGE;
    renderSearch();
  },
  onPick(bookId) {
    state.picks.set(bookId, state.site.metadata.default_pick_stars);
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
  onSimilar: showSimilar,
  onSuggestionsMore() {
    state.suggestionLimit += PAGE;
    recompute();
  },
  onRetry: start,
  onClear() {
    state.picks.clear();
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

function bookAt(row) {
  return state.site.books[row];
}

function bookById(bookId) {
  return bookAt(state.rowOf.get(bookId));
}

function pickOptions() {
  return { defaultStars: state.site.metadata.default_pick_stars };
}

function renderSearch() {
  const rows = searchRows(state.index, state.query);
  const shown = rows.slice(0, state.searchLimit);
  ui.renderSearch(
    shown.map((row) => ({ book: bookAt(row), picked: state.picks.has(bookAt(row).book_id) })),
    { query: state.query, total: rows.length, hasMore: rows.length > shown.length },
  );
}

function renderPicks() {
  ui.renderPicks([...state.picks].map(([bookId, stars]) => ({ book: bookById(bookId), stars })));
}

/** Save picks to localStorage and the URL (without a new history entry), then re-render. */
function picksChanged() {
  try {
    localStorage.setItem(STORAGE_KEY, formatPicks(state.picks, pickOptions()));
  } catch {
    // Private mode or storage full: the URL still carries the picks.
  }
  history.replaceState(null, "", urlWithPicks(location.href, state.picks, pickOptions()));
  ui.shareStatus("");
  state.suggestionLimit = PAGE;
  renderPicks();
  renderSearch();
  if (state.similarOf !== null && ui.similarOpen()) showSimilar(state.similarOf); // refresh its Pick buttons
  recompute();
}

/** Run the model on the picks and show the top suggestions with predicted stars and a reason. */
async function recompute() {
  const generation = ++state.generation;
  if (state.picks.size === 0) {
    ui.renderSuggestions([], { pickCount: 0, hasMore: false, millis: 0 });
    return;
  }
  const started = performance.now();
  const { model, metadata } = state.site;
  const result = await scorePicks(model, Object.fromEntries(state.picks), metadata, state.rowOf);
  if (generation !== state.generation) return;
  const top = topSuggestions(result, metadata, state.suggestionLimit);
  const suggestions = top.map(({ row, stars }) => {
    const reasonRow = reasonFor(state.similarity, row, result.reasonRows);
    return { book: bookAt(row), predicted: stars, reason: reasonRow === null ? null : bookAt(reasonRow) };
  });
  const millis = performance.now() - started;
  const available = metadata.num_books - result.pickedRows.length;
  ui.renderSuggestions(suggestions, { pickCount: state.picks.size, hasMore: top.length < available, millis });
  stats.recomputeCount += 1;
  stats.lastComputeMs = millis; // model + top k + reasons
  stats.lastRecomputeMs = performance.now() - started; // ... and the suggestions' DOM
  stats.firstSuggestionsAtMs ??= performance.now();
}

async function showSimilar(bookId) {
  state.similarOf = bookId;
  const row = state.rowOf.get(bookId);
  const item = (other) => ({ book: other, picked: state.picks.has(other.book_id) });
  const rating = similarRows(state.similarity, row, SIMILAR_K).map((r) => item(bookAt(r)));
  if (state.content === undefined) state.content = await fetchOptionalJson("content_similar.json");
  let content = null;
  if (state.content) {
    const ids = state.content.neighbors?.[String(bookId)] ?? [];
    content = ids.filter((id) => state.rowOf.has(id)).slice(0, SIMILAR_K).map((id) => item(bookById(id)));
  }
  ui.openSimilar(bookAt(row), rating, content);
}

/** The picks as saved: the URL's when it has any (a shared link wins), else localStorage's. */
function savedPicksText() {
  const fromUrl = new URL(location.href).searchParams.get("picks");
  if (fromUrl !== null) return fromUrl;
  try {
    return localStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    return "";
  }
}

function initialPicks() {
  const options = {
    defaultStars: state.site.metadata.default_pick_stars,
    minStars: state.site.metadata.min_stars,
    maxStars: state.site.metadata.max_stars,
  };
  return knownPicks(parsePicks(savedPicksText(), options), state.rowOf);
}

/** Once the page works: sw.js keeps this build for offline visits (where the browser allows). */
function offerOffline() {
  if (!("serviceWorker" in navigator)) return; // plain http on another host: no service workers
  navigator.serviceWorker.register("sw.js").catch((error) => console.warn("no offline copy:", error));
}

async function start() {
  try {
    ui.showLoading(0, "Loading…");
    state.site = await loadSite({ onProgress: (fraction, message) => ui.showLoading(fraction, message) });
  } catch (error) {
    console.error(error);
    // Nothing was changed: the picks stay in the URL and localStorage for the retry.
    ui.showError(error.message || String(error), parsePicks(savedPicksText()).size);
    return;
  }
  state.rowOf = rowIndex(state.site.metadata);
  state.index = buildSearchIndex(state.site.books);
  state.similarity = similarityMatrix(state.site.model, state.site.metadata);
  state.picks = initialPicks();
  state.query = ui.searchValue();
  ui.showReady();
  stats.readyAtMs = performance.now();
  picksChanged();
  offerOffline();
}

start();
