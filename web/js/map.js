// The map page: draws the 2-D coordinates computed at build time (map.json, from
// `python -m explorer.maps`) on a canvas. Hover shows a title, click opens the book with its
// nearest books; the visitor's picks (shared with the main page) and suggestions stand out.
// Nothing is projected here: the page only draws.
// loader.js and recommend.js (which bring TF.js) are imported only when suggestions are needed.
// This entry module owns the state and the events; geometry (map-geometry.js) is pure, drawing
// (map-draw.js) paints what it is given, the panel (map-panel.js) fills the DOM.
import { currentMap, drawBase, drawOverlay as paintOverlay, screenOf } from "./map-draw.js";
import {
  buildGrid,
  coordinates,
  findTitle,
  fitView,
  frameSide,
  nearestRow,
  toData,
  zoomAt,
} from "./map-geometry.js";
import { bookLabel, renderLegend, renderMapChoice, showBook, showPickButton } from "./map-panel.js";
import { ChangedFileError, NewBuildError, fetchSiteJson } from "./checked-fetch.js";
import { parsePicks, unreadablePicks } from "./picks.js";
import { shelfHref } from "./shelf-link.js";
import { SHELF_KEYS, createShelfSaver, readShelf as readSavedShelf } from "./shelf-storage.js";

// The saves of this page: picks made while storage cannot keep them are re-applied with the next
// save, or when another tab writes, until saved (shelf-storage.js), as on the main page.
const saver = createShelfSaver(() => ({ defaultStars: state.data.default_pick_stars }));
const HOVER_RADIUS = 8; // CSS pixels
const SUGGESTIONS = 20;

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
  marks: new Map(), // the main page's never-suggested books (marks.js), for its link
  fromLink: false, // the picks came from a ?picks= link: someone's list, never saved over the visitor's
  discovery: "balanced", // the main page's discovery setting, for its link
  suggestions: new Set(), // map rows
  site: null, // {tf, metadata, books, model} once suggestions were asked for
  framePending: false,
};
const stats = { drawCount: 0, lastDrawMs: null, recentDrawMs: [], pointsDrawn: 0, ready: false };

const $ = (id) => document.getElementById(id);
const canvas = $("map-canvas");
const overlay = $("map-overlay");
const tooltip = $("map-tooltip");

function setStatus(text, kind = "ready") {
  document.body.dataset.state = kind;
  $("map-status").textContent = text;
  $("map-status").hidden = kind === "ready" && !text;
}

// ---------------------------------------------------------------------------------------
// Drawing

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
  state.size = { width, height, side: frameSide(width, height) };
  resetView();
}

function resetView() {
  state.view = fitView(state.size.width, state.size.height);
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

function draw() {
  if (!state.points) return;
  const started = performance.now();
  stats.pointsDrawn = drawBase(canvas.getContext("2d"), state);
  stats.drawCount++;
  stats.lastDrawMs = performance.now() - started;
  stats.recentDrawMs = [...stats.recentDrawMs.slice(-49), stats.lastDrawMs];
  drawOverlay();
}

function drawOverlay() {
  paintOverlay(overlay.getContext("2d"), state);
}

// ---------------------------------------------------------------------------------------
// Interaction

function showMap(name) {
  state.mapName = name;
  state.points = coordinates(currentMap(state), state.data.num_books);
  state.grid = buildGrid(state.points.xs, state.points.ys);
  state.hover = -1;
  tooltip.hidden = true;
  requestDraw();
}

function rowAt(event) {
  const box = canvas.getBoundingClientRect();
  const sx = event.clientX - box.left;
  const sy = event.clientY - box.top;
  const [x, y] = toData(state.view, state.size.side, sx, sy);
  const radius = HOVER_RADIUS / (state.size.side * state.view.scale);
  return { row: nearestRow(state.grid, state.points.xs, state.points.ys, x, y, radius), sx, sy };
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
  tooltip.textContent = bookLabel(state.data, row);
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
      state.view = zoomAt(state.view, sx, sy, event.deltaY);
      requestDraw();
    },
    { passive: false },
  );
  overlay.addEventListener("dblclick", resetView);
}

