// One book as a list item, and a list re-rendered keeping keyboard focus: what ui.js and
// series-view.js draw books with. Book data (titles, authors) is always set with textContent or
// setAttribute, never parsed as HTML, so a title like <img src=x> stays text.

const STAR_LABELS = { 5: "5 ★ loved it", 4: "4 ★ liked it", 3: "3 ★ it was ok", 2: "2 ★ not for me", 1: "1 ★ disliked" };
// What a marked book shows (shelf-link.js MARKS); marked books are never suggested.
export const MARK_LABELS = {
  read: "Read",
  not_interested: "Not interested",
  to_read: "On your to-read shelf",
  reading: "Currently reading",
};

export function el(tag, className, text) {
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

// A card's <select>s are built in a document of their own, one with no window, and only then put
// in the page (append adopts them). Chromium's autofill reacts to every select whose options or
// choice change in a document with a window: twenty suggestion cards, each select built in the
// page's document, cost a 150-250 ms main-thread task of forced layouts right after the first
// suggestions at 6x (docs/SERVING.md, "The first visit"). The page's document only ever gets
// finished selects; each is a copy of one built once per kind.
let windowless = null;
const prototypes = new Map(); // action -> the select copied for it, in `windowless`

/** A new <select data-action=`action`> of `choices` ([value, text]), `chosen` (a value) selected, else the first. */
function builtSelect(action, choices, chosen) {
  let prototype = prototypes.get(action);
  if (prototype === undefined) {
    windowless ??= document.implementation.createHTMLDocument("");
    prototype = windowless.createElement("select");
    prototype.dataset.action = action;
    for (const [value, text] of choices) {
      const option = windowless.createElement("option");
      option.value = value;
      option.textContent = text;
      prototype.append(option);
    }
    prototypes.set(action, prototype);
  }
  const select = prototype.cloneNode(true);
  if (choices.some(([value]) => value === chosen)) select.value = chosen;
  return select;
}

const STAR_CHOICES = [5, 4, 3, 2, 1].map((value) => [String(value), STAR_LABELS[value]]);
const READ_CHOICES = [["", "Already read…"], ...[5, 4, 3, 2, 1].map((value) => [String(value), `Read: ${STAR_LABELS[value]}`]), ["0", "Read, no stars"]];

function starsSelect(book, stars) {
  const label = el("label", "stars-label");
  label.append(el("span", "visually-hidden", `Your stars for ${book.title}`));
  label.append(builtSelect("stars", STAR_CHOICES, String(stars)));
  return label;
}

/** A suggestion's "Already read" choice: with stars it becomes a pick, without it is marked read. */
function readSelect(book) {
  const label = el("label", "stars-label");
  label.append(el("span", "visually-hidden", `Already read ${book.title}?`));
  label.append(builtSelect("read", READ_CHOICES));
  return label;
}

/**
 * One book as a list item. options: {picked, stars (for picks), predicted, reason (a book),
 * more (a series card: how many other volumes it stands for),
 * pickable (default true), mark (shelf-link.js MARKS: shown, and an "unmark" button when
 * unmarkable), suggestion (adds "Already read" and "Not interested")}.
 */
export function bookItem(book, options = {}) {
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
  if (options.more > 0) {
    // One card stands for a series the visitor has not started: its first volume, and the rest.
    const more = el("p", "book-series-more", `+${options.more} more in the series`);
    more.dataset.more = String(options.more);
    text.append(more);
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
 * With `old` and `item`, only `old` (a child of the list) is replaced by `item`. Items already in
 * the list (keptItems) stay where they are in the document, never taken out and put back: the
 * card the visitor looks at stays put (scroll anchoring), and a card off the screen keeps the size
 * it was last laid out at (content-visibility in style.css).
 */
export function replaceItems(list, items, old = null, item = null) {
  const active = document.activeElement;
  let focus = null;
  if (active && list.contains(active) && (old === null || old.contains(active))) {
    const owner = active.closest("[data-book-id]");
    focus = { bookId: owner?.dataset.bookId, action: active.dataset.action, index: [...list.children].indexOf(owner) };
  }
  if (old !== null) old.replaceWith(item);
  else placeItems(list, items);
  if (!focus || list.contains(active)) return;
  const same = list.querySelector(`[data-book-id="${focus.bookId}"]`);
  const target = same ?? list.children[Math.min(focus.index, list.children.length - 1)];
  const control =
    target?.querySelector(`[data-action="${focus.action}"]`) ??
    target?.querySelector("[data-action]") ??
    list.closest("section")?.querySelector("h2");
  control?.focus();
}

/** `list`'s children made `items`, in order: the others removed, the new put in; a kept one moves only if out of order. */
function placeItems(list, items) {
  const wanted = new Set(items);
  for (const child of [...list.children]) if (!wanted.has(child)) child.remove();
  items.forEach((item, i) => {
    const at = list.children[i] ?? null;
    if (at !== item) list.insertBefore(item, at);
  });
}

const drawnAs = new WeakMap(); // an item -> the key of what it shows (keptItems)

/**
 * The items for `entries` ([key, draw]: `key` a string of all that draw() shows): where `list`
 * already holds an item drawn for that key, that item (its cover not loaded again, its size
 * known); else a new one from draw(). For replaceItems.
 */
export function keptItems(list, entries) {
  const kept = new Map([...list.children].map((item) => [drawnAs.get(item), item]));
  return entries.map(([key, draw]) => {
    const item = kept.get(key) ?? draw();
    kept.delete(key);
    drawnAs.set(item, key);
    return item;
  });
}
