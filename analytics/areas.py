"""Research areas: communities of the entity co-occurrence graph, with size, growth, members and funded share.

Why Louvain on NPMI weights: raw co-occurrence counts would glue every area to a few ubiquitous terms, while
NPMI measures how specifically two terms go together; only pairs co-mentioned in at least ``min_cooc``
papers and positively associated (NPMI > 0) become edges.  Louvain (``networkx``) is seeded, so the same
corpus always gives the same areas.  A paper belongs to an area when it mentions at least two of its members
(one for a single-member area), so one stray term does not pull a paper into an area.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from analytics.cooccurrence import pair_stats
from analytics.incidence import Incidence
from analytics.trends import Trend, trends, yearly_counts


@dataclass
class Area:
    area_id: int
    size: int
    members: list[int]  # entity columns, most-studied first
    top_members: list[str]  # their names
    papers: int
    funded: int
    trend: Trend
    per_year: dict[int, int]

    @property
    def funded_share(self) -> float:
        return self.funded / self.papers if self.papers else 0.0


def entity_graph(inc: Incidence, min_cooc: int = 2, max_neighbours: int = 25) -> nx.Graph:
    """Entities as nodes, positively associated pairs (NPMI > 0, ≥ ``min_cooc`` papers) as NPMI-weighted edges.

    Each entity keeps only its ``max_neighbours`` strongest edges (an edge stays when either end keeps it):
    the weak tail adds nothing to the communities but dominates Louvain's running time on large corpora.
    """
    stats = pair_stats(inc, min_observed=min_cooc)
    keep = stats.npmi > 0
    a, b, w = stats.a[keep], stats.b[keep], stats.npmi[keep]
    n = inc.n_entities
    weights = sp.coo_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), (n, n)).tocsr()
    strong = np.zeros(weights.nnz, dtype=bool)
    for row in range(n):
        lo, hi = weights.indptr[row], weights.indptr[row + 1]
        if hi - lo <= max_neighbours:
            strong[lo:hi] = True
        else:
            strong[lo + np.argpartition(-weights.data[lo:hi], max_neighbours)[:max_neighbours]] = True
    weights.data = np.where(strong, weights.data, 0.0)
    weights.eliminate_zeros()
    symmetric = weights.maximum(weights.T).tocoo()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(
        (int(i), int(j), float(x))
        for i, j, x in zip(symmetric.row, symmetric.col, symmetric.data, strict=True)
        if i < j
    )
    return g


def area_membership(inc: Incidence, communities: list[list[int]]) -> sp.csr_matrix:
    """Papers × areas 0/1: a paper is in an area when it mentions ≥ 2 of its members (≥ 1 if it has one)."""
    assign = sp.csr_matrix(
        (
            np.ones(sum(len(c) for c in communities)),
            (
                np.concatenate([np.asarray(c, dtype=np.int64) for c in communities]),
                np.repeat(np.arange(len(communities)), [len(c) for c in communities]),
            ),
        ),
        shape=(inc.n_entities, len(communities)),
    )
    hits = (inc.matrix.astype(np.float64) @ assign).toarray()
    need = np.array([min(2, len(c)) for c in communities])
    return sp.csr_matrix((hits >= need[None, :]).astype(np.int32))


def find_areas(
    inc: Incidence,
    funded: frozenset[str] = frozenset(),
    min_cooc: int = 2,
    min_size: int = 3,
    resolution: float = 1.0,
    seed: int = 0,
    top_members: int = 8,
    window: int = 3,
    max_neighbours: int = 25,
) -> tuple[list[Area], sp.csr_matrix]:
    """Areas of at least ``min_size`` entities, largest first, and their papers × areas membership matrix."""
    g = entity_graph(inc, min_cooc, max_neighbours)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    communities = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    counts = inc.paper_counts()
    groups = [sorted(c, key=lambda e: (-counts[e], inc.entity_ids[e])) for c in communities if len(c) >= min_size]
    groups.sort(key=lambda c: (-len(c), inc.entity_ids[c[0]]))
    membership = area_membership(inc, groups) if groups else sp.csr_matrix((inc.n_papers, 0))
    yc = yearly_counts(inc, membership) if groups else None
    area_trends = trends(yc, window=window) if yc else []
    funded_rows = np.array([p in funded for p in inc.pmids], dtype=np.float64)
    papers = np.asarray(membership.sum(axis=0)).ravel()
    funded_counts = membership.T @ funded_rows
    areas = [
        Area(
            i,
            len(members),
            members,
            [inc.names[e] for e in members[:top_members]],
            int(papers[i]),
            int(funded_counts[i]),
            area_trends[i],
            {int(y): int(c) for y, c in zip(yc.years, yc.counts[i], strict=True) if c} if yc else {},
        )
        for i, members in enumerate(groups)
    ]
    return areas, membership
