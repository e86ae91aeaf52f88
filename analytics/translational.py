"""Translational gaps: entity pairs whose evidence stops before people, before a trial, or before progressive MS.

Why: a compound that protects myelin in cuprizone mice and was never tested in people with progressive MS is a
different opportunity from one that failed a phase 2 trial (issue 18).  For two entity types (Compound ×
Mechanism, Compound × Biomarker, Mechanism × Biomarker, or any other), every pair mentioned together in at least
one paper gets an **evidence pyramid** — the papers mentioning both, per evidence level (RCT, other trial,
observational, preclinical in vivo split by disease model, in vitro, review, other), with their PMIDs — and is a
gap of one of three kinds:

* ``preclinical_only``: preclinical papers (in vivo or in vitro) and no study in people (trial or observational);
* ``no_trial``: observational studies in people and no trial;
* ``no_progressive_trial``: trials, none of whose population is progressive MS (PPMS, SPMS, progressive
  unspecified).

The kinds exclude each other (no human study / human studies but no trial / trials).

Which entities may be a side is the gap map's call, made by the same code (:func:`exclusions`): an entity takes
part only when :func:`analytics.specificity.assess` finds it specific in an analysis of the same two types
(:meth:`analytics.results.Analysis.specificity`) — no hub, no class (the corpus names its narrower concepts, it
sits at an ontology's top, or it is a MeSH class by use such as "Antioxidants"), no experimental tool (named as a
manipulation in its papers, "cuprizone-induced", "streptozotocin-induced", or filed as a reagent or stain), no
ChEBI biomarker, nothing the lexicon's policy calls no entity, nothing unlinked — each data-driven and each with
its reason, so that a model inducer or a class by use is out here exactly when it is out of the gap map. On top of
that, a compound is a side only as something one could give: one the papers measure rather than give (a
**read-out**, :func:`readouts`, from ``Entity.given_papers`` and ``Entity.measured_papers``, :mod:`nlp.usage`)
takes no part unless asked for.

The hub rule is the gap map's as well: an entity co-mentioned with more than a third of the other type's
well-studied entities (a gap map cell is a pair across two types, as a translational gap is, so the partner share
fits as it is), or mentioned in more than a share of all papers.  That share is ``max_df``, 5 % by default where
the gap map uses 10 %: translational pairs are ranked by support, a count of papers, which grows with an entity's
own paper count, so a frequent outcome that is no partner hub (EDSS, in 8 % of the demo corpus's papers) would
lead the list with every compound it meets; the gap map's score compares co-mentions with what the two paper
counts lead one to expect, which discounts frequency by itself.

The remaining pairs are ordered by their **support** (the papers at the level the kind is about: preclinical,
observational, trial), then by in-vivo papers for a preclinical pair, then by **specificity** (papers together /
√(papers of a · papers of b), the Ochiai coefficient: how much of the two entities' literature is about them
together).

Counting is sparse matrix algebra: for each level, ``Xᵣᵀ·diag(level)·X꜀`` gives the papers per pair at that
level, so a corpus of a million mentions costs seconds; PMIDs are collected only for the pairs reported.

The papers, entities, compound roles and specificity rules come from :class:`analytics.results.Analysis` (named
queries of :func:`analytics.source.from_graph`); the study contexts from ``publication_contexts`` (pmid, year,
design, evidence_levels, models, ms_population).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.results import Analysis
from analytics.source import from_graph
from nlp.study_context import EVIDENCE_LEVELS, MODELS

#: The kinds of translational gap, in the order of the translational path they stop on.
KINDS = ("preclinical_only", "no_trial", "no_progressive_trial")
HUMAN_LEVELS = ("rct", "other_trial", "observational")
TRIAL_LEVELS = ("rct", "other_trial")
PRECLINICAL_LEVELS = ("preclinical_in_vivo", "in_vitro")
PROGRESSIVE_FORMS = frozenset({"PPMS", "SPMS", "progressive_unspecified"})
#: The papers a gap of each kind stands on (its support).
SUPPORT_LEVELS = {
    "preclinical_only": PRECLINICAL_LEVELS,
    "no_trial": ("observational",),
    "no_progressive_trial": TRIAL_LEVELS,
}
#: The in-vivo papers that name no demyelination or autoimmunity model (knockouts, transgenics, other animals).
NO_MODEL = "no_named_model"
#: Entities mentioned in more than this share of the papers are hubs (the paper share of the gap map's hub rule,
#: :data:`analytics.specificity.HUB_PAPERS`, lower here because pairs are ranked by a count of papers).
MAX_DF = 0.05
#: A compound is a read-out, not an intervention, when the papers measuring it outnumber those giving it more than
#: this many to one.  Not a simple majority: a compound can be both, and a treatment that is also a marker is measured
#: in more papers than it is given (vitamin D: serum levels in 22 papers of the demo corpus, supplementation in 13)
#: yet is given; a read-out is given seldom or never (cholesterol 17 to 1, malondialdehyde 4 to 0).
READOUT_RATIO = 2
#: Plain names of the levels, for reasons, tables and figures.
LEVEL_NAMES = {
    "rct": "RCT",
    "other_trial": "other trial",
    "observational": "observational",
    "preclinical_in_vivo": "preclinical in vivo",
    "in_vitro": "in vitro",
    "review": "review",
    "other": "in silico / other",
}


@dataclass(frozen=True)
class PaperContext:
    """What a paper's study context says about the evidence it is (from the Publication node)."""

    pmid: str
    levels: frozenset[str] = frozenset()
    models: frozenset[str] = frozenset()
    ms_population: frozenset[str] = frozenset()
    year: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PaperContext:
        """A row of ``publication_contexts`` (or any query returning the same columns); nulls are empty."""
        year = row.get("year")
        return cls(
            str(row["pmid"]),
            frozenset(row.get("evidence_levels") or ()),
            frozenset(row.get("models") or ()),
            frozenset(row.get("ms_population") or ()),
            int(year) if year else None,
        )

    @property
    def progressive(self) -> bool:
        """Whether its MS population includes a progressive form."""
        return bool(self.ms_population & PROGRESSIVE_FORMS)


