// The rating model's custom layers, op for op the same as model/layers.py.
// Import this module (it registers the classes) before tf.loadLayersModel.
// tf.loadLayersModel hands constructors the Python config with camelCased keys
// (num_books -> numBooks); both spellings are accepted.
import * as tf from "../vendor/tf.fesm.min.js";

// A rating of metadata.json's liked_stars or more counts as liked (model/split.py's LIKED_STARS).
// tf.loadLayersModel builds the layers from model.json alone, so the layers that weigh liked
// picks have a `likedStars` that recommend.js's scorePicks sets from metadata before each run;
// run without it, they throw rather than guess.

/** How much a pick counts as liked: likedStars or more -> 1, one star fewer or less -> 0, padding (0) -> 0. */
function likedWeight(stars, likedStars) {
  if (!(likedStars > 0)) throw new Error("the model's likedStars is not set (metadata.json's liked_stars; recommend.js's scorePicks sets it)");
  return tf.clipByValue(tf.sub(stars, likedStars - 1), 0, 1);
}

/**
 * [embedded [B, L, d], stars [B, L]] -> [B, 2d] = [liked, taste].
 * liked = sum(w * e) / sqrt(sum(w) + 1e-6), w = likedWeight(stars);
 * taste = sum(c * e) / sqrt(n + 1e-6), c = (stars - 3) / 2 for picks (stars > 0).
 */
export class PickPooling extends tf.layers.Layer {
  static className = "PickPooling";

  constructor(config) {
    super(config);
    this.likedStars = null; // metadata.json's liked_stars, set before a run
  }

  computeOutputShape(inputShape) {
    const embedded = inputShape[0];
    return [embedded[0], 2 * embedded[embedded.length - 1]];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [embedded, stars] = inputs;
      const present = tf.cast(tf.greater(stars, 0), "float32"); // [B, L]
      const liked = likedWeight(stars, this.likedStars); // [B, L]
      const taste = tf.mul(tf.div(tf.sub(stars, 3), 2), present); // [B, L]
      const likedSum = tf.sum(tf.mul(embedded, tf.expandDims(liked, -1)), 1); // [B, d]
      const tasteSum = tf.sum(tf.mul(embedded, tf.expandDims(taste, -1)), 1); // [B, d]
      const likedNorm = tf.sqrt(tf.add(tf.sum(liked, 1, true), 1e-6)); // [B, 1]
      const countNorm = tf.sqrt(tf.add(tf.sum(present, 1, true), 1e-6)); // [B, 1]
      return tf.concat([tf.div(likedSum, likedNorm), tf.div(tasteSum, countNorm)], -1);
    });
  }
}

/** book_rows [B, L] -> [1, numBooks]: every row, for the book embedding to look up every vector. */
export class CatalogueRows extends tf.layers.Layer {
  static className = "CatalogueRows";

  constructor(config) {
    super(config);
    this.numBooks = config.numBooks ?? config.num_books;
  }

  computeOutputShape() {
    return [1, this.numBooks];
  }

  call() {
    return tf.tidy(() => tf.expandDims(tf.range(0, this.numBooks, 1, "int32"), 0));
  }

  getConfig() {
    return { ...super.getConfig(), num_books: this.numBooks };
  }
}

/** `vectors` scaled to unit length along the last axis (a zero vector stays zero). */
function unit(vectors) {
  return tf.div(vectors, tf.maximum(tf.norm(vectors, "euclidean", -1, true), 1e-12));
}

/**
 * [pooled [B, 2d], vectors [1, N, d]] -> [B, N] = similarity * cos(liked half of pooled, vectors[j]):
 * every book's cosine to the liked picks (0 without one), so the books past the votes follow the picks.
 */
export class PickSimilarity extends tf.layers.Layer {
  static className = "PickSimilarity";

