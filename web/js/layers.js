// The rating model's custom layers, op for op the same as model/layers.py.
// Import this module (it registers the classes) before tf.loadLayersModel.
// tf.loadLayersModel hands constructors the Python config with camelCased keys
// (num_books -> numBooks); both spellings are accepted.
import * as tf from "../vendor/tf.fesm.min.js";

/** How much a pick counts as liked: 4 or 5 stars -> 1, 3 or fewer -> 0, padding (0) -> 0. */
function likedWeight(stars) {
  return tf.clipByValue(tf.sub(stars, 3), 0, 1);
}

/**
 * [embedded [B, L, d], stars [B, L]] -> [B, 2d] = [liked, taste].
 * liked = sum(w * e) / sqrt(sum(w) + 1e-6), w = clip(stars - 3, 0, 1);
 * taste = sum(c * e) / sqrt(n + 1e-6), c = (stars - 3) / 2 for picks (stars > 0).
 */
export class PickPooling extends tf.layers.Layer {
  static className = "PickPooling";

  computeOutputShape(inputShape) {
    const embedded = inputShape[0];
    return [embedded[0], 2 * embedded[embedded.length - 1]];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [embedded, stars] = inputs;
      const present = tf.cast(tf.greater(stars, 0), "float32"); // [B, L]
      const liked = likedWeight(stars); // [B, L]
      const taste = tf.mul(tf.div(tf.sub(stars, 3), 2), present); // [B, L]
      const likedSum = tf.sum(tf.mul(embedded, tf.expandDims(liked, -1)), 1); // [B, d]
      const tasteSum = tf.sum(tf.mul(embedded, tf.expandDims(taste, -1)), 1); // [B, d]
      const likedNorm = tf.sqrt(tf.add(tf.sum(liked, 1, true), 1e-6)); // [B, 1]
      const countNorm = tf.sqrt(tf.add(tf.sum(present, 1, true), 1e-6)); // [B, 1]
      return tf.concat([tf.div(likedSum, likedNorm), tf.div(tasteSum, countNorm)], -1);
    });
  }
}

/**
 * [book_rows [B, L], stars [B, L]] -> predicted stars [B, num_books], clipped to 1..5:
 * global_mean + book_bias + visitor_bias + taste . book_factors, where r = stars - global_mean -
 * book_bias[pick], visitor_bias = sum(r) / (n + bias_shrinkage) and
 * taste = sum((r - visitor_bias) * star_embeddings[pick]) / sqrt(n + 1e-6).
 */
export class StarPredictor extends tf.layers.Layer {
  static className = "StarPredictor";

  constructor(config) {
    super(config);
    this.numBooks = config.numBooks ?? config.num_books;
    this.starDim = config.starDim ?? config.star_dim;
    this.globalMean = config.globalMean ?? config.global_mean;
    this.biasShrinkage = config.biasShrinkage ?? config.bias_shrinkage;
  }

  build(inputShape) {
    const shape = [this.numBooks, this.starDim];
    const init = tf.initializers.randomNormal({ stddev: 0.1 });
    this.bookBias = this.addWeight("book_bias", [this.numBooks], "float32", tf.initializers.zeros());
    this.starEmbeddings = this.addWeight("star_embeddings", shape, "float32", init);
    this.bookFactors = this.addWeight("book_factors", shape, "float32", init);
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return [inputShape[0][0], this.numBooks];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [bookRows, stars] = inputs;
      const rows = tf.cast(bookRows, "int32");
      const bookBias = this.bookBias.read();
      const present = tf.cast(tf.greater(stars, 0), "float32"); // [B, L]
      const count = tf.sum(present, 1, true); // [B, 1]
      const residual = tf.mul(tf.sub(tf.sub(stars, this.globalMean), tf.gather(bookBias, rows)), present); // [B, L]
      const visitorBias = tf.div(tf.sum(residual, 1, true), tf.add(count, this.biasShrinkage)); // [B, 1]
      const centred = tf.mul(tf.sub(residual, visitorBias), present); // [B, L]
      const picked = tf.gather(this.starEmbeddings.read(), rows); // [B, L, k]
      const taste = tf.div(tf.sum(tf.mul(picked, tf.expandDims(centred, -1)), 1), tf.sqrt(tf.add(count, 1e-6))); // [B, k]
      const interaction = tf.matMul(taste, this.bookFactors.read(), false, true); // [B, N]
      const predicted = tf.add(tf.add(tf.add(this.globalMean, tf.expandDims(bookBias, 0)), visitorBias), interaction);
      return tf.clipByValue(predicted, 1, 5);
    });
  }

  getConfig() {
    return {
      ...super.getConfig(),
      num_books: this.numBooks,
      star_dim: this.starDim,
      global_mean: this.globalMean,
      bias_shrinkage: this.biasShrinkage,
    };
  }
}

/**
 * [book_rows [B, L], stars [B, L]] -> [B, num_books]: every liked pick votes for its
 * neighbours, mix * neighbor_weights[pick, m] * clip(stars - 3, 0, 1) at column neighbor_rows[pick, m].
 */
export class NeighborScores extends tf.layers.Layer {
  static className = "NeighborScores";

  constructor(config) {
    super(config);
    this.numBooks = config.numBooks ?? config.num_books;
    this.numNeighbors = config.numNeighbors ?? config.num_neighbors;
  }

  build(inputShape) {
    const shape = [this.numBooks, this.numNeighbors];
    this.mix = this.addWeight("mix", [1], "float32", tf.initializers.ones(), undefined, false);
    // Row numbers stored as floats (shipped as uint16): rounded before use.
    this.neighborRows = this.addWeight("neighbor_rows", shape, "float32", tf.initializers.zeros(), undefined, false);
    this.neighborWeights = this.addWeight(
      "neighbor_weights",
      shape,
      "float32",
      tf.initializers.zeros(),
      undefined,
      false,
    );
    this.built = true;
  }

  computeOutputShape(inputShape) {
    return [inputShape[0][0], this.numBooks];
  }

  call(inputs) {
    return tf.tidy(() => {
      const [bookRows, stars] = inputs;
      const rows = tf.cast(bookRows, "int32");
      const [batch, picks] = rows.shape;
      const liked = likedWeight(stars); // [B, L]
      const columns = tf.cast(tf.round(tf.gather(this.neighborRows.read(), rows)), "int32"); // [B, L, M]
      const votes = tf.mul(tf.gather(this.neighborWeights.read(), rows), tf.expandDims(liked, -1)); // [B, L, M]
      const batchIndex = tf.broadcastTo(tf.reshape(tf.range(0, batch, 1, "int32"), [-1, 1, 1]), [batch, picks, this.numNeighbors]);
      const indices = tf.reshape(tf.stack([batchIndex, columns], -1), [-1, 2]);
      return tf.mul(this.mix.read(), tf.scatterND(indices, tf.reshape(votes, [-1]), [batch, this.numBooks]));
    });
  }

  getConfig() {
    return { ...super.getConfig(), num_books: this.numBooks, num_neighbors: this.numNeighbors };
  }
}

tf.serialization.registerClass(PickPooling);
tf.serialization.registerClass(StarPredictor);
tf.serialization.registerClass(NeighborScores);