@dataclass(frozen=True)
class Pyramid:
    """The papers behind an entity, a pair or a cell, per evidence level (most direct in people first).

    ``pmids`` has every level of :data:`nlp.study_context.EVIDENCE_LEVELS` (a paper can count under two,
    e.g. in vivo and in vitro); ``in_vivo_models`` splits the in-vivo papers by the model they use
    (:data:`NO_MODEL` for none; a paper using two models counts under both); ``progressive`` lists the human
    studies (trials and observational) whose population includes progressive MS.
    """

    pmids: dict[str, tuple[str, ...]]
    in_vivo_models: dict[str, tuple[str, ...]]
    progressive: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, papers: Iterable[PaperContext]) -> Pyramid:
        levels: dict[str, list[str]] = {level: [] for level in EVIDENCE_LEVELS}
        models: dict[str, list[str]] = {model: [] for model in (*MODELS, NO_MODEL)}
        progressive: dict[str, list[str]] = {level: [] for level in HUMAN_LEVELS}
        for paper in sorted(papers, key=lambda p: (-(p.year or 0), p.pmid)):  # newest first
            for level in paper.levels & set(levels):
                levels[level].append(paper.pmid)
                if level in progressive and paper.progressive:
                    progressive[level].append(paper.pmid)
            if "preclinical_in_vivo" in paper.levels:
                for model in sorted(paper.models & set(MODELS)) or [NO_MODEL]:
                    models[model].append(paper.pmid)
        return cls(
            {k: tuple(v) for k, v in levels.items()},
            {k: tuple(v) for k, v in models.items() if v},
            {k: tuple(v) for k, v in progressive.items()},
        )

    def count(self, *levels: str) -> int:
        """Distinct papers under any of ``levels``."""
        return len({p for level in levels for p in self.pmids.get(level, ())})

    def counts(self) -> dict[str, int]:
        return {level: len(pmids) for level, pmids in self.pmids.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "in_vivo_models": {k: len(v) for k, v in self.in_vivo_models.items()},
            "pmids": {k: list(v) for k, v in self.pmids.items()},
            "in_vivo_model_pmids": {k: list(v) for k, v in self.in_vivo_models.items()},
            "progressive_pmids": {k: list(v) for k, v in self.progressive.items()},
        }


