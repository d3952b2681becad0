// The page's DOM (with book-item.js and series-view.js). Book data (titles, authors) is always set with
// textContent or setAttribute, never parsed as HTML, so a title like <img src=x> stays text.
import { MARK_LABELS, bookItem, el, keptItems, replaceItems } from "./book-item.js";
import { createSeriesView, suggestionItem } from "./series-view.js";

/**
 * A count with thousands separators, as toLocaleString("en-US") writes a whole number. Not
 * toLocaleString itself: its first call loads the browser's locale data, a main-thread task of
 * a few hundred milliseconds on a slow phone, and the first pick draws the picks' count.
 */
export function count(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Wire the page's static markup (index.html) to `handlers` and return the render functions.
 * handlers: onSearch(query), onSearchFocus(), onSearchMore(), onPick(bookId), onUnpick(bookId),
 * onStars(bookId, stars), onSimilar(bookId), onSuggestionsMore(), onRetry(), onClear(), onShare(),
 * onRead(bookId, stars: 0 = no stars), onNotInterested(bookId), onUnmark(bookId),
 * onPicksMore(), onMarksMore(), onFilter({genre, yearFrom, yearTo}: the boxes' raw values),
 * onSharedAdd(), onSharedReplace(), onSharedBack() (a shared list shown beside the visitor's
 * own shelf), onUpdateReload() (a new build is ready), onSimilarClosed() (the similar-books
 * dialog closed, by Esc, its button or a click beside it).
 */
export function createUi(root, handlers) {
  const $ = (id) => root.getElementById(id);
  const nodes = {
    body: root.body,
    status: $("status"),
    statusText: $("status-text"),
    progress: $("load-progress"),
    retry: $("retry"),
    search: $("search"),
    searchHeading: $("results-heading"),
    searchSummary: $("search-summary"),
    searchResults: $("search-results"),
    searchMore: $("search-more"),
    picks: $("picks"),
    picksEmpty: $("picks-empty"),
    picksMore: $("picks-more"),
    marksSection: $("marks-section"),
    marksSummary: $("marks-summary"),
    marks: $("marks"),
    marksMore: $("marks-more"),
    shareNote: $("share-note"),
    filters: $("filters"),
    filterGenre: $("filter-genre"),
    filterGenreLabel: $("filter-genre-label"),
    filterYearFrom: $("filter-year-from"),
    filterYearTo: $("filter-year-to"),
    filterClear: $("filter-clear"),
    suggestionsEmpty: $("suggestions-empty"),
    pickCount: $("pick-count"),
    share: $("share"),
    shareStatus: $("share-status"),
    clear: $("clear-picks"),
    suggestions: $("suggestions"),
    suggestionsHint: $("suggestions-hint"),
    suggestionsMore: $("suggestions-more"),
    suggestionsTiming: $("suggestions-timing"),
    dialog: $("similar"),
    similarTitle: $("similar-title"),
    similarRating: $("similar-rating"),
    similarContentSection: $("similar-content-section"),
    similarContent: $("similar-content"),
    similarClose: $("similar-close"),
    shelfNote: $("shelf-note"),
    filterNote: $("filter-note"),
    sharedView: $("shared-view"),
    sharedViewText: $("shared-view-text"),
    sharedAdd: $("shared-add"),
    sharedReplace: $("shared-replace"),
    sharedBack: $("shared-back"),
    update: $("update"),
    updateText: $("update-text"),
    updateReload: $("update-reload"),
  };
  const hintText = nodes.suggestionsHint.textContent; // put back once suggestions show

  // A suggestion marked read or not interested leaves the list at once, before the recompute;
  // keyboard focus moves to the next one.
  const leave = (item, then) => {
    const next = item.nextElementSibling ?? item.previousElementSibling;
    item.remove();
    next?.querySelector("[data-action]")?.focus();
    then();
  };
  const onListAction = (event) => {
    const control = event.target.closest("[data-action]");
    const item = event.target.closest("[data-book-id]");
    if (!control || !item || control.tagName === "SELECT") return;
    const bookId = Number(item.dataset.bookId);
    const action = control.dataset.action;
    if (action === "pick") handlers.onPick(bookId);
    else if (action === "unpick") handlers.onUnpick(bookId);
    else if (action === "similar") handlers.onSimilar(bookId);
    else if (action === "not-interested") leave(item, () => handlers.onNotInterested(bookId));
    else if (action === "unmark") handlers.onUnmark(bookId);
  };
  const seriesView = createSeriesView(root);
  const lists = [nodes.searchResults, nodes.picks, nodes.marks, nodes.suggestions, nodes.similarRating, nodes.similarContent];
  for (const list of [...lists, ...seriesView.lists]) list.addEventListener("click", onListAction);
  const onRead = (event) => {
    if (event.target.dataset.action !== "read" || event.target.value === "") return;
    const item = event.target.closest("[data-book-id]");
    const stars = Number(event.target.value);
    leave(item, () => handlers.onRead(Number(item.dataset.bookId), stars));
  };
  nodes.suggestions.addEventListener("change", onRead);
  seriesView.lists[0].addEventListener("change", onRead); // the next volumes are suggestions too
  nodes.picksMore.addEventListener("click", () => handlers.onPicksMore());
  nodes.marksMore.addEventListener("click", () => handlers.onMarksMore());
  const filterValues = () => ({
    genre: nodes.filterGenre.value,
    yearFrom: nodes.filterYearFrom.value,
    yearTo: nodes.filterYearTo.value,
  });
  nodes.filters.addEventListener("input", () => handlers.onFilter(filterValues()));
  nodes.filters.addEventListener("submit", (event) => event.preventDefault());
  nodes.filters.addEventListener("reset", () => setTimeout(() => handlers.onFilter(filterValues())));
  nodes.picks.addEventListener("change", (event) => {
    if (event.target.dataset.action !== "stars") return;
    const item = event.target.closest("[data-book-id]");
    handlers.onStars(Number(item.dataset.bookId), Number(event.target.value));
  });
  nodes.search.addEventListener("input", () => handlers.onSearch(nodes.search.value));
  nodes.search.addEventListener("focus", () => handlers.onSearchFocus?.());
  nodes.search.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nodes.search.value) {
      nodes.search.value = "";
      handlers.onSearch("");
    }
  });
  nodes.searchMore.addEventListener("click", () => handlers.onSearchMore());
  nodes.suggestionsMore.addEventListener("click", () => handlers.onSuggestionsMore());
  nodes.retry.addEventListener("click", () => handlers.onRetry());
  nodes.clear.addEventListener("click", () => handlers.onClear());
  nodes.share.addEventListener("click", () => handlers.onShare());
  nodes.sharedAdd.addEventListener("click", () => handlers.onSharedAdd());
  nodes.sharedReplace.addEventListener("click", () => handlers.onSharedReplace());
  nodes.sharedBack.addEventListener("click", () => handlers.onSharedBack());
  nodes.updateReload.addEventListener("click", () => handlers.onUpdateReload());
  nodes.similarClose.addEventListener("click", () => nodes.dialog.close());
  nodes.dialog.addEventListener("close", () => handlers.onSimilarClosed?.()); // Esc, ✕ or the backdrop
  nodes.dialog.addEventListener("click", (event) => {
    if (event.target === nodes.dialog) nodes.dialog.close(); // a click on the backdrop
  });

  return {
    /** Loading state with a 0..1 progress bar. */
    showLoading(fraction, message) {
      const text = `${message} ${Math.round(fraction * 100)}%`;
      // Nothing that shows changes (the bar moves less than a percent): no style pass.
      if (nodes.body.dataset.state === "loading" && !nodes.status.hidden && nodes.statusText.textContent === text) return;
      nodes.body.dataset.state = "loading";
      nodes.status.hidden = false;
      nodes.progress.hidden = false;
      nodes.progress.value = fraction;
      nodes.statusText.textContent = text;
      nodes.retry.hidden = true;
    },

    /** Search and pick from what is known so far (the popular books, then the catalogue). */
    showUsable() {
      nodes.search.disabled = false;
    },

    /**
     * The popular books index.html carries (sitebuild/catalogue.py: <script type="application/json"
     * id="popular-books">): {rows, books, default_pick_stars, min_stars, max_stars,
     * books_json_bytes}, or null when the page has none or it cannot be read.
     */
    popularBooks() {
      try {
        const popular = JSON.parse(root.getElementById("popular-books")?.textContent ?? "null");
        const ok = Array.isArray(popular?.rows) && Array.isArray(popular?.books) && popular.rows.length === popular.books.length;
        return ok ? popular : null;
      } catch {
        return null;
      }
    },

    /** Picks wait for the model: say so where the suggestions will be (message: how far it is). */
    suggestionsPending(message) {
      nodes.suggestionsHint.hidden = false;
      nodes.suggestionsHint.textContent = message;
    },

    /** The model (or catalogue) failed to load: say which file and why, and offer a retry. */
    /** advice: what the visitor can do (a file changed on the server needs no better connection). */
    showError(message, keptPicks = 0, advice = "Check your connection and try again.") {
      nodes.body.dataset.state = "error";
      nodes.status.hidden = false;
      nodes.progress.hidden = true;
      const detail = String(message).trim().replace(/[.\s]+$/, "");
      const kept = keptPicks ? ` Your ${keptPicks} pick${keptPicks === 1 ? " is" : "s are"} kept.` : "";
      nodes.statusText.textContent = `Could not load the recommender (${detail}).${kept} ${advice}`;
      nodes.retry.hidden = false;
      nodes.retry.focus();
    },

    showReady() {
      nodes.body.dataset.state = "ready";
      nodes.status.hidden = true;
      nodes.search.disabled = false;
    },

    searchValue() {
      return nodes.search.value;
    },

    /**
     * results: [{book, picked, mark}]; query "" means the start state (popular books). among:
     * how many books were searched while the catalogue is still loading (null: all of them).
     */
    renderSearch(results, { query, total, hasMore, among = null }) {
      nodes.searchHeading.textContent = query.trim() ? "Search results" : "Popular books to start from";
      const loading = among === null ? "" : ` Searching the ${among} most popular books until the whole catalogue has loaded.`;
      if (!query.trim()) nodes.searchSummary.textContent = "Pick the ones you loved, or search above.";
      else if (total === 0) nodes.searchSummary.textContent = `No books match “${query.trim()}”.${loading || " Try fewer words."}`;
      else nodes.searchSummary.textContent = `${total} book${total === 1 ? "" : "s"} match “${query.trim()}”.${loading}`;
      // A pick changes one book's button: the other items are kept as they are (drawing the
      // whole list again is a long main-thread task on a phone, and reloads every cover).
      const entries = results.map(({ book, picked, mark }) => [
        JSON.stringify([book, !!picked, mark ?? null]), // all that bookItem draws
        () => bookItem(book, { picked, mark }),
      ]);
      replaceItems(nodes.searchResults, keptItems(nodes.searchResults, entries));
      nodes.searchMore.hidden = !hasMore;
    },

    /** picks: [{book, stars}], the first ones in pick order; total: how many there are. */
    renderPicks(picks, { total = picks.length, marked = 0 } = {}) {
      nodes.pickCount.textContent = total ? `(${count(total)})` : "";
      nodes.picksEmpty.hidden = total > 0;
      nodes.share.disabled = total + marked === 0;
      nodes.clear.disabled = total + marked === 0;
      replaceItems(
        nodes.picks,
        picks.map(({ book, stars }) => bookItem(book, { stars })),
      );
      nodes.picksMore.hidden = picks.length >= total;
      nodes.picksMore.textContent = `Show more picks (${count(total - picks.length)} more)`;
    },

    /** marks: [{book, mark}], the first ones; counts: {mark: n} of all of them. */
    renderMarks(marks, counts) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      nodes.marksSection.hidden = total === 0;
      const parts = Object.entries(MARK_LABELS)
        .filter(([mark]) => counts[mark])
        .map(([mark, label]) => `${count(counts[mark])} ${label.toLowerCase()}`);
      nodes.marksSummary.textContent = `Never suggested (${count(total)}): ${parts.join(", ")}`;
      replaceItems(
        nodes.marks,
        marks.map(({ book, mark }) => bookItem(book, { mark, pickable: false, unmarkable: true })),
      );
      nodes.marksMore.hidden = marks.length >= total;
    },

    /** The genre choices (genres.json's names; none hides the box) and the catalogue's years. */
    setFilterChoices({ genres, minYear, maxYear }) {
      nodes.filterGenreLabel.hidden = !genres || genres.length === 0;
      nodes.filterGenre.replaceChildren(nodes.filterGenre.options[0]);
      (genres || []).forEach((name, index) => {
        const option = el("option", null, name.charAt(0).toUpperCase() + name.slice(1));
        option.value = String(index);
        nodes.filterGenre.append(option);
      });
      for (const box of [nodes.filterYearFrom, nodes.filterYearTo]) {
        box.min = String(minYear);
        box.max = String(maxYear);
      }
      nodes.filterYearFrom.placeholder = String(minYear);
      nodes.filterYearTo.placeholder = String(maxYear);
    },

    /**
     * suggestions: [{book, predicted, reason, more (+N more in the series)}]; pickCount 0 shows
     * the start hint; next: the "Next in your series" row's [{book, predicted, reason}].
     */
    renderSuggestions(suggestions, { pickCount, hasMore, millis, filtered = false, next = [] }) {
      nodes.suggestionsHint.hidden = pickCount > 0;
      if (nodes.suggestionsHint.textContent !== hintText) nodes.suggestionsHint.textContent = hintText;
      nodes.suggestionsEmpty.hidden = !(pickCount > 0 && suggestions.length === 0);
      nodes.filterClear.hidden = !filtered;
      // A card that shows the same as before is kept (after "Not interested", the cards above it).
      const entries = suggestions.map((suggestion) => [JSON.stringify(suggestion), () => suggestionItem(suggestion)]);
      replaceItems(nodes.suggestions, keptItems(nodes.suggestions, entries));
      seriesView.renderNext(pickCount > 0 ? next : []);
      nodes.suggestionsMore.hidden = !hasMore;
      nodes.suggestionsTiming.textContent =
        pickCount > 0 ? `Computed in your browser in ${millis.toFixed(0)} ms.` : "";
    },

    /**
     * The similar-books dialog. rating/content: [{book, picked}]; content null = not built;
     * series / byAuthor: the book's whole series in order and its author's other books.
     */
    openSimilar(book, rating, content, { series = [], byAuthor = [] } = {}) {
      seriesView.renderSimilar(series, byAuthor);
      nodes.similarTitle.textContent = `Similar to “${book.title}”`;
      replaceItems(
        nodes.similarRating,
        rating.map(({ book: other, picked }) => bookItem(other, { picked })),
      );
      nodes.similarContentSection.hidden = content === null;
      replaceItems(
        nodes.similarContent,
        (content || []).map(({ book: other, picked }) => bookItem(other, { picked })),
      );
      if (!nodes.dialog.open) nodes.dialog.showModal();
    },

    similarOpen() {
      return nodes.dialog.open;
    },

    shareStatus(message) {
      nodes.shareStatus.textContent = message;
    },

    /** The build this page was loaded from (sitebuild/manifest.py's <meta name="shelf-build">), or null. */
    pageBuild() {
      return root.querySelector('meta[name="shelf-build"]')?.content || null;
    },

    /** A note about the shelf (a damaged link, unreadable saved entries); "" hides it. */
    /** A year box the filter cannot use ("" hides it: filters.js yearProblem). */
    filterNote(message) {
      nodes.filterNote.hidden = !message;
      nodes.filterNote.textContent = message;
    },

    shelfNote(message) {
      nodes.shelfNote.hidden = !message;
      nodes.shelfNote.textContent = message;
    },

    /** A shared list is shown instead of the visitor's own shelf (message says so); null hides it. */
    sharedView(message) {
      nodes.sharedView.hidden = message === null;
      nodes.sharedViewText.textContent = message ?? "";
      nodes.body.dataset.viewing = message === null ? "own" : "shared";
    },

    /** A new build of the site is ready: say so and offer a reload (message: why). */
    offerUpdate(message) {
      nodes.update.hidden = false;
      nodes.updateText.textContent = message;
    },

    /** What the shared link leaves out ("" when it carries the whole shelf). */
    shareNote(message) {
      nodes.shareNote.hidden = !message;
      nodes.shareNote.textContent = message;
    },
  };
}
