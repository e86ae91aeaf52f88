"""Streaming parser for PubMed XML: efetch output, baseline/update files, and the old MEDLINE citation sets.

One pass of lxml's ``iterparse`` (libxml2, about three times faster than the stdlib's expat tree builder on
PubMed files), reporting only the record elements; each record is turned into an :class:`Article` as soon
as it closes and then freed with the siblings before it, so memory stays flat on files of any size.
Handles:

* ``PubmedArticleSet`` of ``PubmedArticle`` / ``PubmedBookArticle`` (efetch, baseline and update files),
* ``DeleteCitation`` blocks of update files (→ :class:`Deletion`),
* the pre-2017 ``MedlineCitationSet`` root whose records are bare ``MedlineCitation`` elements.

Bytes are decoded as UTF-8 with replacement before they reach the parser (PubMed XML is always UTF-8), so
a stray latin-1 byte costs one character, not the file.  A malformed or truncated file yields every record
before the fault, then one :class:`Rejected` naming the file and the line/column.  External DTDs are
never fetched.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from ingest.dates import iso_date, parse_date_text, year_of
from ingest.markup import READ_ERRORS, XmlElement, clean_abstract, element_text, squash
from ingest.records import (
    RECORD_ERRORS,
    AbstractSection,
    Article,
    Author,
    Chemical,
    Deletion,
    Grant,
    MeshHeading,
    RecordError,
    Rejected,
    clip,
    record_rejection,
    stored_int,
)

SOURCE_FORMAT = "pubmed-xml"
_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "MedlineCitation", "DeleteCitation")
_WRAPPERS = {"PubmedArticle", "PubmedBookArticle"}
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_PMID = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*$")
_POSITION = re.compile(r",? line \d+, column \d+.*$")


class _Utf8Repair:
    """File-like wrapper: the bytes of ``stream`` with every invalid UTF-8 sequence replaced by U+FFFD."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.at_eof = False

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.at_eof = not chunk
        return self._decoder.decode(chunk, final=self.at_eof).encode("utf-8")


def iter_pubmed_xml(stream: BinaryIO, source: str) -> Iterator[Article | Deletion | Rejected]:
    """Yield one event per record of the PubMed XML in ``stream`` (binary), in file order."""
    reader = _Utf8Repair(stream)
    events = etree.iterparse(
        reader, events=("end",), tag=_RECORD_TAGS, load_dtd=False, no_network=True, resolve_entities=False,
        huge_tree=True,
    )  # fmt: skip
    records = 0
    try:
        for _, elem in events:
            if not _is_record(elem):
                continue  # read (or cleared) with the record that holds it
            if elem.tag == "DeleteCitation":
                yield from _deletions(elem, source, after=records)
            else:
                records += 1
                yield _record_event(elem, source, records)
            _release(elem)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        message = _POSITION.sub("", exc.msg or str(exc))
        reason = (
            "truncated XML (file ends before the document closes)" if reader.at_eof else f"malformed XML: {message}"
        )
        yield Rejected(source, reason, position=f"line {line}, column {column}, after record {records}")
    except READ_ERRORS as exc:
        yield Rejected(source, f"cannot read file: {exc}", position=f"after record {records}")


def _is_record(elem: XmlElement) -> bool:
    """True for a record where records live: the root, or a child of the root.

    Not for the MedlineCitation inside its PubmedArticle (read with the wrapper), nor for a record tag
    nested in a field's markup: a ``<DeleteCitation>`` inside a hostile title must not delete anything.
    """
    parent = elem.getparent()
    return parent is None or (parent.getparent() is None and parent.tag not in _WRAPPERS)


def _deletions(elem: XmlElement, source: str, after: int) -> Iterator[Deletion | Rejected]:
    """One Deletion per PMID of a ``DeleteCitation`` block; a PMID that is none, or beyond 64 bits, is rejected."""
    where = f"DeleteCitation after record {after}"
    for pmid_el in elem.iter("PMID"):
        try:
            pmid, _ = _split_pmid(pmid_el)
        except RecordError as exc:
            yield record_rejection(source, exc, position=where)
            continue
        if pmid:
            yield Deletion(pmid=pmid, source_file=source)
        else:
            yield Rejected(source, f"not a PMID: {clip(repr(pmid_el.text or ''), 60)}", position=where)


