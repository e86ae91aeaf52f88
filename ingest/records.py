"""Typed records at the ingest → store boundary.

Every parser (PubMed XML, MEDLINE text, JSONL, E-utilities) yields :class:`Article`; the funding importer
yields :class:`Award`.  They are plain frozen-ish dataclasses with ``to_dict`` / ``from_dict`` so that the
article store can keep them as JSON and later stages (NLP, graph) read them back without knowing the
source format.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: The largest integer SQLite's INTEGER column holds: a PMID (or version) beyond it cannot key the store.
MAX_STORED_INT = 2**63 - 1
_MAX_SHOWN = 200  # characters of a hostile value or message quoted in a rejection line


@dataclass
class Author:
    """One author; ``collective_name`` is set (and names empty) for a group author."""

    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    collective_name: str = ""
    orcid: str = ""
    affiliations: list[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        if self.collective_name:
            return self.collective_name
        return " ".join(p for p in (self.fore_name or self.initials, self.last_name) if p)


@dataclass
class MeshHeading:
    descriptor_ui: str
    descriptor_name: str
    major_topic: bool = False
    qualifiers: list[str] = field(default_factory=list)
    major_qualifiers: list[str] = field(default_factory=list)


@dataclass
class Chemical:
    name: str
    ui: str = ""
    registry_number: str = ""


@dataclass
class Grant:
    grant_id: str = ""
    agency: str = ""
    country: str = ""
    acronym: str = ""


@dataclass
class AbstractSection:
    """One paragraph of the abstract; ``label`` is the structured-abstract heading ("" when unlabelled)."""

    text: str
    label: str = ""
    nlm_category: str = ""


@dataclass
class Article:
    """One PubMed record, whatever format it arrived in."""

    pmid: str
    title: str = ""
    abstract: list[AbstractSection] = field(default_factory=list)
    doi: str = ""
    pmcid: str = ""
    journal: str = ""
    journal_abbrev: str = ""
    issn: str = ""
    pub_date: str = ""  # ISO-8601 prefix: "2019", "2019-07" or "2019-07-14"
    year: int | None = None
    authors: list[Author] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    chemicals: list[Chemical] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    language: str = ""
    references: list[str] = field(default_factory=list)  # cited PMIDs
    pmid_version: int = 1
    date_revised: str = ""  # ISO date of the record's last revision, used to keep the newest version
    source_file: str = ""
    source_format: str = ""  # "pubmed-xml" | "medline" | "jsonl" | "entrez"

    @property
    def abstract_text(self) -> str:
        """Abstract as one string, labelled sections as "LABEL: text" paragraphs."""
        return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in self.abstract)

    @property
    def has_abstract(self) -> bool:
        return any(s.text.strip() for s in self.abstract)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        data["abstract"] = [AbstractSection(**s) for s in data.get("abstract", [])]
        data["authors"] = [Author(**a) for a in data.get("authors", [])]
        data["mesh"] = [MeshHeading(**m) for m in data.get("mesh", [])]
        data["chemicals"] = [Chemical(**c) for c in data.get("chemicals", [])]
        data["grants"] = [Grant(**g) for g in data.get("grants", [])]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Deletion:
    """A ``DeleteCitation`` entry from a PubMed update file: the record must leave the store."""

    pmid: str
    source_file: str = ""


@dataclass
class Rejected:
    """A record or file that could not be stored, with where and why (shown in the ingest summary)."""

    source: str  # file path, or "PMID 123" for a fetched record
    reason: str
    position: str = ""  # "record 17", "line 120, column 4", "byte 5521" when known
    pmid: str = ""

    def __str__(self) -> str:
        where = f"{self.source} ({self.position})" if self.position else self.source
        who = f" PMID {self.pmid}:" if self.pmid else ""
        return f"{where}:{who} {self.reason}"


class RecordError(ValueError):
    """One record (or portfolio row) is unusable as given: a field of the wrong type, a PMID beyond 64 bits.

    Field readers raise it with words a user can act on; the parser turns it into one :class:`Rejected`
    for that record and reads on, so one bad record never costs the rest of the file.
    """


#: What turning one hostile record into an Article can raise.  Parsers catch these per record (never per
#: file): a reader bug on odd input then costs one record, named, instead of the batch.
RECORD_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    RecursionError,
)


def clip(text: str, limit: int = _MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, so a 5 MB hostile value makes a readable rejection line."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def shown(value: Any) -> str:
    """A value of the wrong type as a rejection quotes it: its type, then its start ("list ['a', 'b']")."""
    return f"{type(value).__name__} {clip(repr(value), 40)}"


def text_field(value: Any, name: str) -> str:
    """``value`` as text (a string or a number); a list or mapping where text belongs is a RecordError naming
    the field, so a record read from JSON or YAML never stores a Python repr as its title."""
    if isinstance(value, list | dict):
        raise RecordError(f"field {name!r} must be text, not {shown(value)}")
    return "" if value is None else str(value)


def stored_int(digits: str, what: str) -> int:
    """Decimal ``digits`` as an int the store can key on; RecordError when beyond 64 bits (SQLite INTEGER)."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(MAX_STORED_INT)) or int(significant) > MAX_STORED_INT:
        raise RecordError(f"{what} {clip(digits, 40)} is beyond 64 bits, more than the store can hold")
    return int(significant)


def record_rejection(source: str, exc: Exception, position: str, pmid: str = "") -> Rejected:
    """The one rejection for a record that raised ``exc``: a RecordError's own words, else the error named."""
    reason = str(exc) if isinstance(exc, RecordError) else f"unreadable record: {type(exc).__name__}: {exc}"
    return Rejected(source, clip(reason), position=position, pmid=pmid)


@dataclass
class Programme:
    """A funding round or network programme (e.g. "Collaborative Network Awards 2016")."""

    programme_id: str
    name: str
    funder: str
    year: int | None = None
    description: str = ""
    source_urls: list[str] = field(default_factory=list)


@dataclass
class Award:
    """One award of a funder's portfolio, with whatever it names that can link it to publications."""

    award_id: str
    funder: str
    programme: str = ""
    programme_id: str = ""
    title: str = ""
    pis: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    start: str = ""
    end: str = ""
    amount: float | None = None
    currency: str = ""
    pmids: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    grant_numbers: list[str] = field(default_factory=list)
    acknowledgements: list[str] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FundingLink:
    """Publication ↔ award, with how the link was made (``pmid-list``, ``doi-list``, ``grantlist``)."""

    pmid: str
    award_id: str
    provenance: str
    detail: str = ""
