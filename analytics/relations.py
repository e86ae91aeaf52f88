"""Typed relations in the analytics: which links of the entity graph the literature *names*, and how.

Why: a linking path A–B–C built from co-mentions says only that the three are written about together.  When
its links are typed relations ("siponimod decreases microglial activation", "microglial activation associated
with SPMS"), the path is a stated chain of effects that a committee can check sentence by sentence.  So gap cells
and hypotheses say which of their paths are typed and which are bare co-mentions (:class:`RelationLink` on each
:class:`~analytics.explain.LinkingTerm`), and the relation-aware scorers (:mod:`analytics.scorers`) weigh typed
paths.  The edges come from the graph's ``RELATES`` relationships (``relation_edges``), with their papers per
year, so a time-sliced evaluation sees only the relations stated up to its cutoff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence, RelationEdge


@dataclass(frozen=True)
class RelationLink:
    """A typed relation on one link of a path, as a reader says it: ``text`` = "siponimod decreases microglial
    activation" (subject, verb, object; for an undirected relation the path's near side first)."""

    type: str
    verb: str
    directed: bool
    subject: str  # entity ids
    object: str
    papers: int
    text: str


#: What a linking path is, by how many of its two links are typed relations.
PATH_KINDS = {2: "typed", 1: "half typed", 0: "co-mention"}


class Relations:
    """The typed relations of a corpus, by entity pair."""

    def __init__(self, edges: Iterable[RelationEdge] = ()) -> None:
        self.edges = tuple(edges)
        by_pair: dict[frozenset[str], list[RelationEdge]] = {}
        for edge in self.edges:
            by_pair.setdefault(frozenset((edge.subject, edge.object)), []).append(edge)
        self._by_pair = {k: tuple(sorted(v, key=lambda e: (-e.papers, e.type))) for k, v in by_pair.items()}

    def __len__(self) -> int:
        return len(self.edges)

    def between(self, x: str, y: str) -> tuple[RelationEdge, ...]:
        """Every relation between entities ``x`` and ``y`` (either direction), most papers first."""
        return self._by_pair.get(frozenset((x, y)), ())

    def links(self, x: str, y: str, name: Callable[[str], str]) -> tuple[RelationLink, ...]:
        """The relations between ``x`` and ``y`` as read along a path from ``x`` to ``y`` (``name``: id → name)."""
        out = []
        for e in self.between(x, y):
            first, second = (e.subject, e.object) if e.directed else (x, y)
            text = f"{name(first)} {e.verb} {name(second)}"
            out.append(RelationLink(e.type, e.verb, e.directed, e.subject, e.object, e.papers, text))
        return tuple(out)

    def adjacency(self, inc: Incidence, min_year: int | None = None, max_year: int | None = None) -> sp.csr_matrix:
        """Symmetric 0/1 matrix over ``inc``'s entities: pairs with a typed relation stated in a paper of the
        years (any type; entities ``inc`` lacks are left out)."""
        index = inc.index()
        pairs = {
            (index[e.subject], index[e.object])
            for e in self.edges
            if e.subject in index and e.object in index and e.papers_between(min_year, max_year) > 0
        }
        rows = np.fromiter((p[0] for p in pairs), np.int64, len(pairs))
        cols = np.fromiter((p[1] for p in pairs), np.int64, len(pairs))
        n = inc.n_entities
        one = sp.csr_matrix((np.ones(len(pairs)), (rows, cols)), shape=(n, n))
        typed = ((one + one.T) > 0).astype(np.float64).tocsr()
        typed.setdiag(0)
        typed.eliminate_zeros()
        return typed


def path_kind(relations_a: tuple[RelationLink, ...], relations_b: tuple[RelationLink, ...]) -> str:
    """ "typed" (both links of the path are typed relations), "half typed" or "co-mention"."""
    return PATH_KINDS[bool(relations_a) + bool(relations_b)]


def paths_summary(kinds: list[str]) -> str:
    """What a pair's linking paths are, in words: "typed relations", "co-mentions only", or the mix
    ("mixed: 1 typed, 2 half typed, 2 co-mention"); "" when it has none."""
    if not kinds:
        return ""
    if all(k == "typed" for k in kinds):
        return "typed relations"
    if all(k == "co-mention" for k in kinds):
        return "co-mentions only"
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in PATH_KINDS.values() if k in kinds)
    return f"mixed: {counts}"
