"""Co-occurrence significance: observed vs expected papers per entity pair, NPMI, lift, permutation p-values.

Why each statistic: *observed* is what a reader sees; *expected* (``n_a·n_b/N``) is what two independent
entities with those marginals would share; *lift* = observed/expected and *NPMI* (normalised pointwise mutual
information, −1…1) say how much stronger than chance the association is on comparable scales; the *empirical
p-value* from degree-preserving permutations (:mod:`analytics.nullmodel`) accounts for papers with many terms,
which the closed-form expectation ignores; *Benjamini–Hochberg* keeps the false-discovery rate across
thousands of pairs at ``alpha``.

Why the null result is cached (:class:`NullCache`): the permutations are the only slow part and depend only on
the graph, the seed and the sampling settings, so a report or page that asks again gets the stored exceedance
counts back at once; the key includes the graph's content fingerprint, so a changed graph recomputes.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.nullmodel import NullResult, PairCounter, sample_null
from core.atomic import atomic_path
from graph.build import npmi


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
    null_samples: np.ndarray  # permutations each pair was counted in (fewer when stopped early)
    cached: bool  # the null result came from the workspace cache


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
    """``(a, b, count)`` for the upper triangle of a symmetric co-occurrence matrix, sorted by ``(a, b)``."""
    upper = sp.triu(co, k=1).tocoo()
    order = np.lexsort((upper.col, upper.row))
    return upper.row[order].astype(np.int64), upper.col[order].astype(np.int64), upper.data[order].astype(np.int64)


def null_counts(matrix: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Papers shared by each pair ``(a[k], b[k])`` (``a < b``, sorted by ``(a, b)``) in a randomised matrix."""
    return PairCounter(a, b, matrix.shape[1]).counts(matrix)


def fingerprint(inc: Incidence) -> str:
    """A content hash of the incidence: its papers, entities and links, in the order the chain sees them."""
    m = inc.matrix
    if not m.has_sorted_indices:
        m = m.sorted_indices()
    h = hashlib.sha256()
    for text in (inc.pmids, inc.entity_ids):
        h.update("\n".join(text).encode())
        h.update(b"\0")
    h.update(np.ascontiguousarray(m.indptr, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(m.indices, dtype=np.int64).tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class NullCache:
    """Null results in a folder (``<workspace>/cache/significance``), one ``.npz`` file per key."""

    folder: Path

    def path(self, key: str) -> Path:
        return self.folder / f"null-{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"

    def get(self, key: str, a: np.ndarray, b: np.ndarray) -> NullResult | None:
        """The stored result for ``key`` when it is for exactly these pairs; None otherwise (or unreadable)."""
        try:
            with np.load(self.path(key)) as f:
                if not (np.array_equal(f["a"], a) and np.array_equal(f["b"], b)):
                    return None
                return NullResult(f["exceed"], f["samples"], int(f["permutations"]), int(f["stop_after"]))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):  # missing, foreign or damaged: recompute
            return None

    def put(self, key: str, a: np.ndarray, b: np.ndarray, null: NullResult) -> None:
        """Store atomically (a half-written file is never read back)."""
        with atomic_path(self.path(key)) as partial:
            np.savez(
                partial,
                a=a,
                b=b,
                exceed=null.exceed,
                samples=null.samples,
                permutations=null.permutations,
                stop_after=null.stop_after,
            )


def effective_stop(stop_after: int, n_permutations: int, alpha: float) -> int:
    """Exceedances that stop a pair: at least ``⌊alpha·n⌋ + 1``, so a stopped pair's p-value ``h/L ≥ h/n`` is
    above ``alpha`` and stopping never changes which pairs are significant nor their q-values (0 = never stop)."""
    return max(stop_after, int(alpha * n_permutations) + 1) if stop_after > 0 else 0


def pair_stats(
    inc: Incidence,
    n_permutations: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
    min_observed: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    workers: int = 1,
    stop_after: int = 0,
    cache: NullCache | None = None,
) -> PairStats:
    """Observed, expected, NPMI and lift of every co-occurring pair, with permutation p-values and BH.

    The p-value of a pair is ``(1 + #permutations with at least as many shared papers) / (1 + n)``: the
    add-one form never reports p = 0 from a finite number of permutations.  With ``stop_after`` > 0 a pair
    stops being sampled at that many exceedances (:func:`effective_stop`) and gets the Besag–Clifford
    ``h / L``; ``workers`` chains sample side by side (:func:`analytics.nullmodel.sample_null`).  With a
    ``cache``, a result stored for the same graph, pairs and settings is reused.
    """
    counts = inc.paper_counts()
    a, b, observed = upper_pairs(inc.cooccurrence())
    keep = observed >= min_observed
    a, b, observed = a[keep], b[keep], observed[keep]
    n = max(inc.n_papers, 1)
    expected = counts[a] * counts[b] / n
    lift = observed / expected
    p_value = np.full(a.size, np.nan)
    q_value = np.full(a.size, np.nan)
    null_samples = np.zeros(a.size, dtype=np.int64)
    cached = False
    if n_permutations > 0 and a.size:
        stop = effective_stop(stop_after, n_permutations, alpha)
        workers = max(1, min(workers, n_permutations))
        key = f"v1 {fingerprint(inc)} seed={seed} n={n_permutations} min={min_observed} stop={stop} w={workers}"
        null = cache.get(key, a, b) if cache else None
        cached = null is not None
        if null is None:
            null = sample_null(inc.matrix, a, b, observed, n_permutations, seed, workers, stop, on_progress)
            if cache:
                cache.put(key, a, b, null)
        p_value = null.p_values()
        q_value = benjamini_hochberg(p_value)
        null_samples = null.samples
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
        null_samples=null_samples,
        cached=cached,
    )
