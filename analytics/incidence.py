"""The paper × entity incidence matrix every statistic in :mod:`analytics` is computed from.

Why one sparse matrix: co-occurrence counts (``AᵀA``), yearly counts (``AᵀY``), neighbour scores and null-model
permutations are all products of this 0/1 matrix, so a million mentions cost seconds rather than a graph walk.
Rows are papers (with their publication year), columns are entities (with type and name).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

#: Year used for papers without a known publication year; they count in totals but in no yearly series.
NO_YEAR = 0


@dataclass(frozen=True)
class PaperEntity:
    """One (paper, entity) incidence: the paper mentions the entity at least once."""

    pmid: str
    year: int | None
    entity_id: str
    type: str
    name: str


@dataclass(frozen=True)
class BroaderLink:
    """``child`` is a kind of ``parent`` (``distance`` steps up), as the graph's concept hierarchy stores it."""

    child: str
    parent: str
    parent_name: str
    parent_type: str
    distance: int
    source: str


@dataclass(frozen=True)
class RelationEdge:
    """One ``RELATES`` edge: a relation type between two entities, from ``subject`` to ``object`` when the text
    gives a direction (``directed``), in a fixed order otherwise; its papers in all and per year."""

    subject: str
    object: str
    type: str
    verb: str
    directed: bool
    papers: int
    novel_papers: int = 0
    year_papers: tuple[tuple[int, int], ...] = ()  # (year, papers); year NO_YEAR for undated papers

    def papers_between(self, min_year: int | None = None, max_year: int | None = None) -> int:
        """Papers stating it published in ``[min_year, max_year]``; with a bound, undated papers do not count
        (as :meth:`Incidence.years_between` drops them)."""
        if min_year is None and max_year is None:
            return self.papers
        return sum(n for year, n in self._years(min_year, max_year))

    def within(self, min_year: int | None, max_year: int | None) -> RelationEdge:
        """The edge as the papers of ``[min_year, max_year]`` state it (``papers`` 0: none of them does; novel
        papers are not counted per year, so they are capped at the papers)."""
        kept = tuple(self._years(min_year, max_year))
        papers = sum(n for _, n in kept)
        return replace(self, papers=papers, novel_papers=min(self.novel_papers, papers), year_papers=kept)

    def _years(self, min_year: int | None, max_year: int | None) -> Iterator[tuple[int, int]]:
        for year, n in self.year_papers:
            if year != NO_YEAR and (min_year is None or year >= min_year) and (max_year is None or year <= max_year):
                yield year, n


@dataclass(frozen=True)
class Corpus:
    """Everything the analytics read: incidences plus the side inputs the risk score and the gap map need.

    ``funded`` holds PMIDs linked to an award; ``institutions`` maps a PMID to its last author's institution
    (the unit counted as one "independent group"); ``hierarchy`` is the concept hierarchy (broader concepts of
    every entity); ``tool_papers`` counts per entity the papers using it as an experimental tool and ``synonyms``
    its other names (both for the specificity rules, :mod:`analytics.specificity`); ``relations`` are the typed
    relations between entities (:mod:`analytics.relations`; empty for a corpus read from records); ``roles`` per
    compound the papers giving it and those measuring it (the translational gaps' read-outs,
    :mod:`analytics.translational`).
    """

    rows: list[PaperEntity]
    funded: frozenset[str] = frozenset()
    institutions: dict[str, str] = field(default_factory=dict)
    hierarchy: tuple[BroaderLink, ...] = ()
    tool_papers: dict[str, int] = field(default_factory=dict)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    relations: tuple[RelationEdge, ...] = ()
    roles: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (papers giving, papers measuring it)


@dataclass
class Incidence:
    """A binary papers × entities CSR matrix with the labels of its rows and columns."""

    matrix: sp.csr_matrix  # int32 0/1, papers × entities
    pmids: list[str]
    years: np.ndarray  # int per paper, NO_YEAR when unknown
    entity_ids: list[str]
    types: list[str]
    names: list[str]

    @classmethod
    def from_rows(cls, rows: Iterable[PaperEntity]) -> Incidence:
        """Build from incidences; duplicates collapse to one, the first type/name seen for an id wins."""
        paper_index: dict[str, int] = {}
        entity_index: dict[str, int] = {}
        years: list[int] = []
        types: list[str] = []
        names: list[str] = []
        row_idx: list[int] = []
        col_idx: list[int] = []
        for row in rows:
            p = paper_index.get(row.pmid)
            if p is None:
                p = paper_index[row.pmid] = len(paper_index)
                years.append(row.year or NO_YEAR)
            elif years[p] == NO_YEAR and row.year:
                years[p] = row.year
            e = entity_index.get(row.entity_id)
            if e is None:
                e = entity_index[row.entity_id] = len(entity_index)
                types.append(row.type)
                names.append(row.name)
            row_idx.append(p)
            col_idx.append(e)
        data = np.ones(len(row_idx), dtype=np.int32)
        matrix = sp.csr_matrix(
            (data, (np.asarray(row_idx, dtype=np.int64), np.asarray(col_idx, dtype=np.int64))),
            shape=(len(paper_index), len(entity_index)),
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1
        return cls(matrix, list(paper_index), np.asarray(years, dtype=np.int64), list(entity_index), types, names)

    @property
    def n_papers(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def n_entities(self) -> int:
        return int(self.matrix.shape[1])

    def paper_counts(self) -> np.ndarray:
        """Papers per entity (the marginals)."""
        return np.asarray(self.matrix.sum(axis=0)).ravel().astype(np.int64)

    def cooccurrence(self) -> sp.csr_matrix:
        """Entity × entity papers-in-common, diagonal removed (a symmetric CSR matrix)."""
        csc = self.matrix.T.tocsr()
        co = (csc @ self.matrix).tocsr()
        co.setdiag(0)
        co.eliminate_zeros()
        return co

    def index(self) -> dict[str, int]:
        """Column of each entity id."""
        return {e: i for i, e in enumerate(self.entity_ids)}

    def select(self, paper_mask: np.ndarray | None = None, entity_mask: np.ndarray | None = None) -> Incidence:
        """A sub-incidence; entities left with no paper are dropped so every column is present."""
        m = self.matrix
        pm = np.ones(self.n_papers, dtype=bool) if paper_mask is None else paper_mask
        m = m[pm]
        em = np.asarray(m.sum(axis=0)).ravel() > 0
        if entity_mask is not None:
            em &= entity_mask
        m = m[:, em].tocsr()
        cols = np.flatnonzero(em)
        keep_rows = np.flatnonzero(pm)
        return Incidence(
            m,
            [self.pmids[i] for i in keep_rows],
            self.years[pm],
            [self.entity_ids[i] for i in cols],
            [self.types[i] for i in cols],
            [self.names[i] for i in cols],
        )

    def years_between(self, min_year: int | None = None, max_year: int | None = None) -> Incidence:
        """Papers published in ``[min_year, max_year]`` (either bound optional); papers without a year drop."""
        mask = self.years != NO_YEAR
        if min_year is not None:
            mask &= self.years >= min_year
        if max_year is not None:
            mask &= self.years <= max_year
        return self.select(paper_mask=mask)

    def of_types(self, types: Sequence[str] | None) -> Incidence:
        """Only entities of the given types (all when ``types`` is empty/None)."""
        if not types:
            return self
        wanted = set(types)
        return self.select(entity_mask=np.array([t in wanted for t in self.types], dtype=bool))
