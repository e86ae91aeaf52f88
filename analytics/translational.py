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

The kinds exclude each other (no human study / human studies but no trial / trials).  A compound is a side of a
gap only as something one could give: one the papers measure rather than give (a **read-out**, :func:`readouts`,
from ``Entity.given_papers`` and ``Entity.measured_papers``, :mod:`nlp.usage`) takes no part unless asked for.

Ranking puts specific, well-supported pairs first: entities mentioned in more than ``max_df`` of the papers (hubs
such as inflammation or MRI, which co-occur with everything), MeSH classes (Peptides, Lipids, Vaccines: many
narrower descriptors, no one substance) and the agents that induce the disease models (cuprizone, lysolecithin) are
left out; pairs are ordered by their **support** (the
papers at the level the kind is about: preclinical, observational, trial), then by in-vivo papers for a
preclinical pair, then by **specificity** (papers together / √(papers of a · papers of b), the Ochiai
coefficient: how much of the two entities' literature is about them together).

Counting is sparse matrix algebra: for each level, ``Xᵣᵀ·diag(level)·X꜀`` gives the papers per pair at that
level, so a corpus of a million mentions costs seconds; PMIDs are collected only for the pairs reported.

Named queries read: ``paper_entities`` (pmid, year, id, type, name), ``publication_contexts`` (pmid, year,
design, evidence_levels, models, ms_population) and ``entity_profiles`` (id, given_papers, measured_papers).
"""

from __future__ import annotations

import warnings
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence, PaperEntity
from core.errors import GapmapError
from nlp.lexicons.mesh import descriptors
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
#: Entities mentioned in more than this share of the papers are hubs, left out of the ranking by default.
MAX_DF = 0.05
#: Agents that induce the disease models (demyelinating toxins, EAE adjuvants, LPS): in a preclinical paper they are
#: the model, not an intervention, so a pair with one is no translational gap.  MeSH ids, and names for the
#: entities the linker did not map to MeSH.
MODEL_AGENTS = frozenset(
    {
        "MESH:D003471",  # Cuprizone
        "MESH:D008244",  # Lysophosphatidylcholines (lysolecithin)
        "MESH:D004996",  # Ethidium
        "MESH:D004167",  # Diphtheria Toxin
        "MESH:D037342",  # Pertussis Toxin
        "MESH:D005620",  # Freund's Adjuvant
        "MESH:D008070",  # Lipopolysaccharides
        "cuprizone",
        "cpz",
        "lysolecithin",
        "lysophosphatidylcholine",
        "lpc",
        "ethidium bromide",
        "diphtheria toxin",
        "pertussis toxin",
        "freund's adjuvant",
        "complete freund's adjuvant",
        "lipopolysaccharide",
        "lps",
    }
)
#: A MeSH descriptor with at least this many narrower descriptors names a class (Peptides 800, Lipids 324,
#: Vaccines 94, Cytokines 121, Butyrates 21), not one substance or process, so it is no specific lead; single
#: substances have few (Vitamin D 9, Glutamates 6, Oxygen 4, Iron 2, Metformin 1, Fingolimod 0).
CLASS_NARROWER = 10
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


@dataclass
class EvidenceCorpus:
    """Papers × entities of the types asked for, and the study context of every paper in the year range.

    ``n_papers`` counts every publication in the range (also those mentioning no entity of these types): it
    is the denominator of an entity's document frequency.  A paper the NLP stage has not annotated counts at
    no level.  ``roles``: for each compound, the papers of the whole graph giving it and measuring it.
    """

    inc: Incidence
    contexts: dict[str, PaperContext]
    roles: dict[str, tuple[int, int]] = field(default_factory=dict)  # compound id -> (papers giving, measuring it)
    n_papers: int = field(init=False)
    _rows: list[PaperContext] = field(init=False, repr=False)
    _csc: sp.csc_matrix = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.n_papers = len(self.contexts)
        self._rows = [self.contexts.get(p) or PaperContext(p) for p in self.inc.pmids]
        self._csc = self.inc.matrix.tocsc()

    def level_mask(self, levels: Iterable[str], progressive: bool = False) -> np.ndarray:
        """1.0 for each incidence row (paper) counted under any of ``levels`` (and in progressive MS)."""
        wanted = frozenset(levels)
        return np.array([float(bool(c.levels & wanted) and (c.progressive or not progressive)) for c in self._rows])

    def pair_pyramid(self, a: int, b: int) -> Pyramid:
        """The pyramid of the papers mentioning both entity columns ``a`` and ``b``."""
        rows = np.intersect1d(self._csc[:, a].indices, self._csc[:, b].indices)
        return Pyramid.of(self._rows[int(r)] for r in rows)


def from_store(
    store: Any, types: Iterable[str], min_year: int | None = None, max_year: int | None = None
) -> EvidenceCorpus:
    """The evidence corpus of a graph store (either backend; anything with ``query(name, params)``)."""
    years = {k: v for k, v in (("min_year", min_year), ("max_year", max_year)) if v is not None}
    wanted = sorted(set(types))
    rows = [
        PaperEntity(str(r["pmid"]), int(r["year"]) if r.get("year") else None, str(r["id"]), r["type"], r["name"])
        for r in store.query("paper_entities", {**years, "types": wanted})
    ]
    contexts = {}
    for row in store.query("publication_contexts", {}):
        year = row.get("year")
        if (min_year is not None and (not year or year < min_year)) or (
            max_year is not None and (not year or year > max_year)
        ):
            continue
        contexts[str(row["pmid"])] = PaperContext.from_row(row)
    return EvidenceCorpus(Incidence.from_rows(rows), contexts, compound_roles(store) if "Compound" in wanted else {})


def compound_roles(store: Any) -> dict[str, tuple[int, int]]:
    """Per compound the graph's papers giving it and measuring it (``entity_profiles``); none, with a warning,
    from a graph loaded before the roles were counted."""
    try:
        rows = store.query("entity_profiles", {"types": ["Compound"]})
    except (GapmapError, RuntimeError) as exc:  # a graph whose Entity table lacks the columns
        warnings.warn(f"no compound roles in the graph ({exc}); run `gapmap load` again", stacklevel=2)
        return {}
    roles = {str(r["id"]): (int(r["given_papers"] or 0), int(r["measured_papers"] or 0)) for r in rows}
    if roles and not any(given or measured for given, measured in roles.values()):  # columns added, never counted
        warnings.warn("no compound roles counted in the graph; run `gapmap load` again", stacklevel=2)
    return roles


def readouts(roles: Mapping[str, tuple[int, int]], ratio: float = READOUT_RATIO) -> frozenset[str]:
    """The compounds the papers measure rather than give: measured in more than ``ratio`` times as many papers as
    they are given in (``roles``: id -> (papers giving, papers measuring)).  A compound no sentence gives or
    measures stays: an approved drug is often only named ("siponimod for SPMS")."""
    return frozenset(eid for eid, (given, measured) in roles.items() if measured > ratio * given)


@cache
def _mesh_trees() -> tuple[list[str], list[str]]:
    """Every MeSH tree number, sorted, and the descriptor each belongs to."""
    pairs = sorted((tree, d.ui) for d in descriptors().values() for tree in d.trees)
    return [t for t, _ in pairs], [u for _, u in pairs]


def mesh_classes(entity_ids: Iterable[str], narrower: int = CLASS_NARROWER) -> frozenset[str]:
    """The MeSH descriptor ids among ``entity_ids`` with at least ``narrower`` narrower descriptors."""
    trees, uis = _mesh_trees()
    known = descriptors()
    found = set()
    for entity_id in entity_ids:
        descriptor = known.get(entity_id.removeprefix("MESH:")) if entity_id.startswith("MESH:") else None
        below: set[str] = set()
        for tree in descriptor.trees if descriptor else ():
            i = bisect_left(trees, tree + ".")
            while i < len(trees) and trees[i].startswith(tree + ".") and len(below) < narrower:
                below.add(uis[i])
                i += 1
        if len(below) >= narrower:
            found.add(entity_id)
    return frozenset(found)


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
    exclude: frozenset[str] | None = None,
    interventions_only: bool = True,
) -> list[TranslationalGap]:
    """The ``top`` gaps of each kind among ``row_type × col_type`` pairs, best first within each kind.

    Hubs (entities in more than ``max_df`` of the papers) and entities whose id or lower-cased name is in
    ``exclude`` take no part; by default (None) these are the model agents and the MeSH classes
    (:func:`mesh_classes`).  With ``interventions_only`` neither do the read-out compounds (:func:`readouts`).
    """
    inc = corpus.inc
    if exclude is None:
        exclude = MODEL_AGENTS | mesh_classes(inc.entity_ids)
    if interventions_only:
        exclude |= readouts(corpus.roles)
    counts = inc.paper_counts()
    limit = max_df * max(corpus.n_papers, 1)
    usable = [
        counts[i] <= limit and inc.entity_ids[i] not in exclude and inc.names[i].lower() not in exclude
        for i in range(inc.n_entities)
    ]
    rows = np.array([i for i, t in enumerate(inc.types) if t == row_type and usable[i]], dtype=np.int64)
    cols = np.array([i for i, t in enumerate(inc.types) if t == col_type and usable[i]], dtype=np.int64)
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