  build() {
    this.similarity = this.addWeight("similarity", [1], "float32", tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return [inputShape[0][0], inputShape[1][1]];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [pooled, vectors] = inputs;
      const books = unit(tf.squeeze(vectors, [0])); // [N, d]
      const d = books.shape[1];
      const liked = unit(tf.slice(pooled, [0, 0], [-1, d])); // [B, d]
      return tf.mul(this.similarity.read(), tf.matMul(liked, books, false, true));
    });
  }
}

/** Sum each pick's votes [B, L, M] into [B, numBooks] at their `neighborRows` (cast to int32). */
function scatterVotes(neighborRows, votes, numBooks) {
  const [batch, picks, m] = neighborRows.shape;
  const batchIndex = tf.broadcastTo(tf.reshape(tf.range(0, batch, 1, "int32"), [-1, 1, 1]), [batch, picks, m]);
  const indices = tf.reshape(tf.stack([batchIndex, tf.cast(neighborRows, "int32")], -1), [-1, 2]);
  return tf.scatterND(indices, tf.reshape(votes, [-1]), [batch, numBooks]);
}

/** Base of the layers holding [num_books, num_neighbors] weights of the neighbor table. */
class NeighborTableLayer extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.numBooks = config.numBooks ?? config.num_books;
    this.numNeighbors = config.numNeighbors ?? config.num_neighbors;
  }

  /** A fixed [numBooks, numNeighbors] weight, set when the model is built. */
  addTable(name) {
    return this.addWeight(name, [this.numBooks, this.numNeighbors], "float32", tf.initializers.zeros(), undefined, false);
  }

  getConfig() {
    return { ...super.getConfig(), num_books: this.numBooks, num_neighbors: this.numNeighbors };
  }
}

/**
 * book_rows [B, L] -> the picks' neighbor rows [B, L, M] (int32), from the fixed table
 * neighbor_rows [N, M] (row numbers stored as floats, shipped as uint16; rounded before use).
 */
export class NeighborRows extends NeighborTableLayer {
  static className = "NeighborRows";

  build(inputShape) {
    this.neighborRows = this.addTable("neighbor_rows");
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return [inputShape[0], inputShape[1], this.numNeighbors];
  }

  call(inputs) {
    return tf.tidy(() => {
      const pickRows = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.cast(tf.round(tf.gather(this.neighborRows.read(), tf.cast(pickRows, "int32"))), "int32");
    });
  }
}

/**
 * [pick_rows [B, L], stars [B, L], neighbor_rows [B, L, M]] -> [B, num_books]: every liked pick votes
 * for its neighbors, neighbor_weights[pick, m] * w at j = neighbor_rows[pick, m], w = likedWeight(stars);
 * the sum at j is multiplied by mix and by the popularity shift exp(strength * log_ratio[j]) (model/popularity.py),
 * the visitor's shift strength = gamma * clip((meanShift + offset) / span, 0, 1), meanShift the liked picks'
 * mean log_ratio and, when fade > 0, strength also multiplied by clip(fade / max(n, 1), 0, 1) for n liked picks.
 * The weights keep the names the model files have (model/layers.py NeighborScores): log_ratio [num_books],
 * each book's shift, and gamma, the shift's full strength.
 */
export class NeighborScores extends NeighborTableLayer {
  static className = "NeighborScores";

  constructor(config) {
    super(config);
    this.offset = config.offset;
    this.span = config.span;
    this.fade = config.fade ?? 0;
    this.likedStars = null; // metadata.json's liked_stars, set before a run
  }

