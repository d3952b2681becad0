"""The Keras link model: negative sampling, the data pipeline, and planted structure."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from explorer.link_model import LinkModelConfig, PairSampler, build_link_model, embeddings, train_link_model
from explorer.metrics import roc_auc
from explorer.pairs import pair_codes, split_pairs
from explorer.vectors import top_k_neighbors

# explorer.link_model imports TensorFlow, seconds before the first test: `make test` runs these.
pytestmark = pytest.mark.slow


def _sampler(pairs, known=None, ratio=3, batch=16, seed=0):
    known = pair_codes(pairs.book_rows, pairs.link_rows, pairs.num_links) if known is None else known
    return PairSampler(
        pairs.book_rows, pairs.link_rows, pairs.weights, pairs.num_links, known, ratio, batch, seed
    )


def test_negatives_are_never_real_pairs_even_when_most_pairs_are_real():
    # 6 books x 5 links, each book linked to 4 of the 5: a random link is real 80% of the time
    books = np.repeat(np.arange(6), 4)
    links = np.concatenate([np.delete(np.arange(5), b % 5) for b in range(6)])
    real = set(zip(books.tolist(), links.tolist(), strict=True))
    sampler = PairSampler(books, links, np.ones(len(books)), 5, pair_codes(books, links, 5), 5, 7, seed=1)
    seen = 0
    for _ in range(20):
        for x, y, w in sampler.epoch():
            neg = y == 0
            assert neg.sum() == 5 * (y == 1).sum()
            for b, lk in zip(x["book"][neg].tolist(), x["link"][neg].tolist(), strict=True):
                assert (b, lk) not in real
                seen += 1
            assert np.all(w[neg] == 1)
    assert seen == 20 * 5 * len(books)


def test_negatives_also_avoid_held_out_pairs(planted):
    train_idx, test_idx = split_pairs(len(planted), 0.2, seed=0)
    all_codes = pair_codes(planted.book_rows, planted.link_rows, planted.num_links)
    sampler = PairSampler(
        planted.book_rows[train_idx],
        planted.link_rows[train_idx],
        planted.weights[train_idx],
        planted.num_links,
        all_codes,
        4,
        32,
        0,
    )
    held_out = set(all_codes[test_idx].tolist())
    for x, y, _ in sampler.epoch():
        codes = pair_codes(x["book"][y == 0], x["link"][y == 0], planted.num_links)
        assert not held_out & set(codes.tolist())


def test_an_epoch_covers_every_real_pair_once_and_is_seeded(planted):
    a, b = _sampler(planted, seed=3), _sampler(planted, seed=3)
    batches_a, batches_b = list(a.epoch()), list(b.epoch())
    assert len(batches_a) == a.steps_per_epoch
    pos = np.concatenate(
        [pair_codes(x["book"][y == 1], x["link"][y == 1], planted.num_links) for x, y, _ in batches_a]
    )
    assert sorted(pos.tolist()) == sorted(
        pair_codes(planted.book_rows, planted.link_rows, planted.num_links).tolist()
    )
    for (xa, ya, _), (xb, yb, _) in zip(batches_a, batches_b, strict=True):
        assert np.array_equal(xa["link"], xb["link"]) and np.array_equal(ya, yb)


def test_a_book_linked_to_everything_is_refused():
    books, links = np.zeros(3, int), np.arange(3)
    with pytest.raises(ValueError, match="no negative exists"):
        PairSampler(books, links, np.ones(3), 3, pair_codes(books, links, 3))


def test_tf_data_pipeline_yields_fresh_batches(planted):
    sampler = _sampler(planted, batch=50)
    batches = list(sampler.dataset().take(sampler.steps_per_epoch + 1))  # runs into the 2nd epoch
    x, y, w = batches[0]
    assert x["book"].dtype.name == "int32" and y.shape == w.shape == x["link"].shape


def test_model_shapes():
    model = build_link_model(7, 5, 4)
    out = model.predict({"book": np.array([0, 6]), "link": np.array([4, 0])}, verbose=0)
    assert out.shape == (2, 1) and np.all((out > 0) & (out < 1))
    book_vecs, link_vecs = embeddings(model)
    assert book_vecs.shape == (7, 4) and link_vecs.shape == (5, 4)


def test_planted_groups_are_recovered(planted):
    """Two disjoint groups of books linking to two disjoint groups of links stay apart."""
    cfg = LinkModelConfig(
        embedding_dim=8, negative_ratio=2, batch_size=32, epochs=30, learning_rate=0.05, seed=0
    )
    model, history = train_link_model(planted, np.arange(len(planted)), cfg)
    assert history["loss"][-1] < history["loss"][0]
    book_vecs, link_vecs = embeddings(model)
    group_b = np.arange(planted.num_books) >= planted.num_books // 2
    group_l = np.arange(planted.num_links) >= planted.num_links // 2
    near_b = top_k_neighbors(book_vecs, 5)
    assert np.mean(group_b[near_b] == group_b[:, None]) == 1.0
    near_l = top_k_neighbors(link_vecs, 3)
    assert np.mean(group_l[near_l] == group_l[:, None]) == 1.0


def test_roc_auc_matches_sklearn():
    rng = np.random.default_rng(0)
    pos, neg = rng.normal(1, 1, 200).round(1), rng.normal(0, 1, 300).round(1)  # rounding makes ties
    expected = roc_auc_score(np.r_[np.ones(200), np.zeros(300)], np.r_[pos, neg])
    assert abs(roc_auc(pos, neg) - expected) < 1e-9


def test_split_pairs_is_a_seeded_partition():
    train, test = split_pairs(100, 0.1, seed=4)
    assert len(test) == 10 and sorted(np.r_[train, test].tolist()) == list(range(100))
    assert np.array_equal(test, split_pairs(100, 0.1, seed=4)[1])
