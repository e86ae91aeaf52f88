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
from ingest.records import (
    RECORD_ERRORS,
    AbstractSection,
    Article,
    Author,
    Chemical,
    Grant,
    MeshHeading,
    RecordError,
    Rejected,
    clip,
    record_rejection,
    shown,
    text_field,
)

SOURCE_FORMAT = "jsonl"
_CITATION = re.compile(r"^(?P<journal>.+?)\.\s+(?P<date>(?:1[6-9]|20)\d\d\b[^;:]*)")
_CITED_DOI = re.compile(r"\bdoi:\s*(10\.\S+?)\.?(?:\s|$)")
_PMID_KEYS = ("pmid", "PMID", "pubmed_id", "pubmedId")
_CHEMICAL_FIELDS = ("name", "ui", "registry_number")
_GRANT_FIELDS = ("grant_id", "agency", "country", "acronym")


def iter_jsonl(stream: BinaryIO, source: str) -> Iterator[Article | Rejected]:
    """Yield one event per line of JSON Lines in ``stream`` (binary; bad UTF-8 is replaced)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)  # a BOM is no text
    line_no = 0
    try:
        for line in text:
            line_no += 1
            if not line.strip():
                continue
            yield _line_event(line, source, f"line {line_no}")
    except READ_ERRORS as exc:
        yield Rejected(source, f"cannot read file: {exc}", position=f"line {line_no}")


def _line_event(line: str, source: str, where: str) -> Article | Rejected:
    """One line → its Article, or the one rejection saying why (bad JSON, a field of the wrong type, no PMID)."""
    try:
        data = json.loads(line)
        if "\\ud" in line.lower():
            data = _without_lone_surrogates(data)
    except json.JSONDecodeError as exc:
        return Rejected(source, f"bad JSON: {exc.msg} (column {exc.colno})", position=where)
    except (ValueError, RecursionError) as exc:  # an integer of over 4,300 digits; arrays nested too deep
        return Rejected(source, f"bad JSON: {clip(str(exc))}", position=where)
    if not isinstance(data, dict):
        return Rejected(source, "line is not a JSON object", position=where)
    try:
        article = parse_object(data, source)
    except RECORD_ERRORS as exc:
        return record_rejection(source, exc, position=where, pmid=clip(str(_found(data, *_PMID_KEYS)[1] or ""), 40))
    return article if article is not None else Rejected(source, "no PMID", position=where)


def _without_lone_surrogates(value: Any) -> Any:
    """JSON can escape lone surrogates (``\\ud800``) that no UTF-8 store can hold: replace them with "?"."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\ufffd", "?")
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _found(data: dict[str, Any], *keys: str) -> tuple[str, Any]:
    """(key, value) of the first of ``keys`` that holds something; (first key, None) when none does."""
    for key in keys:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return key, value
    return keys[0], None