@dataclass(frozen=True)
class TranslationalGap:
    """One pair, its kind of gap, and the evidence that makes it one."""

    kind: str
    a_id: str
    a_name: str
    b_id: str
    b_name: str
    papers: int  # papers mentioning both, at any level
    support: int  # papers at the level the kind is about
    specificity: float  # papers / sqrt(papers of a * papers of b)
    a_papers: int
    b_papers: int
    pyramid: Pyramid
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "a": self.a_name,
            "a_id": self.a_id,
            "b": self.b_name,
            "b_id": self.b_id,
            "support": self.support,
            "specificity": self.specificity,
            "papers": self.papers,
            "a_papers": self.a_papers,
            "b_papers": self.b_papers,
            "reason": self.reason,
            "pyramid": self.pyramid.to_dict(),
        }


@dataclass(frozen=True)
class Excluded:
    """An entity that is no side of a gap, and why (``reasons``: each rule's ``kind: detail``)."""

    id: str
    name: str
    type: str
    papers: int
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def kinds(self) -> list[str]:
        """The rules that leave it out (hub, class, tool, readout, not an entity, unlinked, read-out)."""
        return [r.split(":", 1)[0] for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "papers": self.papers, "reason": self.reason}


@dataclass
class EvidenceCorpus:
    """The analytics of a corpus and the study context of every paper in its year range.

    ``analysis`` (at the concepts papers name: no roll-up) gives the papers × entities incidence, each compound's
    papers giving and measuring it (``roles``) and the gap map's specificity rules; a paper the NLP stage has not
    annotated counts at no level.
    """

    analysis: Analysis
    contexts: dict[str, PaperContext]
    _rows: list[PaperContext] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.analysis.roll_up:
            raise ValueError("translational gaps pair the concepts papers name: give an analysis without roll-up")
        self._rows = [self.contexts.get(p) or PaperContext(p) for p in self.inc.pmids]
        compounds = [e for e, t in zip(self.inc.entity_ids, self.inc.types, strict=True) if t == "Compound"]
        if compounds and not any(any(self.roles.get(c, ())) for c in compounds):  # columns added, never counted
            warnings.warn("no compound roles counted in the graph; run `gapmap load` again", stacklevel=2)

    @property
    def inc(self) -> Incidence:
        return self.analysis.inc

    @property
    def roles(self) -> dict[str, tuple[int, int]]:
        """Entity id -> (papers giving it, papers measuring it)."""
        return self.analysis.corpus.roles

    @property
    def _csc(self) -> sp.csc_matrix:
        return self.analysis.csc

    def level_mask(self, levels: Iterable[str], progressive: bool = False) -> np.ndarray:
        """1.0 for each incidence row (paper) counted under any of ``levels`` (and in progressive MS)."""
        wanted = frozenset(levels)
        return np.array([float(bool(c.levels & wanted) and (c.progressive or not progressive)) for c in self._rows])

    def pair_pyramid(self, a: int, b: int) -> Pyramid:
        """The pyramid of the papers mentioning both entity columns ``a`` and ``b``."""
        rows = np.intersect1d(self._csc[:, a].indices, self._csc[:, b].indices)
        return Pyramid.of(self._rows[int(r)] for r in rows)


def read_contexts(store: Any, min_year: int | None = None, max_year: int | None = None) -> dict[str, PaperContext]:
    """The study context of every publication in the year range (``publication_contexts``)."""
    contexts = {}
    for row in store.query("publication_contexts", {}):
        year = row.get("year")
        if (min_year is not None and (not year or year < min_year)) or (
            max_year is not None and (not year or year > max_year)
        ):
            continue
        contexts[str(row["pmid"])] = PaperContext.from_row(row)
    return contexts


def from_store(store: Any, min_year: int | None = None, max_year: int | None = None) -> EvidenceCorpus:
    """The evidence corpus of a graph store (either backend; anything with ``query(name, params)``): its analytics
    (:func:`analytics.source.from_graph`) and study contexts, both of the year range."""
    return EvidenceCorpus(Analysis(from_graph(store, min_year, max_year)), read_contexts(store, min_year, max_year))


