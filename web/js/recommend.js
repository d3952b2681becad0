// Pure recommendation code: tensors in, rows and numbers out. No DOM here.
// The same scoring as model/scoring.py (see docs/ARTIFACTS.md, "The browser's scoring").
import * as tf from "../vendor/tf.fesm.min.js";

/**
 * Map {book_id: stars} to model inputs. Unknown ids are skipped. `reasonRows`: the picks a
 * suggestion may be explained by, the liked ones (4 or 5 stars) or, when none is, all of them.
 */
function picksToInputs(picks, metadata, rowOf = rowIndex(metadata)) {
  const rows = [];
  const stars = [];
  for (const [bookId, value] of Object.entries(picks)) {
    const row = rowOf.get(Number(bookId));
    if (row === undefined) continue;
    rows.push(row);
    stars.push(Number(value) || metadata.default_pick_stars);
  }
  if (rows.length === 0) {
    // One padding pick (row 0, 0 stars) contributes nothing: the no-picks visitor.
    return { rows: Int32Array.from([0]), stars: Float32Array.from([0]), pickedRows: [], reasonRows: [] };
  }
  const liked = rows.filter((_, i) => stars[i] >= metadata.liked_stars);
  const reasonRows = liked.length > 0 ? liked : rows;
  return { rows: Int32Array.from(rows), stars: Float32Array.from(stars), pickedRows: rows, reasonRows };
}

/** book_id -> row map from metadata.book_ids. */
export function rowIndex(metadata) {
  return new Map(metadata.book_ids.map((bookId, row) => [bookId, row]));
}

/** Run the model for one visitor: {scores, stars} as Float32Array[num_books], pickedRows, reasonRows. */
export async function scorePicks(model, picks, metadata, rowOf) {
  const inputs = picksToInputs(picks, metadata, rowOf);
  const [scoresT, starsT] = tf.tidy(() => {
    const rows = tf.tensor2d(inputs.rows, [1, inputs.rows.length], "int32");
    const stars = tf.tensor2d(inputs.stars, [1, inputs.stars.length], "float32");
    return model.predict([rows, stars]);
  });
  try {
    const [scores, stars] = await Promise.all([scoresT.data(), starsT.data()]);
    return { scores, stars, pickedRows: inputs.pickedRows, reasonRows: inputs.reasonRows };
  } finally {
    scoresT.dispose();
    starsT.dispose();
  }
}

/** Rows of the k highest values, skipping `excluded` rows; ties go to the lower row. */
export function topRows(values, k, excluded = new Set()) {
  const candidates = [];
  for (let row = 0; row < values.length; row++) {
    if (!excluded.has(row)) candidates.push(row);
  }
  candidates.sort((a, b) => values[b] - values[a] || a - b);
  return candidates.slice(0, k);
}

/** Suggestions: [{row, book_id, score, stars}] for the top k, never a picked book. */
export function topSuggestions(result, metadata, k) {
  const rows = topRows(result.scores, k, new Set(result.pickedRows));
  return rows.map((row) => ({
    row,
    book_id: metadata.book_ids[row],
    score: result.scores[row],
    stars: result.stars[row],
  }));
}

/**
 * What "similar books" and reasons are computed from: the unit-length rows of the
 * `similarity_layer` matrix ([num_books, d]) and, when the model has one, the neighbor
 * table (`neighbor_rows`, `neighbor_weights`: each book's strongest co-liked books and their weights).
 */
export function similarityMatrix(model, metadata) {
  const weights = model.getLayer(metadata.similarity_layer).getWeights()[0];
  const [n, d] = weights.shape;
  return { matrix: unitRows(weights.dataSync(), n, d), n, d, neighbors: neighborTable(model, metadata) };
}

/** A Float32Array [n * d] of `values`' n rows of d, each scaled to unit length (a zero row stays zero). */
export function unitRows(values, n, d) {
  const matrix = Float32Array.from(values);
  for (let row = 0; row < n; row++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += matrix[row * d + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) matrix[row * d + j] /= norm;
  }
  return matrix;
}

/**
 * {rows: Int32Array [n * m], weights: Float32Array [n * m], m} from the weights named by
 * `neighbor_rows` and `neighbor_weights` ("layer/weight"), or null when the model has none.
 */
function neighborTable(model, metadata) {
  if (!metadata.neighbor_rows || !metadata.neighbor_weights) return null;
  const weight = (name) => {
    const [layer, weightName] = name.split("/");
    return model.getLayer(layer).weights.find((w) => w.originalName.split("/").pop() === weightName);
  };
  const rowsWeight = weight(metadata.neighbor_rows);
  const rows = Int32Array.from(rowsWeight.read().dataSync(), Math.round);
  const weights = Float32Array.from(weight(metadata.neighbor_weights).read().dataSync());
  return { rows, weights, m: rowsWeight.shape[1] };
}

function cosine(sim, a, b) {
  let dot = 0;
  for (let j = 0; j < sim.d; j++) dot += sim.matrix[a * sim.d + j] * sim.matrix[b * sim.d + j];
  return dot;
}

/** The weight with which `row` votes for `target` in the neighbor table (0 when it does not). */
function neighborWeight(sim, row, target) {
  const table = sim.neighbors;
  if (!table) return 0;
  for (let j = 0; j < table.m; j++) {
    if (table.rows[row * table.m + j] === target) return table.weights[row * table.m + j];
  }
  return 0;
}

/**
 * The pick that explains a suggestion, among `reasonRows` (the liked picks, see picksToInputs):
 * the one whose neighbor vote for it is strongest (the pick that contributes most), else the
 * one whose vector is closest; null without picks.
 */
export function reasonFor(sim, suggestionRow, reasonRows) {
  let best = null;
  let bestKey = [-Infinity, -Infinity];
  for (const row of reasonRows) {
    const key = [neighborWeight(sim, row, suggestionRow), cosine(sim, row, suggestionRow)];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = row;
      bestKey = key;
    }
  }
  return best;
}

/**
 * Rows of the k books most similar to `row`, excluding the book itself: first its neighbors
 * with a positive weight (strongest first, ties to the lower row), then by cosine.
 */
export function similarRows(sim, row, k) {
  const chosen = [];
  const table = sim.neighbors;
  if (table) {
    const entries = [];
    for (let j = 0; j < table.m; j++) {
      const other = table.rows[row * table.m + j];
      const weight = table.weights[row * table.m + j];
      if (weight > 0 && other !== row) entries.push([other, weight]);
    }
    entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [other] of entries) if (chosen.length < k && !chosen.includes(other)) chosen.push(other);
  }
  if (chosen.length >= k) return chosen;
  const values = new Float32Array(sim.n);
  for (let other = 0; other < sim.n; other++) values[other] = cosine(sim, row, other);
  const excluded = new Set([row, ...chosen]);
  return chosen.concat(topRows(values, k - chosen.length, excluded));
}
