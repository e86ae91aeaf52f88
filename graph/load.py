"""``gapmap load``: bring a graph store in line with the article store and its mentions.

How a load stays idempotent and crash-safe:

1. funders, programmes and awards are made exactly the store's portfolio (one transaction);
2. every article is turned into its rows (:func:`graph.records.publication_rows`) whose hash, the load key,
   is compared with the key on its Publication node; only new or changed publications are written, in
   batches, each batch one transaction that replaces the publications' relationships and sets their keys;
3. publications that left the article store are removed;
4. corpus-wide relationships (CO_OCCURS, CO_OCCURS_IN, RELATES, AFFILIATED_WITH, CITES), entity statistics, the
   EntityYear aggregates and the concept hierarchy (BROADER, class nodes; :mod:`graph.hierarchy`) are recomputed
   from all publications and the difference with the stored ones is written in one transaction, and nodes
   nothing links to any more are dropped.

A second load writes no publication; a load killed midway is finished by the next one, because the
corpus-wide step always runs from the full picture.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from graph.build import Derived, with_hierarchy
from graph.hierarchy import EntityRef, build_hierarchy
from graph.records import PublicationRows, Row, portfolio_rows, publication_rows
from graph.store import GraphWriter
from ingest.records import Article, FundingLink
from ingest.store import ArticleStore
from nlp.mention_store import MentionStore
from nlp.records import Mention, Relation


@dataclass
class LoadReport:
    publications: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    relationships: int = 0  # relationships created (per-publication and corpus-wide)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Relationships created per second."""
        return self.relationships / self.seconds if self.seconds else 0.0


class _HasPmid(Protocol):
    pmid: str


_T = TypeVar("_T", bound=_HasPmid)


class _ByPmid:
    """The records of one article at a time from a stream in numeric PMID order."""

    def __init__(self, records: Iterable[_T]) -> None:
        self._pending: Iterator[_HasPmid] = iter(records)
        self._head = next(self._pending, None)

    def take(self, pmid: int) -> list:  # type: ignore[type-arg]
        while self._head is not None and int(self._head.pmid) < pmid:
            self._head = next(self._pending, None)
        own = []
        while self._head is not None and int(self._head.pmid) == pmid:
            own.append(self._head)
            self._head = next(self._pending, None)
        return own


def with_mentions(
    articles: Iterable[Article], mentions: Iterable[Mention], relations: Iterable[Relation] = ()
) -> Iterator[tuple[Article, list[Mention], list[Relation]]]:
    """Pair each article with its mentions and relations; all streams come in numeric PMID order."""
    by_mentions, by_relations = _ByPmid(mentions), _ByPmid(relations)
    for article in articles:
        pmid = int(article.pmid)
        yield article, by_mentions.take(pmid), by_relations.take(pmid)


def merge_rows(pubs: list[PublicationRows]) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    """One batch's nodes (deduplicated on their key, first seen wins) and relationships."""
    from graph.schema import key_of

    nodes: dict[str, dict[str, Row]] = {}
    rels: dict[str, list[Row]] = {}
    for pub in pubs:
        for label, rows in pub.nodes.items():
            by_key = nodes.setdefault(label, {})
            for row in rows:
                by_key.setdefault(row[key_of(label)], row)
        for type_, rows in pub.rels.items():
            rels.setdefault(type_, []).extend(rows)
    return {label: list(rows.values()) for label, rows in nodes.items()}, rels


def load(
    articles: ArticleStore,
    store: GraphWriter,
    *,
    batch_size: int = 5000,
    on_progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Load ``articles`` (with mentions and funding) into ``store``; see the module docstring."""
    started = time.perf_counter()
    report = LoadReport()
    store.ensure_schema()
    mention_store = MentionStore(articles.connection)
    concepts = {c.concept_id: c for c in mention_store.concepts()}
    contexts = mention_store.contexts()
    mesh_uis = mention_store.mesh_uis()
    awards = articles.awards()
    award_ids = {a.award_id for a in awards}
    portfolio_nodes, portfolio_rels = portfolio_rows(articles.programmes(), awards)
    store.write_portfolio(portfolio_nodes, portfolio_rels)
    report.relationships += sum(len(r) for r in portfolio_rels.values())
    links: dict[str, list[FundingLink]] = {}
    for link in articles.funding_links():
        links.setdefault(link.pmid, []).append(link)

    existing = store.load_keys()
    pmids = articles.pmids()
    derived = Derived(pmids)
    batch: list[PublicationRows] = []

    def flush() -> None:
        if batch:
            nodes, rels = merge_rows(batch)
            store.write_publications([p.pmid for p in batch], nodes, rels)
            report.written += len(batch)
            report.relationships += sum(len(r) for r in rels.values())
            batch.clear()

    streams = with_mentions(articles.iter_articles(), mention_store.iter_mentions(), mention_store.iter_relations())
    for article, mentions, relations in streams:
        context = contexts.get(article.pmid)
        rows = publication_rows(
            article, mentions, links.get(article.pmid, ()), concepts, award_ids, mesh_uis, context, relations
        )
        derived.add(rows)
        report.publications += 1
        if existing.get(article.pmid) == rows.load_key:
            report.unchanged += 1
        else:
            batch.append(rows)
            if len(batch) >= batch_size:
                flush()
        if on_progress is not None:
            on_progress(1)
    flush()
    gone = sorted(set(existing) - pmids)
    if gone:
        store.delete_publications(gone)
        report.removed = len(gone)
    nodes = derived.node_rows()
    hierarchy = build_hierarchy(
        EntityRef(r["id"], r["name"], r["type"], tuple(r["synonyms"]), tuple(concepts[r["id"]].xrefs))
        if r["id"] in concepts
        else EntityRef(r["id"], r["name"], r["type"], tuple(r["synonyms"]))
        for r in nodes.get("Entity", [])
    )
    report.relationships += store.write_corpus(*with_hierarchy(nodes, derived.rels(), hierarchy))
    store.checkpoint()
    report.seconds = time.perf_counter() - started
    return report