// ---------------------------------------------------------------------------------------
// The selected book

function select(row) {
  state.selected = row;
  showBook(state.data, row, select);
  showPickButton(state.data, row, state.picks, openHref());
  drawOverlay();
}

function togglePick() {
  const bookId = state.data.book_ids[state.selected];
  const change = state.picks.has(bookId)
    ? { op: "unpick", bookId }
    : { op: "pick", bookId, stars: state.data.default_pick_stars }; // the rating model's (map.json)
  if (change.op === "unpick") state.picks.delete(bookId);
  else state.picks.set(bookId, change.stars);
  if (!state.fromLink) {
    // Re-applied onto the shelf as stored now (the main page's tabs may have changed it), as
    // the main page does; unreadable entries are written back as they were (shelf-storage.js).
    const wasUnsaved = saver.unsaved();
    const { stored, saved } = saver.save([change]);
    showShelf(stored); // with the picks not saved yet
    if (saved && wasUnsaved) setStatus("", "ready");
    else if (!saved) setStatus("Your picks could not be saved in this browser (its storage is full or turned off). The “See my suggestions” link carries them.");
  }
  picksChanged();
}

/** The picks changed (here or in another tab): the Pick button, the drawing, the suggestions. */
function picksChanged() {
  if (state.selected >= 0) showPickButton(state.data, state.selected, state.picks, openHref());
  state.suggestions = new Set();
  requestDraw();
  loadSuggestions();
}

function showShelf(stored) {
  ({ picks: state.picks, marks: state.marks, discovery: state.discovery } = stored);
}

/** Another tab (the main page's, or another map's) changed the saved shelf: show it. */
function otherTab(event) {
  if (state.fromLink || (event.key !== null && !SHELF_KEYS.includes(event.key))) return;
  showShelf(saver.storageChanged().stored); // this page's picks not saved yet, or lost, re-applied
  picksChanged();
}

// ---------------------------------------------------------------------------------------
// Picks and suggestions

/**
 * The picks to show: a ?picks= link's (someone's list: shown, never saved over the visitor's
 * shelf), else the main page's saved shelf, with its marks for the link back. A ?picks= link
 * with an entry that cannot be read is damaged, as on the main page: the saved shelf, and a note.
 */
function readShelf() {
  const fromUrl = new URL(location.href).searchParams.get("picks");
  const saved = readSavedShelf({ defaultStars: state.data.default_pick_stars });
  const own = { picks: saved.picks, marks: saved.marks, discovery: saved.discovery, fromLink: false, problem: "" };
  if (fromUrl === null) return own;
  if (fromUrl.trim() === "" || unreadablePicks(fromUrl).length > 0) {
    const shown = saved.picks.size + saved.marks.size ? "your saved picks are shown" : "nothing was opened";
    return { ...own, problem: `The link's picks could not be read (it is damaged or cut short), so ${shown}. Ask for the link again.` };
  }
  return { picks: parsePicks(fromUrl), marks: new Map(), discovery: saved.discovery, fromLink: true, problem: "" };
}

/**
 * The main page with this shelf as ?shelf=: short for any shelf (gunicorn refuses request lines
 * over 4,094 bytes; 900 picks as ?picks= took 4,539), and for the visitor's own shelf exactly
 * the link the main page writes itself, so it opens their whole saved shelf.
 */
function openHref() {
  return shelfHref("index.html", state.picks, state.marks, state.discovery);
}

let suggestionRun = 0;

