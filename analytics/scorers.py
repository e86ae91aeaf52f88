"""Link-prediction scorers on the entity co-occurrence graph, and their supervised combination.

Why these: literature-based discovery (Swanson's ABC model) says A and C are worth studying together when
they share many intermediate B terms.  Counting the B terms (*linking terms*, common neighbours), normalising
by the neighbourhoods (*Jaccard*), down-weighting promiscuous B terms (*Adamic–Adar* ``Σ1/ln deg(B)``,
*resource allocation* ``Σ1/deg(B)``) and *preferential attachment* (``deg A · deg C``) are the unsupervised
scorers Kastrin et al. (2016) evaluated on MeSH co-occurrence over time; a logistic regression on all of them
(trained on an earlier time slice) is their supervised variant.  *Cosine paths* ``Σ_B cos(A,B)·cos(B,C)`` (cos
= shared papers / √(papers·papers)) weighs each path by how specific both of its links are, so two hub terms
are not plausible merely for sharing hundreds of neighbours; it is the gap map's plausibility and the ranking
used when a corpus has no history to train the supervised model on.  Scores are computed a block of rows at a
time from sparse products, so a graph of thousands of entities is scored without a Python loop per pair.

Typed relations (:mod:`analytics.relations`), when the corpus has them, add what co-mentions cannot say: whether
the links of a path are *stated* relations.  *Relation paths* ``Σ_B cos(A,B)·cos(B,C)`` over the B whose links to
both sides are typed relations, *relation cosine paths* (cosine paths with every fully typed path counted twice)
and the supervised model with the typed-path count and the relation-path sum as two more features
(``supervised_relations``) are the relation-aware scorers; ``gapmap analytics evaluate`` puts each beside the
scorer it extends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import NO_YEAR, Incidence
from analytics.relations import Relations

UNSUPERVISED = (
    "adamic_adar",
    "jaccard",
    "linking_terms",
    "resource_allocation",
    "preferential_attachment",
    "cosine_paths",
)
FEATURES = (*UNSUPERVISED, "papers_min", "papers_max", "recent_min", "recent_max")
#: Scorers on typed relations (present when the graph has them): cosine paths through typed links only, and
#: cosine paths with the fully typed paths counted twice.
RELATION_SCORERS = ("relation_paths", "relation_cosine_paths")
#: What the relation-aware supervised model adds: paths whose two links are typed and their cosine sum.
RELATION_FEATURES = ("typed_paths", "relation_paths")
#: Features used as they are; every other (a count or a sum of counts) enters the model log-scaled.
RATIOS = frozenset({"jaccard", "resource_allocation", "cosine_paths", "relation_paths"})
#: Years counted as "recent" for the activity features (papers of each side in the graph's latest years).
RECENT_YEARS = 3


@dataclass
class NeighbourGraph:
    """The binary entity graph (edge = co-mentioned in at least ``min_cooc`` papers) with degrees and marginals."""

    adj: sp.csr_matrix  # float64 0/1, symmetric, zero diagonal
    cooc: sp.csr_matrix  # papers in common
    degree: np.ndarray
    papers: np.ndarray
    aa_weight: np.ndarray  # 1/ln(degree) of each possible linking term (0 for degree ≤ 1)
    ra_weight: np.ndarray  # 1/degree
    recent: np.ndarray  # papers in the graph's last RECENT_YEARS years (an entity's current activity)
    cosine: sp.csr_matrix  # papers(X,Y) / √(papers(X)·papers(Y)) on the edges: how specific each link is
    typed: sp.csr_matrix | None = None  # 0/1, the edges that are typed relations; None: no relations given
    typed_cosine: sp.csr_matrix | None = None  # the cosine of the typed edges only

    @classmethod
    def from_incidence(cls, inc: Incidence, min_cooc: int = 1, typed: sp.csr_matrix | None = None) -> NeighbourGraph:
        """The graph of ``inc``; ``typed`` (entities × entities 0/1, :meth:`analytics.relations.Relations.adjacency`
        over the same papers) marks the edges that are typed relations and enables the relation scorers."""
        cooc = inc.cooccurrence()
        adj = (cooc >= min_cooc).astype(np.float64).tocsr()
        degree = np.asarray(adj.sum(axis=1)).ravel()
        aa_weight = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
        ra_weight = np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)
        dated = inc.years[inc.years != NO_YEAR]
        latest = inc.years >= (int(dated.max()) - RECENT_YEARS + 1 if dated.size else np.iinfo(np.int64).max)
        recent = np.asarray(inc.matrix[latest].sum(axis=0)).ravel().astype(np.float64)
        papers = inc.paper_counts().astype(np.float64)
        scale = sp.diags(1.0 / np.sqrt(np.maximum(papers, 1.0)))
        cosine = (scale @ cooc.multiply(adj).astype(np.float64) @ scale).tocsr()
        graph = cls(adj, cooc, degree, papers, aa_weight, ra_weight, recent, cosine)
        if typed is not None:  # a relation is stated in a paper naming both: always on an edge, kept so
            graph.typed = sp.csr_matrix(typed.multiply(adj), dtype=np.float64)
            graph.typed_cosine = cosine.multiply(graph.typed).tocsr()
        return graph

    def features(
        self,
        cn: np.ndarray,
        aa: np.ndarray,
        ra: np.ndarray,
        cp: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        typed: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """All features from the shared-neighbour sums (common neighbours, Adamic–Adar, resource-allocation and
        cosine-path sums; with relations, ``typed`` = the typed-path count and relation-path sum) and the two
        sides' index arrays (broadcastable)."""
        deg_a, deg_b = self.degree[a], self.degree[b]
        union = deg_a + deg_b - cn
        pap_a, pap_b = self.papers[a], self.papers[b]
        return {
            "adamic_adar": aa,
            "jaccard": np.divide(cn, union, out=np.zeros(np.broadcast(cn, union).shape), where=union > 0),
            "linking_terms": cn,
            "resource_allocation": ra,
            "preferential_attachment": deg_a * deg_b,
            "cosine_paths": cp,
            "papers_min": np.minimum(pap_a, pap_b),
            "papers_max": np.maximum(pap_a, pap_b),
            "recent_min": np.minimum(self.recent[a], self.recent[b]),
            "recent_max": np.maximum(self.recent[a], self.recent[b]),
            **self._relation_features(cp, typed),
        }

    @staticmethod
    def _relation_features(cp: np.ndarray, typed: tuple[np.ndarray, np.ndarray] | None) -> dict[str, np.ndarray]:
        if typed is None:
            return {}
        tp, rp = typed
        return {"typed_paths": tp, "relation_paths": rp, "relation_cosine_paths": cp + rp}

    def block(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """Every scorer's feature for the pairs ``rows × cols`` as dense ``len(rows) × len(cols)`` arrays."""
        left = self.adj[rows]
        right = self.adj[:, cols]
        cn = (left @ right).toarray()
        aa = (left @ sp.diags(self.aa_weight) @ right).toarray()
        ra = (left @ sp.diags(self.ra_weight) @ right).toarray()
        cp = (self.cosine[rows] @ self.cosine[:, cols]).toarray()
        typed = None
        if self.typed is not None and self.typed_cosine is not None:
            tp = (self.typed[rows] @ self.typed[:, cols]).toarray()
            typed = (tp, (self.typed_cosine[rows] @ self.typed_cosine[:, cols]).toarray())
        return self.features(cn, aa, ra, cp, rows[:, None], cols[None, :], typed)

    def pairs(self, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
        """Every scorer's feature for the listed pairs ``(a[k], b[k])`` (1-D arrays)."""
        shared = self.adj[a].multiply(self.adj[b]).tocsr()
        cn = np.asarray(shared.sum(axis=1)).ravel()
        cp = np.asarray(self.cosine[a].multiply(self.cosine[b]).sum(axis=1)).ravel()
        typed = None
        if self.typed is not None and self.typed_cosine is not None:
            tp = np.asarray(self.typed[a].multiply(self.typed[b]).sum(axis=1)).ravel()
            typed = (tp, np.asarray(self.typed_cosine[a].multiply(self.typed_cosine[b]).sum(axis=1)).ravel())
        return self.features(cn, shared @ self.aa_weight, shared @ self.ra_weight, cp, a, b, typed)

    def open_two_hop(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (as positions into ``rows`` and ``cols``) with a linking term but no direct edge yet."""
        reach = (self.adj[rows] @ self.adj[:, cols]).tocsr()
        reach = reach - reach.multiply(self.adj[rows][:, cols])
        reach.eliminate_zeros()
        coo = reach.tocoo()
        distinct = rows[coo.row] != cols[coo.col]
        return coo.row[distinct].astype(np.int64), coo.col[distinct].astype(np.int64)


def _products(products: list[sp.csr_matrix]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``row · n + col`` keys and the values (one row per product) of sparse products that share one
    sparsity pattern."""
    for m in products:
        m.setdiag(0)  # an entity with itself is no pair (and its only neighbour may weigh 0)
        m.eliminate_zeros()
        m.sort_indices()  # row-major with sorted columns: the keys below come out sorted
    first, n = products[0], products[0].shape[0]
    if any(not np.array_equal(first.indices, m.indices) for m in products[1:]):
        raise ValueError("shared-neighbour sums with different patterns")  # a zero weight on a linking term
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(first.indptr))
    return rows * n + first.indices, np.vstack([m.data for m in products])


def _lookup(keys: np.ndarray, sums: np.ndarray, query: np.ndarray) -> list[np.ndarray]:
    """Each row of ``sums`` at the ``query`` keys (0 for a key not there)."""
    if not keys.size:
        return [np.zeros(query.size) for _ in sums]
    pos = np.minimum(np.searchsorted(keys, query), keys.size - 1)
    found = keys[pos] == query
    return [np.where(found, row[pos], 0.0) for row in sums]


@dataclass
class TwoHop:
    """The shared-neighbour sums of every pair at distance two, keyed for lookup.

    Why: scoring millions of pairs one row-pair at a time (:meth:`NeighbourGraph.pairs`) copies every pair's
    neighbour rows; four sparse products give the sums of all pairs at once (they share one sparsity pattern,
    as every linking term has a positive weight), and a pair's features are then a binary search on the sorted
    ``row · n + col`` keys (0 for a pair with no shared neighbour).  With relations, two more products over the
    typed links (typed paths, relation-path sums) get keys of their own: far fewer pairs have a typed path.
    """

    graph: NeighbourGraph
    keys: np.ndarray  # sorted row * n + col of every pair with a shared neighbour (both orders)
    sums: np.ndarray  # 4 × len(keys): common neighbours, Adamic–Adar, resource-allocation, cosine-path sums
    typed_keys: np.ndarray | None = None  # the same for pairs with a fully typed path
    typed_sums: np.ndarray | None = None  # 2 × len(typed_keys): typed paths, relation-path sums

    @classmethod
    def of(cls, graph: NeighbourGraph) -> TwoHop:
        adj, n = graph.adj, graph.adj.shape[0]
        products = [(adj @ sp.diags(w) @ adj).tocsr() for w in (np.ones(n), graph.aa_weight, graph.ra_weight)]
        products.append((graph.cosine @ graph.cosine).tocsr())
        found = cls(graph, *_products(products))
        if graph.typed is not None and graph.typed_cosine is not None:
            typed = [(graph.typed @ graph.typed).tocsr(), (graph.typed_cosine @ graph.typed_cosine).tocsr()]
            found.typed_keys, found.typed_sums = _products(typed)
        return found

    def _features(
        self, a: np.ndarray, b: np.ndarray, sums: list[np.ndarray], query: np.ndarray
    ) -> dict[str, np.ndarray]:
        typed = None
        if self.typed_keys is not None and self.typed_sums is not None:
            tp, rp = _lookup(self.typed_keys, self.typed_sums, query)
            typed = (tp, rp)
        cn, aa, ra, cp = sums
        return self.graph.features(cn, aa, ra, cp, a, b, typed)

    def features(self, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
        """Every scorer's feature for the pairs ``(a[k], b[k])``."""
        query = a.astype(np.int64) * self.graph.adj.shape[0] + b
        return self._features(a, b, _lookup(self.keys, self.sums, query), query)

    def open_pairs(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Pairs ``a < b`` with a shared neighbour and no edge, with their features."""
        n = self.graph.adj.shape[0]
        a, b = self.keys // n, self.keys % n
        marks = sp.csr_matrix((np.arange(1, self.keys.size + 1, dtype=np.float64), (a, b)), shape=(n, n))
        marks = sp.triu(marks, k=1).tocsr()
        marks = (marks - marks.multiply(self.graph.adj)).tocsr()  # edges drop out
        marks.eliminate_zeros()
        pos = np.sort(marks.data.astype(np.int64) - 1)
        return a[pos], b[pos], self._features(a[pos], b[pos], list(self.sums[:, pos]), self.keys[pos])


def design(
    features: dict[str, np.ndarray], mask: np.ndarray | None = None, names: tuple[str, ...] = FEATURES
) -> np.ndarray:
    """The supervised model's input matrix (features ``names``): log-scaled counts, raw ratios; one row per
    (masked) pair."""
    cols = []
    for name in names:
        values = features[name] if mask is None else features[name][mask]
        values = values.ravel()
        cols.append(values if name in RATIOS else np.log1p(values))
    return np.column_stack(cols)


@dataclass
class LogisticModel:
    """L2-regularised logistic regression (Newton/IRLS), features standardised with the training mean/sd."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # intercept first
    names: tuple[str, ...] = FEATURES  # the features, in the order of the columns

    @classmethod
    def fit(
        cls, x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50, names: tuple[str, ...] = FEATURES
    ) -> LogisticModel:
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
        return cls(mean, scale, coef, names)

    def score(self, x: np.ndarray) -> np.ndarray:
        """The linear predictor (monotone in the probability; enough for ranking)."""
        w = self.coef[1:] / self.scale  # standardisation folded into the weights: one pass over x
        return (self.coef[0] - self.mean @ w) + x @ w

    def score_features(self, features: dict[str, np.ndarray]) -> np.ndarray:
        """:meth:`score` of ``design(features)`` accumulated one feature at a time (no n × features matrix)."""
        w = self.coef[1:] / self.scale
        total: np.ndarray = np.full(np.asarray(features[self.names[0]]).size, self.coef[0] - self.mean @ w)
        for weight, name in zip(w, self.names, strict=True):
            values = np.asarray(features[name], dtype=np.float64).ravel()
            total += weight * (values if name in RATIOS else np.log1p(values))
        return total

    def weights(self) -> dict[str, float]:
        """Standardised coefficient per feature, for the docs and ``--json`` output."""
        return {name: float(c) for name, c in zip(self.names, self.coef[1:], strict=True)}


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
    """About ``n`` distinct uniform random pairs ``a < b`` with no edge and not in ``exclude`` (upper-triangular).

    Draws twice as many as asked, drops closed pairs and repeats, and keeps the first ``n`` *in drawing order*
    (keeping the smallest ids instead would favour the entities indexed first, i.e. those of the oldest papers).
    """
    size = graph.adj.shape[0]
    a = rng.integers(0, size, 2 * n + 16)
    b = rng.integers(0, size, 2 * n + 16)
    a, b = np.minimum(a, b), np.maximum(a, b)
    keep = a < b
    a, b = a[keep], b[keep]
    keep = (np.asarray(graph.adj[a, b]).ravel() == 0) & (np.asarray(exclude[a, b]).ravel() == 0)
    a, b = a[keep], b[keep]
    _, first = np.unique(a * size + b, return_index=True)
    chosen = np.sort(first)[:n]
    return a[chosen], b[chosen]


def train_supervised(
    inc: Incidence,
    cutoff: int,
    horizon: int = 3,
    negatives_per_positive: int = 20,
    seed: int = 0,
    relations: Relations | None = None,
) -> LogisticModel | None:
    """Fit the combination on an earlier slice: features up to ``cutoff - horizon``, labels = pairs first
    co-mentioned in ``(cutoff - horizon, cutoff]``; negatives are uniform random open pairs of that slice.
    With ``relations``, the model also learns from the relations stated up to ``cutoff - horizon``
    (:data:`RELATION_FEATURES`; the same pairs as without).  None when the slice holds no new pair to learn from."""
    past = inc.years_between(max_year=cutoff - horizon)
    later = inc.years_between(min_year=cutoff - horizon + 1, max_year=cutoff)
    if past.n_entities < 3 or later.n_papers == 0:
        return None
    labels = new_edges(past, later).tocoo()
    if labels.nnz == 0:
        return None
    typed = None if relations is None else relations.adjacency(past, max_year=cutoff - horizon)
    graph = NeighbourGraph.from_incidence(past, typed=typed)
    names = FEATURES if relations is None else (*FEATURES, *RELATION_FEATURES)
    rng = np.random.default_rng(seed)
    neg_a, neg_b = sample_open_pairs(graph, negatives_per_positive * labels.nnz, labels.tocsr(), rng)
    if neg_a.size == 0:
        return None
    x = np.vstack(
        [design(graph.pairs(labels.row, labels.col), names=names), design(graph.pairs(neg_a, neg_b), names=names)]
    )
    y = np.concatenate([np.ones(labels.nnz), np.zeros(neg_a.size)])
    return LogisticModel.fit(x, y, names=names)
