"""Co-occurrence significance: observed vs expected papers per entity pair, NPMI, lift, permutation p-values.

Why each statistic: *observed* is what a reader sees; *expected* (``n_a·n_b/N``) is what two independent
entities with those marginals would share; *lift* = observed/expected and *NPMI* (normalised pointwise mutual
information, −1…1) say how much stronger than chance the association is on comparable scales; the *empirical
p-value* from degree-preserving permutations (:mod:`analytics.nullmodel`) accounts for papers with many terms,
which the closed-form expectation ignores; *Benjamini–Hochberg* keeps the false-discovery rate across
thousands of pairs at ``alpha``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.nullmodel import permutations


@dataclass
class PairStats:
    """Statistics of every entity pair sharing at least one paper (``a < b`` column indices)."""

    a: np.ndarray
    b: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    npmi: np.ndarray
    lift: np.ndarray
    p_value: np.ndarray  # empirical, from permutations; NaN when none were run
    q_value: np.ndarray  # Benjamini–Hochberg adjusted p-value
    significant: np.ndarray  # q <= alpha


def npmi(observed: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, n_papers: int) -> np.ndarray:
    """Normalised PMI ``log(p_ab / (p_a p_b)) / -log p_ab``: −1 never together, 0 independent, 1 always together."""
    p_ab = observed / n_papers
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_ab / ((n_a / n_papers) * (n_b / n_papers)))
        out = pmi / -np.log(p_ab)
    out = np.where(observed == 0, -1.0, out)
    return np.where(p_ab >= 1.0, 1.0, out)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """BH-adjusted p-values (q-values): ``min over j>=i of p_(j)·m/j``, capped at 1."""
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def upper_pairs(co: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(a, b, count)`` for the upper triangle of a symmetric co-occurrence matrix."""
    upper = sp.triu(co, k=1).tocoo()
    return upper.row.astype(np.int64), upper.col.astype(np.int64), upper.data.astype(np.int64)


def pair_stats(
    inc: Incidence,
    n_permutations: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
    min_observed: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> PairStats:
    """Observed, expected, NPMI and lift of every co-occurring pair, with permutation p-values and BH.

    The p-value of a pair is ``(1 + #permutations with at least as many shared papers) / (1 + n)``: the
    add-one form never reports p = 0 from a finite number of permutations.
    """
    counts = inc.paper_counts()
    a, b, observed = upper_pairs(inc.cooccurrence())
    keep = observed >= min_observed
    a, b, observed = a[keep], b[keep], observed[keep]
    n = max(inc.n_papers, 1)
    expected = counts[a] * counts[b] / n
    lift = observed / expected
    p_value = np.full(a.size, np.nan)
    if n_permutations > 0 and a.size:
        exceed = np.zeros(a.size, dtype=np.int64)
        for done, perm in enumerate(permutations(inc.matrix, n_permutations, seed), start=1):
            null_co = (perm.T.tocsr() @ perm).tocsr()
            exceed += np.asarray(null_co[a, b]).ravel() >= observed
            if on_progress:
                on_progress(done, n_permutations)
        p_value = (1 + exceed) / (1 + n_permutations)
    q_value = benjamini_hochberg(p_value) if n_permutations > 0 else np.full(a.size, np.nan)
    return PairStats(
        a=a,
        b=b,
        observed=observed,
        expected=expected,
        npmi=npmi(observed.astype(float), counts[a].astype(float), counts[b].astype(float), n),
        lift=lift,
        p_value=p_value,
        q_value=q_value,
        significant=q_value <= alpha,
    )