/** Suggestions from the rating model, computed lazily with the main page's own code. */
async function loadSuggestions() {
  const run = ++suggestionRun;
  if (state.picks.size === 0) return;
  try {
    const [{ loadSite }, recommend, { shownList }, { seriesTable }, { excludedRows }] = await Promise.all(
      ["./loader.js", "./recommend.js", "./shown-list.js", "./series.js", "./filters.js"].map((m) => import(m)),
    );
    // The map page's own build: loadSite refuses files of another one.
    state.site ??= await loadSite({ build: pageBuild() });
    const { model, metadata } = state.site;
    const modelRows = recommend.rowIndex(metadata); // book_id -> the model's row (state.rowOf is the map's)
    const result = await recommend.scorePicks(model, Object.fromEntries(state.picks), metadata, modelRows);
    if (run !== suggestionRun) return;
    // The main page's list, as it shows it: the shelf's discovery setting, one card per series.
    const shelf = { picks: state.picks, marks: state.marks, discovery: state.discovery };
    const { mainRows } = shownList(result.scores, shelf, {
      rowOf: modelRows,
      excluded: excludedRows({ ...shelf, rowOf: modelRows }),
      series: seriesTable(metadata),
      discovery: metadata.discovery ?? null,
      numBooks: metadata.num_books,
      k: SUGGESTIONS,
    });
    const rows = mainRows.map((row) => state.rowOf.get(metadata.book_ids[row]));
    state.suggestions = new Set(rows.filter((row) => row !== undefined));
    requestDraw();
  } catch (error) {
    // The map works without the model (e.g. before the rating model is built).
    console.warn("suggestions unavailable:", error);
  }
}

// ---------------------------------------------------------------------------------------
// Start

function attachFind() {
  const input = $("map-query");
  input.disabled = false;
  $("map-find").querySelector("button").disabled = false;
  $("map-find").addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim() === "") {
      $("map-find-status").textContent = "Type a few letters of a title to find it.";
      return;
    }
    const row = findTitle(state.data.titles, input.value);
    $("map-find-status").textContent = row < 0 ? `No title contains “${input.value}”.` : "";
    if (row >= 0) select(row);
  });
}

/** The build this page is of (sitebuild/manifest.py's <meta name="shelf-build">), or null (unbuilt). */
function pageBuild() {
  return document.querySelector('meta[name="shelf-build"]')?.content || null;
}

/** What the visitor is told when map.json cannot be used, by why. */
function mapProblem(error) {
  if (error instanceof NewBuildError) {
    return "Shelf was updated while this page loaded (map.json is of a newer version). Reload the page.";
  }
  if (error instanceof ChangedFileError) return `${error.message}. Try again later, once the site is fixed.`;
  if (error.file === "map.json" && error.status === 404) return `The map is not built yet (${error.message}). Run \`make build\`.`;
  return `Could not load the map (${error.message}). Check your connection and reload the page.`;
}

async function start() {
  try {
    // A built page's map.json is checked against site.json, which must be of the page's build:
    // another build's would mix two builds (map.json is the explorer's, never stamped).
    state.data = await fetchSiteJson("map.json", pageBuild());
  } catch (error) {
    setStatus(mapProblem(error), "error");
    return;
  }
  state.data.book_ids.forEach((bookId, row) => state.rowOf.set(bookId, row));
  const opened = readShelf();
  ({ picks: state.picks, marks: state.marks, discovery: state.discovery, fromLink: state.fromLink } = opened);
  window.addEventListener("storage", otherTab);
  resize();
  showMap(renderMapChoice(state.data, showMap));
  renderLegend(state.data);
  attachPointer();
  attachFind();
  $("book-pick").addEventListener("click", togglePick);
  window.addEventListener("resize", resize);
  setStatus(opened.problem, "ready");
  stats.ready = true;
  loadSuggestions();
}

// Read-only hooks for the tests: where a book is drawn, and drawing counters.
window.shelfMap = {
  stats,
  screenPosition(row) {
    const box = canvas.getBoundingClientRect();
    const [sx, sy] = screenOf(state, row);
    return { x: box.left + sx, y: box.top + sy };
  },
  selectedRow: () => state.selected,
  suggestionRows: () => [...state.suggestions],
};

start();
