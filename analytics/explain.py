"""Reasons behind a gap or a hypothesis: the linking terms two entities share, with counts and PMIDs.

Why: strategy staff must be able to check *why* a pair is called a gap.  Every gap cell and hypothesis carries
the intermediate terms B that each side is co-studied with (``A–B`` papers, ``B–C`` papers) and the PMIDs of
a few of those papers, so the claim can be traced to the literature.

Why specificity-aware: ranking linking terms by raw counts lists the corpus's hub terms first ("multiple
sclerosis" links everything in an MS corpus), which explains nothing.  So a term co-mentioned with more than
half of the entities of A's or C's type is *generic* and not offered as a reason, and the others are ranked by
the weaker of their two links measured as cosine ``papers(A,B) / √(papers(A)·papers(B))``: it is small for a
hub B (large ``papers(B)``) and large when B is a real part of both A's and C's literature.  A rare B seen in
one paper with each side also scores high on cosine, so terms backed by at least two papers on both sides come
first and one-off co-mentions only fill the remaining places.

Why relations on the links: with the corpus's typed relations (:mod:`analytics.relations`), each link of a path
says whether the literature states a relation there ("siponimod decreases microglial activation") or only
co-mentions the two, so a reader sees which paths are stated chains of effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.relations import RelationLink, Relations, path_kind


@dataclass(frozen=True)
class LinkingTerm:
    """An intermediate entity B with the papers it shares with each side."""

    entity_id: str
    name: str
    type: str
    with_a: int
    with_b: int
    pmids_a: tuple[str, ...]  # a few papers mentioning A and B
    pmids_b: tuple[str, ...]  # a few papers mentioning B and C
    strength: float = 0.0  # min of the two cosine links: the ranking key
    relations_a: tuple[RelationLink, ...] = ()  # typed relations between A and B, read from A; () = co-mention
    relations_b: tuple[RelationLink, ...] = ()  # between B and C, read from B

    @property
    def path(self) -> str:
        """ "typed" (both links are typed relations), "half typed" or "co-mention"."""
        return path_kind(self.relations_a, self.relations_b)


#: A term co-mentioned with more than this share of a type's entities is generic for pairs involving that type.
GENERIC_SHARE = 0.5
#: Types with fewer entities than this have no generic terms (a share of a handful of entities says nothing).
MIN_TYPE_SIZE = 10


def type_shares(inc: Incidence, cooc: sp.csr_matrix) -> tuple[list[str], np.ndarray]:
    """The entity types and, per entity, the share of each type's entities it is co-mentioned with
    (entities × types; 0 for types smaller than :data:`MIN_TYPE_SIZE`)."""
    types = sorted(set(inc.types))
    column = np.array([types.index(t) for t in inc.types], dtype=np.int64)
    onehot = sp.csr_matrix((np.ones(inc.n_entities), (np.arange(inc.n_entities), column)), (inc.n_entities, len(types)))
    size = np.asarray(onehot.sum(axis=0)).ravel()
    linked = ((cooc > 0).astype(np.float64) @ onehot).toarray()
    return types, np.where(size >= MIN_TYPE_SIZE, linked / np.maximum(size, 1), 0.0)


class Explainer:
    """Looks up shared neighbours and co-mentioning papers on one incidence."""

    def __init__(
        self,
        inc: Incidence,
        cooc: sp.csr_matrix | None = None,
        generic_share: float = GENERIC_SHARE,
        informative: np.ndarray | None = None,
        relations: Relations | None = None,
    ) -> None:
        """``informative`` (a bool mask over entities), when given, replaces the generic-term rule: only those
        entities can be linking terms (the gap map passes its specificity rules, :mod:`analytics.specificity`).
        ``relations``: the typed relations each link of a path is checked against."""
        self.inc = inc
        self.cooc = inc.cooccurrence() if cooc is None else cooc
        self._csc = inc.matrix.tocsc()
        self._counts = inc.paper_counts().astype(np.float64)
        self._types, self._shares = type_shares(inc, self.cooc)
        self.generic_share = generic_share
        self.informative = informative
        self.relations = relations or Relations()
        self._names = dict(zip(inc.entity_ids, inc.names, strict=True))

    def generic(self, type_: str) -> np.ndarray:
        """Entities co-mentioned with more than ``generic_share`` of the entities of ``type_`` (a bool mask)."""
        if type_ not in self._types:
            return np.zeros(self.inc.n_entities, dtype=bool)
        return self._shares[:, self._types.index(type_)] > self.generic_share

    def papers(self, *entities: int) -> np.ndarray:
        """Row indices of the papers mentioning every given entity column."""
        rows: np.ndarray | None = None
        for e in entities:
            col = self._csc.indices[self._csc.indptr[e] : self._csc.indptr[e + 1]]
            rows = col if rows is None else np.intersect1d(rows, col, assume_unique=True)
        return np.empty(0, dtype=np.int64) if rows is None else rows

    def pmids(self, *entities: int, limit: int = 3) -> tuple[str, ...]:
        """The most recent ``limit`` PMIDs mentioning every given entity."""
        rows = self.papers(*entities)
        newest = rows[np.argsort(-self.inc.years[rows], kind="stable")][:limit]
        return tuple(self.inc.pmids[i] for i in newest)

    def linking_terms(self, a: int, b: int, limit: int = 5, min_papers: int = 1) -> list[LinkingTerm]:
        """Informative shared neighbours of ``a`` and ``b``: generic terms for either side's type left out, the
        rest strongest first by the weaker cosine link, terms backed by at least two papers on both sides before
        one-off co-mentions (ties: more papers on the weaker side first)."""
        row_a, row_b = self.cooc.getrow(a), self.cooc.getrow(b)
        shared = np.intersect1d(row_a.indices, row_b.indices)
        shared = shared[(shared != a) & (shared != b)]
        if self.informative is not None:
            shared = shared[self.informative[shared]]
        else:
            generic = self.generic(self.inc.types[a]) | self.generic(self.inc.types[b])
            shared = shared[~generic[shared]]
        with_a = np.asarray(row_a[:, shared].todense()).ravel()
        with_b = np.asarray(row_b[:, shared].todense()).ravel()
        keep = np.minimum(with_a, with_b) >= min_papers
        shared, with_a, with_b = shared[keep], with_a[keep], with_b[keep]
        n = self._counts
        strength = np.minimum(with_a / np.sqrt(n[a] * n[shared]), with_b / np.sqrt(n[b] * n[shared]))
        weaker = np.minimum(with_a, with_b)
        order = np.lexsort((shared, -weaker, -strength, weaker < 2))[:limit]
        ids, name = self.inc.entity_ids, self._name
        return [
            LinkingTerm(
                ids[z],
                self.inc.names[z],
                self.inc.types[z],
                int(with_a[k]),
                int(with_b[k]),
                self.pmids(a, z),
                self.pmids(z, b),
                float(strength[k]),
                self.relations.links(ids[a], ids[z], name),
                self.relations.links(ids[z], ids[b], name),
            )
            for k, z in ((k, int(shared[k])) for k in order)
        ]

    def _name(self, entity_id: str) -> str:
        return self._names.get(entity_id, entity_id)
