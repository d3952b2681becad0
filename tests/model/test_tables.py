"""The neighbor table's pieces, with known answers."""

from __future__ import annotations

import numpy as np

from model.tables import by_row


def test_by_row_orders_each_books_entries_by_row_and_moves_the_weights_along():
    rows = np.array([[7, 2, 5], [0, 9, 4]], np.int32)  # strongest first, as the table is built
    weights = np.array([[0.9, 0.5, 0.1], [1.0, 0.3, -0.2]], np.float32)
    sorted_rows, sorted_weights = by_row(rows, weights)
    np.testing.assert_array_equal(sorted_rows, [[2, 5, 7], [0, 4, 9]])
    np.testing.assert_array_equal(sorted_weights, np.array([[0.5, 0.1, 0.9], [1.0, -0.2, 0.3]], np.float32))
    # The same table: every (book, neighbor) pair keeps its weight.
    pairs = {(b, int(r)): float(w) for b in range(2) for r, w in zip(rows[b], weights[b], strict=True)}
    assert pairs == {
        (b, int(r)): float(w)
        for b in range(2)
        for r, w in zip(sorted_rows[b], sorted_weights[b], strict=True)
    }