def readouts(roles: Mapping[str, tuple[int, int]], ratio: float = READOUT_RATIO) -> frozenset[str]:
    """The compounds the papers measure rather than give: measured in more than ``ratio`` times as many papers as
    they are given in (``roles``: id -> (papers giving, papers measuring)).  A compound no sentence gives or
    measures stays: an approved drug is often only named ("siponimod for SPMS").

    Not the gap map's readout rule (:mod:`analytics.specificity`: ChEBI files the compound under the role
    "biomarker", which few compounds have — 5 of the demo corpus's): this one reads how the papers use the name,
    and applies to the sides of translational gaps, where a compound should be something one could give."""
    return frozenset(eid for eid, (given, measured) in roles.items() if measured > ratio * given)


def exclusions(
    corpus: EvidenceCorpus,
    row_type: str,
    col_type: str,
    max_df: float = MAX_DF,
    *,
    specific: bool = True,
    interventions_only: bool = True,
) -> list[Excluded]:
    """The entities of ``row_type`` and ``col_type`` that are no side of a gap, most papers first, with why.

    ``specific``: those :func:`analytics.specificity.assess` finds not specific in an analysis of these two types
    (hubs beyond ``max_df`` of the papers); ``interventions_only``: the read-out compounds (:func:`readouts`)."""
    inc, counts = corpus.inc, corpus.analysis.counts
    spec = corpus.analysis.specificity((row_type, col_type), hub_papers=max_df) if specific else None
    measured = readouts(corpus.roles) if interventions_only else frozenset()
    found = []
    for col, (eid, type_) in enumerate(zip(inc.entity_ids, inc.types, strict=True)):
        if type_ not in (row_type, col_type):
            continue
        why = list(spec.reasons[col]) if spec else []
        if eid in measured:
            given, times = corpus.roles[eid]
            why.append(f"read-out: measured in {_papers(times, 'paper')}, given in {given}")
        if why:
            found.append(Excluded(eid, inc.names[col], type_, int(counts[col]), tuple(why)))
    return sorted(found, key=lambda e: (-e.papers, e.name.lower(), e.id))


def summary(excluded: Iterable[Excluded]) -> str:
    """How many entities are left out, by rule: ``"2543 left out: unlinked 2111, class 417, ..."``."""
    left = list(excluded)
    rules = Counter(k for e in left for k in dict.fromkeys(e.kinds()))
    return f"{len(left)} left out" + (": " + ", ".join(f"{k} {n}" for k, n in rules.most_common()) if left else "")


def _pair_counts(x_rows: sp.csr_matrix, x_cols: sp.csr_matrix, mask: np.ndarray | None = None) -> sp.csr_matrix:
    """Papers per (row entity, column entity), only those papers where ``mask`` is 1."""
    left = x_rows.T.tocsr() if mask is None else (x_rows.T @ sp.diags(mask)).tocsr()
    out = (left @ x_cols).tocsr()
    out.eliminate_zeros()
    return out


