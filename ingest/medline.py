"""Streaming parser for PubMed's MEDLINE text export (``PMID- …``, ``TI  - …``, ``MH  - …``).

Read line by line: a record is a run of ``TAG - value`` lines (values continue on lines indented by six
spaces) ended by a blank line or the next ``PMID-``.  Only the record being read is in memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from ingest.dates import parse_date_text, year_of
from ingest.markup import READ_ERRORS, clean_abstract, split_inline_labels, squash, strip_tags
from ingest.pubmed_xml import empty_article, normalise_orcid
from ingest.records import (
    RECORD_ERRORS,
    Article,
    Author,
    Chemical,
    Grant,
    MeshHeading,
    Rejected,
    clip,
    record_rejection,
)

SOURCE_FORMAT = "medline"
_FIELD = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
_TAGGED_ID = re.compile(r"^(.*?)\s*\[(\w+)\]$")
_RN = re.compile(r"^(.*?)\s*\((.*)\)$")
_ACRONYM = re.compile(r"^[A-Z]{1,4}$")

Fields = list[tuple[str, str]]


class _RecordLines:
    """The ``TAG - value`` lines of the record being read, each value kept as its list of lines.

    Continuation lines are appended to a list and joined once when the record ends: joining them one by one
    copied the whole value per line, so a 5 MB abstract took minutes (quadratic); this is linear.
    """

    def __init__(self) -> None:
        self.values: list[tuple[str, list[str]]] = []
        self.first_line = 0

    def start(self, tag: str, value: str, line_no: int) -> None:
        if not self.values:
            self.first_line = line_no
        self.values.append((tag, [value]))

    def continue_last(self, text: str) -> None:
        self.values[-1][1].append(text)

    def fields(self) -> Fields:
        return [(tag, " ".join(parts)) for tag, parts in self.values]


def iter_medline(stream: BinaryIO, source: str) -> Iterator[Article | Rejected]:
    """Yield one event per record of the MEDLINE text in ``stream`` (binary; bad UTF-8 is replaced)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)  # a BOM is no text
    record = _RecordLines()
    records = 0
    line_no = 0
    try:
        for raw in text:
            line_no += 1
            line = raw.rstrip("\n")
            if not line.strip():
                if record.values:
                    records += 1
                    yield _event(record, source, records)
                    record = _RecordLines()
                continue
            if line.startswith("      ") and record.values:
                record.continue_last(line.strip())
                continue
            m = _FIELD.match(line)
            if not m:
                continue  # stray text between records (search headers of some exports)
            tag = m.group(1).strip()
            if tag == "PMID" and record.values:
                records += 1
                yield _event(record, source, records)
                record = _RecordLines()
            record.start(tag, m.group(2).strip(), line_no)
    except READ_ERRORS as exc:
        yield Rejected(source, f"cannot read file: {exc}", position=f"line {line_no}, after record {records}")
        return
    if record.values:
        records += 1
        yield _event(record, source, records)


def _event(record: _RecordLines, source: str, position: int) -> Article | Rejected:
    """One record → its Article, or the one rejection saying which record (and its first line) and why."""
    where = f"record {position}, line {record.first_line}"
    fields = record.fields()
    try:
        article = parse_fields(fields, source)
    except RECORD_ERRORS as exc:
        pmid = next((clip(value, 40) for tag, value in fields if tag == "PMID"), "")
        return record_rejection(source, exc, position=where, pmid=pmid)
    if article is None:
        return Rejected(source, "no PMID", position=where)
    return article


