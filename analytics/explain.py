"""Reasons behind a gap or a hypothesis: the linking terms two entities share, with counts and PMIDs.

Why: strategy staff must be able to check *why* a pair is called a gap.  Every gap cell and hypothesis carries
the intermediate terms B that each side is co-studied with (``A–B`` papers, ``B–C`` papers) and the PMIDs of
a few of those papers, so the claim can be traced to the literature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence


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


class Explainer:
    """Looks up shared neighbours and co-mentioning papers on one incidence."""

    def __init__(self, inc: Incidence, cooc: sp.csr_matrix | None = None) -> None:
        self.inc = inc
        self.cooc = inc.cooccurrence() if cooc is None else cooc
        self._csc = inc.matrix.tocsc()

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
        """Shared neighbours of ``a`` and ``b``, strongest first (by the weaker of the two links)."""
        row_a, row_b = self.cooc.getrow(a), self.cooc.getrow(b)
        shared = np.intersect1d(row_a.indices, row_b.indices)
        shared = shared[(shared != a) & (shared != b)]
        with_a = np.asarray(row_a[:, shared].todense()).ravel()
        with_b = np.asarray(row_b[:, shared].todense()).ravel()
        keep = np.minimum(with_a, with_b) >= min_papers
        shared, with_a, with_b = shared[keep], with_a[keep], with_b[keep]
        order = np.lexsort((-np.maximum(with_a, with_b), -np.minimum(with_a, with_b)))[:limit]
        inc = self.inc
        return [
            LinkingTerm(
                inc.entity_ids[z],
                inc.names[z],
                inc.types[z],
                int(with_a[k]),
                int(with_b[k]),
                self.pmids(a, z),
                self.pmids(z, b),
            )
            for k, z in ((k, int(shared[k])) for k in order)
        ]
