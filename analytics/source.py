"""Where the analytics get their :class:`~analytics.incidence.Corpus`: the graph store, or parsed records.

Why two doors: the CLI and the explorer read the loaded graph through named queries (either backend), while
tests and benchmarks build the same rows straight from real PubMed records (MeSH headings typed by
:func:`nlp.record_terms.mentions_from_record`), so the statistics can be checked without a graph load.

Named queries read (files in ``queries/``) and the columns used: ``paper_entities`` (pmid, year, id, type,
name), ``funded_publications`` (pmid), ``last_author_institutions`` (pmid, institution), ``concept_hierarchy``
(child, parent, parent_name, parent_type, distance, source), ``entity_profiles`` (id, synonyms, tool_papers,
given_papers, measured_papers) and ``relation_edges`` (a, b, relation, verb, directed, papers, novel_papers, years,
year_papers).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from analytics.incidence import BroaderLink, Corpus, PaperEntity, RelationEdge
from core.errors import GapmapError
from ingest.files import iter_file_events
from ingest.names import parse_affiliation
from ingest.records import Article
from nlp.record_terms import mentions_from_record

#: Large enough for "every row" in queries that declare a ``limit``.
ALL = 1_000_000_000


def from_graph(store: Any, min_year: int | None = None, max_year: int | None = None) -> Corpus:
    """Incidences, funded PMIDs and last-author institutions from a :class:`graph.store.GraphStore`.

    Without a ``last_author_institutions`` query the corpus has no institutions (the risk score then counts
    no independent groups), with a warning rather than a failure.
    """
    years = {k: v for k, v in (("min_year", min_year), ("max_year", max_year)) if v is not None}
    rows = [
        PaperEntity(str(r["pmid"]), int(r["year"]) if r.get("year") else None, str(r["id"]), r["type"], r["name"])
        for r in store.stream("paper_entities", years)
    ]
    funded = frozenset(str(r["pmid"]) for r in store.query("funded_publications", {"limit": ALL}))
    try:
        institutions = {str(r["pmid"]): str(r["institution"]) for r in store.query("last_author_institutions", {})}
    except GapmapError as exc:
        warnings.warn(f"no last-author institutions ({exc.message}); groups count as 0", stacklevel=2)
        institutions = {}
    try:
        hierarchy = tuple(
            BroaderLink(r["child"], r["parent"], r["parent_name"], r["parent_type"], int(r["distance"]), r["source"])
            for r in store.query("concept_hierarchy", {})
        )
        profiles = store.query("entity_profiles", {})
    except (GapmapError, RuntimeError) as exc:  # a graph loaded before the hierarchy existed
        warnings.warn(f"no concept hierarchy in the graph ({exc}); run `gapmap load` again", stacklevel=2)
        hierarchy, profiles = (), []
    return Corpus(
        rows,
        funded,
        institutions,
        hierarchy,
        {str(r["id"]): int(r["tool_papers"] or 0) for r in profiles},
        {str(r["id"]): tuple(r["synonyms"] or ()) for r in profiles},
        relation_edges(store, min_year, max_year),
        {str(r["id"]): (int(r["given_papers"] or 0), int(r["measured_papers"] or 0)) for r in profiles},
    )


def relation_edges(store: Any, min_year: int | None = None, max_year: int | None = None) -> tuple[RelationEdge, ...]:
    """The graph's typed relations (``RELATES``) with their papers per year, counted in the years like the
    paper rows (an edge stated in no paper of the years is left out); none, with a warning, from a graph loaded
    before relations were extracted."""
    try:
        found = store.query("relation_edges", {})
    except (GapmapError, RuntimeError) as exc:
        warnings.warn(f"no typed relations in the graph ({exc}); run `gapmap load` again", stacklevel=2)
        return ()
    edges = []
    for r in found:
        per_year = zip((int(y or 0) for y in r["years"] or ()), (int(n) for n in r["year_papers"] or ()), strict=True)
        edge = RelationEdge(
            str(r["a"]),
            str(r["b"]),
            str(r["relation"]),
            str(r["verb"]),
            bool(r["directed"]),
            int(r["papers"] or 0),
            int(r["novel_papers"] or 0),
            tuple(per_year),
        )
        if min_year is not None or max_year is not None:
            edge = edge.within(min_year, max_year)
        if edge.papers:
            edges.append(edge)
    return tuple(edges)


def articles_in(paths: Iterable[Path]) -> Iterator[Article]:
    """The parsed records of PubMed files (XML, MEDLINE text, JSON Lines; gzip or not); rejects are skipped."""
    for path in paths:
        for event in iter_file_events(path):
            if isinstance(event, Article):
                yield event


def from_articles(articles: Iterable[Article], hierarchy: bool = False) -> Corpus:
    """The same corpus from parsed records: typed MeSH/chemical terms, GrantList-funded, last-author institution,
    and (``hierarchy``) the concept hierarchy the graph load would store for these terms.

    A PMID seen twice keeps its first record (PubMed files repeat records across updates).
    """
    rows: list[PaperEntity] = []
    funded: set[str] = set()
    institutions: dict[str, str] = {}
    seen: set[str] = set()
    for article in articles:
        if article.pmid in seen:
            continue
        seen.add(article.pmid)
        for m in mentions_from_record(article):
            rows.append(PaperEntity(article.pmid, article.year, m.concept_id, m.type, m.concept_name))
        if article.grants:
            funded.add(article.pmid)
        last = article.authors[-1] if article.authors else None
        affiliation = parse_affiliation(last.affiliations[0]) if last and last.affiliations else None
        if affiliation:
            institutions[article.pmid] = affiliation.key
    rows = list(dict.fromkeys(rows))
    return Corpus(rows, frozenset(funded), institutions, broader_links(rows) if hierarchy else ())


def broader_links(rows: Iterable[PaperEntity]) -> tuple[BroaderLink, ...]:
    """The concept hierarchy of the entities of ``rows``, as :func:`graph.hierarchy.build_hierarchy` builds it."""
    from graph.hierarchy import EntityRef, build_hierarchy

    entities = {r.entity_id: EntityRef(r.entity_id, r.name, r.type) for r in rows}
    built = build_hierarchy(entities.values())
    nodes = {**{c.id: c for c in built.classes}, **entities}
    return tuple(
        BroaderLink(b.child, b.parent, nodes[b.parent].name, nodes[b.parent].type, b.distance, b.source)
        for b in built.links
    )
