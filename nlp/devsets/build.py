"""Build a hand-annotated MS set as a PubTator file, checking every span against the real text.

Two sets share the guidelines and this tool: ``ms_dev.tsv`` (the measuring set) and ``ms_tune.tsv`` (30 other
abstracts, the only set lexicon and merge rules may be tuned on). The annotations hold offsets only. The text
comes from the shared Gregory-MS abstracts, joined by PMID, so the repository never carries a copy of the
abstracts. A span that does not slice exactly its annotated text stops the build. If it did not, an evaluation
could silently score against shifted gold spans.

Run: ``python -m nlp.devsets.build OUT.pubtator [--set dev|tune] [--source gregory_pubmed_abstracts.jsonl.gz]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError
from core.settings import settings
from nlp.records import BIOMARKER_KINDS, ENTITY_TYPES

HERE = Path(__file__).resolve().parent
ANNOTATIONS = HERE / "ms_dev.tsv"
#: The annotated sets by name: ``dev`` measures, ``tune`` is for tuning (see README.md, "The tuning set").
SETS = {"dev": ANNOTATIONS, "tune": HERE / "ms_tune.tsv"}
SOURCE_NAME = "pubmed_ms_gregory_rss_2021/gregory_pubmed_abstracts.jsonl.gz"
HEADER = ["pmid", "start", "end", "text", "type", "concept_id"]


def default_source() -> Path:
    """The shared abstracts, found the way the test suite finds shared data (``GAPMAP_SHARED_DATA``)."""
    return settings().shared_data / SOURCE_NAME


@dataclass(frozen=True)
class Annotation:
    """One gold mention; offsets index into ``Document.text``."""

    pmid: str
    start: int
    end: int
    text: str
    type: str
    concept_id: str  # ``kind=<fluid|imaging|clinical|digital>`` for a Biomarker, else optional


@dataclass(frozen=True)
class Document:
    """An annotated abstract. Its text is ``title + " " + abstract``, as the PubTator convention lays it out."""

    pmid: str
    title: str
    abstract: str

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


def read_annotations(path: Path = ANNOTATIONS) -> list[Annotation]:
    """Parse and validate the TSV; every bad row is reported (file:line), then the read fails."""
    problems: list[str] = []
    annotations: list[Annotation] = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, [])
        if header != HEADER:
            raise GapmapError(f"{path}: header is {header}, expected {HEADER}", "restore the header row")
        for line, row in enumerate(rows, start=2):
            problem = _row_problem(row)
            if problem:
                problems.append(f"{path.name}:{line}: {problem}")
                continue
            pmid, start, end, text, etype, concept_id = row
            annotations.append(Annotation(pmid, int(start), int(end), text, etype, concept_id))
    if problems:
        raise GapmapError(f"{len(problems)} bad annotation rows: " + "; ".join(problems[:5]), "fix the rows named")
    return annotations


def _row_problem(row: list[str]) -> str:
    """Why a TSV row is unusable, or "" when it is fine."""
    if len(row) != len(HEADER):
        return f"expected {len(HEADER)} tab-separated fields, got {len(row)}"
    pmid, start, end, _text, etype, concept_id = row
    if not (pmid.isdigit() and start.isdigit() and end.isdigit()) or int(start) >= int(end):
        return f"bad pmid/offsets {pmid!r} {start!r} {end!r}"
    if etype not in ENTITY_TYPES:
        return f"unknown type {etype!r} (expected one of {', '.join(ENTITY_TYPES)})"
    if etype == "Biomarker" and concept_id.removeprefix("kind=") not in BIOMARKER_KINDS:
        return f"Biomarker needs concept_id kind=<{'|'.join(BIOMARKER_KINDS)}>, got {concept_id!r}"
    return ""


def load_documents(source: Path, pmids: set[str]) -> dict[str, Document]:
    """The annotated abstracts from the shared JSONL; a PMID missing from it is an error."""
    if not source.is_file():
        raise GapmapError(f"abstracts not found: {source}", "set GAPMAP_SHARED_DATA or pass --source")
    documents: dict[str, Document] = {}
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["pmid"] in pmids:
                documents[record["pmid"]] = Document(record["pmid"], record["title"], record["abstract"] or "")
    missing = sorted(pmids - documents.keys())
    if missing:
        raise GapmapError(f"{source}: {len(missing)} annotated PMIDs absent: {', '.join(missing[:5])}", "wrong file?")
    return documents


def check_spans(annotations: list[Annotation], documents: dict[str, Document]) -> None:
    """Fail unless every span slices exactly its text and no two spans in a document overlap."""
    problems: list[str] = []
    for a in annotations:
        found = documents[a.pmid].text[a.start : a.end]
        if found != a.text:
            problems.append(f"PMID {a.pmid} [{a.start}:{a.end}] is {found!r}, annotated {a.text!r}")
    by_doc: dict[str, list[Annotation]] = {}
    for a in annotations:
        by_doc.setdefault(a.pmid, []).append(a)
    for pmid, spans in by_doc.items():
        spans.sort(key=lambda a: a.start)
        for left, right in zip(spans, spans[1:], strict=False):
            if right.start < left.end:
                problems.append(f"PMID {pmid} spans {left.text!r} and {right.text!r} overlap")
    if problems:
        raise GapmapError(f"{len(problems)} bad spans: " + "; ".join(problems[:5]), "recompute the offsets")


def to_pubtator(documents: dict[str, Document], annotations: list[Annotation]) -> str:
    """PubTator text: title line, abstract line, mention lines, and a blank line after each document.

    The abstract's newlines become spaces. A newline would end the ``|a|`` line early. Swapping one
    character for one character leaves every offset unchanged, and no gold span contains a newline.
    """
    by_doc: dict[str, list[Annotation]] = {pmid: [] for pmid in documents}
    for a in annotations:
        by_doc[a.pmid].append(a)
    blocks = []
    for pmid in sorted(documents, key=int):
        doc = documents[pmid]
        lines = [f"{pmid}|t|{doc.title}", f"{pmid}|a|{doc.abstract.replace(chr(10), ' ')}"]
        for a in sorted(by_doc[pmid], key=lambda a: (a.start, a.end)):
            lines.append("\t".join([pmid, str(a.start), str(a.end), a.text, a.type, a.concept_id]))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def build(out: Path, source: Path | None = None, annotations_path: Path = ANNOTATIONS) -> Counter[str]:
    """Check the gold set against the text and write it as PubTator; returns the mention counts per type."""
    annotations = read_annotations(annotations_path)
    documents = load_documents(source or default_source(), {a.pmid for a in annotations})
    check_spans(annotations, documents)
    out.write_text(to_pubtator(documents, annotations), encoding="utf-8")
    return Counter(a.type for a in annotations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PubTator file to write")
    parser.add_argument("--source", type=Path, default=None, help="gregory_pubmed_abstracts.jsonl.gz")
    parser.add_argument("--set", choices=sorted(SETS), default="dev", help="which annotated set (default: dev)")
    args = parser.parse_args(argv)
    try:
        counts = build(args.out, args.source, SETS[args.set])
    except GapmapError as err:
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{etype} {counts[etype]}" for etype in ENTITY_TYPES if counts[etype])
    print(f"wrote {args.out}: {sum(counts.values())} mentions ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
