"""Typed records at the NLP → graph boundary: entity types, concepts and mentions with sentence evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.records import Article

#: The entity types used everywhere (store, graph labels, app, evaluation), with their Biolink category.
ENTITY_TYPES: dict[str, str] = {
    "Compound": "biolink:ChemicalEntity",
    "Mechanism": "biolink:BiologicalProcess",
    "Biomarker": "biolink:ClinicalAttribute",
    "Gene": "biolink:Gene",
    "CellType": "biolink:Cell",
    "Disease": "biolink:Disease",
}

#: Biomarker kinds.
BIOMARKER_KINDS = ("fluid", "imaging", "clinical", "digital")

#: Where a mention came from.
SOURCES = ("model", "gazetteer", "abbreviation", "mesh")


def document_text(article: Article) -> str:
    """The text the NLP stage annotates; every mention's offsets index into this string.

    Title, a blank line, then the abstract with its section labels ("METHODS: ...") one paragraph a line.
    """
    return f"{article.title}\n\n{article.abstract_text}" if article.abstract else article.title


@dataclass
class Concept:
    """A normalised entity: one ontology id (``MESH:D000068577``, ``HGNC:7739``, ``GO:0031641``,
    ``CL:0000129``, ``DOID:2377``; ``GAPMAP:<slug>`` for curated concepts with no ontology id)."""

    concept_id: str
    name: str
    type: str
    synonyms: list[str] = field(default_factory=list)
    kind: str = ""  # biomarker kind (fluid / imaging / clinical / digital)
    xrefs: list[str] = field(default_factory=list)  # other ids of the same concept; a Biomarker's Gene id

    @property
    def biolink(self) -> str:
        return ENTITY_TYPES.get(self.type, "biolink:NamedThing")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mention:
    """One entity mention with the sentence that backs it."""

    pmid: str
    section: str  # "title", "abstract", a structured-abstract label ("RESULTS"), or "mesh" / "chemicals"
    sentence_index: int  # index of the sentence in the document (title is sentence 0); -1 for record metadata
    sentence: str
    start: int  # character offsets into document_text(article); -1 for record metadata
    end: int
    text: str
    type: str
    concept_id: str
    concept_name: str
    source: str
    score: float = 1.0
    kind: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