def parse_fields(fields: Fields, source: str) -> Article | None:
    """One record's (tag, value) pairs → Article (None when it has no usable PMID)."""
    first: dict[str, str] = {}
    for tag, value in fields:
        first.setdefault(tag, value)
    article = empty_article(first.get("PMID", ""), source, SOURCE_FORMAT)
    if article is None:
        return None
    article.title = strip_tags(first.get("TI") or first.get("TT") or first.get("BTI", ""))
    abstract = strip_tags(first.get("AB", ""))
    article.abstract = clean_abstract(split_inline_labels(abstract))
    article.journal = first.get("JT", "")
    article.journal_abbrev = first.get("TA", "")
    article.issn = first.get("IS", "").split(" ")[0]
    article.pub_date = parse_date_text(first.get("DP")) or parse_date_text(_yyyymmdd(first.get("DEP", "")))
    article.year = year_of(article.pub_date)
    article.language = first.get("LA", "")
    article.date_revised = parse_date_text(_yyyymmdd(first.get("LR", "")))
    article.pmcid = first.get("PMC", "")
    article.authors = _authors(fields)
    for tag, value in fields:
        if tag in ("LID", "AID"):
            tagged = _TAGGED_ID.match(value)
            if tagged and tagged.group(2) == "doi" and not article.doi:
                article.doi = tagged.group(1)
            elif tagged and tagged.group(2) == "pmc" and not article.pmcid:
                article.pmcid = tagged.group(1)
        elif tag == "MH":
            article.mesh.append(parse_mesh(value))
        elif tag == "RN":
            article.chemicals.append(_chemical(value))
        elif tag == "OT":
            article.keywords.append(squash(value))
        elif tag == "PT":
            article.publication_types.append(value)
        elif tag == "GR":
            article.grants.append(parse_grant(value))
    return article


def _yyyymmdd(value: str) -> str:
    """ "20160213" → "2016 02 13" so that the free-text date reader can take it."""
    value = value.strip()[:8]
    return f"{value[:4]} {value[4:6]} {value[6:8]}".strip() if value.isdigit() else value


def _authors(fields: Fields) -> list[Author]:
    """FAU starts an author (AU alone does when there is no FAU); AD and AUID belong to the latest one."""
    authors: list[Author] = []
    last_tag = ""
    for tag, value in fields:
        if tag == "FAU":
            last, _, fore = value.partition(",")
            authors.append(Author(last_name=last.strip(), fore_name=fore.strip()))
        elif tag == "AU":
            last, _, initials = value.rpartition(" ")
            if last_tag == "FAU" and authors:
                authors[-1].initials = initials
            else:
                authors.append(Author(last_name=last or initials, initials=initials if last else ""))
        elif tag == "CN":
            authors.append(Author(collective_name=value))
        elif tag == "AD" and authors:
            authors[-1].affiliations.append(value)
        elif tag == "AUID" and authors and "ORCID" in value.upper():
            authors[-1].orcid = normalise_orcid(value)
        last_tag = tag
    return authors


def parse_mesh(value: str) -> MeshHeading:
    """ "Myelin Sheath/*metabolism/pathology" → heading; ``*`` marks the major topic or a major qualifier."""
    descriptor, *qualifiers = squash(value).split("/")
    return MeshHeading(
        descriptor_ui="",
        descriptor_name=descriptor.lstrip("*").strip(),
        major_topic=descriptor.startswith("*"),
        qualifiers=[q.lstrip("*").strip() for q in qualifiers],
        major_qualifiers=[q.lstrip("*").strip() for q in qualifiers if q.startswith("*")],
    )


def _chemical(value: str) -> Chemical:
    m = _RN.match(value)
    if not m:
        return Chemical(name=value)
    number = m.group(1).strip()
    return Chemical(name=m.group(2).strip(), registry_number="" if number == "0" else number)


def parse_grant(value: str) -> Grant:
    """ "R01 NS012345/NS/NINDS NIH HHS/United States" → Grant; the id itself may hold slashes (MR/K026992/1)."""
    parts = [p.strip() for p in value.split("/")]
    if len(parts) < 3:  # "Wellcome Trust/United Kingdom": agency (and country), no grant number
        return Grant(agency=parts[0], country=parts[1] if len(parts) == 2 else "")
    country, agency, rest = parts[-1], parts[-2], parts[:-2]
    acronym = rest.pop() if len(rest) >= 2 and _ACRONYM.match(rest[-1]) else ""
    return Grant(grant_id="/".join(rest), agency=agency, country=country, acronym=acronym)