def _release(elem: XmlElement) -> None:
    """Free a finished record: its subtree, and the already-finished siblings still held by the root."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _record_event(elem: XmlElement, source: str, position: int) -> Article | Rejected:
    """Turn one record into an Article, or a Rejected that says which record and why."""
    where = f"record {position}"
    try:
        article = parse_record(elem, source)
    except RECORD_ERRORS as exc:  # a record we cannot read
        pmid_el = elem.find(".//PMID")
        pmid = clip((pmid_el.text or "").strip(), 40) if pmid_el is not None else ""
        return record_rejection(source, exc, position=where, pmid=pmid)
    if article is None:
        return Rejected(source, "no PMID", position=where)
    return article


def split_pmid(text: str, version: str = "") -> tuple[str, int]:
    """(PMID, version) from "123" or a versioned "123.2" ("" when not a PMID); ``version`` is the XML attribute.

    Raises RecordError for a PMID or version beyond 64 bits: the store keys on SQLite integers, and such a
    number is hostile input to reject with its reason, not a record to drop silently as "no PMID".
    """
    m = _PMID.match(text)
    pmid = stored_int(m.group(1), "PMID") if m else 0
    if not pmid:
        return "", 1
    found = (m.group(2) if m else "") or version.strip()
    number = stored_int(found, "PMID version") if found.isdecimal() else 0
    return str(pmid), number or 1


def empty_article(pmid_text: str, source: str, source_format: str) -> Article | None:
    """An Article with only its identity set (PMID, version, source), or None when ``pmid_text`` is no PMID."""
    pmid, version = split_pmid(pmid_text)
    if not pmid:
        return None
    return Article(pmid=pmid, pmid_version=version, source_file=source, source_format=source_format)


def _split_pmid(pmid_el: XmlElement | None) -> tuple[str, int]:
    """(PMID, version) of a ``<PMID Version="2">123</PMID>`` element."""
    return ("", 1) if pmid_el is None else split_pmid(pmid_el.text or "", pmid_el.get("Version") or "")


def normalise_orcid(value: str) -> str:
    """Bare ``0000-0002-1825-0097`` form of an ORCID given as URL, with or without dashes; "" if none."""
    m = _ORCID.search(value.replace(" ", ""))
    return "-".join(m.groups()).upper() if m else ""


def _kids(elem: XmlElement | None) -> dict[str, XmlElement]:
    """The first child of each tag: one pass over the children instead of a path search per field."""
    if elem is None:
        return {}
    kids: dict[str, XmlElement] = {}
    for child in elem:
        kids.setdefault(child.tag, child)
    return kids


def _each(elem: XmlElement | None, tag: str) -> list[XmlElement]:
    """All children of ``elem`` with ``tag`` ([] for a missing element)."""
    return [] if elem is None else [child for child in elem if child.tag == tag]


def parse_record(elem: XmlElement, source: str) -> Article | None:
    """One ``PubmedArticle``, ``PubmedBookArticle`` or bare ``MedlineCitation`` → Article (None: no PMID)."""
    top = _kids(elem)
    if elem.tag == "PubmedBookArticle":
        citation = top.get("BookDocument")
    elif elem.tag == "MedlineCitation":
        citation = elem
    else:
        citation = top.get("MedlineCitation")
    c = _kids(citation)
    pmid, version = _split_pmid(c.get("PMID"))
    if not pmid:
        return None
    pubmed_data = top.get("PubmedData", top.get("PubmedBookData"))
    art = c.get("Article")
    body = _kids(art) if art is not None else c  # BookDocument keeps title/abstract/authors at its top
    book = c.get("Book")
    b = _kids(book)
    j = _kids(body.get("Journal"))
    info = _kids(c.get("MedlineJournalInfo"))

    article = Article(pmid=pmid, pmid_version=version, source_file=source, source_format=SOURCE_FORMAT)
    article.title = (
        element_text(body.get("ArticleTitle")) or element_text(body.get("VernacularTitle")) or _text(b, "BookTitle")
    )
    article.abstract = _abstract(body.get("Abstract", body.get("OtherAbstract")))
    article.journal = _text(j, "Title") or _text(b, "BookTitle")
    article.journal_abbrev = _text(j, "ISOAbbreviation") or _text(info, "MedlineTA")
    article.issn = _text(j, "ISSN") or _text(info, "ISSNLinking")
    article.pub_date = _pub_date(
        _kids(j.get("JournalIssue")).get("PubDate"), b.get("PubDate"), body.get("ArticleDate"), c.get("DateCompleted")
    )
    article.year = year_of(article.pub_date)
    article.authors = _authors(body)
    article.mesh = [_mesh(h) for h in _each(c.get("MeshHeadingList"), "MeshHeading")]
    article.chemicals = [_chemical(x) for x in _each(c.get("ChemicalList"), "Chemical")]
    article.keywords = _texts(_each(c.get("KeywordList"), "Keyword"))
    article.publication_types = _texts(_each(body.get("PublicationTypeList"), "PublicationType"))
    article.grants = [_grant(g) for g in _each(body.get("GrantList"), "Grant")]
    article.language = _text(body, "Language")
    article.date_revised = _ymd(c.get("DateRevised"))
    article.doi, article.pmcid = _ids(
        _kids(pubmed_data).get("ArticleIdList"), _each(art, "ELocationID"), _each(citation, "OtherID")
    )
    if pubmed_data is not None:
        refs = pubmed_data.iterfind("ReferenceList/Reference/ArticleIdList/ArticleId[@IdType='pubmed']")
        article.references = list(dict.fromkeys(r for r in (squash(x.text or "") for x in refs) if r.isdigit()))
    return article


def _text(kids: dict[str, XmlElement], tag: str) -> str:
    return element_text(kids.get(tag))


def _texts(elems: list[XmlElement]) -> list[str]:
    return [t for t in (element_text(e) for e in elems) if t]


def _abstract(abstract: XmlElement | None) -> list[AbstractSection]:
    return clean_abstract(
        [
            AbstractSection(
                text=element_text(t), label=squash(t.get("Label", "")), nlm_category=t.get("NlmCategory", "")
            )
            for t in _each(abstract, "AbstractText")
        ]
    )


def _ymd(elem: XmlElement | None) -> str:
    if elem is None:
        return ""
    parts = _kids(elem)
    return iso_date(_text(parts, "Year"), _text(parts, "Month"), _text(parts, "Day")) or parse_date_text(
        _text(parts, "MedlineDate")
    )


def _pub_date(*candidates: XmlElement | None) -> str:
    """The first readable date of: journal issue, book, electronic ArticleDate, date the record was completed."""
    for candidate in candidates:
        date = _ymd(candidate)
        if date:
            return date
    return ""


def _authors(body: dict[str, XmlElement]) -> list[Author]:
    authors = []
    for a in _each(body.get("AuthorList"), "Author"):
        affiliations = []
        author = Author()
        for child in a:
            tag = child.tag
            if tag == "LastName":
                author.last_name = element_text(child)
            elif tag in ("ForeName", "FirstName"):
                author.fore_name = author.fore_name or element_text(child)
            elif tag == "Initials":
                author.initials = element_text(child)
            elif tag == "CollectiveName":
                author.collective_name = element_text(child)
            elif tag == "AffiliationInfo":
                affiliations += [element_text(x) for x in _each(child, "Affiliation")]
            elif tag == "Affiliation":  # pre-2014 per-author form
                affiliations.append(element_text(child))
            elif tag == "Identifier" and child.get("Source", "").upper() == "ORCID" and not author.orcid:
                author.orcid = normalise_orcid(child.text or "")
        author.affiliations = [x for x in affiliations if x]
        authors.append(author)
    old_style = _text(body, "Affiliation")  # pre-2014: one Affiliation per article, the first author's
    if old_style and authors and not authors[0].affiliations:
        authors[0].affiliations.append(old_style)
    return authors


def _leaf_text(elem: XmlElement) -> str:
    """Text of an element that never holds markup (MeSH and chemical names): cheaper than element_text."""
    return " ".join((elem.text or "").split())


def _mesh(heading: XmlElement) -> MeshHeading:
    mesh = MeshHeading(descriptor_ui="", descriptor_name="")
    for child in heading:
        if child.tag == "DescriptorName":
            mesh.descriptor_ui = child.get("UI", "")
            mesh.descriptor_name = _leaf_text(child)
            mesh.major_topic = child.get("MajorTopicYN") == "Y"
        elif child.tag == "QualifierName":
            name = _leaf_text(child)
            mesh.qualifiers.append(name)
            if child.get("MajorTopicYN") == "Y":
                mesh.major_qualifiers.append(name)
    return mesh


def _chemical(chem: XmlElement) -> Chemical:
    chemical = Chemical(name="")
    for child in chem:
        if child.tag == "NameOfSubstance":
            chemical.name = _leaf_text(child)
            chemical.ui = child.get("UI", "")
        elif child.tag == "RegistryNumber":
            number = _leaf_text(child)
            chemical.registry_number = "" if number == "0" else number  # "0" means "no registry number"
    return chemical


def _grant(grant: XmlElement) -> Grant:
    parts = _kids(grant)
    return Grant(
        grant_id=_text(parts, "GrantID"),
        agency=_text(parts, "Agency"),
        country=_text(parts, "Country"),
        acronym=_text(parts, "Acronym"),
    )


def _ids(id_list: XmlElement | None, locations: list[XmlElement], other_ids: list[XmlElement]) -> tuple[str, str]:
    """(DOI, PMCID) from the record's own ArticleIdList, else ELocationID / the old OtherID."""
    doi = pmcid = ""
    for aid in _each(id_list, "ArticleId"):
        kind = aid.get("IdType", "")
        if kind == "doi" and not doi:
            doi = squash(aid.text or "")
        elif kind == "pmc" and not pmcid:
            pmcid = squash(aid.text or "")
    if not doi:
        doi = next((squash(loc.text or "") for loc in locations if loc.get("EIdType") == "doi"), "")
    if not pmcid:
        values = (squash(other.text or "") for other in other_ids)
        pmcid = next((v.split()[0] for v in values if v.startswith("PMC")), "")
    return doi, pmcid
