// The only module that touches the DOM. Book data (titles, authors) is always set with
// textContent or setAttribute, never parsed as HTML, so a title like <img src=x> stays text.

const STAR_LABELS = { 5: "5 ★ loved it", 4: "4 ★ liked it", 3: "3 ★ it was ok", 2: "2 ★ not for me", 1: "1 ★ disliked" };
// What a marked book shows (shelf.js MARKS); marked books are never suggested.
const MARK_LABELS = {
  read: "Read",
  not_interested: "Not interested",
  to_read: "On your to-read shelf",
  reading: "Currently reading",
};

/**
 * A count with thousands separators, as toLocaleString("en-US") writes a whole number. Not
 * toLocaleString itself: its first call loads the browser's locale data, a main-thread task of
 * a few hundred milliseconds on a slow phone, and the first pick draws the picks' count.
 */
export function count(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function initials(title) {
  const words = (title || "?").replace(/[^\p{L}\p{N} ]/gu, " ").split(/\s+/).filter(Boolean);
  return (words.slice(0, 2).map((w) => w[0]).join("") || "?").toUpperCase();
}

function coverPlaceholder(book) {
  const placeholder = el("div", "cover-placeholder", initials(book.title));
  placeholder.setAttribute("aria-hidden", "true");
  return placeholder;
}

/** A cover image, replaced by a placeholder when there is none or it fails to load (offline). */
function cover(book) {
  const wrap = el("div", "cover");
  if (!book.cover_url || !/^https:\/\//.test(book.cover_url)) {
    wrap.append(coverPlaceholder(book));
    return wrap;
  }
  const img = el("img");
  img.alt = "";
  img.loading = "lazy";
  img.decoding = "async";
  img.referrerPolicy = "no-referrer";
  img.addEventListener("error", () => img.replaceWith(coverPlaceholder(book)), { once: true });
  img.src = book.cover_url;
  wrap.append(img);
  return wrap;
}

function button(text, action, label, extraClass) {
  const node = el("button", extraClass ? `action ${extraClass}` : "action", text);
  node.type = "button";
  node.dataset.action = action;
  if (label) node.setAttribute("aria-label", label);
  return node;
}

function starsSelect(book, stars) {
  const label = el("label", "stars-label");
  label.append(el("span", "visually-hidden", `Your stars for ${book.title}`));
  const select = el("select");
  select.dataset.action = "stars";
  for (const value of [5, 4, 3, 2, 1]) {
    const option = el("option", null, STAR_LABELS[value]);
    option.value = String(value);
    option.selected = value === stars;
    select.append(option);
  }
  label.append(select);
  return label;
}

/** A suggestion's "Already read" choice: with stars it becomes a pick, without it is marked read. */
function readSelect(book) {
  const label = el("label", "stars-label");
  label.append(el("span", "visually-hidden", `Already read ${book.title}?`));
  const select = el("select");
  select.dataset.action = "read";
  const first = el("option", null, "Already read…");
  first.value = "";
  select.append(first);
  for (const value of [5, 4, 3, 2, 1]) {
    const option = el("option", null, `Read: ${STAR_LABELS[value]}`);
    option.value = String(value);
    select.append(option);
  }
  const plain = el("option", null, "Read, no stars");
  plain.value = "0";
  select.append(plain);
  label.append(select);
  return label;
}

/**
 * One book as a list item. options: {picked, stars (for picks), predicted, reason (a book),
 * pickable (default true), mark (shelf.js MARKS: shown, and an "unmark" button when
 * unmarkable), suggestion (adds "Already read" and "Not interested")}.
 */
function bookItem(book, options = {}) {
  const item = el("li", "book");
  item.dataset.bookId = String(book.book_id);
  item.append(cover(book));
  const text = el("div", "book-text");
  text.append(el("p", "book-title", book.title));
  const meta = [book.authors, book.year === null || book.year === undefined ? null : String(book.year)];
  text.append(el("p", "book-meta", meta.filter(Boolean).join(" · ")));
  if (options.mark) {
    const mark = el("p", "book-mark", MARK_LABELS[options.mark]);
    mark.dataset.mark = options.mark;
    text.append(mark);
  }
  if (options.predicted !== undefined) {
    const predicted = el("p", "book-predicted", `Predicted ★ ${options.predicted.toFixed(1)}`);
    predicted.dataset.stars = String(options.predicted);
    text.append(predicted);
  }
  if (options.reason) {
    const reason = el("p", "book-reason", "Because you picked ");
    reason.append(el("cite", null, options.reason.title));
    text.append(reason);
  }
  item.append(text);
  const actions = el("div", "book-actions");
  if (options.stars !== undefined) {
    actions.append(starsSelect(book, options.stars));
    actions.append(button("Remove", "unpick", `Remove ${book.title} from your picks`));
  } else if (options.pickable !== false) {
    const pick = button(options.picked ? "Picked ✓" : "Pick", options.picked ? "unpick" : "pick", null, "pick");
    pick.setAttribute("aria-pressed", options.picked ? "true" : "false");
    pick.setAttribute("aria-label", `${options.picked ? "Unpick" : "Pick"} ${book.title}`);
    actions.append(pick);
  }
  if (options.suggestion) {
    actions.append(readSelect(book));
    actions.append(button("Not interested", "not-interested", `Not interested in ${book.title}`));
  }
  if (options.unmarkable) actions.append(button("Suggest again", "unmark", `Suggest ${book.title} again`));
  actions.append(button("Similar", "similar", `Books similar to ${book.title}`));
  item.append(actions);
  return item;
}

/**
 * Re-render a list but keep keyboard focus on the same book's same control when it survives.
 * With `old` and `item`, only `old` (a child of the list) is replaced by `item`.
 */
function replaceItems(list, items, old = null, item = null) {
  const active = document.activeElement;
  let focus = null;
  if (active && list.contains(active) && (old === null || old.contains(active))) {
    const owner = active.closest("[data-book-id]");
    focus = { bookId: owner?.dataset.bookId, action: active.dataset.action, index: [...list.children].indexOf(owner) };
  }
  if (old !== null) old.replaceWith(item);
  else list.replaceChildren(...items);
  if (!focus) return;
  const same = list.querySelector(`[data-book-id="${focus.bookId}"]`);
  const target = same ?? list.children[Math.min(focus.index, list.children.length - 1)];
  const control =
    target?.querySelector(`[data-action="${focus.action}"]`) ??
    target?.querySelector("[data-action]") ??
    list.closest("section")?.querySelector("h2");
  control?.focus();
}

/**
 * Wire the page's static markup (index.html) to `handlers` and return the render functions.
 * handlers: onSearch(query), onSearchFocus(), onSearchMore(), onPick(bookId), onUnpick(bookId),
 * onStars(bookId, stars), onSimilar(bookId), onSuggestionsMore(), onRetry(), onClear(), onShare(),
 * onRead(bookId, stars: 0 = no stars), onNotInterested(bookId), onUnmark(bookId),
 * onPicksMore(), onMarksMore(), onFilter({genre, yearFrom, yearTo}: the boxes' raw values),
 * onSharedAdd(), onSharedReplace(), onSharedBack() (a shared list shown beside the visitor's
 * own shelf), onUpdateReload() (a new build is ready).
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
  const drawnAs = new WeakMap(); // a search item -> what it shows (renderSearch keeps it if unchanged)

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
  const lists = [nodes.searchResults, nodes.picks, nodes.marks, nodes.suggestions, nodes.similarRating, nodes.similarContent];
  for (const list of lists) list.addEventListener("click", onListAction);
  nodes.suggestions.addEventListener("change", (event) => {
    if (event.target.dataset.action !== "read" || event.target.value === "") return;
    const item = event.target.closest("[data-book-id]");
    const stars = Number(event.target.value);
    leave(item, () => handlers.onRead(Number(item.dataset.bookId), stars));
  });
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
  nodes.dialog.addEventListener("click", (event) => {
    if (event.target === nodes.dialog) nodes.dialog.close(); // a click on the backdrop
  });

  return {
    /** Loading state with a 0..1 progress bar. */
    showLoading(fraction, message) {
      nodes.body.dataset.state = "loading";
      nodes.status.hidden = false;
      nodes.progress.hidden = false;
      nodes.progress.value = fraction;
      nodes.statusText.textContent = `${message} ${Math.round(fraction * 100)}%`;
      nodes.retry.hidden = true;
    },

    /** Search and pick from what is known so far (the popular books, then the catalogue). */
    showUsable() {
      nodes.search.disabled = false;
    },

    /**
     * The popular books index.html carries (build_site.py: <script type="application/json"
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
    showError(message, keptPicks = 0) {
      nodes.body.dataset.state = "error";
      nodes.status.hidden = false;
      nodes.progress.hidden = true;
      const detail = String(message).trim().replace(/[.\s]+$/, "");
      const kept = keptPicks ? ` Your ${keptPicks} pick${keptPicks === 1 ? " is" : "s are"} kept.` : "";
      nodes.statusText.textContent = `Could not load the recommender (${detail}).${kept} Check your connection and try again.`;
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
      const kept = new Map([...nodes.searchResults.children].map((item) => [drawnAs.get(item), item]));
      const items = results.map(({ book, picked, mark }) => {
        const drawn = JSON.stringify([book, !!picked, mark ?? null]); // all that bookItem draws
        const item = kept.get(drawn) ?? bookItem(book, { picked, mark });
        kept.delete(drawn);
        drawnAs.set(item, drawn);
        return item;
      });
      const current = [...nodes.searchResults.children];
      if (items.length === current.length && items.every((item, i) => item.dataset.bookId === current[i].dataset.bookId)) {
        items.forEach((item, i) => item !== current[i] && replaceItems(nodes.searchResults, items, current[i], item));
      } else replaceItems(nodes.searchResults, items);
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

    /** suggestions: [{book, predicted, reason}]; pickCount 0 shows the start hint. */
    renderSuggestions(suggestions, { pickCount, hasMore, millis, filtered = false }) {
      nodes.suggestionsHint.hidden = pickCount > 0;
      if (nodes.suggestionsHint.textContent !== hintText) nodes.suggestionsHint.textContent = hintText;
      nodes.suggestionsEmpty.hidden = !(pickCount > 0 && suggestions.length === 0);
      nodes.filterClear.hidden = !filtered;
      replaceItems(
        nodes.suggestions,
        suggestions.map(({ book, predicted, reason }) =>
          bookItem(book, { predicted, reason, picked: false, suggestion: true }),
        ),
      );
      nodes.suggestionsMore.hidden = !hasMore;
      nodes.suggestionsTiming.textContent =
        pickCount > 0 ? `Computed in your browser in ${millis.toFixed(0)} ms.` : "";
    },

    /** The similar-books dialog. rating/content: [{book, picked}]; content null = not built. */
    openSimilar(book, rating, content) {
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

    /** The build this page was loaded from (build_site.py's <meta name="shelf-build">), or null. */
    pageBuild() {
      return root.querySelector('meta[name="shelf-build"]')?.content || null;
    },

    /** A note about the shelf (a damaged link, unreadable saved entries); "" hides it. */
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
