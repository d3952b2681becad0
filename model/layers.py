"""The rating model's custom Keras layers, mirrored op for op in ``web/js/layers.js``.

The model never sees a user id. A visitor is a padded list of picks: their rows ``pick_rows``
[batch, picks] (int32) and ``stars`` [batch, picks] (float32, 1..5, 0 = padding). Everything
about the visitor is computed from those two tensors inside the network, so the browser can run
it. The rows' input keeps the name ``book_rows`` in the saved model, model.json and
metadata.json's ``inputs``, which the page and its tests read.
"""

from __future__ import annotations

from model import import_tensorflow
from model.popularity import FADE_PICKS, OFFSET, SPAN
from model.split import LIKED_STARS

tf = import_tensorflow()
keras = tf.keras

BIAS_SHRINKAGE = 3.0  # StarPredictor's: a visitor's bias counts as if from this many more picks


def liked_weight(stars):
    """How much a pick counts as liked: 4 or 5 stars -> 1, 3 or fewer -> 0, padding (0) -> 0
    (``split.liked_weight`` in numpy; ``likedWeight`` in web/js/layers.js)."""
    return tf.clip_by_value(stars - float(LIKED_STARS - 1), 0.0, 1.0)


class PickPooling(keras.layers.Layer):
    """Pool the picked books' embeddings into one visitor vector.

    inputs: ``[embedded [B, L, d], stars [B, L]]``; output ``[B, 2d]`` =
    ``[liked, taste]`` where
    - liked = sum(w * e) / sqrt(sum(w) + eps), w = ``liked_weight(stars)`` (4 or 5 -> 1, <= 3 -> 0);
    - taste = sum(c * e) / sqrt(n + eps), c = (stars - 3) / 2 for picks, n = number of picks (3
      is the middle of the 1..5 scale, so c runs from -1 to 1).
    Padding (stars 0) contributes nothing, so the order and padding of picks never matter.
    """

    def call(self, inputs):
        embedded, stars = inputs
        present = tf.cast(stars > 0.0, tf.float32)  # [B, L]
        liked = liked_weight(stars)  # [B, L]
        taste = (stars - 3.0) / 2.0 * present  # [B, L]
        liked_sum = tf.reduce_sum(embedded * tf.expand_dims(liked, -1), axis=1)  # [B, d]
        taste_sum = tf.reduce_sum(embedded * tf.expand_dims(taste, -1), axis=1)  # [B, d]
        liked_norm = tf.sqrt(tf.reduce_sum(liked, axis=1, keepdims=True) + 1e-6)  # [B, 1]
        count_norm = tf.sqrt(tf.reduce_sum(present, axis=1, keepdims=True) + 1e-6)  # [B, 1]
        return tf.concat([liked_sum / liked_norm, taste_sum / count_norm], axis=-1)

    def compute_output_shape(self, input_shape):
        embedded_shape = input_shape[0]
        return (embedded_shape[0], 2 * embedded_shape[-1])


class CatalogueRows(keras.layers.Layer):
    """``pick_rows`` [B, L] -> [1, num_books]: every row 0..num_books-1, for the book embedding
    to look up every book's vector (``PickSimilarity``); the input only places it in the graph."""

    def __init__(self, num_books: int, **kwargs):
        super().__init__(**kwargs)
        self.num_books = int(num_books)

    def call(self, pick_rows):
        return tf.expand_dims(tf.range(self.num_books), 0)

    def compute_output_shape(self, input_shape):
        return (1, self.num_books)

    def get_config(self):
        return {**super().get_config(), "num_books": self.num_books}


def unit(vectors):
    """``vectors`` scaled to unit length along the last axis (a zero vector stays zero)."""
    return vectors / tf.maximum(tf.norm(vectors, axis=-1, keepdims=True), 1e-12)


