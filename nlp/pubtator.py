"""Read PubTator corpora (BC5CDR, BioRED, NCBI-disease): documents with gold entity mentions.

PubTator is the common interchange format of the biomedical NER corpora we train and evaluate on:
``PMID|t|title`` and ``PMID|a|abstract`` lines, then one tab-separated line per mention
(``PMID  start  end  text  type  ID``) and relation lines (BC5CDR ``PMID  CID  chemical  disease``; BioRED
``PMID  type  id1  id2  Novel|No``). Offsets index into ``title + " " + abstract``. Files may be plain text or gzip.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import GapmapError


@dataclass(frozen=True)
class GoldMention:
    """One annotated mention; ``concept_ids`` splits composite ids (``D001|D002``, ``3172,3651``)."""

    start: int
    end: int
    text: str
    type: str
    concept_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldRelation:
    """One document-level relation between two concept ids (unordered, as the corpora score them).

    ``novel`` is BioRED's flag (``True``: the paper's own finding; ``False``: background); ``None`` when the
    corpus has no flag (BC5CDR).
    """

    type: str
    id1: str
    id2: str
    novel: bool | None = None


@dataclass
class PubtatorDoc:
    """One abstract: the text the offsets index into, its gold mentions and its gold relations."""

    pmid: str
    title: str
    abstract: str
    mentions: list[GoldMention] = field(default_factory=list)
    relations: list[GoldRelation] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


#: One atomic concept id: MeSH ``D001943`` / ``C537666``, ``OMIM:217000``, an NCBI Gene number, ``rs3730089``.
_ATOMIC_ID = re.compile(r"(?:[A-Za-z]+:)?[A-Za-z]*\d+")
_NO_ID = ("", "-", "-1")


def split_ids(raw: str) -> tuple[str, ...]:
    """Normalise a PubTator id field into concept ids.

    Composite mentions join ids with ``|`` (NCBI-disease, BC5CDR), ``,`` (BioRED) or ``+`` (NCBI-disease), and
    NCBI-disease writes a trailing ``.`` on some ids; ``-1`` and ``-`` mean "no concept" (also as one part of a
    composite: ``D002544|-1``). A field whose parts are not
    all plain ids (BioRED variant ids such as ``c|DEL|1314_1328|``) is one id, kept whole.
    """
    parts = [part.strip().rstrip(".") for part in re.split(r"[|,+;]", raw)]
    parts = [part for part in parts if part not in _NO_ID]
    if not parts:
        return ()
    if all(_ATOMIC_ID.fullmatch(part) for part in parts):
        return tuple(dict.fromkeys(parts))
    return (raw.strip(),)


def _open(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            yield from handle
    except (OSError, UnicodeDecodeError) as exc:
        raise GapmapError(f"{path}: cannot read PubTator file ({exc})", "pass a PubTator .txt or .gz file") from exc


def read_pubtator(path: Path | str) -> Iterator[PubtatorDoc]:
    """Yield the documents of a PubTator file in order.

    A mention line whose offsets do not slice its stated text is still yielded (the corpus is the judge), but a
    malformed line raises a :class:`GapmapError` naming the file and line number.
    """
    path = Path(path)
    if not path.is_file():
        raise GapmapError(f"{path}: no such corpus file", "pass a PubTator file (plain or .gz)")
    doc: PubtatorDoc | None = None
    for number, raw in enumerate(_open(path), start=1):
        line = raw.rstrip("\n").rstrip("\r")
        if not line.strip():
            continue
        head = line.split("|", 2)
        if len(head) == 3 and head[1] in ("t", "a") and "\t" not in head[0]:
            pmid, kind, body = head
            if kind == "t":
                if doc is not None:
                    yield doc
                doc = PubtatorDoc(pmid=pmid, title=body, abstract="")
            elif doc is not None and doc.pmid == pmid:
                doc.abstract = body
            else:
                raise GapmapError(f"{path}:{number}: abstract line for PMID {pmid} without its title line")
            continue
        fields = line.split("\t")
        if doc is None or fields[0] != doc.pmid:
            raise GapmapError(f"{path}:{number}: annotation line outside its document: {line[:80]!r}")
        if len(fields) >= 5 and fields[1].isdigit() and fields[2].isdigit():
            concept = fields[5] if len(fields) > 5 else ""
            doc.mentions.append(GoldMention(int(fields[1]), int(fields[2]), fields[3], fields[4], split_ids(concept)))
        elif len(fields) < 4:
            raise GapmapError(f"{path}:{number}: malformed PubTator line: {line[:80]!r}")
        else:  # a relation line: PMID, relation type, id1, id2 [, Novel|No]
            novel = {"Novel": True, "No": False}.get(fields[4].strip()) if len(fields) > 4 else None
            doc.relations.append(GoldRelation(fields[1], fields[2].strip(), fields[3].strip(), novel))
    if doc is not None:
        yield doc


#: Corpus entity type → gapmap entity type (:data:`nlp.records.ENTITY_TYPES`). Types absent here (BioRED's
#: SequenceVariant, OrganismTaxon, CellLine) are not gapmap entities and are dropped. gapmap's own names map to
#: themselves so a corpus written in gapmap types can be evaluated too.
GAPMAP_TYPE: dict[str, str] = {
    # BC5CDR
    "Chemical": "Compound",
    "Disease": "Disease",
    # BioRED
    "ChemicalEntity": "Compound",
    "DiseaseOrPhenotypicFeature": "Disease",
    "GeneOrGeneProduct": "Gene",
    # NCBI-disease
    "SpecificDisease": "Disease",
    "DiseaseClass": "Disease",
    "CompositeMention": "Disease",
    "Modifier": "Disease",
    # gapmap
    "Compound": "Compound",
    "Gene": "Gene",
    "Mechanism": "Mechanism",
    "Biomarker": "Biomarker",
    "CellType": "CellType",
}
