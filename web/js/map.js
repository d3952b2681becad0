// The map page: draws the 2-D coordinates computed at build time (map.json, from
// `python -m explorer.maps`) on a canvas. Hover shows a title, click opens the book with its
// nearest books; the visitor's picks (shared with the main page) and suggestions stand out.
// Nothing is projected here: the page only draws.
// loader.js and recommend.js (which bring TF.js) are imported only when suggestions are needed.
import { STORAGE_KEY, formatPicks, parsePicks } from "./picks.js";

const POINT_SIZE = 3; // CSS pixels per book
const HOVER_RADIUS = 8; // CSS pixels
const SUGGESTIONS = 20;
const GRID = 64; // hit-test grid cells per side

// ---------------------------------------------------------------------------------------
// Pure helpers (no DOM)

/** Rows of map.json with coordinates in `entry` as {xs, ys} Float32Arrays (NaN = no point). */
export function coordinates(entry, numBooks) {
  const xs = new Float32Array(numBooks);
  const ys = new Float32Array(numBooks);
  for (let row = 0; row < numBooks; row++) {
    const x = entry.xy[2 * row];
    const y = entry.xy[2 * row + 1];
    xs[row] = x === null ? NaN : x;
    ys[row] = y === null ? NaN : 1 - y; // data y grows upwards, the canvas' downwards
  }
  return { xs, ys };
}

/** A GRID x GRID bucket index over [0,1]^2 for nearest-point lookups. */
export function buildGrid(xs, ys) {
  const cells = Array.from({ length: GRID * GRID }, () => []);
  for (let row = 0; row < xs.length; row++) {
    if (Number.isNaN(xs[row])) continue;
    cells[cellOf(xs[row], ys[row])].push(row);
  }
  return cells;
}

function cellOf(x, y) {
  const cx = Math.min(GRID - 1, Math.max(0, Math.floor(x * GRID)));
  const cy = Math.min(GRID - 1, Math.max(0, Math.floor(y * GRID)));
  return cy * GRID + cx;
}

/** The row nearest to data point (x, y) within `radius` (data units), or -1. */
export function nearestRow(grid, xs, ys, x, y, radius) {
  const span = Math.ceil(radius * GRID);
  const cx = Math.floor(x * GRID);
  const cy = Math.floor(y * GRID);
  let best = -1;
  let bestDist = radius * radius;
  for (let gy = Math.max(0, cy - span); gy <= Math.min(GRID - 1, cy + span); gy++) {
    for (let gx = Math.max(0, cx - span); gx <= Math.min(GRID - 1, cx + span); gx++) {
      for (const row of grid[gy * GRID + gx]) {
        const d = (xs[row] - x) ** 2 + (ys[row] - y) ** 2;
        if (d < bestDist) {
          bestDist = d;
          best = row;
        }
      }
    }
  }
  return best;
}

/** The k neighbor rows of `row` in a map entry (flat [num_books * k]; -1 = none). */
export function neighborRows(entry, k, row) {
  return entry.neighbors.slice(row * k, row * k + k).filter((r) => r >= 0);
}

/** First row whose title contains `query` (case-insensitive), exact titles first; -1 if none. */
export function findTitle(titles, query) {
  const q = query.trim().toLowerCase();
  if (!q) return -1;
  const exact = titles.findIndex((t) => t.toLowerCase() === q);
  return exact >= 0 ? exact : titles.findIndex((t) => t.toLowerCase().includes(q));
}

// ---------------------------------------------------------------------------------------
// State

const state = {
  data: null, // map.json
  rowOf: new Map(), // book_id -> map row
  mapName: null,
  points: null, // {xs, ys}
  grid: null,
  view: { scale: 1, dx: 0, dy: 0 }, // screen = (data * size) * scale + d
  size: { width: 0, height: 0, side: 0 },
  hover: -1,
  selected: -1,
  picks: new Map(), // book_id -> stars (shared with the main page)
  suggestions: new Set(), // map rows
  site: null, // {tf, metadata, books, model} once suggestions were asked for
  framePending: false,
};
const stats = { drawCount: 0, lastDrawMs: null, recentDrawMs: [], pointsDrawn: 0, ready: false };

const $ = (id) => document.getElementById(id);
const canvas = $("map-canvas");
const overlay = $("map-overlay");
const tooltip = $("map-tooltip");