def _as_list(value: Any, name: str) -> list[Any]:
    """``value`` if it is a list: a number or object where a list belongs rejects the record, naming the field."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"field {name!r} must be a list, not {shown(value)}")
    return value


def _raw(data: dict[str, Any], *keys: str) -> str:
    """The first of ``keys`` that holds something, as unprocessed text ("" when none does)."""
    key, value = _found(data, *keys)
    return text_field(value, key)


def _text(data: dict[str, Any], *keys: str) -> str:
    """The first of ``keys`` that holds something, as plain text (tags and entities resolved)."""
    return strip_tags(_raw(data, *keys))


def _list(data: dict[str, Any], *keys: str) -> list[Any]:
    """The first of ``keys`` that holds something, which must be a list ([] when none does)."""
    key, value = _found(data, *keys)
    return _as_list(value, key)


def _strings(data: dict[str, Any], *keys: str) -> list[str]:
    """A list of strings given as a list, or as one "a; b" string."""
    key, value = _found(data, *keys)
    if isinstance(value, str):
        return [s for s in (squash(v) for v in value.split(";")) if s]
    return [t for t in (squash(text_field(v, key)) for v in _as_list(value, key)) if t]


def _pick(item: dict[str, Any], names: tuple[str, ...], name: str) -> dict[str, str]:
    """The ``names`` fields of one object of a list (a chemical, a grant) as text, for its dataclass."""
    return {k: squash(text_field(item.get(k), f"{name}.{k}")) for k in names}


def parse_object(data: dict[str, Any], source: str) -> Article | None:
    """One JSON object → Article (None when it has no usable PMID).

    Raises RecordError for a field of the wrong shape, so the caller rejects the record with that reason.
    """
    article = empty_article(_raw(data, *_PMID_KEYS), source, SOURCE_FORMAT)
    if article is None:
        return None
    article.title = _text(data, "title", "article_title", "ArticleTitle", "title_as_question")
    article.abstract = clean_abstract(_abstract(data, "abstract", "abstract_sections", "AbstractText"))
    citation = _raw(data, "journal_citation", "citation", "source")
    cited = _CITATION.match(citation)
    article.journal = _text(data, "journal", "journal_title")
    article.journal_abbrev = _text(data, "journal_abbrev", "iso_abbreviation", "journal_iso") or (
        squash(cited.group("journal")) if cited else ""
    )
    article.issn = _text(data, "issn")
    article.pub_date = parse_date_text(_raw(data, "pub_date", "publication_date", "date", "year")) or (
        parse_date_text(cited.group("date") if cited else citation.split(".")[0])  # "2021 Apr 15. In: …"
    )
    article.year = year_of(article.pub_date)
    cited_doi = _CITED_DOI.search(citation)
    article.doi = _text(data, "doi", "DOI") or (cited_doi.group(1) if cited_doi else "")
    article.pmcid = _text(data, "pmcid", "pmc")
    article.authors = [_author(a) for a in _list(data, "authors", "author_list")]
    article.mesh = [_mesh(h) for h in _list(data, "mesh", "mesh_terms", "mesh_headings")]
    article.chemicals = [
        Chemical(**_pick(c, _CHEMICAL_FIELDS, "chemicals"))
        if isinstance(c, dict)
        else Chemical(squash(text_field(c, "chemicals")))
        for c in _list(data, "chemicals")
    ]
    article.keywords = _strings(data, "keywords")
    article.publication_types = _strings(data, "pub_types", "publication_types")
    article.grants = [
        Grant(**_pick(g, _GRANT_FIELDS, "grants")) if isinstance(g, dict) else parse_grant(text_field(g, "grants"))
        for g in _list(data, "grants")
    ]
    article.language = _text(data, "language")
    article.references = [r for r in (text_field(r, "references") for r in _list(data, "references")) if r.isdecimal()]
    article.date_revised = parse_date_text(_raw(data, "date_revised"))
    return article


def _abstract(data: dict[str, Any], *keys: str) -> list[AbstractSection]:
    """Sections of an abstract given as text (one paragraph per line) or as a list of strings or sections."""
    key, value = _found(data, *keys)
    if isinstance(value, str):
        paragraphs = [strip_tags(p) for p in value.splitlines()]
        paragraphs = [p for p in paragraphs if p]
        if len(paragraphs) == 1:
            return split_inline_labels(paragraphs[0])
        return [s for p in paragraphs for s in split_inline_labels(p, min_labels=1)]
    sections = []
    for item in _as_list(value, key):
        if isinstance(item, dict):
            sections.append(
                AbstractSection(
                    text=strip_tags(text_field(item.get("text"), f"{key}.text")),
                    label=squash(text_field(item.get("label"), f"{key}.label")),
                    nlm_category=squash(text_field(item.get("nlm_category"), f"{key}.nlm_category")),
                )
            )
        else:
            sections += split_inline_labels(strip_tags(text_field(item, key)), min_labels=1)
    return sections


def _author(value: Any) -> Author:
    if isinstance(value, dict):
        return Author(
            last_name=squash(_raw(value, "last_name")),
            fore_name=squash(_raw(value, "fore_name", "first_name")),
            initials=squash(_raw(value, "initials")),
            collective_name=squash(_raw(value, "collective_name")),
            orcid=normalise_orcid(_raw(value, "orcid")),
            affiliations=_strings(value, "affiliations"),
        )
    last, comma, fore = squash(text_field(value, "authors")).partition(",")
    return Author(last_name=last.strip(), fore_name=fore.strip()) if comma else Author(last_name=last.strip())


def _mesh(value: Any) -> MeshHeading:
    if not isinstance(value, dict):
        return parse_mesh(text_field(value, "mesh"))
    return MeshHeading(
        descriptor_ui=_raw(value, "descriptor_ui", "ui"),
        descriptor_name=squash(_raw(value, "descriptor_name", "name")),
        major_topic=bool(value.get("major_topic")),
        qualifiers=_strings(value, "qualifiers"),
        major_qualifiers=_strings(value, "major_qualifiers"),
    )
