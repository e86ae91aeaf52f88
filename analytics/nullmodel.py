"""Degree-preserving randomisation of the paper–entity bipartite graph (the global curveball algorithm).

Why this null model: two entities can share many papers just because both are frequent or because some papers
carry many terms.  Shuffling which paper mentions which entity while keeping every paper's term count and
every entity's paper count fixed (as Hetionet did for its metapaths) tells how many shared papers such
marginals produce by chance.  The curveball algorithm (Strona et al. 2014; global variant Carstens et al.
2018) pairs up all papers and lets each pair trade the entities they do not share, which keeps both degree
sequences exactly; here one global trade is a handful of vectorised numpy operations.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp


def global_curveball_step(rows: np.ndarray, cols: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One global curveball trade over an edge list; returns the new row of every edge (columns stay put).

    Papers are paired at random; within a pair, the entities only one of the two papers has are pooled and
    dealt back at random, each paper receiving as many as it gave.
    """
    n_rows = int(rows.max()) + 1 if rows.size else 0
    order = rng.permutation(n_rows)
    pair_of_row = np.full(n_rows, -1, dtype=np.int64)
    paired = (n_rows // 2) * 2
    pair_of_row[order[:paired]] = np.arange(paired) // 2
    group = pair_of_row[rows]
    # An edge is tradeable when its paper is paired and the partner paper lacks the same entity.  Sorting on
    # one combined integer key (pair, entity) is several times faster than a multi-key lexsort.
    n_cols = int(cols.max()) + 1
    by_key = np.argsort(group * n_cols + cols)
    key_sorted = (group * n_cols + cols)[by_key]
    same_next = key_sorted[1:] == key_sorted[:-1]
    shared = np.zeros(rows.size, dtype=bool)
    shared[by_key[1:][same_next]] = True
    shared[by_key[:-1][same_next]] = True
    trade = np.flatnonzero((group >= 0) & ~shared)
    new_rows = rows.copy()
    if trade.size:
        # Deal each pair's pool in random order: the first |A| edges of a pair's block go to its first paper
        # (which gave |A|), the rest to its second paper.
        shuffled = trade[rng.permutation(trade.size)]
        dealt = shuffled[np.argsort(group[shuffled], kind="stable")]
        g = group[dealt]
        first, second = order[0:paired:2], order[1:paired:2]
        n_pairs = paired // 2
        gave_first = np.bincount(g[rows[dealt] == first[g]], minlength=n_pairs)
        block_start = np.concatenate([[0], np.cumsum(np.bincount(g, minlength=n_pairs))[:-1]])
        position = np.arange(dealt.size) - block_start[g]
        new_rows[dealt] = np.where(position < gave_first[g], first[g], second[g])
    return new_rows


def permutations(
    matrix: sp.csr_matrix, n: int, seed: int, steps: int = 3, burn_in: int = 10
) -> Iterator[sp.csr_matrix]:
    """``n`` randomised copies of a 0/1 matrix with the same row and column sums, one Markov chain.

    ``burn_in`` global trades precede the first sample and ``steps`` separate consecutive samples; a fixed
    ``seed`` makes the sequence reproducible.
    """
    rng = np.random.default_rng(seed)
    coo = matrix.tocoo()
    rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
    for _ in range(burn_in):
        rows = global_curveball_step(rows, cols, rng)
    for _ in range(n):
        for _ in range(steps):
            rows = global_curveball_step(rows, cols, rng)
        yield sp.csr_matrix((np.ones(rows.size, dtype=np.int32), (rows, cols)), shape=matrix.shape)