class PickSimilarity(keras.layers.Layer):
    """Every book's cosine to the visitor's liked picks, so that the books past the neighbor
    votes follow the picks (issue 24: with one pick only its neighbors get votes, and the
    low-rank part ranked the rest nearly the same way whatever the pick).

    inputs ``[pooled [B, 2d], vectors [1, N, d]]`` (PickPooling's output, whose first half is
    the liked picks' summed vectors; the book embedding of CatalogueRows); output [B, N] =
    ``similarity`` * cos(liked half of pooled, vectors[j]) (0 without a liked pick). The scalar
    ``similarity`` is fixed when the model is built (model/fit.py: the neighbor mix, so that
    the cosine keeps its weight against the votes).
    """

    def build(self, input_shape):
        self.similarity = self.add_weight(name="similarity", shape=(1,), initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        pooled, vectors = inputs
        books = unit(vectors[0])  # [N, d]
        dim = tf.shape(books)[-1]
        liked = unit(pooled[:, :dim])  # [B, d]
        return self.similarity * tf.matmul(liked, books, transpose_b=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], input_shape[1][1])


def scatter_votes(neighbor_rows, votes, num_books: int):
    """Sum each pick's votes [B, L, M] into [B, num_books] at its ``neighbor_rows`` [B, L, M]
    (cast to int32: TF.js hands a layer's int32 output to the next layer as float32)."""
    neighbor_rows = tf.cast(neighbor_rows, tf.int32)
    shape = tf.shape(neighbor_rows)
    batch_index = tf.broadcast_to(tf.reshape(tf.range(shape[0]), [-1, 1, 1]), shape)  # [B, L, M]
    indices = tf.reshape(tf.stack([batch_index, neighbor_rows], axis=-1), [-1, 2])  # [B*L*M, 2]
    return tf.scatter_nd(indices, tf.reshape(votes, [-1]), tf.stack([shape[0], num_books]))


class NeighborTableLayer(keras.layers.Layer):
    """Base of the layers holding [num_books, num_neighbors] weights of the neighbor table."""

    def __init__(self, num_books: int, num_neighbors: int, **kwargs):
        super().__init__(**kwargs)
        self.num_books = int(num_books)
        self.num_neighbors = int(num_neighbors)

    def add_table(self, name: str):
        """A fixed [num_books, num_neighbors] weight, set when the model is built."""
        shape = (self.num_books, self.num_neighbors)
        return self.add_weight(name=name, shape=shape, initializer="zeros", trainable=False)

    def get_config(self):
        config = super().get_config()
        config.update(num_books=self.num_books, num_neighbors=self.num_neighbors)
        return config


class NeighborRows(NeighborTableLayer):
    """The neighbor table: each book's ``num_neighbors`` strongest co-liked books.

    Weight ``neighbor_rows`` [N, M]: row numbers, fixed when the model is built (see
    tables.neighbor_table), stored as floats so the export can ship them as uint16 (exact
    after rounding). input ``pick_rows`` [B, L]; output the picks' neighbor rows [B, L, M]
    (int32). Two layers vote along this one table: NeighborScores with each liked pick's like,
    StarPredictor with each pick's star residual.
    """

    def build(self, input_shape):
        self.neighbor_rows = self.add_table("neighbor_rows")
        super().build(input_shape)

    def call(self, pick_rows):
        rows = tf.gather(self.neighbor_rows, tf.cast(pick_rows, tf.int32))  # [B, L, M]
        return tf.cast(tf.round(rows), tf.int32)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.num_neighbors)


