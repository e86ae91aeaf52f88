"""Streaming parser for JSON Lines exports of PubMed records (one JSON object per line).

Exports differ in field names and shapes, so this reader is liberal: ``pmid``/``PMID``/``pubmed_id``; an
abstract as a string (one paragraph per line, "OBJECTIVE: …" labels inline), a list of strings, or a list
of ``{"label", "text"}``; authors as "Last, First" strings or objects; MeSH as MEDLINE-style
"Myelin Sheath/*metabolism" strings or objects; a ``journal_citation`` such as
"Mult Scler Relat Disord. 2021 Aug 20;54:103123. doi: …" when there is no separate journal and date.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from ingest.dates import parse_date_text, year_of
from ingest.markup import READ_ERRORS, clean_abstract, split_inline_labels, squash, strip_tags
from ingest.medline import parse_grant, parse_mesh
from ingest.pubmed_xml import empty_article, normalise_orcid
from ingest.records import AbstractSection, Article, Author, Chemical, Grant, MeshHeading, Rejected

SOURCE_FORMAT = "jsonl"
_CITATION = re.compile(r"^(?P<journal>.+?)\.\s+(?P<date>(?:1[6-9]|20)\d\d\b[^;:]*)")
_CITED_DOI = re.compile(r"\bdoi:\s*(10\.\S+?)\.?(?:\s|$)")


def iter_jsonl(stream: BinaryIO, source: str) -> Iterator[Article | Rejected]:
    """Yield one event per line of JSON Lines in ``stream`` (binary; bad UTF-8 is replaced)."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
    line_no = 0
    try:
        for line in text:
            line_no += 1
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if "\\ud" in line.lower():
                    data = _without_lone_surrogates(data)
            except json.JSONDecodeError as exc:
                yield Rejected(source, f"bad JSON: {exc.msg} (column {exc.colno})", position=f"line {line_no}")
                continue
            if not isinstance(data, dict):
                yield Rejected(source, "line is not a JSON object", position=f"line {line_no}")
                continue
            article = parse_object(data, source)
            if article is None:
                yield Rejected(source, "no PMID", position=f"line {line_no}")
            else:
                yield article
    except READ_ERRORS as exc:
        yield Rejected(source, f"cannot read file: {exc}", position=f"line {line_no}")


def _without_lone_surrogates(value: Any) -> Any:
    """JSON can escape lone surrogates (``\\ud800``) that no UTF-8 store can hold: replace them with "?"."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str:
    return strip_tags(str(value)) if value is not None else ""


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [s for s in (squash(v) for v in value.split(";")) if s]
    return [squash(str(v)) for v in value if str(v).strip()]


def parse_object(data: dict[str, Any], source: str) -> Article | None:
    """One JSON object → Article (None when it has no usable PMID)."""
    article = empty_article(str(_first(data, "pmid", "PMID", "pubmed_id", "pubmedId") or ""), source, SOURCE_FORMAT)
    if article is None:
        return None
    article.title = _text(_first(data, "title", "article_title", "ArticleTitle", "title_as_question"))
    article.abstract = clean_abstract(_abstract(_first(data, "abstract", "abstract_sections", "AbstractText")))
    citation = str(_first(data, "journal_citation", "citation", "source") or "")
    cited = _CITATION.match(citation)
    article.journal = _text(_first(data, "journal", "journal_title"))
    article.journal_abbrev = _text(_first(data, "journal_abbrev", "iso_abbreviation", "journal_iso")) or (
        squash(cited.group("journal")) if cited else ""
    )
    article.issn = _text(_first(data, "issn"))
    article.pub_date = parse_date_text(str(_first(data, "pub_date", "publication_date", "date", "year") or "")) or (
        parse_date_text(cited.group("date") if cited else citation.split(".")[0])  # "2021 Apr 15. In: …"
    )
    article.year = year_of(article.pub_date)
    cited_doi = _CITED_DOI.search(citation)
    article.doi = _text(_first(data, "doi", "DOI")) or (cited_doi.group(1) if cited_doi else "")
    article.pmcid = _text(_first(data, "pmcid", "pmc"))
    article.authors = [_author(a) for a in _first(data, "authors", "author_list") or []]
    article.mesh = [_mesh(h) for h in _first(data, "mesh", "mesh_terms", "mesh_headings") or []]
    article.chemicals = [
        Chemical(**{k: str(v) for k, v in c.items() if k in ("name", "ui", "registry_number")})
        if isinstance(c, dict)
        else Chemical(name=squash(str(c)))
        for c in _first(data, "chemicals") or []
    ]
    article.keywords = _strings(_first(data, "keywords"))
    article.publication_types = _strings(_first(data, "pub_types", "publication_types"))
    article.grants = [
        Grant(**{k: str(v) for k, v in g.items() if k in ("grant_id", "agency", "country", "acronym")})
        if isinstance(g, dict)
        else parse_grant(str(g))
        for g in _first(data, "grants") or []
    ]
    article.language = _text(_first(data, "language"))
    article.references = [str(r) for r in _first(data, "references") or [] if str(r).isdigit()]
    article.date_revised = parse_date_text(str(_first(data, "date_revised") or ""))
    return article


def _abstract(value: Any) -> list[AbstractSection]:
    if value is None:
        return []
    if isinstance(value, str):
        paragraphs = [strip_tags(p) for p in value.splitlines()]
        paragraphs = [p for p in paragraphs if p]
        if len(paragraphs) == 1:
            return split_inline_labels(paragraphs[0])
        return [s for p in paragraphs for s in split_inline_labels(p, min_labels=1)]
    sections = []
    for item in value:
        if isinstance(item, dict):
            sections.append(
                AbstractSection(
                    text=_text(item.get("text")),
                    label=squash(str(item.get("label") or "")),
                    nlm_category=squash(str(item.get("nlm_category") or "")),
                )
            )
        else:
            sections += split_inline_labels(_text(item), min_labels=1)
    return sections


def _author(value: Any) -> Author:
    if isinstance(value, dict):
        return Author(
            last_name=squash(str(value.get("last_name") or "")),
            fore_name=squash(str(value.get("fore_name") or value.get("first_name") or "")),
            initials=squash(str(value.get("initials") or "")),
            collective_name=squash(str(value.get("collective_name") or "")),
            orcid=normalise_orcid(str(value.get("orcid") or "")),
            affiliations=[squash(str(a)) for a in value.get("affiliations") or []],
        )
    last, comma, fore = squash(str(value)).partition(",")
    return Author(last_name=last.strip(), fore_name=fore.strip()) if comma else Author(last_name=last.strip())


def _mesh(value: Any) -> MeshHeading:
    if isinstance(value, dict):
        return MeshHeading(
            descriptor_ui=str(value.get("descriptor_ui") or value.get("ui") or ""),
            descriptor_name=squash(str(value.get("descriptor_name") or value.get("name") or "")),
            major_topic=bool(value.get("major_topic")),
            qualifiers=[str(q) for q in value.get("qualifiers") or []],
            major_qualifiers=[str(q) for q in value.get("major_qualifiers") or []],
        )
    return parse_mesh(str(value))
