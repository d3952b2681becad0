// The map page's geometry: pure functions, no DOM (tested with `node --test`).
// Data coordinates are map.json's, in [0, 1] with y growing downwards once read; the screen is
// CSS pixels of the canvas: screen = data * side * scale + (dx, dy).

const GRID = 64; // hit-test grid cells per side
export const MIN_SCALE = 0.5;
export const MAX_SCALE = 60;
const ZOOM_PER_WHEEL_UNIT = 0.0015;
const FRAME_FILL = 0.96; // the square of data fills this much of the shorter side

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
  // At most the 200 characters a search box takes (search.js MAX_QUERY_CHARS), whatever is passed.
  const q = query.slice(0, 200).trim().toLowerCase();
  if (!q) return -1;
  const exact = titles.findIndex((t) => t.toLowerCase() === q);
  return exact >= 0 ? exact : titles.findIndex((t) => t.toLowerCase().includes(q));
}

/** The side of the square the data fills in a `width` x `height` frame (CSS pixels). */
export function frameSide(width, height) {
  return Math.min(width, height) * FRAME_FILL;
}

/** The view that shows all the data, centred: {scale, dx, dy}. */
export function fitView(width, height) {
  const side = frameSide(width, height);
  return { scale: 1, dx: (width - side) / 2, dy: (height - side) / 2 };
}

/** Data point (x, y) -> screen [sx, sy]. */
export function toScreen(view, side, x, y) {
  return [x * side * view.scale + view.dx, y * side * view.scale + view.dy];
}

/** Screen point (sx, sy) -> data [x, y]. */
export function toData(view, side, sx, sy) {
  return [(sx - view.dx) / (side * view.scale), (sy - view.dy) / (side * view.scale)];
}

/** The view after a wheel turn of `deltaY` over screen point (sx, sy), which stays put. */
export function zoomAt(view, sx, sy, deltaY) {
  const factor = Math.exp(-deltaY * ZOOM_PER_WHEEL_UNIT);
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const applied = scale / view.scale;
  return { scale, dx: sx - (sx - view.dx) * applied, dy: sy - (sy - view.dy) * applied };
}