class NeighborScores(NeighborTableLayer):
    """Sparse item-item scores: every liked pick votes for its neighbors, and the popularity
    shift (model/popularity.py) leans the votes towards what real readers read, as far as the
    visitor's picks do.

    Weights, fixed when the model is built (model/fit.py): ``neighbor_weights`` [N, M] (each
    book's strongest denoising-EASE weights, model/tables.py), the scalar ``mix``, and the
    popularity shift's two, under the names the model files keep: ``log_ratio`` [N], each
    book's shift (the log of how much more real readers read it than this data shows, centred)
    and ``gamma``, the shift's full strength (config.json's ``popularity_gamma``); ``mix`` and
    ``gamma`` are chosen on validation users or real readers (model/choose.py).
    inputs ``[pick_rows [B, L], stars [B, L], neighbor_rows [B, L, M]]`` (from NeighborRows);
    with the liked weight w = ``liked_weight(stars)``:
    - votes[j] = sum over picks p and m of w_p * neighbor_weights[p, m] at j = neighbor_rows[p, m];
    - the visitor's shift strength: with the liked picks' mean shift
      mean_shift = sum_p w_p log_ratio[p] / sum_p w_p (0 without liked picks),
      strength = gamma * clip((mean_shift + offset) / span, 0, 1) * clip(fade / max(sum_p w_p, 1), 0, 1)
      (the last factor only when ``fade`` > 0: the shift fades as the liked picks grow);
    - output [B, N] = mix * votes[j] * exp(strength * log_ratio[j]) (the popularity shift).
    The votes capture series and close companions, which a low-rank embedding blurs.
    """

    def __init__(
        self,
        num_books: int,
        num_neighbors: int,
        offset: float = OFFSET,
        span: float = SPAN,
        fade: float = 0.0,
        **kwargs,
    ):
        super().__init__(num_books, num_neighbors, **kwargs)
        self.offset = float(offset)
        self.span = float(span)
        self.fade = float(fade)

    def build(self, input_shape):
        self.mix = self.add_weight(name="mix", shape=(1,), initializer="ones", trainable=False)
        self.neighbor_weights = self.add_table("neighbor_weights")
        self.log_ratio = self.add_weight(
            name="log_ratio", shape=(self.num_books,), initializer="zeros", trainable=False
        )
        self.gamma = self.add_weight(name="gamma", shape=(1,), initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        pick_rows, stars, neighbor_rows = inputs
        pick_rows = tf.cast(pick_rows, tf.int32)
        liked = liked_weight(stars)  # [B, L]
        votes = tf.gather(self.neighbor_weights, pick_rows) * tf.expand_dims(liked, -1)  # [B, L, M]
        picked_shift = tf.reduce_sum(liked * tf.gather(self.log_ratio, pick_rows), axis=1, keepdims=True)
        liked_count = tf.reduce_sum(liked, axis=1, keepdims=True)  # [B, 1]
        mean_shift = picked_shift / tf.maximum(liked_count, 1e-6)  # [B, 1]
        strength = self.gamma * tf.clip_by_value((mean_shift + self.offset) / self.span, 0.0, 1.0)  # [B, 1]
        if self.fade > 0:
            strength = strength * tf.clip_by_value(self.fade / tf.maximum(liked_count, 1.0), 0.0, 1.0)
        shift = tf.exp(strength * tf.expand_dims(self.log_ratio, 0))  # [B, N]: the popularity shift
        return self.mix * scatter_votes(neighbor_rows, votes, self.num_books) * shift

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.num_books)

    def get_config(self):
        config = super().get_config()
        config.update(offset=self.offset, span=self.span, fade=self.fade)
        return config


