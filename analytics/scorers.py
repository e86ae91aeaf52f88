"""Link-prediction scorers on the entity co-occurrence graph, and their supervised combination.

Why these: literature-based discovery (Swanson's ABC model) says A and C are worth studying together when
they share many intermediate B terms.  Counting the B terms (*linking terms*, common neighbours), normalising
by the neighbourhoods (*Jaccard*), down-weighting promiscuous B terms (*Adamic–Adar* ``Σ1/ln deg(B)``,
*resource allocation* ``Σ1/deg(B)``) and *preferential attachment* (``deg A · deg C``) are the unsupervised
scorers Kastrin et al. (2016) evaluated on MeSH co-occurrence over time; a logistic regression on all of them
(trained on an earlier time slice) is their supervised variant.  Scores are computed a block of rows at a
time from sparse products, so a graph of thousands of entities is scored without a Python loop per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence

UNSUPERVISED = ("adamic_adar", "jaccard", "linking_terms", "resource_allocation", "preferential_attachment")
FEATURES = (*UNSUPERVISED, "papers_min", "papers_max")


@dataclass
class NeighbourGraph:
    """The binary entity graph (edge = co-mentioned in at least ``min_cooc`` papers) with degrees and marginals."""

    adj: sp.csr_matrix  # float64 0/1, symmetric, zero diagonal
    cooc: sp.csr_matrix  # papers in common
    degree: np.ndarray
    papers: np.ndarray
    aa_weight: np.ndarray  # 1/ln(degree) of each possible linking term (0 for degree ≤ 1)
    ra_weight: np.ndarray  # 1/degree

    @classmethod
    def from_incidence(cls, inc: Incidence, min_cooc: int = 1) -> NeighbourGraph:
        cooc = inc.cooccurrence()
        adj = (cooc >= min_cooc).astype(np.float64).tocsr()
        degree = np.asarray(adj.sum(axis=1)).ravel()
        aa_weight = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
        ra_weight = np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)
        return cls(adj, cooc, degree, inc.paper_counts().astype(np.float64), aa_weight, ra_weight)

    def _features(
        self, cn: np.ndarray, aa: np.ndarray, ra: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> dict[str, np.ndarray]:
        """All features from the shared-neighbour sums and the two sides' index arrays (broadcastable)."""
        deg_a, deg_b = self.degree[a], self.degree[b]
        union = deg_a + deg_b - cn
        pap_a, pap_b = self.papers[a], self.papers[b]
        return {
            "adamic_adar": aa,
            "jaccard": np.divide(cn, union, out=np.zeros(np.broadcast(cn, union).shape), where=union > 0),
            "linking_terms": cn,
            "resource_allocation": ra,
            "preferential_attachment": deg_a * deg_b,
            "papers_min": np.minimum(pap_a, pap_b),
            "papers_max": np.maximum(pap_a, pap_b),
        }

    def block(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """Every scorer's feature for the pairs ``rows × cols`` as dense ``len(rows) × len(cols)`` arrays."""
        left = self.adj[rows]
        right = self.adj[:, cols]
        cn = (left @ right).toarray()
        aa = (left @ sp.diags(self.aa_weight) @ right).toarray()
        ra = (left @ sp.diags(self.ra_weight) @ right).toarray()
        return self._features(cn, aa, ra, rows[:, None], cols[None, :])

    def pairs(self, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
        """Every scorer's feature for the listed pairs ``(a[k], b[k])`` (1-D arrays)."""
        shared = self.adj[a].multiply(self.adj[b]).tocsr()
        cn = np.asarray(shared.sum(axis=1)).ravel()
        return self._features(cn, shared @ self.aa_weight, shared @ self.ra_weight, a, b)

    def open_two_hop(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (as positions into ``rows`` and ``cols``) with a linking term but no direct edge yet."""
        reach = (self.adj[rows] @ self.adj[:, cols]).tocsr()
        reach = reach - reach.multiply(self.adj[rows][:, cols])
        reach.eliminate_zeros()
        coo = reach.tocoo()
        distinct = rows[coo.row] != cols[coo.col]
        return coo.row[distinct].astype(np.int64), coo.col[distinct].astype(np.int64)


def design(features: dict[str, np.ndarray], mask: np.ndarray | None = None) -> np.ndarray:
    """The supervised model's input matrix: log-scaled counts, raw ratios; one row per (masked) pair."""
    cols = []
    for name in FEATURES:
        values = features[name] if mask is None else features[name][mask]
        values = values.ravel()
        cols.append(
            np.log1p(values)
            if name in {"linking_terms", "preferential_attachment", "papers_min", "papers_max", "adamic_adar"}
            else values
        )
    return np.column_stack(cols)


@dataclass
class LogisticModel:
    """L2-regularised logistic regression (Newton/IRLS), features standardised with the training mean/sd."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # intercept first

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> LogisticModel:
        """Fit with balanced class weights, so a rare positive class still shapes the boundary."""
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        z = np.column_stack([np.ones(len(x)), (x - mean) / scale])
        pos = y.sum()
        weight = np.where(y == 1, len(y) / (2 * max(pos, 1)), len(y) / (2 * max(len(y) - pos, 1)))
        coef = np.zeros(z.shape[1])
        penalty = np.full(z.shape[1], l2)
        penalty[0] = 0.0
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-(z @ coef)))
            grad = z.T @ (weight * (p - y)) + penalty * coef
            hess = (z * (weight * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
            step = np.linalg.solve(hess, grad)
            coef -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(mean, scale, coef)

    def score(self, x: np.ndarray) -> np.ndarray:
        """The linear predictor (monotone in the probability; enough for ranking)."""
        return self.coef[0] + ((x - self.mean) / self.scale) @ self.coef[1:]

    def weights(self) -> dict[str, float]:
        """Standardised coefficient per feature, for the docs and ``--json`` output."""
        return {name: float(c) for name, c in zip(FEATURES, self.coef[1:], strict=True)}


def column_map(source: Incidence, target: Incidence) -> sp.csr_matrix:
    """0/1 matrix sending ``source``'s entity columns onto ``target``'s (entities ``target`` lacks vanish)."""
    index = target.index()
    pairs = [(i, index[e]) for i, e in enumerate(source.entity_ids) if e in index]
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    return sp.csr_matrix(
        (np.ones(len(pairs), dtype=np.int32), (rows, cols)), shape=(source.n_entities, target.n_entities)
    )


def new_edges(before: Incidence, after: Incidence) -> sp.csr_matrix:
    """Upper-triangular 0/1 matrix over ``before``'s entities of pairs first co-mentioned in ``after``."""
    future = after.matrix @ column_map(after, before)
    future_co = (future.T.tocsr() @ future).tocsr()
    seen_after = (future_co > 0).astype(np.int8)
    seen_before = (before.cooccurrence() > 0).astype(np.int8)
    fresh = sp.triu(seen_after - seen_after.multiply(seen_before), k=1).tocsr()
    fresh.eliminate_zeros()
    return fresh


def sample_open_pairs(
    graph: NeighbourGraph, n: int, exclude: sp.csr_matrix, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """About ``n`` distinct uniform random pairs ``a < b`` with no edge and not in ``exclude`` (upper-triangular)."""
    size = graph.adj.shape[0]
    a = rng.integers(0, size, 2 * n + 16)
    b = rng.integers(0, size, 2 * n + 16)
    a, b = np.minimum(a, b), np.maximum(a, b)
    keep = a < b
    a, b = a[keep], b[keep]
    keep = (np.asarray(graph.adj[a, b]).ravel() == 0) & (np.asarray(exclude[a, b]).ravel() == 0)
    pairs = np.unique(np.column_stack([a[keep], b[keep]]), axis=0)[:n]
    return pairs[:, 0], pairs[:, 1]


def train_supervised(
    inc: Incidence, cutoff: int, horizon: int = 3, negatives_per_positive: int = 20, seed: int = 0
) -> LogisticModel | None:
    """Fit the combination on an earlier slice: features up to ``cutoff - horizon``, labels = pairs first
    co-mentioned in ``(cutoff - horizon, cutoff]``; negatives are uniform random open pairs of that slice.
    None when the slice holds no new pair to learn from."""
    past = inc.years_between(max_year=cutoff - horizon)
    later = inc.years_between(min_year=cutoff - horizon + 1, max_year=cutoff)
    if past.n_entities < 3 or later.n_papers == 0:
        return None
    labels = new_edges(past, later).tocoo()
    if labels.nnz == 0:
        return None
    graph = NeighbourGraph.from_incidence(past)
    rng = np.random.default_rng(seed)
    neg_a, neg_b = sample_open_pairs(graph, negatives_per_positive * labels.nnz, labels.tocsr(), rng)
    if neg_a.size == 0:
        return None
    x = np.vstack([design(graph.pairs(labels.row, labels.col)), design(graph.pairs(neg_a, neg_b))])
    y = np.concatenate([np.ones(labels.nnz), np.zeros(neg_a.size)])
    return LogisticModel.fit(x, y)
