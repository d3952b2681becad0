// Drawing the map on its two canvases. What to draw comes in as a `scene` (the page's state:
// data = map.json, mapName, points {xs, ys}, view, size {width, height, side}, picks, rowOf,
// suggestions, selected, hover); nothing here reads the DOM or keeps state of its own.
import { neighborRows, toScreen } from "./map-geometry.js";

const POINT_SIZE = 3; // CSS pixels per book

/** Where the book of `row` is drawn: [x, y] in CSS pixels from the canvas' top left. */
export function screenOf(scene, row) {
  return toScreen(scene.view, scene.size.side, scene.points.xs[row], scene.points.ys[row]);
}

/** The map shown: map.json's entry for scene.mapName. */
export function currentMap(scene) {
  return scene.data.maps[scene.mapName];
}

/** Base layer: every book, batched by colour (one path per genre keeps 10,000 points fast).
 * Returns how many points were inside the frame. */
export function drawBase(ctx, scene) {
  const { width, height } = scene.size;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  const { data } = scene;
  const colours = [...data.genre_colours, data.no_genre_colour];
  const noGenre = colours.length - 1;
  const paths = colours.map(() => new Path2D());
  const half = POINT_SIZE / 2;
  let drawn = 0;
  for (let row = 0; row < data.num_books; row++) {
    if (Number.isNaN(scene.points.xs[row])) continue;
    const [sx, sy] = screenOf(scene, row);
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
  drawHighlights(ctx, scene);
  return drawn;
}

function ring(ctx, scene, row, radius, colour, width) {
  if (row < 0 || Number.isNaN(scene.points.xs[row])) return;
  const [sx, sy] = screenOf(scene, row);
  ctx.beginPath();
  ctx.arc(sx, sy, radius, 0, 2 * Math.PI);
  ctx.lineWidth = width;
  ctx.strokeStyle = colour;
  ctx.stroke();
}

/** Picks (filled, outlined) and suggestions (ringed) on top of the base layer. */
function drawHighlights(ctx, scene) {
  for (const row of scene.suggestions) ring(ctx, scene, row, 5, "#1f6feb", 2);
  for (const bookId of scene.picks.keys()) {
    const row = scene.rowOf.get(bookId);
    if (row === undefined || Number.isNaN(scene.points.xs[row])) continue;
    const [sx, sy] = screenOf(scene, row);
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
export function drawOverlay(ctx, scene) {
  ctx.clearRect(0, 0, scene.size.width, scene.size.height);
  const { selected } = scene;
  if (selected >= 0 && !Number.isNaN(scene.points.xs[selected])) {
    const [sx, sy] = screenOf(scene, selected);
    ctx.strokeStyle = "rgba(35, 26, 20, 0.5)";
    ctx.lineWidth = 1;
    for (const row of neighborRows(currentMap(scene), scene.data.k, selected)) {
      if (Number.isNaN(scene.points.xs[row])) continue;
      const [nx, ny] = screenOf(scene, row);
      ctx.beginPath();
      ctx.moveTo(sx, sy);
      ctx.lineTo(nx, ny);
      ctx.stroke();
      ring(ctx, scene, row, 4, "#7a3e1d", 1.5);
    }
    ring(ctx, scene, selected, 8, "#7a3e1d", 3);
  }
  ring(ctx, scene, scene.hover, 6, "#231a14", 2);
}
