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

#: Where a mention came from ("rule": a span rule of :mod:`nlp.span_rules` that found a span no other source had).
SOURCES = ("model", "gazetteer", "abbreviation", "mesh", "rule")


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


@dataclass
class Relation:
    """One typed relation between two concepts of an article, with the sentence that states it.

    ``type`` is BioRED's (Association, Positive_Correlation, …; :data:`nlp.relations.RELATION_TYPES`). When
    ``directed``, ``subject`` acts on ``object`` ("subject decreases object"); otherwise the pair is symmetric and
    stored in a fixed order.  ``novel``: the paper's own finding rather than background (BioRED's flag).
    ``sentence`` is the best evidence sentence; ``evidence`` every sentence index that names both.
    """

    pmid: str
    subject: str  # concept id
    object: str
    type: str
    directed: bool
    novel: bool
    score: float
    sentence_index: int
    sentence: str
    evidence: list[int] = field(default_factory=list)
    subject_type: str = ""  # gapmap entity types of the two concepts
    object_type: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Readable verbs for users, as PubTator3 names its relation types: (type, directed) → verb; a directed
#: Compound → Disease correlation reads as "causes" / "treats".  Kept with the record (not in
#: :mod:`nlp.relations`) so that the graph load names a stored relation without loading the extractor.
VERBS: dict[tuple[str, bool], str] = {
    ("Association", False): "associated with",
    ("Positive_Correlation", True): "increases",
    ("Positive_Correlation", False): "positively correlated with",
    ("Negative_Correlation", True): "decreases",
    ("Negative_Correlation", False): "negatively correlated with",
    ("Bind", False): "binds",
    ("Cotreatment", False): "used with",
    ("Comparison", False): "compared with",
    ("Drug_Interaction", False): "interacts with",
    ("Conversion", True): "converted to",
    ("Conversion", False): "converted to",
    ("CID", True): "causes",  # BC5CDR's chemical-induced disease (nlp.relations.CID)
}


def relation_verb(type_: str, directed: bool, subject_type: str = "", object_type: str = "") -> str:
    """The verb a user reads between subject and object ("ocrelizumab decreases NfL")."""
    if directed and subject_type == "Compound" and object_type == "Disease":
        if type_ == "Positive_Correlation":
            return "causes"
        if type_ == "Negative_Correlation":
            return "treats"
    return VERBS.get((type_, directed)) or VERBS.get((type_, not directed), type_.replace("_", " ").lower())
