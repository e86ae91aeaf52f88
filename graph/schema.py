"""The one graph schema both backends share: node labels with their key, relationships with their ends.

Why one table-driven schema: the embedded backend (LadybugDB, Kùzu dialect) needs every node and
relationship table declared with typed columns, Neo4j needs uniqueness constraints and indexes; both are
generated from :data:`NODES` and :data:`RELATIONSHIPS`, so the two stores cannot drift apart.

Entities: LadybugDB has no multi-label nodes, so every entity is one ``Entity`` node with a ``type``
property on both backends; on Neo4j the node also carries its type as a second label (``:Entity:Gene``) for
people browsing it in Neo4j Browser.  Named queries match ``(e:Entity)`` and filter on ``e.type``, so the
same Cypher runs on both, and ``CO_OCCURS`` is a single Entity→Entity relationship stored once per pair in
canonical order (smaller id first).

Study context (:mod:`nlp.study_context`) sits on Publication as plain properties, sets as string lists:
``design``, ``organisms``, ``in_vitro``, ``models``, ``ms_population``, and the ``evidence_levels`` the paper is
counted under, so a query filters or counts by evidence level with a list test on the node it already holds.
A publication the NLP stage has not annotated yet has no design (null) and empty lists.

Aggregates for interactive queries: ``EntityYear`` nodes (publications, and funded ones, per entity and year)
and ``CO_OCCURS_IN`` relationships (CO_OCCURS split by year) are written by every load from the same corpus
pass as CO_OCCURS, so "top entities 2015-2020" or a landscape cell sums a few precomputed counts instead of
walking every MENTIONS of a million-mention graph.  Undated publications count as year 0 in CO_OCCURS_IN (as
the queries' ``coalesce(p.year, 0)`` does) and as year null in EntityYear (``entity_timeline`` leaves them out).

Typed relations (:mod:`nlp.relations`): each publication ``STATES`` the relations its abstract gives, one
relationship per relation from the Publication to the subject entity, naming the object entity, type, direction,
novelty and evidence sentence (per publication, replaced with it; ``relation_evidence`` reads them).  ``RELATES``
is the corpus-wide edge per entity pair and relation type, recomputed by every load like CO_OCCURS: from the
subject to the object when the papers give a direction, else in canonical order (smaller id first); papers, novel
papers, the best evidence sentence with its PMID, and per-year paper counts (``years`` / ``year_papers``).
Co-occurrence edges stay as they are: relations add meaning, they do not replace the statistics.

Concept hierarchy: ``BROADER`` links an entity to every broader concept (a transitive closure, ``distance`` 1 for a
direct parent, ``source`` the ontologies on the way; :mod:`graph.hierarchy`), so "progressive MS and its subtypes"
is one pattern ``(e)-[:BROADER]->(:Entity {id: ...})`` on both backends, without variable-length paths.  Broader
concepts no publication mentions are Entity nodes with ``papers`` 0 (class nodes); ``tool_papers`` counts the
publications that use an entity as an experimental tool ("cuprizone-induced", :mod:`nlp.usage`); for a compound,
``given_papers`` and ``measured_papers`` count those that give it ("treated with") and those that measure it ("serum
levels of"), so the translational gaps can keep read-outs off the intervention side.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.records import ENTITY_TYPES


@dataclass(frozen=True)
class NodeSpec:
    label: str
    key: str
    props: dict[str, str]  # property name -> LadybugDB column type (the key included)
    indexed: tuple[str, ...] = ()  # extra Neo4j range indexes


@dataclass(frozen=True)
class RelSpec:
    type: str
    src: str
    dst: str
    props: dict[str, str]
    per_publication: bool  # replaced with its publication (else recomputed whole at the end of a load)
    identity: tuple[str, ...] = ()  # properties that, with both ends, tell two relationships apart


NODES: dict[str, NodeSpec] = {
    n.label: n
    for n in (
        NodeSpec(
            "Publication",
            "pmid",
            {
                "pmid": "STRING",
                "title": "STRING",
                "abstract": "STRING",
                "year": "INT64",
                "pub_date": "STRING",
                "journal": "STRING",
                "doi": "STRING",
                "has_abstract": "BOOLEAN",
                "funded": "BOOLEAN",
                "load_key": "STRING",
                "search_text": "STRING",
                "design": "STRING",
                "organisms": "STRING[]",
                "in_vitro": "BOOLEAN",
                "models": "STRING[]",
                "ms_population": "STRING[]",
                "evidence_levels": "STRING[]",
            },
            ("year", "doi", "design"),
        ),
        NodeSpec("Author", "id", {"id": "STRING", "name": "STRING", "orcid": "STRING"}, ("name",)),
        NodeSpec("Institution", "id", {"id": "STRING", "name": "STRING", "country": "STRING"}, ("country",)),
        NodeSpec("Journal", "id", {"id": "STRING", "name": "STRING", "issn": "STRING"}),
        NodeSpec("MeshTerm", "ui", {"ui": "STRING", "name": "STRING"}, ("name",)),
        NodeSpec(
            "Entity",
            "id",
            {
                "id": "STRING",
                "name": "STRING",
                "type": "STRING",
                "synonyms": "STRING[]",
                "biolink": "STRING",
                "kind": "STRING",
                "papers": "INT64",
                "first_year": "INT64",
                "last_year": "INT64",
                "tool_papers": "INT64",
                "given_papers": "INT64",
                "measured_papers": "INT64",
            },
            ("type", "name", "papers"),
        ),
        NodeSpec(
            "Award",
            "id",
            {
                "id": "STRING",
                "title": "STRING",
                "funder": "STRING",
                "programme": "STRING",
                "start_date": "STRING",
                "end_date": "STRING",
                "amount": "DOUBLE",
                "currency": "STRING",
                "pis": "STRING[]",
                "pi_ids": "STRING[]",
                "institutions": "STRING[]",
                "countries": "STRING[]",
                "named_links": "INT64",
            },
        ),
        NodeSpec(
            "Programme",
            "id",
            {"id": "STRING", "name": "STRING", "funder": "STRING", "year": "INT64", "description": "STRING"},
        ),
        NodeSpec("Funder", "id", {"id": "STRING", "name": "STRING"}),
        NodeSpec(
            "EntityYear",
            "id",
            {
                "id": "STRING",
                "entity": "STRING",
                "type": "STRING",
                "year": "INT64",
                "papers": "INT64",
                "funded_papers": "INT64",
            },
            ("entity", "type"),
        ),
    )
}

RELATIONSHIPS: dict[str, RelSpec] = {
    r.type: r
    for r in (
        RelSpec("AUTHORED", "Author", "Publication", {"position": "INT64", "last_author": "BOOLEAN"}, True),
        RelSpec("PUBLISHED_IN", "Publication", "Journal", {}, True),
        RelSpec("ANNOTATED_WITH", "Publication", "MeshTerm", {"major": "BOOLEAN"}, True),
        RelSpec(
            "MENTIONS",
            "Publication",
            "Entity",
            {"count": "INT64", "sections": "STRING", "sentence": "STRING", "sentence_index": "INT64"},
            True,
        ),
        RelSpec("FUNDED_BY", "Publication", "Award", {"provenance": "STRING"}, True),
        RelSpec(
            "AFFILIATED_WITH",
            "Author",
            "Institution",
            {"papers": "INT64", "first_year": "INT64", "last_year": "INT64"},
            False,
        ),
        RelSpec("CITES", "Publication", "Publication", {}, False),
        RelSpec("PART_OF", "Award", "Programme", {}, False),
        RelSpec("OFFERS", "Funder", "Programme", {}, False),
        RelSpec("FUNDS", "Funder", "Award", {}, False),
        RelSpec(
            "CO_OCCURS",
            "Entity",
            "Entity",
            {
                "papers": "INT64",
                "sentences": "INT64",
                "funded_papers": "INT64",
                "first_year": "INT64",
                "last_year": "INT64",
                "npmi": "DOUBLE",
            },
            False,
        ),
        RelSpec("BROADER", "Entity", "Entity", {"distance": "INT64", "source": "STRING"}, False),
        RelSpec(
            "STATES",
            "Publication",
            "Entity",
            {
                "object": "STRING",
                "type": "STRING",
                "verb": "STRING",
                "directed": "BOOLEAN",
                "novel": "BOOLEAN",
                "score": "DOUBLE",
                "sentence": "STRING",
                "sentence_index": "INT64",
            },
            True,
        ),
        RelSpec(
            "RELATES",
            "Entity",
            "Entity",
            {
                "type": "STRING",
                "verb": "STRING",
                "directed": "BOOLEAN",
                "subject": "STRING",
                "papers": "INT64",
                "novel_papers": "INT64",
                "directed_papers": "INT64",
                "first_year": "INT64",
                "last_year": "INT64",
                "score": "DOUBLE",
                "sentence": "STRING",
                "pmid": "STRING",
                "years": "INT64[]",
                "year_papers": "INT64[]",
            },
            False,
            ("type",),
        ),
        RelSpec(
            "CO_OCCURS_IN",
            "Entity",
            "Entity",
            {"year": "INT64", "papers": "INT64", "funded_papers": "INT64"},
            False,
            ("year",),
        ),
    )
}

#: Per-type labels of entity nodes (Neo4j adds them beside ``:Entity``; counts report them on both backends).
ENTITY_LABELS: tuple[str, ...] = tuple(ENTITY_TYPES)

#: Node labels whose nodes exist only through a publication; unlinked ones are removed at the end of a load.
DEPENDENT_NODES: tuple[str, ...] = ("Author", "Journal", "MeshTerm", "Entity")

#: Precomputed aggregates (publications per entity and year), rewritten whole by every load's corpus step.
AGGREGATE_NODES: tuple[str, ...] = ("EntityYear",)

#: Nodes several publications can name, with properties settled once per load from all of them.
SHARED_NODES: tuple[str, ...] = ("Author", "Institution", "Journal", "MeshTerm", "Entity")


def key_of(label: str) -> str:
    return NODES[label].key
