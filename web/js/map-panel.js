// The map page's side panel, legend and map choice: DOM only, filled from map.json with
// textContent (titles are data). The entry module (map.js) passes what to show and the callbacks.
import { neighborRows } from "./map-geometry.js";

const $ = (id) => document.getElementById(id);

/** "Title — Author" of a map row (the title alone when the author is unknown). */
export function bookLabel(data, row) {
  const author = data.authors[row];
  return author ? `${data.titles[row]} — ${author}` : data.titles[row];
}

function listBooks(listId, headingId, data, rows, onSelect) {
  const list = $(listId);
  list.replaceChildren();
  $(headingId).hidden = rows.length === 0;
  for (const row of rows) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = bookLabel(data, row);
    button.addEventListener("click", () => onSelect(row));
    item.append(button);
    list.append(item);
  }
}

/** The book of `row` in the panel, with its nearest books in each map; a click selects one. */
export function showBook(data, row, onSelect) {
  $("book-heading").textContent = data.titles[row];
  $("book-author").textContent = data.authors[row] ? `by ${data.authors[row]}` : "";
  const genre = data.genres[row];
  $("book-genre").textContent = genre >= 0 ? `Most-used genre tag: ${data.genre_names[genre]}` : "";
  const k = data.k;
  const ratingRows = data.maps.rating ? neighborRows(data.maps.rating, k, row) : [];
  listBooks("similar-rating", "similar-rating-heading", data, ratingRows, onSelect);
  const tagsRows = data.maps.tags ? neighborRows(data.maps.tags, k, row) : [];
  listBooks("similar-tags", "similar-tags-heading", data, tagsRows, onSelect);
}

/**
 * The add/remove button for the book of `row` (none: -1) and the link to the suggestions
 * (`openHref`: the main page with the shelf as ?shelf=, shelf-link.js shelfHref).
 */
export function showPickButton(data, row, picks, openHref) {
  const button = $("book-pick");
  if (row < 0) return;
  const bookId = data.book_ids[row];
  button.hidden = !data.default_pick_stars; // no rating model, no suggestions to pick for
  button.textContent = picks.has(bookId) ? "Remove from my picks" : "Add to my picks";
  $("book-open").hidden = picks.size === 0;
  $("book-open").href = openHref;
}

/** One swatch per genre, with how many books have it. */
export function renderLegend(data) {
  const legend = $("map-legend");
  legend.replaceChildren();
  const counts = new Map();
  for (const g of data.genres) counts.set(g, (counts.get(g) || 0) + 1);
  data.genre_names.forEach((name, g) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = data.genre_colours[g];
    item.append(swatch, `${name} (${counts.get(g) || 0})`);
    legend.append(item);
  });
}

/** Fill the map choice; `onChange(name)` on a change. Returns the map to show first. */
export function renderMapChoice(data, onChange) {
  const choice = $("map-choice");
  for (const [name, entry] of Object.entries(data.maps)) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = entry.label;
    choice.append(option);
  }
  choice.disabled = false;
  choice.addEventListener("change", () => onChange(choice.value));
  // The rating model's map first when it exists: that is what suggestions come from.
  const first = data.maps.rating ? "rating" : Object.keys(data.maps)[0];
  choice.value = first;
  return first;
}
