// Pure recommendation code: tensors in, rows and numbers out. No DOM here.
// The same scoring as model/recommend.py (see docs/ARTIFACTS.md, "The browser's scoring").
import * as tf from "../vendor/tf.fesm.min.js";

/** Map {book_id: stars} to model inputs. Unknown ids are skipped. */
export function picksToInputs(picks, metadata, rowOf = rowIndex(metadata)) {
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
    return { rows: Int32Array.from([0]), stars: Float32Array.from([0]), pickedRows: [] };
  }
  return { rows: Int32Array.from(rows), stars: Float32Array.from(stars), pickedRows: rows };
}

/** book_id -> row map from metadata.book_ids. */
export function rowIndex(metadata) {
  return new Map(metadata.book_ids.map((bookId, row) => [bookId, row]));
}

/** Run the model for one visitor: {scores, stars} as Float32Array[num_books]. */
export async function scorePicks(model, picks, metadata, rowOf) {
  const inputs = picksToInputs(picks, metadata, rowOf);
  const [scoresT, starsT] = tf.tidy(() => {
    const rows = tf.tensor2d(inputs.rows, [1, inputs.rows.length], "int32");
    const stars = tf.tensor2d(inputs.stars, [1, inputs.stars.length], "float32");
    return model.predict([rows, stars]);
  });
  try {
    const [scores, stars] = await Promise.all([scoresT.data(), starsT.data()]);
    return { scores, stars, pickedRows: inputs.pickedRows };
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

/** The similarity matrix ([num_books, d], rows L2-normalised) from the model's embedding layer. */
export function similarityMatrix(model, metadata) {
  const weights = model.getLayer(metadata.similarity_layer).getWeights()[0];
  const [n, d] = weights.shape;
  const matrix = Float32Array.from(weights.dataSync());
  for (let row = 0; row < n; row++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += matrix[row * d + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) matrix[row * d + j] /= norm;
  }
  return { matrix, n, d };
}

function cosine(sim, a, b) {
  let dot = 0;
  for (let j = 0; j < sim.d; j++) dot += sim.matrix[a * sim.d + j] * sim.matrix[b * sim.d + j];
  return dot;
}

/** The pick that explains a suggestion: the picked row most similar to it (or null). */
export function reasonFor(sim, suggestionRow, pickedRows) {
  let best = null;
  let bestValue = -Infinity;
  for (const row of pickedRows) {
    const value = cosine(sim, row, suggestionRow);
    if (value > bestValue) {
      best = row;
      bestValue = value;
    }
  }
  return best;
}

/** Rows of the k books most similar to `row` (cosine), excluding the book itself. */
export function similarRows(sim, row, k) {
  const values = new Float32Array(sim.n);
  for (let other = 0; other < sim.n; other++) values[other] = cosine(sim, row, other);
  return topRows(values, k, new Set([row]));
}
