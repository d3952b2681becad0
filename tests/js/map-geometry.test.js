// web/js/map-geometry.js: hit-testing against brute force, the view transforms, lookups.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_SCALE,
  MIN_SCALE,
  buildGrid,
  coordinates,
  findTitle,
  fitView,
  frameSide,
  nearestRow,
  neighborRows,
  toData,
  toScreen,
  zoomAt,
} from "../../web/js/map-geometry.js";

/** A seeded stream of numbers in [0, 1) (a linear congruential generator). */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

test("coordinates flip y and turn null into NaN", () => {
  const { xs, ys } = coordinates({ xy: [0.25, 0.1, null, null, 1, 0] }, 3);
  assert.deepEqual([...xs.slice(0, 1), ...xs.slice(2)], [0.25, 1]);
  assert.ok(Math.abs(ys[0] - 0.9) < 1e-6 && ys[2] === 1);
  assert.ok(Number.isNaN(xs[1]) && Number.isNaN(ys[1]));
});

test("nearestRow finds what a scan of every point finds", () => {
  const next = random(7);
  const n = 2000;
  const xy = [];
  for (let i = 0; i < n; i++) xy.push(next(), next());
  xy[10] = null; // a book without a point is never found
  xy[11] = null;
  const { xs, ys } = coordinates({ xy }, n);
  const grid = buildGrid(xs, ys);
  for (let q = 0; q < 300; q++) {
    const [x, y, radius] = [next() * 1.1 - 0.05, next() * 1.1 - 0.05, 0.002 + next() * 0.05];
    let expected = -1;
    let best = radius * radius;
    for (let row = 0; row < n; row++) {
      const d = (xs[row] - x) ** 2 + (ys[row] - y) ** 2;
      if (d < best) [best, expected] = [d, row];
    }
    assert.equal(nearestRow(grid, xs, ys, x, y, radius), expected, `query ${q} at (${x}, ${y}) r=${radius}`);
  }
});

test("nothing within the radius is -1", () => {
  const { xs, ys } = coordinates({ xy: [0.5, 0.5] }, 1);
  const grid = buildGrid(xs, ys);
  assert.equal(nearestRow(grid, xs, ys, 0.9, 0.9, 0.01), -1);
  assert.equal(nearestRow(grid, xs, ys, 0.505, 0.5, 0.01), 0);
});

test("neighborRows takes the row's k entries and drops the -1s", () => {
  const entry = { neighbors: [1, 2, -1, 0, -1, -1, 0, 1, 2] };
  assert.deepEqual(neighborRows(entry, 3, 0), [1, 2]);
  assert.deepEqual(neighborRows(entry, 3, 1), [0]);
  assert.deepEqual(neighborRows(entry, 3, 2), [0, 1, 2]);
});

test("findTitle prefers an exact title, then the first that contains the query", () => {
  const titles = ["The Hobbit or There and Back Again", "The Hobbit", "Hobbits"];
  assert.equal(findTitle(titles, "  the HOBBIT "), 1);
  assert.equal(findTitle(titles, "hobbit"), 0);
  assert.equal(findTitle(titles, "dragons"), -1);
  assert.equal(findTitle(titles, "   "), -1);
});

test("fitView centres the square of data; toData undoes toScreen", () => {
  assert.equal(frameSide(1000, 500), 480);
  const view = fitView(1000, 500);
  assert.deepEqual(view, { scale: 1, dx: 260, dy: 10 });
  assert.deepEqual(toScreen(view, 480, 0, 0), [260, 10]);
  assert.deepEqual(toScreen(view, 480, 1, 1), [740, 490]);
  const zoomed = { scale: 3.5, dx: -120, dy: 40 };
  const [x, y] = toData(zoomed, 480, ...toScreen(zoomed, 480, 0.3, 0.7));
  assert.ok(Math.abs(x - 0.3) < 1e-12 && Math.abs(y - 0.7) < 1e-12);
});

test("zoomAt keeps the point under the pointer and stays within its scale limits", () => {
  const view = { scale: 2, dx: 15, dy: -30 };
  const before = toData(view, 400, 123, 77);
  const zoomedIn = zoomAt(view, 123, 77, -200);
  assert.ok(zoomedIn.scale > view.scale);
  const after = toData(zoomedIn, 400, 123, 77);
  assert.ok(Math.abs(after[0] - before[0]) < 1e-12 && Math.abs(after[1] - before[1]) < 1e-12);
  assert.ok(zoomAt(view, 0, 0, 100).scale < view.scale);
  assert.equal(zoomAt(view, 0, 0, -1e6).scale, MAX_SCALE);
  assert.equal(zoomAt(view, 0, 0, 1e6).scale, MIN_SCALE);
});

test("findTitle looks for a long query's first 200 characters only", () => {
  const titles = ["Dune", "x".repeat(200) + " and more"];
  assert.equal(findTitle(titles, "x".repeat(20000)), 1);
});
