// The only module that touches the DOM. Book data (titles, authors) is always set with
// textContent or setAttribute, never parsed as HTML, so a title like <img src=x> stays text.

const STAR_LABELS = { 5: "5 ★ loved it", 4: "4 ★ liked it", 3: "3 ★ it was ok", 2: "2 ★ not for me", 1: "1 ★ disliked" };

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

/**
 * One book as a list item. options: {picked, stars (for picks), predicted, reason (a book),
 * pickable (default true)}.
 */
function bookItem(book, options = {}) {
  const item = el("li", "book");
  item.dataset.bookId = String(book.book_id);
  item.append(cover(book));
  const text = el("div", "book-text");
  text.append(el("p", "book-title", book.title));
  const meta = [book.authors, book.year === null || book.year === undefined ? null : String(book.year)];
  text.append(el("p", "book-meta", meta.filter(Boolean).join(" · ")));
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
  actions.append(button("Similar", "similar", `Books similar to ${book.title}`));
  item.append(actions);
  return item;
}

/** Re-render a list but keep keyboard focus on the same book's same control when it survives. */
function replaceItems(list, items) {
  const active = document.activeElement;
  let focus = null;
  if (active && list.contains(active)) {
    const owner = active.closest("[data-book-id]");
    focus = { bookId: owner?.dataset.bookId, action: active.dataset.action, index: [...list.children].indexOf(owner) };
  }
  list.replaceChildren(...items);
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
 * handlers: onSearch(query), onSearchMore(), onPick(bookId), onUnpick(bookId),
 * onStars(bookId, stars), onSimilar(bookId), onSuggestionsMore(), onRetry(), onClear(), onShare().
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
  };
  for (const list of [nodes.searchResults, nodes.picks, nodes.suggestions, nodes.similarRating, nodes.similarContent]) {
    list.addEventListener("click", onListAction);
  }
  nodes.picks.addEventListener("change", (event) => {
    if (event.target.dataset.action !== "stars") return;
    const item = event.target.closest("[data-book-id]");
    handlers.onStars(Number(item.dataset.bookId), Number(event.target.value));
  });
  nodes.search.addEventListener("input", () => handlers.onSearch(nodes.search.value));
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
      nodes.search.disabled = true;
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
      nodes.search.disabled = true;
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

    /** results: [{book, picked}]; query "" means the start state (popular books). */
    renderSearch(results, { query, total, hasMore }) {
      nodes.searchHeading.textContent = query.trim() ? "Search results" : "Popular books to start from";
      if (!query.trim()) nodes.searchSummary.textContent = "Pick the ones you loved, or search above.";
      else if (total === 0) nodes.searchSummary.textContent = `No books match “${query.trim()}”. Try fewer words.`;
      else nodes.searchSummary.textContent = `${total} book${total === 1 ? "" : "s"} match “${query.trim()}”.`;
      replaceItems(
        nodes.searchResults,
        results.map(({ book, picked }) => bookItem(book, { picked })),
      );
      nodes.searchMore.hidden = !hasMore;
    },

    /** picks: [{book, stars}] in pick order. */
    renderPicks(picks) {
      nodes.pickCount.textContent = picks.length ? `(${picks.length})` : "";
      nodes.picksEmpty.hidden = picks.length > 0;
      nodes.share.disabled = picks.length === 0;
      nodes.clear.disabled = picks.length === 0;
      replaceItems(
        nodes.picks,
        picks.map(({ book, stars }) => bookItem(book, { stars })),
      );
    },

    /** suggestions: [{book, predicted, reason}]; pickCount 0 shows the start hint. */
    renderSuggestions(suggestions, { pickCount, hasMore, millis }) {
      nodes.suggestionsHint.hidden = pickCount > 0;
      replaceItems(
        nodes.suggestions,
        suggestions.map(({ book, predicted, reason }) => bookItem(book, { predicted, reason, picked: false })),
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
  };
}