async function fetchJson(url) {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function setStatus(text, kind = "ready") {
  document.body.dataset.state = kind;
  $("map-status").textContent = text;
  $("map-status").hidden = kind === "ready" && !text;
}

// ---------------------------------------------------------------------------------------
// Drawing

function toScreen(row) {
  const { side } = state.size;
  const { scale, dx, dy } = state.view;
  return [state.points.xs[row] * side * scale + dx, state.points.ys[row] * side * scale + dy];
}

function toData(sx, sy) {
  const { side } = state.size;
  const { scale, dx, dy } = state.view;
  return [(sx - dx) / (side * scale), (sy - dy) / (side * scale)];
}

function resize() {
  const frame = $("map-frame");
  const width = frame.clientWidth;
  const height = frame.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  for (const c of [canvas, overlay]) {
    c.width = Math.round(width * ratio);
    c.height = Math.round(height * ratio);
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    c.getContext("2d").setTransform(ratio, 0, 0, ratio, 0, 0);
  }
  const side = Math.min(width, height) * 0.96;
  state.size = { width, height, side };
  resetView();
}

function resetView() {
  const { width, height, side } = state.size;
  state.view = { scale: 1, dx: (width - side) / 2, dy: (height - side) / 2 };
  requestDraw();
}

function requestDraw() {
  if (state.framePending) return;
  state.framePending = true;
  requestAnimationFrame(() => {
    state.framePending = false;
    draw();
  });
}

/** Base layer: every book, batched by colour (one path per genre keeps 10,000 points fast). */
function draw() {
  if (!state.points) return;
  const started = performance.now();
  const ctx = canvas.getContext("2d");
  const { width, height } = state.size;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  const { data } = state;
  const colours = [...data.genre_colours, data.no_genre_colour];
  const noGenre = colours.length - 1;
  const paths = colours.map(() => new Path2D());
  const half = POINT_SIZE / 2;
  let drawn = 0;
  for (let row = 0; row < data.num_books; row++) {
    if (Number.isNaN(state.points.xs[row])) continue;
    const [sx, sy] = toScreen(row);
    if (sx < -half || sy < -half || sx > width + half || sy > height + half) continue;
    const genre = data.genres[row];
    paths[genre >= 0 ? genre : noGenre].rect(sx - half, sy - half, POINT_SIZE, POINT_SIZE);
    drawn++;
  }
  // Books without a genre first, so coloured points sit on top.
  ctx.fillStyle = colours[noGenre];
  ctx.fill(paths[noGenre]);
  for (let g = 0; g < noGenre; g++) {
    ctx.fillStyle = colours[g];
    ctx.fill(paths[g]);
  }
  drawHighlights(ctx);
  stats.drawCount++;
  stats.pointsDrawn = drawn;
  stats.lastDrawMs = performance.now() - started;
  stats.recentDrawMs = [...stats.recentDrawMs.slice(-49), stats.lastDrawMs];
  drawOverlay();
}

function ring(ctx, row, radius, colour, width) {
  if (row < 0 || Number.isNaN(state.points.xs[row])) return;
  const [sx, sy] = toScreen(row);
  ctx.beginPath();
  ctx.arc(sx, sy, radius, 0, 2 * Math.PI);
  ctx.lineWidth = width;
  ctx.strokeStyle = colour;
  ctx.stroke();
}

/** Picks (filled, outlined) and suggestions (ringed) on top of the base layer. */
function drawHighlights(ctx) {
  for (const row of state.suggestions) ring(ctx, row, 5, "#1f6feb", 2);
  for (const bookId of state.picks.keys()) {
    const row = state.rowOf.get(bookId);
    if (row === undefined || Number.isNaN(state.points.xs[row])) continue;
    const [sx, sy] = toScreen(row);
    ctx.beginPath();
    ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
    ctx.fillStyle = "#f6c343";
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#231a14";
    ctx.stroke();
  }
}

/** Overlay: the hovered book, the selected book and lines to its nearest books. Cheap to redraw. */
function drawOverlay() {
  const ctx = overlay.getContext("2d");
  ctx.clearRect(0, 0, state.size.width, state.size.height);
  if (state.selected >= 0 && !Number.isNaN(state.points.xs[state.selected])) {
    const [sx, sy] = toScreen(state.selected);
    ctx.strokeStyle = "rgba(35, 26, 20, 0.5)";
    ctx.lineWidth = 1;
    for (const row of neighborRows(currentMap(), state.data.k, state.selected)) {
      if (Number.isNaN(state.points.xs[row])) continue;
      const [nx, ny] = toScreen(row);
      ctx.beginPath();
      ctx.moveTo(sx, sy);
      ctx.lineTo(nx, ny);
      ctx.stroke();
      ring(ctx, row, 4, "#7a3e1d", 1.5);
    }
    ring(ctx, state.selected, 8, "#7a3e1d", 3);
  }
  ring(ctx, state.hover, 6, "#231a14", 2);
}

// ---------------------------------------------------------------------------------------
// Interaction

function currentMap() {
  return state.data.maps[state.mapName];
}

function showMap(name) {
  state.mapName = name;
  state.points = coordinates(currentMap(), state.data.num_books);
  state.grid = buildGrid(state.points.xs, state.points.ys);
  state.hover = -1;
  tooltip.hidden = true;
  requestDraw();
}

function rowAt(event) {
  const box = canvas.getBoundingClientRect();
  const sx = event.clientX - box.left;
  const sy = event.clientY - box.top;
  const [x, y] = toData(sx, sy);
  const radius = HOVER_RADIUS / (state.size.side * state.view.scale);
  return { row: nearestRow(state.grid, state.points.xs, state.points.ys, x, y, radius), sx, sy };
}

function bookLabel(row) {
  const author = state.data.authors[row];
  return author ? `${state.data.titles[row]} — ${author}` : state.data.titles[row];
}

function onHover(event) {
  const { row, sx, sy } = rowAt(event);
  if (row !== state.hover) {
    state.hover = row;
    drawOverlay();
  }
  if (row < 0) {
    tooltip.hidden = true;
    return;
  }
  tooltip.textContent = bookLabel(row);
  tooltip.hidden = false;
  const left = Math.min(sx + 12, state.size.width - tooltip.offsetWidth - 4);
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, sy - tooltip.offsetHeight - 10)}px`;
}

function attachPointer() {
  let drag = null;
  overlay.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY, moved: false };
    overlay.setPointerCapture(event.pointerId);
  });
  overlay.addEventListener("pointermove", (event) => {
    if (drag) {
      const mx = event.clientX - drag.x;
      const my = event.clientY - drag.y;
      if (drag.moved || Math.abs(mx) + Math.abs(my) > 3) {
        drag.moved = true;
        state.view.dx += mx;
        state.view.dy += my;
        drag.x = event.clientX;
        drag.y = event.clientY;
        tooltip.hidden = true;
        requestDraw();
        return;
      }
    }
    onHover(event);
  });
  overlay.addEventListener("pointerup", (event) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    if (!wasDrag) {
      const { row } = rowAt(event);
      if (row >= 0) select(row);
    }
  });
  overlay.addEventListener("pointerleave", () => {
    state.hover = -1;
    tooltip.hidden = true;
    drawOverlay();
  });
  overlay.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const box = canvas.getBoundingClientRect();
      const sx = event.clientX - box.left;
      const sy = event.clientY - box.top;
      const factor = Math.exp(-event.deltaY * 0.0015);
      const scale = Math.min(60, Math.max(0.5, state.view.scale * factor));
      const applied = scale / state.view.scale;
      state.view = { scale, dx: sx - (sx - state.view.dx) * applied, dy: sy - (sy - state.view.dy) * applied };
      requestDraw();
    },
    { passive: false },
  );
  overlay.addEventListener("dblclick", resetView);
}

// ---------------------------------------------------------------------------------------
// The book panel (textContent only: titles are data)

function listBooks(listId, headingId, rows) {
  const list = $(listId);
  list.replaceChildren();
  $(headingId).hidden = rows.length === 0;
  for (const row of rows) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = bookLabel(row);
    button.addEventListener("click", () => select(row));
    item.append(button);
    list.append(item);
  }
}

function select(row) {
  const { data } = state;
  state.selected = row;
  $("book-heading").textContent = data.titles[row];
  $("book-author").textContent = data.authors[row] ? `by ${data.authors[row]}` : "";
  const genre = data.genres[row];
  $("book-genre").textContent = genre >= 0 ? `Most-used genre tag: ${data.genre_names[genre]}` : "";
  const k = data.k;
  const ratingRows = data.maps.rating ? neighborRows(data.maps.rating, k, row) : [];
  listBooks("similar-rating", "similar-rating-heading", ratingRows);
  listBooks("similar-tags", "similar-tags-heading", data.maps.tags ? neighborRows(data.maps.tags, k, row) : []);
  renderPickButton();
  drawOverlay();
}

function renderPickButton() {
  const button = $("book-pick");
  if (state.selected < 0) return;
  const bookId = state.data.book_ids[state.selected];
  button.hidden = false;
  button.textContent = state.picks.has(bookId) ? "Remove from my picks" : "Add to my picks";
  $("book-open").hidden = state.picks.size === 0;
  $("book-open").href = state.picks.size ? `index.html?picks=${formatPicks(state.picks)}` : "index.html";
}

function togglePick() {
  const bookId = state.data.book_ids[state.selected];
  if (state.picks.has(bookId)) state.picks.delete(bookId);
  else state.picks.set(bookId, 5);
  try {
    localStorage.setItem(STORAGE_KEY, formatPicks(state.picks));
  } catch {
    // storage may be disabled; the link below still carries the picks
  }
  renderPickButton();
  state.suggestions = new Set();
  requestDraw();
  loadSuggestions();
}

// ---------------------------------------------------------------------------------------
// Picks and suggestions

function readPicks() {
  const fromUrl = new URL(location.href).searchParams.get("picks");
  if (fromUrl) return parsePicks(fromUrl);
  try {
    return parsePicks(localStorage.getItem(STORAGE_KEY) || "");
  } catch {
    return new Map();
  }
}

let suggestionRun = 0;

/** Suggestions from the rating model, computed lazily with the main page's own code. */
async function loadSuggestions() {
  const run = ++suggestionRun;
  if (state.picks.size === 0) return;
  try {
    const [{ loadSite }, recommend] = await Promise.all([import("./loader.js"), import("./recommend.js")]);
    state.site ??= await loadSite();
    const { model, metadata } = state.site;
    const picks = Object.fromEntries(state.picks);
    const result = await recommend.scorePicks(model, picks, metadata, recommend.rowIndex(metadata));
    if (run !== suggestionRun) return;
    const rows = recommend.topSuggestions(result, metadata, SUGGESTIONS).map((s) => state.rowOf.get(s.book_id));
    state.suggestions = new Set(rows.filter((row) => row !== undefined));
    requestDraw();
  } catch (error) {
    // The map works without the model (e.g. before the rating model is built).
    console.warn("suggestions unavailable:", error);
  }
}

// ---------------------------------------------------------------------------------------
// Start

function renderLegend() {
  const legend = $("map-legend");
  legend.replaceChildren();
  const counts = new Map();
  for (const g of state.data.genres) counts.set(g, (counts.get(g) || 0) + 1);
  state.data.genre_names.forEach((name, g) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = state.data.genre_colours[g];
    item.append(swatch, `${name} (${counts.get(g) || 0})`);
    legend.append(item);
  });
}

function renderMapChoice() {
  const choice = $("map-choice");
  for (const [name, entry] of Object.entries(state.data.maps)) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = entry.label;
    choice.append(option);
  }
  choice.disabled = false;
  choice.addEventListener("change", () => showMap(choice.value));
  // The rating model's map first when it exists: that is what suggestions come from.
  const first = state.data.maps.rating ? "rating" : Object.keys(state.data.maps)[0];
  choice.value = first;
  return first;
}

function attachFind() {
  const input = $("map-query");
  input.disabled = false;
  $("map-find").querySelector("button").disabled = false;
  $("map-find").addEventListener("submit", (event) => {
    event.preventDefault();
    const row = findTitle(state.data.titles, input.value);
    $("map-find-status").textContent = row < 0 ? `No title contains “${input.value}”.` : "";
    if (row >= 0) select(row);
  });
}

async function start() {
  try {
    state.data = await fetchJson("map.json");
  } catch (error) {
    setStatus(`The map is not built yet (${error.message}). Run \`make build\`.`, "error");
    return;
  }
  state.data.book_ids.forEach((bookId, row) => state.rowOf.set(bookId, row));
  state.picks = readPicks();
  resize();
  showMap(renderMapChoice());
  renderLegend();
  attachPointer();
  attachFind();
  $("book-pick").addEventListener("click", togglePick);
  window.addEventListener("resize", resize);
  setStatus("", "ready");
  stats.ready = true;
  loadSuggestions();
}

// Read-only hooks for the tests: where a book is drawn, and drawing counters.
window.shelfMap = {
  stats,
  screenPosition(row) {
    const box = canvas.getBoundingClientRect();
    const [sx, sy] = toScreen(row);
    return { x: box.left + sx, y: box.top + sy };
  },
  selectedRow: () => state.selected,
  suggestionRows: () => [...state.suggestions],
};

start();