  build(inputShape) {
    this.mix = this.addWeight("mix", [1], "float32", tf.initializers.ones(), undefined, false);
    this.neighborWeights = this.addTable("neighbor_weights");
    this.logRatio = this.addWeight("log_ratio", [this.numBooks], "float32", tf.initializers.zeros(), undefined, false);
    this.gamma = this.addWeight("gamma", [1], "float32", tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return [inputShape[0][0], this.numBooks];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [pickRows, stars, neighborRows] = inputs;
      const rows = tf.cast(pickRows, "int32");
      const liked = likedWeight(stars, this.likedStars); // [B, L]
      const votes = tf.mul(tf.gather(this.neighborWeights.read(), rows), tf.expandDims(liked, -1)); // [B, L, M]
      const bookShift = this.logRatio.read(); // [N]: each book's shift
      const pickedShift = tf.sum(tf.mul(liked, tf.gather(bookShift, rows)), 1, true);
      const likedCount = tf.sum(liked, 1, true); // [B, 1]
      const meanShift = tf.div(pickedShift, tf.maximum(likedCount, 1e-6)); // [B, 1]
      let strength = tf.mul(this.gamma.read(), tf.clipByValue(tf.div(tf.add(meanShift, this.offset), this.span), 0, 1));
      if (this.fade > 0) strength = tf.mul(strength, tf.clipByValue(tf.div(this.fade, tf.maximum(likedCount, 1)), 0, 1));
      const shift = tf.exp(tf.mul(strength, tf.expandDims(bookShift, 0))); // [B, N]: the popularity shift
      return tf.mul(tf.mul(this.mix.read(), scatterVotes(neighborRows, votes, this.numBooks)), shift);
    });
  }

  getConfig() {
    return { ...super.getConfig(), offset: this.offset, span: this.span, fade: this.fade };
  }
}

/**
 * [pick_rows [B, L], stars [B, L], neighbor_rows [B, L, M]] -> predicted stars [B, num_books], clipped
 * to 1..5: global_mean + book_bias + visitor_bias + sum over picks p and m of
 * r_p * star_weights[p, m] at neighbor_rows[p, m], where
 * visitor_bias = sum(stars - global_mean - book_bias[pick]) / (n + bias_shrinkage) and
 * r_p = stars - global_mean - book_bias[pick] - visitor_bias (0 for padding).
 */
export class StarPredictor extends NeighborTableLayer {
  static className = "StarPredictor";

  constructor(config) {
    super(config);
    this.globalMean = config.globalMean ?? config.global_mean;
    this.biasShrinkage = config.biasShrinkage ?? config.bias_shrinkage;
  }

  build(inputShape) {
    this.bookBias = this.addWeight("book_bias", [this.numBooks], "float32", tf.initializers.zeros(), undefined, false);
    this.starWeights = this.addTable("star_weights");
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return [inputShape[0][0], this.numBooks];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [pickRows, stars, neighborRows] = inputs;
      const rows = tf.cast(pickRows, "int32");
      const bookBias = this.bookBias.read();
      const present = tf.cast(tf.greater(stars, 0), "float32"); // [B, L]
      const count = tf.sum(present, 1, true); // [B, 1]
      const residual = tf.mul(tf.sub(tf.sub(stars, this.globalMean), tf.gather(bookBias, rows)), present); // [B, L]
      const visitorBias = tf.div(tf.sum(residual, 1, true), tf.add(count, this.biasShrinkage)); // [B, 1]
      const centred = tf.mul(tf.sub(residual, visitorBias), present); // [B, L]
      const votes = tf.mul(tf.gather(this.starWeights.read(), rows), tf.expandDims(centred, -1)); // [B, L, M]
      const interaction = scatterVotes(neighborRows, votes, this.numBooks); // [B, N]
      const predicted = tf.add(tf.add(tf.add(this.globalMean, tf.expandDims(bookBias, 0)), visitorBias), interaction);
      return tf.clipByValue(predicted, 1, 5);
    });
  }

  getConfig() {
    return {
      ...super.getConfig(),
      global_mean: this.globalMean,
      bias_shrinkage: this.biasShrinkage,
    };
  }
}

tf.serialization.registerClass(PickPooling);
tf.serialization.registerClass(CatalogueRows);
tf.serialization.registerClass(PickSimilarity);
tf.serialization.registerClass(NeighborRows);
tf.serialization.registerClass(NeighborScores);
tf.serialization.registerClass(StarPredictor);
