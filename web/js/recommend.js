// Pure recommendation code: tensors in, rows and numbers out. No DOM here.
// The same scoring as model/scoring.py (see docs/ARTIFACTS.md, "The browser's scoring").
// What needs no TF.js (ranking, reasons, similar books) is in rank.js, which the page imports
// without it; the model itself runs in web/model-worker.js (model-host.js).
import * as tf from "../vendor/tf.fesm.min.js";
import { unitRows } from "./rank.js";

export { arrange, discoveryArrange, discoveryScores, reasonFor, similarRows, topRows, topSuggestions, unitRows } from "./rank.js";

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
  // The layers that weigh liked picks take metadata's threshold (layers.js keeps no copy of it).
  for (const layer of model.layers) if ("likedStars" in layer) layer.likedStars = metadata.liked_stars;
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
