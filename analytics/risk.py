"""High-risk/high-reward score of an area or a gap cell: transparent components, one documented combination.

Why components first: a funder must see *why* something scores high.  Each unit (an area, or a gap cell A×C)
is described by six raw components — evidence volume, independent groups, funded share (risk side: little of
each = high risk), and growth, recency, adjacency to well-supported work (reward side) — each turned into its
percentile among the units compared (mid-rank, 0…1), then combined with the fixed :data:`WEIGHTS` (documented in
docs/analytics.md)::

    score = (Σ_risk w·(1 − percentile) + Σ_reward w·percentile) / Σ w   (over the components that vary)

Why percentiles, not shares of the largest value: scaled by the maximum, a component that is 0 for nearly every
unit (no co-mentions for gap cells, no funding in an unfunded corpus) or 1 for all (recency in a one-year corpus)
put every score near 1.0 and separated nothing.  Percentiles spread the units over 0…1 on every component that
varies; a component equal for all units says nothing about them and leaves the sum (it is still reported, and
named in :attr:`RiskReport.constant`).  :attr:`RiskReport.spread` shows how far the scores separate the units.

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
    normalised: dict[str, float]  # percentile among the units compared (0…1)
    score: float

    @property
    def key(self) -> str:
        """What the unit is, for lookups: the label up to its first ": " ("area 3", "MESH:D1|MESH:D2")."""
        return self.label.split(": ", 1)[0]


@dataclass
class RiskReport:
    """Scored units (highest first), the spread of their scores, and the components equal for every unit."""

    scores: list[RiskScore]
    constant: list[str]

    @property
    def spread(self) -> dict[str, float]:
        """min, quartiles, max, interquartile range and standard deviation of the scores."""
        values = np.array([s.score for s in self.scores], dtype=np.float64)
        if values.size == 0:
            return {k: 0.0 for k in ("min", "q1", "median", "q3", "max", "iqr", "std")}
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        return {
            "min": float(values.min()),
            "q1": float(q1),
            "median": float(median),
            "q3": float(q3),
            "max": float(values.max()),
            "iqr": float(q3 - q1),
            "std": float(values.std()),
        }


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


def percentiles(values: np.ndarray) -> np.ndarray:
    """Mid-rank percentile of each value among all (0 lowest, 1 highest, ties share their mean rank)."""
    if values.size < 2:
        return np.full(values.size, 0.5)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(values.size, dtype=np.float64)
    for v in np.unique(values):  # ties: their mean rank
        tied = values == v
        ranks[tied] = ranks[tied].mean()
    return ranks / (values.size - 1)


def score_units(
    inc: Incidence,
    units: list[RiskUnit],
    funded: frozenset[str] = frozenset(),
    institutions: dict[str, str] | None = None,
    window: int = 3,
) -> RiskReport:
    """Every unit's raw components, their percentiles and the combined score, highest score first."""
    raw = [raw_components(inc, u, funded, institutions or {}, window) for u in units]
    table = {k: np.array([r[k] for r in raw], dtype=np.float64) for k in WEIGHTS}
    ranked = {k: percentiles(v) for k, v in table.items()}
    constant = [k for k, v in table.items() if v.size and np.all(v == v[0])]
    varying = {k: w for k, w in WEIGHTS.items() if k not in constant}
    total = sum(varying.values())
    scores = []
    for i, (unit, r) in enumerate(zip(units, raw, strict=True)):
        n = {k: float(ranked[k][i]) for k in WEIGHTS}
        terms = sum(w * ((1 - n[k]) if k in RISK_COMPONENTS else n[k]) for k, w in varying.items())
        scores.append(RiskScore(unit.label, r, n, float(terms / total) if total else 0.5))
    return RiskReport(sorted(scores, key=lambda s: -s.score), constant)


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


def cell_unit(
    inc: Incidence, a: int, c: int, adj: sp.csr_matrix, label: str, informative: np.ndarray | None = None
) -> RiskUnit:
    """A gap cell A×C: co-mentioning papers, papers of either side, papers of their common neighbours (only the
    ``informative`` ones when given: a hub next to everything says nothing about this cell's surroundings)."""
    both = np.array([a, c], dtype=np.int64)
    rows = inc.matrix[:, both].toarray()
    common = np.setdiff1d(np.intersect1d(adj[a].indices, adj[c].indices), both)
    if informative is not None:
        common = common[informative[common]]
    return RiskUnit(
        label, np.flatnonzero(rows.all(axis=1)), np.flatnonzero(rows.any(axis=1)), papers_with_any(inc, common)
    )
