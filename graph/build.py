"""Relationships and properties derived from the whole corpus, recomputed at the end of every load.

Why recompute rather than patch: co-occurrence counts, NPMI, entity paper counts, affiliations and
citations depend on every publication, so after any change (or a load killed midway) the only state that is
certainly right is the one computed from all of them.  It is one streaming pass the loader makes anyway,
written in one transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike

from graph.hierarchy import Hierarchy
from graph.records import PublicationRows, Row
from graph.schema import SHARED_NODES, key_of
from ingest.names import clean
from nlp.records import ENTITY_TYPES, Relation, relation_verb


def npmi(observed: ArrayLike, n_a: ArrayLike, n_b: ArrayLike, n_papers: int) -> np.ndarray:
    """Normalised PMI ``log(p_ab / (p_a p_b)) / -log p_ab`` over papers, element-wise: −1 never together,
    0 independent, 1 always together.

    The one NPMI of gapmap: the loader's CO_OCCURS property (:func:`stored_npmi`), the networkx projection and the
    analytics' co-occurrence statistics (:mod:`analytics.cooccurrence`) all call it.
    """
    observed = np.asarray(observed, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_ab = observed / n_papers
        p_a = np.asarray(n_a, dtype=np.float64) / n_papers
        p_b = np.asarray(n_b, dtype=np.float64) / n_papers
        out = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    out = np.where(observed == 0, -1.0, out)
    return np.where(p_ab >= 1.0, 1.0, out)


def stored_npmi(pairs: Sequence[int], a: Sequence[int], b: Sequence[int], total: int) -> list[float]:
    """:func:`npmi` of each pair as the graph stores it: a float rounded to 6 decimals."""
    return [round(float(v), 6) for v in npmi(pairs, a, b, total)]


@dataclass
class _Span:
    count: int = 0
    funded: int = 0
    first: int | None = None
    last: int | None = None

    def add(self, year: int | None, funded: bool = False) -> None:
        self.count += 1
        self.funded += funded
        if year is not None:
            self.first = year if self.first is None else min(self.first, year)
            self.last = year if self.last is None else max(self.last, year)


@dataclass
class _RelationStats:
    """One (entity pair, relation type) over the corpus: papers, novel ones, directions, years, best evidence."""

    papers: int = 0
    novel: int = 0
    forward: int = 0  # papers saying the smaller id acts on the other
    backward: int = 0
    years: Counter[int] = field(default_factory=Counter)
    best: tuple[tuple[object, ...], Relation, str] | None = None  # (rank, relation, pmid)
    types: tuple[str, str] = ("", "")  # entity types of the smaller and the larger id
    span: _Span = field(default_factory=lambda: _Span())

    def add(self, rel: Relation, year: int | None) -> None:
        self.papers += 1
        self.novel += rel.novel
        if rel.directed:
            if rel.subject < rel.object:
                self.forward += 1
            else:
                self.backward += 1
        self.span.add(year)
        self.years[year or 0] += 1
        # the evidence shown: a novel finding over background, a stated direction, the surer one, the newest
        rank = (not rel.novel, not rel.directed, -rel.score, -(year or 0), rel.pmid)
        if self.best is None or rank < self.best[0]:
            self.best = (rank, rel, rel.pmid)


@dataclass
class Derived:
    """Accumulates what the corpus-wide relationships need while the loader streams publications."""

    pmids: set[str]
    papers: int = 0  # publications with at least one entity (the NPMI denominator)
    entities: dict[str, _Span] = field(default_factory=dict)
    tools: Counter[str] = field(default_factory=Counter)  # entity -> publications using it as a tool
    given: Counter[str] = field(default_factory=Counter)  # compound -> publications giving it
    measured: Counter[str] = field(default_factory=Counter)  # compound -> publications measuring it
    pairs: dict[tuple[str, str], _Span] = field(default_factory=dict)
    entity_years: dict[tuple[str, int | None], _Span] = field(default_factory=dict)
    pair_years: dict[tuple[str, str, int], _Span] = field(default_factory=dict)
    sentence_pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    affiliations: dict[tuple[str, str], _Span] = field(default_factory=dict)
    cites: list[tuple[str, str]] = field(default_factory=list)
    shared: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)  # label -> key -> row JSON -> n
    relations: dict[tuple[str, str, str], _RelationStats] = field(default_factory=dict)  # (a < b, type)

    def add(self, pub: PublicationRows) -> None:
        for label in SHARED_NODES:
            key = key_of(label)
            by_key = self.shared.setdefault(label, {})
            for row in pub.nodes.get(label, ()):
                by_key.setdefault(row[key], Counter())[json.dumps(row, sort_keys=True)] += 1
        ids = sorted(set(pub.entities))
        if ids:
            self.papers += 1
        self.tools.update(set(pub.tools))
        self.given.update(set(pub.given))
        self.measured.update(set(pub.measured))
        for cid in ids:
            self.entities.setdefault(cid, _Span()).add(pub.year)
            self.entity_years.setdefault((cid, pub.year), _Span()).add(pub.year, pub.funded)
        for a, b in combinations(ids, 2):
            self.pairs.setdefault((a, b), _Span()).add(pub.year, pub.funded)
            self.pair_years.setdefault((a, b, pub.year or 0), _Span()).add(pub.year, pub.funded)
        for together in pub.sentence_entities.values():
            self.sentence_pairs.update(combinations(sorted(together), 2))
        for rel in pub.relations:
            a, b = sorted((rel.subject, rel.object))
            stats = self.relations.setdefault((a, b, rel.type), _RelationStats())
            stats.types = (
                (rel.subject_type, rel.object_type) if a == rel.subject else (rel.object_type, rel.subject_type)
            )
            stats.add(rel, pub.year)
        for aff in sorted(set(pub.affiliations)):
            self.affiliations.setdefault(aff, _Span()).add(pub.year)
        self.cites.extend((pub.pmid, ref) for ref in pub.references if ref in self.pmids)

    def node_rows(self) -> dict[str, list[Row]]:
        """Nodes several publications share, each with the properties most publications gave it (ties: the
        smallest), so the result does not depend on load order or batching; entities with their statistics."""
        nodes: dict[str, list[Row]] = {}
        for label, by_key in self.shared.items():
            rows = []
            for _key, variants in sorted(by_key.items()):
                best = min(variants.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                rows.append(json.loads(best))
            nodes[label] = rows
        types = {}
        for row in nodes.get("Entity", []):
            span = self.entities[row["id"]]
            row.update(
                papers=span.count,
                first_year=span.first,
                last_year=span.last,
                tool_papers=self.tools[row["id"]],
                given_papers=self.given[row["id"]],
                measured_papers=self.measured[row["id"]],
            )
            types[row["id"]] = row["type"]
        nodes["EntityYear"] = [
            {
                "id": f"{cid}|{'' if year is None else year}",
                "entity": cid,
                "type": types[cid],
                "year": year,
                "papers": s.count,
                "funded_papers": s.funded,
            }
            for (cid, year), s in sorted(self.entity_years.items(), key=_year_order)
        ]
        return nodes

    def rels(self) -> dict[str, list[Row]]:
        """Corpus-wide relationship rows by type (CO_OCCURS in canonical order: smaller id first)."""
        pairs = sorted(self.pairs.items())
        scores = stored_npmi(
            [s.count for _, s in pairs],
            [self.entities[a].count for (a, _), _ in pairs],
            [self.entities[b].count for (_, b), _ in pairs],
            self.papers,
        )
        co = [
            {
                "src": a,
                "dst": b,
                "papers": s.count,
                "sentences": self.sentence_pairs.get((a, b), 0),
                "funded_papers": s.funded,
                "first_year": s.first,
                "last_year": s.last,
                "npmi": score,
            }
            for ((a, b), s), score in zip(pairs, scores, strict=True)
        ]
        aff = [
            {"src": a, "dst": i, "papers": s.count, "first_year": s.first, "last_year": s.last}
            for (a, i), s in sorted(self.affiliations.items())
        ]
        cites = [{"src": a, "dst": b} for a, b in sorted(set(self.cites))]
        by_year = [
            {"src": a, "dst": b, "year": year, "papers": s.count, "funded_papers": s.funded}
            for (a, b, year), s in sorted(self.pair_years.items())
        ]
        return {
            "CO_OCCURS": co,
            "CO_OCCURS_IN": by_year,
            "AFFILIATED_WITH": aff,
            "CITES": cites,
            "RELATES": self.relation_rows(),
        }

    def relation_rows(self) -> list[Row]:
        """One RELATES edge per (entity pair, relation type): from the subject to the object when more papers
        give that direction than the other (directed), else smaller id first (undirected)."""
        rows = []
        for (a, b, type_), s in sorted(self.relations.items()):
            assert s.best is not None
            directed = s.forward != s.backward
            src, dst = (b, a) if s.backward > s.forward else (a, b)
            types = s.types if src == a else (s.types[1], s.types[0])
            years = sorted(s.years)
            rel = s.best[1]
            rows.append(
                {
                    "src": src,
                    "dst": dst,
                    "type": type_,
                    "verb": relation_verb(type_, directed, *types),
                    "directed": directed,
                    "subject": src,
                    "papers": s.papers,
                    "novel_papers": s.novel,
                    "directed_papers": s.forward + s.backward,
                    "first_year": s.span.first,
                    "last_year": s.span.last,
                    "score": rel.score,
                    "sentence": clean(rel.sentence),
                    "pmid": rel.pmid,
                    "years": years,
                    "year_papers": [s.years[y] for y in years],
                }
            )
        return rows


def with_hierarchy(
    nodes: dict[str, list[Row]], rels: dict[str, list[Row]], hierarchy: Hierarchy
) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    """The corpus-wide rows plus the concept hierarchy: class nodes (broader concepts no publication mentions,
    ``papers`` 0) and the ``BROADER`` closure."""
    classes: list[Row] = []
    for c in hierarchy.classes:
        # the same keys in the same order as the entity rows (sorted properties, then the statistics): the embedded
        # backend updates nodes with one UNWIND over a list of rows, which must all have one shape
        row: Row = {
            "biolink": ENTITY_TYPES.get(c.type, "biolink:NamedThing"),
            "id": c.id,
            "kind": "",
            "name": c.name,
            "synonyms": [],
            "type": c.type,
        }
        row.update(papers=0, first_year=None, last_year=None, tool_papers=0, given_papers=0, measured_papers=0)
        classes.append(row)
    broader = [{"src": b.child, "dst": b.parent, "distance": b.distance, "source": b.source} for b in hierarchy.links]
    return {**nodes, "Entity": nodes.get("Entity", []) + classes}, {**rels, "BROADER": broader}


def _year_order(item: tuple[tuple[object, ...], _Span]) -> tuple[object, ...]:
    """Sort key of ``((ids..., year), span)`` items: undated (``None``) before any year."""
    *ids, year = item[0]
    return (*ids, -1 if year is None else year)