class StarPredictor(NeighborTableLayer):
    """Predicted stars for every book: the bias baseline plus the picks' star residuals, passed
    along the neighbor table.

    inputs ``[pick_rows [B, L], stars [B, L], neighbor_rows [B, L, M]]`` (from NeighborRows);
    output ``[B, num_books]`` clipped to 1..5:
    global_mean + book_bias + visitor_bias + sum over picks p and m of
    r_p * star_weights[p, m] at neighbor_rows[p, m], where
    - visitor_bias = sum(stars - global_mean - book_bias[pick]) / (n + bias_shrinkage);
    - r_p = stars - global_mean - book_bias[pick] - visitor_bias: how much more (or less) the
      visitor liked the pick than the baseline expected (0 for padding).
    Weights (fixed when the model is built, see stars.star_head): the bias baseline's
    book biases and, per neighbor, a ridge regression of one book's residual on another's.
    """

    def __init__(
        self,
        num_books: int,
        num_neighbors: int,
        global_mean: float,
        bias_shrinkage: float = BIAS_SHRINKAGE,
        **kwargs,
    ):
        super().__init__(num_books, num_neighbors, **kwargs)
        self.global_mean = float(global_mean)
        self.bias_shrinkage = float(bias_shrinkage)

    def build(self, input_shape):
        self.book_bias = self.add_weight(
            name="book_bias", shape=(self.num_books,), initializer="zeros", trainable=False
        )
        self.star_weights = self.add_table("star_weights")
        super().build(input_shape)

    def call(self, inputs):
        pick_rows, stars, neighbor_rows = inputs
        pick_rows = tf.cast(pick_rows, tf.int32)
        present = tf.cast(stars > 0.0, tf.float32)  # [B, L]
        count = tf.reduce_sum(present, axis=1, keepdims=True)  # [B, 1]
        residual = (stars - self.global_mean - tf.gather(self.book_bias, pick_rows)) * present  # [B, L]
        visitor_bias = tf.reduce_sum(residual, axis=1, keepdims=True) / (
            count + self.bias_shrinkage
        )  # [B, 1]
        centred = (residual - visitor_bias) * present  # [B, L]
        votes = tf.gather(self.star_weights, pick_rows) * tf.expand_dims(centred, -1)  # [B, L, M]
        interaction = scatter_votes(neighbor_rows, votes, self.num_books)  # [B, N]
        predicted = self.global_mean + tf.expand_dims(self.book_bias, 0) + visitor_bias + interaction
        return tf.clip_by_value(predicted, 1.0, 5.0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.num_books)

    def get_config(self):
        config = super().get_config()
        config.update(global_mean=self.global_mean, bias_shrinkage=self.bias_shrinkage)
        return config


CUSTOM_OBJECTS = {
    "PickPooling": PickPooling,
    "CatalogueRows": CatalogueRows,
    "PickSimilarity": PickSimilarity,
    "NeighborRows": NeighborRows,
    "NeighborScores": NeighborScores,
    "StarPredictor": StarPredictor,
}


def build_model(
    num_books: int, embedding_dim: int, global_mean: float, num_neighbors: int = 16
) -> keras.Model:
    """The visitor model: picks in, [scores, predicted_stars] for every book out.

    scores [B, N] are ranking logits (higher = more likely to be loved): a low-rank part
    (pooled pick embeddings -> visitor vector -> every book) plus the sparse neighbor votes
    plus every book's cosine to the liked picks (PickSimilarity).
    predicted_stars [B, N] are 1..5 ratings: the bias baseline plus star votes along the same
    neighbor table.
    """
    pick_rows = keras.Input(shape=(None,), dtype="int32", name="book_rows")
    stars = keras.Input(shape=(None,), dtype="float32", name="stars")
    embedding = keras.layers.Embedding(num_books, embedding_dim, name="book_embedding")
    embedded = embedding(pick_rows)
    pooled = PickPooling(name="pick_pooling")([embedded, stars])  # [B, 2d]
    every_book = embedding(CatalogueRows(num_books, name="catalogue_rows")(pick_rows))  # [1, N, d]
    similar = PickSimilarity(name="pick_similarity")([pooled, every_book])  # [B, N]
    visitor = keras.layers.Dense(embedding_dim, activation="tanh", name="visitor")(pooled)  # [B, d]
    low_rank = keras.layers.Dense(num_books, name="book_scores")(visitor)  # [B, N]
    neighbor_rows = NeighborRows(num_books, num_neighbors, name="neighbor_rows")(pick_rows)  # [B, L, M]
    neighbors = NeighborScores(num_books, num_neighbors, OFFSET, SPAN, FADE_PICKS, name="neighbor_scores")(
        [pick_rows, stars, neighbor_rows]
    )
    scores = keras.layers.Add(name="scores")([low_rank, neighbors, similar])
    predicted = StarPredictor(num_books, num_neighbors, global_mean, name="predicted_stars")(
        [pick_rows, stars, neighbor_rows]
    )
    return keras.Model(inputs=[pick_rows, stars], outputs=[scores, predicted], name="shelf_visitor_model")


def load_model(path) -> keras.Model:
    """Load a saved ``model.keras`` with the custom layers registered."""
    return keras.models.load_model(path, custom_objects=CUSTOM_OBJECTS, compile=False)
