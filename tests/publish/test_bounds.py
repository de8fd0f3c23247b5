"""The proof's LPs on hand-made components: many independent ones, more than one batch, solved side by side."""
import numpy as np
import pandas as pd

from pipeline.publish.bounds import BATCH_CELLS, protection

LIMIT = 5


def test_many_components_in_several_batches_each_get_their_own_outcome():
    # pairs: a + b = total (shown), both hidden, 2 + 3: each lies in 1 … 4, as wide as "a small count"
    # singles: c + d = total, only c hidden: c is determined by the total minus d
    pairs, singles = 1_500, 2_500
    assert 2 * pairs + singles > BATCH_CELLS  # the components fill more than one batch
    rows, values, hidden, truth = [], [], [], []

    def cell(value: float, hide: bool) -> int:
        values.append(value)
        hidden.append(hide)
        truth.append(value)
        return len(values) - 1

    for k in range(pairs):
        a, b, total = cell(2, True), cell(3, True), cell(5, False)
        rows += [(k, a, 1), (k, b, 1), (k, total, -1)]
    for k in range(pairs, pairs + singles):
        c, d, total = cell(1 + k % 3, True), cell(7, False), cell(8 + k % 3, False)
        rows += [(k, c, 1), (k, d, 1), (k, total, -1)]
    relations = pd.DataFrame(rows, columns=["relation", "cell", "sign"])
    values, hidden, truth = np.array(values, float), np.array(hidden), np.array(truth, float)

    found = protection(relations, values, hidden, np.ones(len(values)), truth, LIMIT)

    assert found.components == pairs + singles
    paired = np.flatnonzero(hidden)[: 2 * pairs]
    single = np.flatnonzero(hidden)[2 * pairs:]
    assert found.protected[paired].all()
    assert (found.lo[paired] == 1).all() and (found.hi[paired] == 4).all()
    assert sorted(found.failing()) == sorted(single)
    assert found.determined()[single].all()
    assert (found.lo[single] == truth[single]).all() and (found.hi[single] == truth[single]).all()
    assert not found.untested.any()
