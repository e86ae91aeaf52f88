"""Build the MS gold sets as PubTator, from the annotators' mention lists and the real shared abstracts.

The gold data follows the shared guideline (``../shared/annotation/ms_entities.md``). Annotators wrote what each
abstract mentions as exact strings with types (``ms_gold/batch_*.jsonl``, see :mod:`nlp.devsets.spans`); this
module places them in the text, checks every span, and writes PubTator. The abstracts stay in the shared data
folder, so the repository never carries a copy of them.

Two sets, split by a hash of the PMID (so the split never depends on what the pipeline finds):

* ``train``: about five sixths of the documents, for training the NER model;
* ``dev``: the rest (59 documents), which nothing is trained or tuned on: its scores are the ones quoted.

``tune`` names the documents of ``train`` that training keeps apart for checkpoint selection (every tenth by
PMID, :data:`nlp.training.corpus.VALIDATION_EVERY`): the model never learns from them, so their errors may be
read to choose merge rules and lexicon entries.

Run: ``python -m nlp.devsets.build OUT.pubtator [--set train|dev] [--source gregory_pubmed_abstracts.jsonl.gz]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError
from core.settings import settings
from nlp.records import ENTITY_TYPES

HERE = Path(__file__).resolve().parent
GOLD = HERE / "ms_gold"
SOURCE_NAME = "pubmed_ms_gregory_rss_2021/gregory_pubmed_abstracts.jsonl.gz"
SETS = ("train", "dev", "tune")
#: Every n-th training document (by PMID) is held out of training for validation: the ``tune`` set.
TUNE_EVERY = 10
#: One document in DEV_EVERY (by PMID hash) is in the dev set.
DEV_EVERY = 6


def default_source() -> Path:
    """The shared abstracts the gold sets annotate."""
    return settings().shared_data / SOURCE_NAME


def annotation_files() -> list[Path]:
    """The annotators' mention lists (the ``agree_*`` files are the second annotations for the agreement)."""
    return sorted(GOLD.glob("batch_*.jsonl"))


def in_set(pmid: str, name: str) -> bool:
    """Whether ``pmid`` belongs to set ``name``: a stable hash split, independent of content and order."""
    dev = int(hashlib.sha1(pmid.encode()).hexdigest(), 16) % DEV_EVERY == 0
    return dev if name == "dev" else not dev


@dataclass(frozen=True)
class Annotation:
    """One gold mention; offsets index into ``Document.text``."""

    pmid: str
    start: int
    end: int
    text: str
    type: str
    concept_id: str  # ``kind=<fluid|imaging|clinical|digital>`` for a Biomarker, else ""


@dataclass(frozen=True)
class Document:
    """An annotated abstract. Its text is ``title + " " + abstract``, as the PubTator convention lays it out."""

    pmid: str
    title: str
    abstract: str

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


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


def gold_set(name: str, source: Path | None = None) -> tuple[dict[str, Document], list[Annotation]]:
    """The documents and placed mentions of set ``name``; any annotation problem stops the build."""
    from nlp.devsets.spans import placed_files

    annotations, documents, problems = placed_files(annotation_files(), source or default_source())
    if problems:
        raise GapmapError(f"{len(problems)} annotation problems: " + "; ".join(problems[:5]), "fix ms_gold/*.jsonl")
    keep = {pmid for pmid in documents if in_set(pmid, "dev" if name == "dev" else "train")}
    if name == "tune":
        keep = {p for i, p in enumerate(sorted(keep, key=int)) if i % TUNE_EVERY == TUNE_EVERY - 1}
    return {p: d for p, d in documents.items() if p in keep}, [a for a in annotations if a.pmid in keep]


def build(out: Path, name: str = "dev", source: Path | None = None) -> Counter[str]:
    """Write set ``name`` as PubTator; returns the mention counts per type."""
    documents, annotations = gold_set(name, source)
    out.write_text(to_pubtator(documents, annotations), encoding="utf-8")
    return Counter(a.type for a in annotations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PubTator file to write")
    parser.add_argument("--source", type=Path, default=None, help="gregory_pubmed_abstracts.jsonl.gz")
    parser.add_argument("--set", choices=SETS, default="dev", help="which set (default: dev, the measuring set)")
    args = parser.parse_args(argv)
    try:
        counts = build(args.out, args.set, args.source)
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
