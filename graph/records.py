"""Graph rows of one publication: its node and relationship rows, built from an article, its mentions and
funding links.

Why per publication: a publication is the unit a load replaces.  Its rows hash to a ``load_key`` stored on
the Publication node in the same transaction as its relationships, so a later load skips unchanged
publications, replaces changed ones whole, and a load killed midway redoes only what was not committed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.names import clean, name_key, parse_affiliation
from ingest.records import Article, Author, Award, FundingLink, MeshHeading, Programme
from nlp.records import ENTITY_TYPES, Concept, Mention, Relation, relation_verb
from nlp.study_context import StudyContext
from nlp.usage import is_given, is_measured, used_as_tool

Row = dict[str, Any]


def author_id(author: Author) -> str:
    """ORCID when the record has one, else a normalised "last name + initials" key."""
    orcid = re.sub(r"^https?://orcid\.org/", "", author.orcid.strip())
    if orcid:
        return f"orcid:{orcid}"
    if author.collective_name:
        return f"group:{name_key(author.collective_name)}"
    initials = name_key(author.initials or "".join(p[:1] for p in author.fore_name.split())).replace(" ", "")
    return f"name:{name_key(author.last_name)} {initials}".strip()


def pi_author_id(name: str) -> str:
    """The Author id a principal investigator named "First Last" would have (last name and initials)."""
    *given, last = clean(name).split() or [""]
    return author_id(Author(last_name=last, fore_name=" ".join(given)))


@dataclass
class PublicationRows:
    """Everything one publication contributes to the graph (its per-publication relationships)."""

    pmid: str
    year: int | None
    funded: bool
    nodes: dict[str, list[Row]] = field(default_factory=dict)
    rels: dict[str, list[Row]] = field(default_factory=dict)
    entities: list[str] = field(default_factory=list)  # concept ids mentioned
    tools: list[str] = field(default_factory=list)  # concept ids the publication uses as an experimental tool
    given: list[str] = field(default_factory=list)  # compound ids the publication names as given (nlp.usage)
    measured: list[str] = field(default_factory=list)  # compound ids it names as measured
    sentence_entities: dict[int, set[str]] = field(default_factory=dict)  # sentence index -> concept ids
    affiliations: list[tuple[str, str]] = field(default_factory=list)  # (author id, institution key)
    references: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)  # typed relations between its entities
    load_key: str = ""

    def node(self, label: str, row: Row) -> None:
        self.nodes.setdefault(label, []).append(row)

    def rel(self, type_: str, src: str, dst: str, **props: Any) -> None:
        self.rels.setdefault(type_, []).append({"src": src, "dst": dst, **props})


def search_text(article: Article) -> str:
    """Title and abstract lower-cased, one line each: ``search_publications`` matches a lower-cased substring
    against it (a Neo4j text index serves the CONTAINS), instead of lower-casing every abstract per query."""
    return f"{clean(article.title)}\n{clean(article.abstract_text)}".lower()


def mesh_ui(heading: MeshHeading, resolved: Mapping[str, str]) -> str:
    """The descriptor id. MEDLINE text names headings without ids: ``resolved`` holds the ids the NLP stage found
    for those names (:meth:`nlp.mention_store.MentionStore.mesh_uis`); a name it does not know keys itself."""
    if heading.descriptor_ui:
        return heading.descriptor_ui
    return resolved.get(heading.descriptor_name.lower()) or f"name:{name_key(heading.descriptor_name)}"


def entity_row(concept_id: str, concept: Concept | None, mention: Mention) -> Row:
    """Entity node properties, from the concept table when it knows the id, else from the mention."""
    type_ = concept.type if concept else mention.type
    return {
        "id": concept_id,
        "name": clean(concept.name if concept else mention.concept_name),
        "type": type_,
        "synonyms": sorted(concept.synonyms) if concept else [],
        "biolink": ENTITY_TYPES.get(type_, "biolink:NamedThing"),
        "kind": (concept.kind if concept else "") or mention.kind,
    }


def context_row(context: StudyContext | None) -> Row:
    """Publication properties of a study context (no design and empty lists before annotation)."""
    if context is None:
        return {
            "design": None,
            "organisms": [],
            "in_vitro": None,
            "models": [],
            "ms_population": [],
            "evidence_levels": [],
        }
    return {**context.to_dict(), "evidence_levels": list(context.evidence_levels)}


def _best(mentions: list[Mention]) -> Mention:
    """The evidence sentence shown for a (publication, entity) pair: a real sentence over record metadata,
    then the highest score, then the earliest sentence."""
    return min(mentions, key=lambda m: (m.sentence_index < 0, -m.score, m.sentence_index, m.start))


def publication_rows(
    article: Article,
    mentions: Iterable[Mention],
    links: Iterable[FundingLink],
    concepts: dict[str, Concept],
    award_ids: set[str],
    mesh_uis: Mapping[str, str],
    context: StudyContext | None = None,
    relations: Iterable[Relation] = (),
) -> PublicationRows:
    """The rows of ``article`` (links to awards the store does not hold are left out: no dangling ends);
    ``mesh_uis`` names the MeSH headings that the record names without an id (see :func:`mesh_ui`), ``context``
    is its study context, None when the NLP stage has not annotated it yet.

    Each relation becomes a ``STATES`` relationship from the publication to its subject entity; a relation whose
    ends are not both mentioned (so not both Entity nodes of this publication) is left out."""
    funding = sorted({(lk.award_id, lk.provenance) for lk in links if lk.award_id in award_ids})
    out = PublicationRows(article.pmid, article.year, bool(funding))
    journal_id = name_key(article.journal or article.journal_abbrev)
    out.node(
        "Publication",
        {
            "pmid": article.pmid,
            "title": clean(article.title),
            "abstract": clean(article.abstract_text),
            "year": article.year,
            "pub_date": article.pub_date,
            "journal": clean(article.journal or article.journal_abbrev),
            "doi": article.doi,
            "has_abstract": article.has_abstract,
            "funded": bool(funding),
            "search_text": search_text(article),
            **context_row(context),
        },
    )
    if journal_id:
        out.node(
            "Journal",
            {"id": journal_id, "name": clean(article.journal or article.journal_abbrev), "issn": article.issn},
        )
        out.rel("PUBLISHED_IN", article.pmid, journal_id)
    seen_authors: set[str] = set()
    for position, author in enumerate(article.authors, start=1):
        aid = author_id(author)
        if not aid or aid in seen_authors:
            continue
        seen_authors.add(aid)
        out.node("Author", {"id": aid, "name": clean(author.display_name), "orcid": author.orcid})
        out.rel("AUTHORED", aid, article.pmid, position=position, last_author=position == len(article.authors))
        for text in author.affiliations:
            aff = parse_affiliation(text)
            if aff and aff.key:
                out.node("Institution", {"id": aff.key, "name": aff.name, "country": aff.country})
                out.affiliations.append((aid, aff.key))
    headings: dict[str, MeshHeading] = {}
    for heading in article.mesh:
        headings.setdefault(mesh_ui(heading, mesh_uis), heading)
    for ui, heading in sorted(headings.items()):
        out.node("MeshTerm", {"ui": ui, "name": clean(heading.descriptor_name)})
        out.rel("ANNOTATED_WITH", article.pmid, ui, major=heading.major_topic)
    by_concept: dict[str, list[Mention]] = {}
    for m in mentions:
        by_concept.setdefault(m.concept_id, []).append(m)
        if m.sentence_index >= 0:
            out.sentence_entities.setdefault(m.sentence_index, set()).add(m.concept_id)
    for concept_id in sorted(by_concept):
        group = by_concept[concept_id]
        best = _best(group)
        row = entity_row(concept_id, concepts.get(concept_id), best)
        out.node("Entity", row)
        out.rel(
            "MENTIONS",
            article.pmid,
            concept_id,
            count=len(group),
            sections="; ".join(sorted({m.section for m in group})),
            sentence=clean(best.sentence),
            sentence_index=best.sentence_index,
        )
        out.entities.append(concept_id)
        if any(used_as_tool(m) for m in group):
            out.tools.append(concept_id)
        if row["type"] == "Compound":  # given or measured: the roles of a compound in a study
            if any(is_given(m) for m in group):
                out.given.append(concept_id)
            if any(is_measured(m) for m in group):
                out.measured.append(concept_id)
    for rel in sorted(relations, key=lambda r: (r.subject, r.object, r.type)):
        if rel.subject in by_concept and rel.object in by_concept and rel.subject != rel.object:
            out.relations.append(rel)
            out.rel(
                "STATES",
                article.pmid,
                rel.subject,
                object=rel.object,
                type=rel.type,
                verb=relation_verb(rel.type, rel.directed, rel.subject_type, rel.object_type),
                directed=rel.directed,
                novel=rel.novel,
                score=rel.score,
                sentence=clean(rel.sentence),
                sentence_index=rel.sentence_index,
            )
    for award_id, provenance in funding:
        out.rel("FUNDED_BY", article.pmid, award_id, provenance=provenance)
    out.references = sorted(set(article.references) - {article.pmid})
    payload = json.dumps([out.nodes, out.rels, out.affiliations, out.references], sort_keys=True, default=str)
    out.load_key = hashlib.sha1(payload.encode("utf-8")).hexdigest()
    out.nodes["Publication"][0]["load_key"] = out.load_key
    return out


def portfolio_rows(
    programmes: Iterable[Programme], awards: Iterable[Award]
) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    """Funder, Programme and Award nodes with PART_OF (award → programme), OFFERS (funder → programme) and
    FUNDS (funder → award)."""
    nodes: dict[str, list[Row]] = {"Funder": [], "Programme": [], "Award": []}
    rels: dict[str, list[Row]] = {"PART_OF": [], "OFFERS": [], "FUNDS": []}
    funders: dict[str, str] = {}
    programme_ids = set()
    for prog in programmes:
        programme_ids.add(prog.programme_id)
        fid = name_key(prog.funder)
        funders.setdefault(fid, clean(prog.funder))
        nodes["Programme"].append(
            {
                "id": prog.programme_id,
                "name": clean(prog.name),
                "funder": clean(prog.funder),
                "year": prog.year,
                "description": clean(prog.description),
            }
        )
        if fid:
            rels["OFFERS"].append({"src": fid, "dst": prog.programme_id})
    for award in awards:
        fid = name_key(award.funder)
        funders.setdefault(fid, clean(award.funder))
        nodes["Award"].append(
            {
                "id": award.award_id,
                "title": clean(award.title),
                "funder": clean(award.funder),
                "programme": clean(award.programme),
                "start_date": award.start,
                "end_date": award.end,
                "amount": award.amount,
                "currency": award.currency,
                "pis": [clean(n) for n in award.pis],
                "pi_ids": [pi_author_id(n) for n in award.pis],
                "institutions": [clean(n) for n in award.institutions],
                "countries": [clean(n) for n in award.countries],
                # what could link a paper to the award: the Portfolio page says so when it names none
                "named_links": len(award.pmids) + len(award.dois) + len(award.grant_numbers),
            }
        )
        if fid:
            rels["FUNDS"].append({"src": fid, "dst": award.award_id})
        if award.programme_id in programme_ids:
            rels["PART_OF"].append({"src": award.award_id, "dst": award.programme_id})
    nodes["Funder"] = [{"id": k, "name": v} for k, v in sorted(funders.items()) if k]
    return nodes, rels
