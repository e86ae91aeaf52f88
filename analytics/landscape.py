"""Research landscape matrices (e.g. Mechanism × Compound) with a gap score and its reasons per cell.

Why this gap score: a cell is an interesting gap when the combination is *plausible* — both sides are
specifically linked through the same neighbours — yet *rarely co-studied* compared with what their marginals
predict.  So ``gap = plausibility × deficit`` where

* ``plausibility`` = the pair's support through shared neighbours B of any type, ``Σ_B cos(A,B)·cos(B,C)`` with
  ``cos(X,Y) = papers(X,Y) / √(papers(X)·papers(Y))`` — the same link strength the reasons are ranked by
  (:mod:`analytics.explain`), leaving out *generic* B (co-mentioned with most entities of the row or the column
  type) — divided by the largest support in the matrix (0…1).  Cosine links, not raw neighbour counts, because
  counts make every cell of two hub entities plausible ("inflammation" × "disease-modifying therapies" share
  hundreds of neighbours in an MS corpus), so hubs and class nouns would fill the gap list;
* ``deficit`` = ``max(0, 1 − observed / expected)`` with ``expected = n_a·n_b / N`` (1 when never co-studied,
  0 when co-studied at least as often as independence predicts);

and only cells where both sides have at least ``min_papers`` papers are scored.  Each gap lists its linking
terms with paper counts and PMIDs, and the marginals, so the call can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.explain import GENERIC_SHARE, Explainer, LinkingTerm, type_shares
from analytics.incidence import Incidence
from analytics.scorers import NeighbourGraph


@dataclass
class Landscape:
    """One type × type matrix: rows and columns are entity columns of the incidence."""

    row_type: str
    col_type: str
    rows: np.ndarray
    cols: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    plausibility: np.ndarray
    deficit: np.ndarray
    gap: np.ndarray  # 0 where a side is below min_papers


@dataclass
class Gap:
    """One gap cell with everything needed to judge it."""

    a_id: str
    a_name: str
    a_type: str
    b_id: str
    b_name: str
    b_type: str
    a_papers: int
    b_papers: int
    observed: int
    expected: float
    plausibility: float
    deficit: float
    score: float
    linking: list[LinkingTerm]


def columns_of_type(inc: Incidence, type_: str, min_papers: int = 1, limit: int | None = None) -> np.ndarray:
    """Entity columns of one type with at least ``min_papers`` papers, most-studied first (``limit`` kept)."""
    counts = inc.paper_counts()
    cols = np.array([i for i, t in enumerate(inc.types) if t == type_ and counts[i] >= min_papers], dtype=np.int64)
    cols = cols[np.argsort(-counts[cols], kind="stable")] if cols.size else cols
    return cols[:limit] if limit else cols


def landscape(
    inc: Incidence,
    row_type: str,
    col_type: str,
    min_papers: int = 3,
    limit: int | None = None,
    graph: NeighbourGraph | None = None,
    generic_share: float = GENERIC_SHARE,
) -> Landscape:
    """The observed/expected/gap matrices of ``row_type × col_type`` (each side's ``limit`` most-studied)."""
    graph = graph or NeighbourGraph.from_incidence(inc)
    rows = columns_of_type(inc, row_type, min_papers, limit)
    cols = columns_of_type(inc, col_type, min_papers, limit)
    observed = graph.cooc[rows][:, cols].toarray().astype(np.float64)
    expected = np.outer(graph.papers[rows], graph.papers[cols]) / max(inc.n_papers, 1)
    types, shares = type_shares(inc, graph.cooc)
    generic = np.zeros(inc.n_entities, dtype=bool)
    for t in {row_type, col_type} & set(types):
        generic |= shares[:, types.index(t)] > generic_share
    scale = sp.diags(1.0 / np.sqrt(np.maximum(graph.papers, 1.0)))
    cosine = (scale @ graph.cooc.astype(np.float64) @ scale).tocsr()
    support = (cosine[rows] @ sp.diags((~generic).astype(np.float64)) @ cosine[:, cols]).toarray()
    if row_type == col_type:  # the same matrix twice: keep each pair once, and no entity with itself
        support[np.tril(np.ones(support.shape, dtype=bool))] = 0.0
    peak = support.max() if support.size else 0.0
    plausibility = support / peak if peak > 0 else np.zeros_like(support)
    deficit = np.clip(1.0 - np.divide(observed, expected, out=np.ones_like(observed), where=expected > 0), 0, 1)
    return Landscape(row_type, col_type, rows, cols, observed, expected, plausibility, deficit, plausibility * deficit)


def top_gaps(
    inc: Incidence, land: Landscape, top: int = 20, linking: int = 5, explainer: Explainer | None = None
) -> list[Gap]:
    """The ``top`` cells by gap score, each with its linking terms (``explainer`` reuses a co-occurrence matrix)."""
    explainer = explainer or Explainer(inc)
    counts = inc.paper_counts()
    flat = np.argsort(-land.gap, axis=None, kind="stable")[:top]
    out: list[Gap] = []
    for r, c in zip(*np.unravel_index(flat, land.gap.shape), strict=True):
        if land.gap[r, c] <= 0:
            break
        a, b = int(land.rows[r]), int(land.cols[c])
        out.append(
            Gap(
                inc.entity_ids[a],
                inc.names[a],
                inc.types[a],
                inc.entity_ids[b],
                inc.names[b],
                inc.types[b],
                int(counts[a]),
                int(counts[b]),
                int(land.observed[r, c]),
                float(land.expected[r, c]),
                float(land.plausibility[r, c]),
                float(land.deficit[r, c]),
                float(land.gap[r, c]),
                explainer.linking_terms(a, b, limit=linking),
            )
        )
    return out
