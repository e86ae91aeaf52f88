"""The concept hierarchy over an incidence: broader concepts, narrower ones, and roll-up to a chosen level.

Why here as well as in the graph: the graph stores the hierarchy (``BROADER``, :mod:`graph.hierarchy`) so that named
queries can include narrower concepts; the analytics need it on the incidence's columns, to

* **roll up** (``roll_up``, up to a chosen number of levels): an entity's papers include those of its narrower
  concepts of the same type ("lymphocyte activation" counts the T and B cell activation papers; "S1P receptor
  modulators" fingolimod's), and broader concepts nobody names themselves become columns too.  Paper × entity
  stays 0/1, so a paper naming two subtypes counts once for their parent;
* tell **class nouns** from specific concepts (a concept with narrower ones in the corpus, or one near an
  ontology's top), and **tools** and **readouts** from interventions (a ChEBI "histological dye" role, MeSH
  "Laboratory Chemicals"), in :mod:`analytics.specificity`;
* tell a pair that **names the same thing twice** (one is a kind of the other) from a gap;
* define the **disease contexts** (progressive MS with its subtypes, MS, other neurological diseases) in
  :mod:`analytics.contexts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import BroaderLink, Incidence

#: Sources that place a concept in an ontology (its distance to the ontology's top is a depth).
ONTOLOGY_SOURCES = frozenset({"mesh", "go", "doid"})


@dataclass
class ConceptTree:
    """Broader concepts of every column of one incidence (ids, also of classes no paper names)."""

    inc: Incidence
    broader: list[dict[str, int]]  # column -> {broader concept id: distance}
    names: dict[str, str]  # every id's name (entities and classes)
    types: dict[str, str]
    depth: np.ndarray  # per column: longest ontology path up (0 = an ontology's top); -1 when not placed

    @classmethod
    def build(cls, inc: Incidence, links: Iterable[BroaderLink]) -> ConceptTree:
        index = inc.index()
        broader: list[dict[str, int]] = [{} for _ in range(inc.n_entities)]
        names = dict(zip(inc.entity_ids, inc.names, strict=True))
        types = dict(zip(inc.entity_ids, inc.types, strict=True))
        depth = np.full(inc.n_entities, -1, dtype=np.int64)
        links = list(links)
        for link in links:
            names.setdefault(link.parent, link.parent_name)
            types.setdefault(link.parent, link.parent_type)
            col = index.get(link.child)
            if col is None:
                continue
            broader[col][link.parent] = link.distance
            if set(link.source.split("+")) <= ONTOLOGY_SOURCES:
                depth[col] = max(depth[col], link.distance)
        for col, eid in enumerate(inc.entity_ids if links else ()):  # no hierarchy at all: no depth known
            if depth[col] < 0 and eid.split(":")[0] in {"MESH", "GO", "DOID"} and not eid.startswith("MESH:C"):
                depth[col] = 0  # an ontology id with no broader concept: the ontology's top
        return cls(inc, broader, names, types, depth)

    def is_under(self, col: int, concept_id: str) -> bool:
        """The column is the concept or one of its narrower concepts."""
        return self.inc.entity_ids[col] == concept_id or concept_id in self.broader[col]

    def under(self, concept_ids: Sequence[str]) -> np.ndarray:
        """Columns that are any of the concepts or narrower than one of them (a bool mask)."""
        wanted = set(concept_ids)
        return np.array(
            [
                eid in wanted or not wanted.isdisjoint(up)
                for eid, up in zip(self.inc.entity_ids, self.broader, strict=True)
            ],
            dtype=bool,
        )

    def related(self, a: int, b: int) -> bool:
        """One of the two columns is a kind of the other."""
        return self.inc.entity_ids[b] in self.broader[a] or self.inc.entity_ids[a] in self.broader[b]

    def narrower_counts(self, same_type: bool = True) -> np.ndarray:
        """Per column: how many of the incidence's entities are narrower concepts of it (of its type)."""
        index = self.inc.index()
        out = np.zeros(self.inc.n_entities, dtype=np.int64)
        for col, up in enumerate(self.broader):
            for parent in up:
                target = index.get(parent)
                if target is not None and (not same_type or self.inc.types[target] == self.inc.types[col]):
                    out[target] += 1
        return out

    def has_ancestor(self, concept_ids: Iterable[str]) -> np.ndarray:
        """Columns with any of the concepts among their broader ones (a bool mask)."""
        wanted = set(concept_ids)
        return np.array([not wanted.isdisjoint(up) for up in self.broader], dtype=bool)


def roll_up(inc: Incidence, links: Iterable[BroaderLink], levels: int = 1) -> Incidence:
    """Each entity's papers include those of its narrower concepts of the same type up to ``levels`` steps below
    it; a broader concept no paper names becomes a column when it gathers at least two of the corpus's entities
    and more papers than any one of them (a parent with a single named child would repeat that child).  Entity
    order: the incidence's own, then the new class columns by id."""
    links = [link for link in links if link.distance <= levels]
    tree = ConceptTree.build(inc, links)
    index = dict(inc.index())
    ids, types, names = list(inc.entity_ids), list(inc.types), list(inc.names)
    members: dict[str, list[int]] = {}
    for link in links:
        col = index.get(link.child)
        if col is not None and tree.types[link.parent] == inc.types[col]:
            members.setdefault(link.parent, []).append(col)
    csc = inc.matrix.tocsc()
    ptr, rows_of = csc.indptr, csc.indices
    for cid in sorted(members):
        kids = members[cid]
        if cid in index or len(kids) < 2:
            continue
        papers = np.unique(np.concatenate([rows_of[ptr[k] : ptr[k + 1]] for k in kids])).size
        if papers > max(ptr[k + 1] - ptr[k] for k in kids):
            index[cid] = len(ids)
            ids.append(cid)
            types.append(tree.types[cid])
            names.append(tree.names[cid])
    rows, cols = [np.arange(inc.n_entities)], [np.arange(inc.n_entities)]
    for parent, kids in members.items():
        if parent in index:
            rows.append(np.asarray(kids, dtype=np.int64))
            cols.append(np.full(len(kids), index[parent]))
    spread = sp.csr_matrix(
        (np.ones(sum(r.size for r in rows)), (np.concatenate(rows), np.concatenate(cols))), (inc.n_entities, len(ids))
    )
    matrix = (inc.matrix.astype(np.float64) @ spread).tocsr()
    matrix.data[:] = 1
    return Incidence(matrix.astype(np.int32), list(inc.pmids), inc.years.copy(), ids, types, names)
