"""One analytics results layer: typed records that know their row form, and the one place they are computed.

Why: the CLI (``gapmap analytics``) and the explorer used to build their rows each on their own, computed the gap
and risk steps in three places and named a pair's sides three ways — so the same cell had one score in the app and
another on the command line.  Now :class:`Analysis` computes every result once from a :class:`~analytics.incidence.
Corpus`, each result is a record (:class:`GapCell`, :class:`CrossDiseaseGap`, :class:`RiskResults`,
:class:`TrendResult`, :class:`AreaResult`, :class:`HypothesisResult`, :class:`PairSignificance`) whose ``to_row()``
is the one row form both print, and a pair's sides are always ``a`` and ``b`` (``a_id``, ``b_papers``,
``papers_with_a``, ``pmids_b`` …).  ``to_row(detail=True)`` keeps nested values (linking terms with PMIDs, per-year
counts) for JSON; ``detail=False`` flattens them to text for tables and CSV.

Gap cells and hypotheses say what their linking paths are (``linking_paths``: typed relations, co-mentions only, or
the mix; ``typed_paths``: how many are typed on both links), and each linking term names the relations on its two
links (:mod:`analytics.relations`), so the CLI's JSON and CSV and the explorer read the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from analytics.areas import Area, find_areas
from analytics.contexts import Contexts, contexts
from analytics.cooccurrence import NullCache, pair_stats
from analytics.explain import Explainer, LinkingTerm
from analytics.hierarchy import ConceptTree, roll_up
from analytics.hypotheses import Hypothesis, HypothesisRanker
from analytics.incidence import NO_YEAR, Corpus, Incidence
from analytics.landscape import (
    MAX_P,
    MIN_EXPECTED,
    CrossDisease,
    Landscape,
    NameWords,
    cross_disease,
    informative_terms,
    landscape,
)
from analytics.relations import RelationLink, Relations, paths_summary
from analytics.risk import WEIGHTS, RiskReport, RiskScore, area_units, cell_unit, score_units
from analytics.scorers import NeighbourGraph
from analytics.specificity import HUB_PAPERS, Specificity, assess
from analytics.trends import Trend, trends, yearly_counts

Row = dict[str, Any]
#: The disease contexts of a cell's evidence, as rows name them (:mod:`analytics.contexts`).
CONTEXT_LABELS = {"progressive_ms": "progressive MS", "ms": "MS", "other_neurological": "other neurological"}


def _number(value: float) -> float | None:
    """Rounded for reading; inf/nan (no finite value) become None (null in JSON, empty in CSV)."""
    return None if math.isnan(value) or math.isinf(value) else round(float(value), 4)


@dataclass(frozen=True)
class GapQuery:
    """What a gap map asks: the two types, who qualifies, the evidence bar and the concept level (hashable, so the
    explorer can cache by it)."""

    row_type: str = "Mechanism"
    col_type: str = "Compound"
    min_papers: int = 3
    min_expected: float = MIN_EXPECTED
    max_p: float = MAX_P
    levels: int = 0


@dataclass(frozen=True)
class Side:
    """One side of a pair: entity id, name, type and its papers."""

    id: str
    name: str
    type: str
    papers: int


def _relation_rows(links: tuple[RelationLink, ...]) -> list[Row]:
    return [
        {
            "relation": r.type,
            "verb": r.verb,
            "directed": r.directed,
            "subject": r.subject,
            "object": r.object,
            "papers": r.papers,
            "text": r.text,
        }
        for r in links
    ]


def _link_text(links: tuple[RelationLink, ...]) -> str:
    """One link of a path in words: its best-supported relation, or "co-mention"."""
    return links[0].text if links else "co-mention"


def linking_text(t: LinkingTerm) -> str:
    """A linking term in one line: ``name (papers with a/papers with b)``, and when a link is a typed relation,
    what each link says: ``microglia (3/2: siponimod decreases microglia; co-mention)``."""
    if t.path == "co-mention":
        return f"{t.name} ({t.with_a}/{t.with_b})"
    return f"{t.name} ({t.with_a}/{t.with_b}: {_link_text(t.relations_a)}; {_link_text(t.relations_b)})"


def linking_rows(terms: list[LinkingTerm], detail: bool) -> list[Any]:
    """Linking terms as dicts with their PMIDs and the relations on each link (``detail``), or as text
    (:func:`linking_text`)."""
    if not detail:
        return [linking_text(t) for t in terms]
    return [
        {
            "id": t.entity_id,
            "name": t.name,
            "type": t.type,
            "papers_with_a": t.with_a,
            "papers_with_b": t.with_b,
            "strength": _number(t.strength),
            "pmids_a": list(t.pmids_a),
            "pmids_b": list(t.pmids_b),
            "path": t.path,
            "relations_with_a": _relation_rows(t.relations_a),
            "relations_with_b": _relation_rows(t.relations_b),
        }
        for t in terms
    ]


def paths_row(terms: list[LinkingTerm]) -> Row:
    """What a pair's linking paths are: ``linking_paths`` in words and ``typed_paths``, the paths whose two
    links are both typed relations."""
    kinds = [t.path for t in terms]
    return {"linking_paths": paths_summary(kinds), "typed_paths": kinds.count("typed")}


def paths_reason(terms: list[LinkingTerm]) -> str:
    """The reason line on the linking paths: which are typed relations, with what the typed ones say."""
    typed = [t for t in terms if t.path != "co-mention"]
    summary = paths_summary([t.path for t in terms])
    if not typed:
        return f"linking paths: {summary} (no typed relation on any link)"
    said = "; ".join(r.text for t in typed[:3] for r in (*t.relations_a[:1], *t.relations_b[:1]))
    return f"linking paths: {summary} — {said}"


def _sides(a: Side, b: Side) -> Row:
    return {"a": a.name, "a_id": a.id, "a_type": a.type, "b": b.name, "b_id": b.id, "b_type": b.type}


@dataclass
class GapCell:
    """One cell of a landscape: its statistics, status, context evidence and reasons."""

    a: Side
    b: Side
    status: str
    why: str  # what decided a status other than "gap" (a specificity reason, the shared word, ...)
    observed: int
    expected: float
    p_value: float
    plausibility: float
    score: float
    evidence: dict[str, tuple[int, int, int]]  # context -> (papers naming both, a, b) in papers on progressive MS,
    # MS, other neurological diseases
    other_diseases: list[tuple[str, int]] = field(default_factory=list)  # (disease, co-mentions) outside MS
    linking: list[LinkingTerm] = field(default_factory=list)
    risk: RiskScore | None = None
    learn_from: frozenset[str] = frozenset()  # which of other_diseases are neurodegenerative or demyelinating

    @property
    def surprise(self) -> float:
        return -math.log10(max(self.p_value, 1e-300))

    @property
    def cross_disease(self) -> bool:
        """Co-mentioned in at least two papers on another neurodegenerative/demyelinating disease, never in
        progressive MS."""
        evidenced = any(n >= 2 and d in self.learn_from for d, n in self.other_diseases)
        return evidenced and self.evidence["progressive_ms"][0] == 0

    def reasons(self) -> list[str]:
        """Why this cell is (or is not) a gap, in words a committee reads."""
        out = [
            f"{self.observed} papers name both where {self.expected:.1f} are expected from their paper counts "
            f"({self.a.papers} and {self.b.papers}); P(≤ {self.observed}) = {self.p_value:.2g}"
        ]
        if self.status != "gap":
            out.append(f"{self.status}" + (f": {self.why}" if self.why else ""))
        if self.linking:
            out.append(
                f"literatures alike (plausibility {self.plausibility:.2f}) through "
                + ", ".join(f"{t.name} ({t.with_a}/{t.with_b})" for t in self.linking[:3])
            )
            out.append(paths_reason(self.linking))
        ev = self.evidence
        out.append(
            "papers naming both (a alone, b alone): "
            + ", ".join(f"{label} {ev[k][0]} ({ev[k][1]}, {ev[k][2]})" for k, label in CONTEXT_LABELS.items())
            + (" — " + ", ".join(f"{d} {n}" for d, n in self.other_diseases[:3]) if self.other_diseases else "")
        )
        if self.cross_disease:
            where = next(d for d, n in self.other_diseases if n >= 2 and d in self.learn_from)
            out.append(f"cross-disease gap: evidenced in {where}, never in progressive MS")
        return out

    def to_row(self, detail: bool = False) -> Row:
        row: Row = {
            **_sides(self.a, self.b),
            "status": self.status,
            "score": _number(self.score),
            "surprise": _number(self.surprise),
            "p_value": _number(self.p_value),
            "plausibility": _number(self.plausibility),
            "observed": self.observed,
            "expected": _number(self.expected),
            "a_papers": self.a.papers,
            "b_papers": self.b.papers,
            **{
                k: {"both": both, "a": na, "b": nb} if detail else f"{both} ({na}/{nb})"
                for k, (both, na, nb) in self.evidence.items()
            },
            "cross_disease": self.cross_disease,
            "other_diseases": [{"disease": d, "papers": n} for d, n in self.other_diseases]
            if detail
            else [f"{d} ({n})" for d, n in self.other_diseases],
        }
        if self.risk is not None:
            row["risk_reward"] = _number(self.risk.score)
            row.update({f"risk_{k}": _number(v) for k, v in self.risk.normalised.items()})
        row.update(paths_row(self.linking))
        row["linking_terms"] = linking_rows(self.linking, detail)
        row["reasons"] = self.reasons() if detail else " | ".join(self.reasons())
        return row


@dataclass
class CrossDiseaseGap:
    """A pair well evidenced in another neurodegenerative or demyelinating disease, absent in progressive MS."""

    a: Side
    b: Side
    diseases: list[tuple[Side, int]]  # disease, papers naming a, b and the disease
    progressive_ms: int
    ms: int
    linking: list[LinkingTerm] = field(default_factory=list)

    def to_row(self, detail: bool = False) -> Row:
        return {
            **_sides(self.a, self.b),
            "disease": self.diseases[0][0].name,
            "disease_id": self.diseases[0][0].id,
            "disease_papers": self.diseases[0][1],
            "other_diseases": [{"disease": d.name, "id": d.id, "papers": n} for d, n in self.diseases]
            if detail
            else [f"{d.name} ({n})" for d, n in self.diseases],
            "progressive_ms": self.progressive_ms,
            "ms": self.ms,
            "a_papers": self.a.papers,
            "b_papers": self.b.papers,
            **paths_row(self.linking),
            "linking_terms": linking_rows(self.linking, detail),
        }


@dataclass
class RiskResults:
    """Risk/reward of units (areas or gap cells) with the spread of the scores and the constant components."""

    report: RiskReport

    def to_row(self, score: RiskScore) -> Row:
        """One unit: its score, then each component raw and as a percentile, side by side."""
        row: Row = {"unit": score.label, "score": _number(score.score)}
        for k in WEIGHTS:
            row[k] = _number(score.raw[k])
            row[f"{k}_pct"] = _number(score.normalised[k])
        return row

    def rows(self, top: int | None = None) -> list[Row]:
        return [self.to_row(s) for s in self.report.scores[:top]]

    def by_key(self) -> dict[str, RiskScore]:
        """Scores by unit key ("area 3", "a_id|b_id")."""
        return {s.key: s for s in self.report.scores}

    def to_json(self, top: int | None = None) -> Row:
        return {
            "units": self.rows(top),
            "spread": {k: _number(v) for k, v in self.report.spread.items()},
            "constant_components": self.report.constant,
            "weights": WEIGHTS,
        }


@dataclass
class TrendResult:
    entity: Side
    trend: Trend
    per_year: dict[int, int]

    def to_row(self, detail: bool = False) -> Row:
        t = self.trend
        return {
            "entity": self.entity.name,
            "id": self.entity.id,
            "type": self.entity.type,
            "papers": t.papers,
            "recent": t.recent,
            "growth": _number(t.growth),
            "emerging": t.emerging,
            "bursts": [{"start": b.start, "end": b.end, "weight": round(b.weight, 3)} for b in t.bursts]
            if detail
            else ", ".join(f"{b.start}–{b.end}" for b in t.bursts),
            "burst_weight": _number(max((b.weight for b in t.bursts), default=0.0)),
            **({"per_year": self.per_year} if detail else {}),
        }


@dataclass
class AreaResult:
    area: Area

    def to_row(self, detail: bool = False) -> Row:
        a = self.area
        return {
            "area": a.area_id,
            "size": a.size,
            "papers": a.papers,
            "recent": a.trend.recent,
            "growth": _number(a.trend.growth),
            "emerging": a.trend.emerging,
            "funded_share": _number(a.funded_share),
            "top_members": a.top_members if detail else "; ".join(a.top_members),
            **({"per_year": a.per_year} if detail else {}),
        }


@dataclass
class HypothesisResult:
    hypothesis: Hypothesis
    scorer: str

    def to_row(self, detail: bool = False) -> Row:
        h = self.hypothesis
        return {
            "a": h.a_name,
            "a_id": h.a_id,
            "a_type": h.a_type,
            "b": h.b_name,
            "b_id": h.b_id,
            "b_type": h.b_type,
            "scorer": self.scorer,
            "score": _number(h.score),
            **{k: _number(v) for k, v in h.scores.items()},
            **paths_row(h.linking),
            "linking_terms": linking_rows(h.linking, detail),
        }


@dataclass
class PairSignificance:
    a: Side
    b: Side
    observed: int
    expected: float
    npmi: float
    lift: float
    p_value: float
    q_value: float
    significant: bool
    null_samples: int

    def to_row(self, detail: bool = False) -> Row:
        return {
            **_sides(self.a, self.b),
            "observed": self.observed,
            "expected": _number(self.expected),
            "npmi": _number(self.npmi),
            "lift": _number(self.lift),
            "p_value": _number(self.p_value),
            "q_value": _number(self.q_value),
            "significant": self.significant,
            "null_samples": self.null_samples,
        }


class Analysis:
    """Every analytics result of one corpus, computed once and shared by the CLI and the explorer.

    ``levels`` (0: the concepts papers name): each entity counts the papers of its narrower concepts of the same
    type up to that many steps below it ("progressive MS" includes PPMS and SPMS, "lymphocyte activation" T and B
    cell activation), and broader concepts no paper names become entities (:func:`analytics.hierarchy.roll_up`).
    """

    def __init__(self, corpus: Corpus, levels: int = 0) -> None:
        self.corpus = corpus
        base = Incidence.from_rows(corpus.rows)
        self.levels = levels
        self.roll_up = levels > 0
        self.inc = roll_up(base, corpus.hierarchy, levels) if levels > 0 else base
        self.tree = ConceptTree.build(self.inc, corpus.hierarchy)
        self.relations = Relations(corpus.relations)
        self.graph = NeighbourGraph.from_incidence(self.inc, typed=self.relations.adjacency(self.inc))
        self.names = NameWords(self.inc, corpus.synonyms)
        self.counts = self.inc.paper_counts()
        self.csc = self.inc.matrix.tocsc()
        self._specificity: dict[tuple[tuple[str, ...], bool, float], Specificity] = {}
        self._landscapes: dict[tuple[Any, ...], Landscape] = {}
        self._contexts: Contexts | None = None
        self._ranker: HypothesisRanker | None = None

    # -- shared pieces ---------------------------------------------------------------------------------

    @property
    def years(self) -> tuple[int, int]:
        dated = self.inc.years[self.inc.years != NO_YEAR]
        return (int(dated.min()), int(dated.max())) if dated.size else (0, 0)

    def column(self, entity_id: str) -> int | None:
        return self.inc.index().get(entity_id)

    def side(self, col: int) -> Side:
        inc = self.inc
        return Side(inc.entity_ids[col], inc.names[col], inc.types[col], int(self.counts[col]))

    def specificity(self, types: tuple[str, ...], sides: bool = True, hub_papers: float = HUB_PAPERS) -> Specificity:
        """Why each entity is not specific, hubs measured against ``types`` (:func:`analytics.specificity.assess`).

        ``sides``: for a gap's sides, where a rolled-up class is the chosen level; linking terms (``sides`` False)
        are always held to the class rule, so a structural class ("Alkenes") never explains a pair.  ``hub_papers``:
        the share of papers above which an entity is a hub whatever its partners (the translational gaps, ranked by
        a count of papers, ask for a lower one: :mod:`analytics.translational`)."""
        key = (tuple(dict.fromkeys(types)), sides, hub_papers)
        if key not in self._specificity:
            c = self.corpus
            self._specificity[key] = assess(
                self.inc,
                self.graph.cooc,
                self.tree,
                c.tool_papers,
                c.synonyms,
                key[0],
                roll_up=self.roll_up and sides,
                hub_papers=hub_papers,
            )
        return self._specificity[key]

    def informative(self, types: tuple[str, ...]) -> np.ndarray:
        """Entities that may link a pair of ``types`` (specific as terms, not diseases)."""
        return informative_terms(self.inc, self.specificity(types, sides=False))

    @property
    def contexts(self) -> Contexts:
        """The disease contexts; a disease counts unless it is a class, a model, unlinked (its frequency is no
        reason: Alzheimer's disease is the context of a dementia corpus)."""
        if self._contexts is None:
            c = self.corpus
            diseases = assess(
                self.inc,
                self.graph.cooc,
                self.tree,
                c.tool_papers,
                c.synonyms,
                (),
                roll_up=self.roll_up,
                hub_papers=1.0,
            )
            self._contexts = contexts(self.tree, diseases)
        return self._contexts

    def explainer(self, types: tuple[str, ...]) -> Explainer:
        """Linking terms limited to the informative entities for an analysis of ``types``."""
        return Explainer(self.inc, self.graph.cooc, informative=self.informative(types), relations=self.relations)

    # -- gaps ------------------------------------------------------------------------------------------

    def landscape(
        self,
        row_type: str,
        col_type: str,
        min_papers: int = 3,
        min_expected: float = MIN_EXPECTED,
        max_p: float = MAX_P,
    ) -> Landscape:
        """The full ``row_type × col_type`` matrix (cached: the explorer asks for it on every rerun)."""
        key = (row_type, col_type, min_papers, min_expected, max_p)
        if key not in self._landscapes:
            self._landscapes[key] = landscape(
                self.inc,
                row_type,
                col_type,
                self.tree,
                self.specificity((row_type, col_type)),
                self.names,
                self.graph.cooc,
                self.contexts.masks(),
                self.informative((row_type, col_type)),
                min_papers,
                min_expected,
                max_p,
            )
        return self._landscapes[key]

    def cell(self, land: Landscape, r: int, c: int, linking: int = 5, explainer: Explainer | None = None) -> GapCell:
        """The record of matrix position ``(r, c)``; ``linking`` linking terms with their PMIDs."""
        a, b = int(land.rows[r]), int(land.cols[c])
        status = str(land.status[r, c])
        spec = self.specificity((land.row_type, land.col_type))
        why = ""
        if status == "not specific":
            why = "; ".join(f"{self.inc.names[x]}: {spec.why(x)}" for x in (a, b) if spec.why(x))
        elif status == "same concept":
            word = self.names.shared(a, b)
            why = f"the names share “{word}”" if word else "one is a kind of the other"
        elif status == "too little evidence":
            why = f"expected {land.expected[r, c]:.2f} < {land.min_expected:g}: no paper is no surprise"
        others: list[tuple[str, int]] = []
        terms: list[LinkingTerm] = []
        if linking:  # the details of one cell: other diseases it is studied in, its linking terms
            csc = self.csc
            both = np.intersect1d(csc[:, a].indices, csc[:, b].indices)
            for d in self.contexts.other_diseases if both.size else ():
                n = int(np.intersect1d(both, csc[:, int(d)].indices).size)
                if n:
                    others.append((self.inc.names[int(d)], n))
            others.sort(key=lambda x: (-x[1], x[0]))
            terms = (explainer or self.explainer((land.row_type, land.col_type))).linking_terms(a, b, limit=linking)
        return GapCell(
            self.side(a),
            self.side(b),
            status,
            why,
            int(land.observed[r, c]),
            float(land.expected[r, c]),
            float(land.p_value[r, c]),
            float(land.plausibility[r, c]),
            float(land.score[r, c]),
            {
                k: (int(v[r, c]), int(land.side_evidence[k][0][r]), int(land.side_evidence[k][1][c]))
                for k, v in land.evidence.items()
            },
            others,
            terms,
            learn_from=frozenset(self.inc.names[int(d)] for d in self.contexts.learn_from),
        )

    def gaps(
        self,
        row_type: str,
        col_type: str,
        min_papers: int = 3,
        top: int = 20,
        min_expected: float = MIN_EXPECTED,
        max_p: float = MAX_P,
        linking: int = 5,
        with_risk: bool = True,
    ) -> list[GapCell]:
        """The ``top`` gap cells by score, each with its linking terms, context evidence and risk/reward."""
        land = self.landscape(row_type, col_type, min_papers, min_expected, max_p)
        score = land.score
        order = np.argsort(-score, axis=None, kind="stable")
        explainer = self.explainer((row_type, col_type))
        found: list[GapCell] = []
        kept: list[tuple[int, int]] = []
        for r, c in zip(*np.unravel_index(order, score.shape), strict=True):
            if land.status[r, c] != "gap" or len(found) == top:
                break
            a, b = int(land.rows[r]), int(land.cols[c])
            if self.roll_up and any(self._family(a, x) and self._family(b, y) for x, y in kept):
                continue  # rolled up, a parent and its child would repeat one gap: the higher-ranked stays
            kept.append((a, b))
            found.append(self.cell(land, int(r), int(c), linking, explainer))
        if with_risk and found:
            report = self.risk_of_cells(found, (row_type, col_type)).report
            by_key = {s.key: s for s in report.scores}
            for g in found:
                g.risk = by_key[f"{g.a.id}|{g.b.id}"]
        return found

    def _family(self, x: int, y: int) -> bool:
        return x == y or self.tree.related(x, y)

    def cells(self, row_type: str, col_type: str, min_papers: int = 3, limit: int | None = None) -> list[GapCell]:
        """Every cell of the matrix's ``limit`` most-studied rows and columns (no linking terms)."""
        land = self.landscape(row_type, col_type, min_papers)
        nr, nc = land.rows.size, land.cols.size
        return [
            self.cell(land, r, c, linking=0) for r in range(min(nr, limit or nr)) for c in range(min(nc, limit or nc))
        ]

    def cross_disease(
        self, row_type: str, col_type: str, min_papers: int = 3, min_other: int = 2, top: int = 20, linking: int = 3
    ) -> list[CrossDiseaseGap]:
        """Pairs co-mentioned in ≥ ``min_other`` papers on one neurodegenerative or demyelinating disease and in
        none on progressive MS (:func:`analytics.landscape.cross_disease`)."""
        land = self.landscape(row_type, col_type, min_papers)
        ctx = self.contexts
        explainer = self.explainer((row_type, col_type))
        out = []
        for found in cross_disease(self.inc, land, ctx.learn_from, ctx.progressive, min_other)[:top]:
            out.append(self._cross(land, found, explainer, linking))
        return out

    def _cross(self, land: Landscape, found: CrossDisease, explainer: Explainer, linking: int) -> CrossDiseaseGap:
        a, b = int(land.rows[found.row]), int(land.cols[found.col])
        return CrossDiseaseGap(
            self.side(a),
            self.side(b),
            [(self.side(d), n) for d, n in found.diseases],
            found.progressive,
            found.ms,
            explainer.linking_terms(a, b, limit=linking),
        )

    # -- risk ------------------------------------------------------------------------------------------

    def risk_of_cells(self, cells: list[GapCell], types: tuple[str, ...]) -> RiskResults:
        """Risk/reward of gap cells: their co-mention papers, the papers of either side, the papers of their
        informative common neighbours."""
        index = self.inc.index()
        informative = self.informative(types)
        units = [
            cell_unit(self.inc, index[g.a.id], index[g.b.id], self.graph.adj, f"{g.a.id}|{g.b.id}", informative)
            for g in cells
        ]
        return RiskResults(score_units(self.inc, units, self.corpus.funded, self.corpus.institutions))

    def risk_of_areas(self, min_cooc: int = 2, resolution: float = 1.0, seed: int = 0) -> RiskResults:
        areas, membership = find_areas(self.inc, self.corpus.funded, min_cooc, resolution=resolution, seed=seed)
        labels = [f"area {a.area_id}: " + ", ".join(a.top_members[:3]) for a in areas]
        units = area_units(self.inc, [a.members for a in areas], membership, self.graph.adj, labels)
        return RiskResults(score_units(self.inc, units, self.corpus.funded, self.corpus.institutions))

    # -- trends, areas, hypotheses, significance -------------------------------------------------------

    def trends(self, type_: str | None = None, window: int = 3) -> list[TrendResult]:
        """Every entity's (of ``type_``) trend, with its papers per year."""
        inc = self.inc.of_types([type_] if type_ else None)
        yc = yearly_counts(inc)
        return [
            TrendResult(
                Side(inc.entity_ids[e], inc.names[e], inc.types[e], t.papers),
                t,
                {int(y): int(c) for y, c in zip(yc.years, yc.counts[e], strict=True) if c},
            )
            for e, t in enumerate(trends(yc, window=window))
        ]

    def areas(
        self, min_cooc: int = 2, resolution: float = 1.0, seed: int = 0
    ) -> tuple[list[AreaResult], sp.csr_matrix]:
        areas, membership = find_areas(self.inc, self.corpus.funded, min_cooc, resolution=resolution, seed=seed)
        return [AreaResult(a) for a in areas], membership

    @property
    def ranker(self) -> HypothesisRanker:
        """The hypothesis ranker (trains the supervised scorer once), linking terms as for the gap map."""
        if self._ranker is None:
            types = tuple(sorted(set(self.inc.types)))
            self._ranker = HypothesisRanker(
                self.inc, graph=self.graph, explainer=self.explainer(types), relations=self.relations
            )
        return self._ranker

    def hypotheses(
        self, a_type: str, b_type: str, min_papers: int = 2, scorer: str = "supervised", top: int = 20
    ) -> list[HypothesisResult]:
        found = self.ranker.pairs(a_type, b_type, min_papers, scorer, top)
        return [HypothesisResult(h, scorer) for h in found]

    def open_discovery(
        self, a: int, b_type: str | None, min_papers: int, scorer: str, top: int
    ) -> list[HypothesisResult]:
        return [HypothesisResult(h, scorer) for h in self.ranker.open_discovery(a, b_type, min_papers, scorer, top)]

    def significance(
        self,
        permutations: int,
        seed: int,
        alpha: float,
        min_observed: int,
        on_progress: Callable[[int, int], None] | None,
        workers: int,
        stop_after: int,
        cache: NullCache | None,
        top: int,
    ) -> tuple[list[PairSignificance], bool]:
        """The ``top`` pairs by q-value (then NPMI), and whether the null model came from the cache."""
        s = pair_stats(
            self.inc,
            permutations,
            seed,
            alpha,
            min_observed,
            on_progress,
            workers=workers,
            stop_after=stop_after,
            cache=cache,
        )
        order = sorted(range(s.a.size), key=lambda k: (s.q_value[k], -s.npmi[k]))[:top]
        return [
            PairSignificance(
                self.side(int(s.a[k])),
                self.side(int(s.b[k])),
                int(s.observed[k]),
                float(s.expected[k]),
                float(s.npmi[k]),
                float(s.lift[k]),
                float(s.p_value[k]),
                float(s.q_value[k]),
                bool(s.significant[k]),
                int(s.null_samples[k]),
            )
            for k in order
        ], s.cached