def _at(matrix: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``matrix[i, j]`` for aligned index arrays, as a flat int array."""
    if i.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(matrix[i, j]).ravel().astype(np.int64)


def find_gaps(
    corpus: EvidenceCorpus,
    row_type: str,
    col_type: str,
    kinds: Iterable[str] = KINDS,
    max_df: float = MAX_DF,
    min_support: int = 1,
    top: int = 20,
    *,
    specific: bool = True,
    interventions_only: bool = True,
) -> list[TranslationalGap]:
    """The ``top`` gaps of each kind among ``row_type × col_type`` pairs, best first within each kind.

    The entities :func:`exclusions` names (with ``max_df``, ``specific`` and ``interventions_only``) take no part.
    """
    inc, counts = corpus.inc, corpus.analysis.counts
    left_out = exclusions(corpus, row_type, col_type, max_df, specific=specific, interventions_only=interventions_only)
    out = {e.id for e in left_out}
    rows, cols = (
        np.array(
            [i for i, (e, t) in enumerate(zip(inc.entity_ids, inc.types, strict=True)) if t == side and e not in out],
            dtype=np.int64,
        )
        for side in (row_type, col_type)
    )
    if rows.size == 0 or cols.size == 0:
        return []
    xr, xc = corpus._csc[:, rows].tocsr(), corpus._csc[:, cols].tocsr()
    blocker = {
        "preclinical_only": _pair_counts(xr, xc, corpus.level_mask(HUMAN_LEVELS)),
        "no_trial": _pair_counts(xr, xc, corpus.level_mask(TRIAL_LEVELS)),
        "no_progressive_trial": _pair_counts(xr, xc, corpus.level_mask(TRIAL_LEVELS, progressive=True)),
    }
    together = _pair_counts(xr, xc)
    in_vivo = _pair_counts(xr, xc, corpus.level_mask(("preclinical_in_vivo",)))
    found: list[TranslationalGap] = []
    for kind in kinds:
        support = _pair_counts(xr, xc, corpus.level_mask(SUPPORT_LEVELS[kind])).tocoo()
        i, j, s = support.row, support.col, support.data.astype(np.int64)
        keep = (s >= min_support) & (_at(blocker[kind], i, j) == 0)
        if row_type == col_type:  # one pair, once; never an entity with itself
            keep &= rows[i] < cols[j]
        i, j, s = i[keep], j[keep], s[keep]
        papers = _at(together, i, j)
        spec = papers / np.sqrt(counts[rows[i]] * counts[cols[j]])
        vivo = _at(in_vivo, i, j) if kind == "preclinical_only" else np.zeros_like(s)
        names = [(inc.names[rows[a]].lower(), inc.names[cols[b]].lower()) for a, b in zip(i, j, strict=True)]
        order = sorted(range(s.size), key=lambda k: (-s[k], -vivo[k], -spec[k], names[k]))[:top]
        for k in order:
            a, b = int(rows[i[k]]), int(cols[j[k]])
            pyramid = corpus.pair_pyramid(a, b)
            found.append(
                TranslationalGap(
                    kind,
                    inc.entity_ids[a],
                    inc.names[a],
                    inc.entity_ids[b],
                    inc.names[b],
                    int(papers[k]),
                    int(s[k]),
                    round(float(spec[k]), 4),
                    int(counts[a]),
                    int(counts[b]),
                    pyramid,
                    reason(kind, pyramid),
                )
            )
    return found


def _papers(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _models(pyramid: Pyramid) -> str:
    return ", ".join(f"{m.replace('_', ' ')} {len(p)}" for m, p in pyramid.in_vivo_models.items())


def _populations(pmids: tuple[str, ...], progressive: tuple[str, ...]) -> str:
    inside = len(set(pmids) & set(progressive))
    return f", {inside} in progressive MS" if inside else ""


def reason(kind: str, pyramid: Pyramid) -> str:
    """Why the pair is a gap of ``kind``, in plain words with the counts behind it."""
    c = pyramid.counts()
    reviews = (
        f" ({_papers(c['review'], 'review')} {_verb(c['review'], 'discusses', 'discuss')} both)" if c["review"] else ""
    )
    if kind == "preclinical_only":
        parts = []
        if c["preclinical_in_vivo"]:
            parts.append(f"{c['preclinical_in_vivo']} in animals ({_models(pyramid)})")
        if c["in_vitro"]:
            parts.append(f"{c['in_vitro']} in vitro")
        total = pyramid.count(*PRECLINICAL_LEVELS)
        return (
            f"{_papers(total, 'preclinical paper')} {_verb(total, 'mentions', 'mention')} both ({'; '.join(parts)}); "
            f"no trial or observational study in people does{reviews}."
        )
    if kind == "no_trial":
        observational = pyramid.pmids["observational"]
        return (
            f"{_papers(len(observational), 'observational study', 'observational studies')} in people "
            f"{_verb(len(observational), 'mentions', 'mention')} both"
            f"{_populations(observational, pyramid.progressive['observational'])}; no trial does{reviews}."
        )
    trials = [f"{len(pyramid.pmids[level])} {LEVEL_NAMES[level]}" for level in TRIAL_LEVELS if pyramid.pmids[level]]
    n = pyramid.count(*TRIAL_LEVELS)
    return (
        f"{_papers(n, 'trial')} {_verb(n, 'mentions', 'mention')} both ({', '.join(trials)}); "
        f"{_verb(n, 'it is not', 'none is')} in progressive MS (PPMS, SPMS or progressive unspecified){reviews}."
    )
