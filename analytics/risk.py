"""High-risk/high-reward score of an area or a gap cell: transparent components, one documented combination.

Why components first: a funder must see *why* something scores high.  Each unit (an area, or a gap cell A×C)
is described by six raw components — evidence volume, independent groups, funded share (risk side: little of
each = high risk), and growth, recency, adjacency to well-supported work (reward side) — each normalised to
0…1 across the units compared, then combined with the fixed :data:`WEIGHTS` (documented in docs/analytics.md)::

    score = Σ_risk w·(1 − component) + Σ_reward w·component

For an area the unit's papers are its member papers and its neighbourhood the papers of entities adjacent to
its members outside it; for a gap cell the direct evidence is the papers co-mentioning A and C, momentum
(growth, recency) comes from the papers of either side, and the neighbourhood is the papers of the linking terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.trends import growth_ratio, trimmed, yearly_counts

#: Weight of each normalised component; risk components enter as (1 − value).  Sum to 1.
WEIGHTS: dict[str, float] = {
    "evidence": 0.20,
    "groups": 0.20,
    "funded_share": 0.10,
    "growth": 0.20,
    "recency": 0.10,
    "adjacency": 0.20,
}
RISK_COMPONENTS = ("evidence", "groups", "funded_share")
#: Growth ratios at or above this count as fully "growing" (normalised growth = 1).
GROWTH_CAP = 3.0


@dataclass
class RiskUnit:
    """What is scored: a label, its own papers, the papers that carry its momentum, its neighbourhood papers."""

    label: str
    direct: np.ndarray  # paper rows of the unit's own evidence
    momentum: np.ndarray  # paper rows whose yearly share gives growth and recency
    neighbourhood: np.ndarray  # paper rows of adjacent, well-supported work


@dataclass
class RiskScore:
    label: str
    raw: dict[str, float]
    normalised: dict[str, float]
    score: float


def raw_components(
    inc: Incidence,
    unit: RiskUnit,
    funded: frozenset[str],
    institutions: dict[str, str],
    window: int = 3,
    min_year_papers: int = 5,
) -> dict[str, float]:
    """The unnormalised components of one unit."""
    pmids = [inc.pmids[i] for i in unit.direct]
    momentum = sp.csr_matrix(np.isin(np.arange(inc.n_papers), unit.momentum)[:, None].astype(np.float64))
    yc = trimmed(yearly_counts(inc, momentum), min_year_papers)
    series = yc.counts[0] if yc.counts.size else np.zeros(1)
    return {
        "evidence": float(len(pmids)),
        "groups": float(len({institutions[p] for p in pmids if p in institutions})),
        "funded_share": sum(p in funded for p in pmids) / len(pmids) if pmids else 0.0,
        "growth": growth_ratio(series, yc.totals, window) if yc.counts.size else 1.0,
        "recency": float(series[-window:].sum() / series.sum()) if series.sum() else 0.0,
        "adjacency": float(len(unit.neighbourhood)),
    }


def _normalise(raw: list[dict[str, float]]) -> list[dict[str, float]]:
    """Counts on a log scale against the largest unit; shares as they are; growth capped at GROWTH_CAP."""
    peak = {k: max((r[k] for r in raw), default=0.0) for k in ("evidence", "groups", "adjacency")}
    out = []
    for r in raw:
        n = {k: float(np.log1p(r[k]) / np.log1p(peak[k])) if peak[k] > 0 else 0.0 for k in peak}
        n["funded_share"] = r["funded_share"]
        n["recency"] = r["recency"]
        n["growth"] = min(r["growth"], GROWTH_CAP) / GROWTH_CAP
        out.append(n)
    return out


def score_units(
    inc: Incidence,
    units: list[RiskUnit],
    funded: frozenset[str] = frozenset(),
    institutions: dict[str, str] | None = None,
    window: int = 3,
) -> list[RiskScore]:
    """Every unit's raw and normalised components and combined score, highest score first."""
    raw = [raw_components(inc, u, funded, institutions or {}, window) for u in units]
    scores = []
    for unit, r, n in zip(units, raw, _normalise(raw), strict=True):
        total = sum(w * ((1 - n[k]) if k in RISK_COMPONENTS else n[k]) for k, w in WEIGHTS.items())
        scores.append(RiskScore(unit.label, r, n, float(total)))
    return sorted(scores, key=lambda s: -s.score)


def papers_with_any(inc: Incidence, cols: np.ndarray) -> np.ndarray:
    """Paper rows mentioning at least one of the entity columns."""
    if cols.size == 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.asarray(inc.matrix[:, cols].sum(axis=1)).ravel() > 0)


def area_units(
    inc: Incidence, members: list[list[int]], membership: sp.csr_matrix, adj: sp.csr_matrix, labels: list[str]
) -> list[RiskUnit]:
    """One unit per area: its papers, and the papers of entities adjacent to it but outside it."""
    units = []
    for i, cols in enumerate(members):
        own = np.asarray(cols, dtype=np.int64)
        direct = membership[:, i].nonzero()[0]
        adjacent = np.setdiff1d(np.unique(adj[own].indices), own)
        units.append(RiskUnit(labels[i], direct, direct, np.setdiff1d(papers_with_any(inc, adjacent), direct)))
    return units


def cell_unit(inc: Incidence, a: int, c: int, adj: sp.csr_matrix, label: str) -> RiskUnit:
    """A gap cell A×C: co-mentioning papers, papers of either side, papers of their common neighbours."""
    both = np.array([a, c], dtype=np.int64)
    rows = inc.matrix[:, both].toarray()
    common = np.setdiff1d(np.intersect1d(adj[a].indices, adj[c].indices), both)
    return RiskUnit(
        label, np.flatnonzero(rows.all(axis=1)), np.flatnonzero(rows.any(axis=1)), papers_with_any(inc, common)
    )
