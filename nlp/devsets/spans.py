"""Turn mention lists written by an annotator into checked character offsets.

An annotator reads an abstract and writes what it mentions as exact strings with a type, never as offsets:
offsets counted by hand drift. This module places them: every whole-word occurrence of each string is taken,
longest strings first, and an occurrence that overlaps a longer one is left out (the guideline's flat,
longest-span rule). Where the same string carries two types in one abstract (role decides, per sentence), or an
occurrence is not a mention (a registry name), the entry lists which occurrences it covers.

Annotation file (JSON lines, one document a line)::

    {"pmid": "33603109", "mentions": [["multiple sclerosis", "Disease"],
                                      ["TG2", "Biomarker:fluid", [0, 2]],
                                      ["TG2", "Gene", [1]]]}

The third element, when present, lists 0-based occurrence indices among all whole-word occurrences of the
string in ``title + " " + abstract`` (``show`` prints them). A Biomarker's type carries its kind after a colon.

Run::

    python -m nlp.devsets.spans show PMID [PMID ...]      # the text, and where each candidate string occurs
    python -m nlp.devsets.spans check FILE.jsonl          # place every mention; print spans in context
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp.devsets.build import Annotation, Document, default_source, load_documents
from nlp.records import BIOMARKER_KINDS, ENTITY_TYPES


@dataclass(frozen=True)
class Entry:
    """One line of an annotator's list: a surface string, its type, and optionally which occurrences."""

    text: str
    type: str
    kind: str  # Biomarker kind (fluid, imaging, clinical, digital), else ""
    occurrences: tuple[int, ...] | None  # None: every occurrence


def parse_entry(raw: list[object], where: str) -> Entry:
    """Validate one ``[text, type(, [indices])]`` entry; the error names the file, line and entry."""
    if not isinstance(raw, list) or len(raw) not in (2, 3) or not all(isinstance(x, str) for x in raw[:2]):
        raise ValueError(f"{where}: entry {raw!r} is not [text, type] or [text, type, [indices]]")
    text, full_type = str(raw[0]), str(raw[1])
    etype, _, kind = full_type.partition(":")
    if etype not in ENTITY_TYPES:
        raise ValueError(f"{where}: {text!r} has unknown type {etype!r}")
    if etype == "Biomarker" and kind not in BIOMARKER_KINDS:
        raise ValueError(f"{where}: Biomarker {text!r} needs a kind: Biomarker:<{'|'.join(BIOMARKER_KINDS)}>")
    indices: tuple[int, ...] | None = None
    if len(raw) == 3:
        chosen = raw[2]
        if not isinstance(chosen, list) or not all(isinstance(i, int) and i >= 0 for i in chosen):
            raise ValueError(f"{where}: {text!r} occurrence list {chosen!r} is not a list of indices")
        indices = tuple(chosen)
    if text != text.strip() or not text:
        raise ValueError(f"{where}: {text!r} has leading/trailing white space or is empty")
    return Entry(text, etype, kind, indices)


def occurrences(text: str, surface: str) -> list[int]:
    """Start offsets of ``surface`` in ``text`` with no letter or digit glued on either side."""
    starts, at = [], text.find(surface)
    while at >= 0:
        end = at + len(surface)
        before_ok = at == 0 or not text[at - 1].isalnum()
        after_ok = end == len(text) or not text[end].isalnum()
        if before_ok and after_ok:
            starts.append(at)
        at = text.find(surface, at + 1)
    return starts


def place(pmid: str, text: str, entries: Iterable[Entry]) -> tuple[list[Annotation], list[str]]:
    """Offsets for a document's entries, longest first, no overlaps; plus problems found on the way."""
    problems: list[str] = []
    taken: list[tuple[int, int]] = []
    placed: list[Annotation] = []
    for entry in sorted(entries, key=lambda e: -len(e.text)):
        starts = occurrences(text, entry.text)
        if not starts:
            problems.append(f"PMID {pmid}: {entry.text!r} does not occur as a whole word")
            continue
        chosen = range(len(starts)) if entry.occurrences is None else entry.occurrences
        for index in chosen:
            if index >= len(starts):
                problems.append(f"PMID {pmid}: {entry.text!r} has {len(starts)} occurrences, no index {index}")
                continue
            start, end = starts[index], starts[index] + len(entry.text)
            if any(start < e and s < end for s, e in taken):
                if entry.occurrences is not None:
                    problems.append(f"PMID {pmid}: {entry.text!r} occurrence {index} overlaps a longer span")
                continue
            taken.append((start, end))
            concept = f"kind={entry.kind}" if entry.kind else ""
            placed.append(Annotation(pmid, start, end, entry.text, entry.type, concept))
    placed.sort(key=lambda a: a.start)
    return placed, problems


def read_lists(path: Path) -> Iterator[tuple[str, list[Entry]]]:
    """(pmid, entries) per line of an annotation file."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{where}: not JSON ({err.msg})") from None
            pmid = str(record.get("pmid", ""))
            if not pmid.isdigit():
                raise ValueError(f"{where}: no numeric pmid")
            yield pmid, [parse_entry(raw, f"{where} (PMID {pmid})") for raw in record.get("mentions", [])]


def placed_files(paths: list[Path], source: Path) -> tuple[list[Annotation], dict[str, Document], list[str]]:
    """Every annotation of the files, placed in the real text; a PMID annotated twice is a problem."""
    lists = [item for path in paths for item in read_lists(path)]
    documents = load_documents(source, {pmid for pmid, _ in lists})
    annotations: list[Annotation] = []
    problems: list[str] = []
    seen: set[str] = set()
    for pmid, entries in lists:
        if pmid in seen:
            problems.append(f"PMID {pmid} is annotated twice")
        seen.add(pmid)
        placed, found = place(pmid, documents[pmid].text, entries)
        annotations += placed
        problems += found
    return annotations, documents, problems


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start].replace("\n", " ")
    right = text[end : end + width].replace("\n", " ")
    return f"…{left}[[{text[start:end]}]]{right}…"


def _show(pmids: list[str], source: Path) -> None:
    documents = load_documents(source, set(pmids))
    for pmid in pmids:
        doc = documents[pmid]
        print(f"=== PMID {pmid}\n{doc.text}\n")


def _check(paths: list[Path], source: Path) -> int:
    annotations, documents, problems = placed_files(paths, source)
    by_doc: dict[str, list[Annotation]] = {}
    for a in annotations:
        by_doc.setdefault(a.pmid, []).append(a)
    for pmid, spans in by_doc.items():
        print(f"=== PMID {pmid}: {len(spans)} mentions")
        text = documents[pmid].text
        for a in spans:
            print(f"  {a.type:<9} {a.start:>5} {_context(text, a.start, a.end)}")
        # Unannotated whole-word occurrences of annotated strings: each is either a miss or a deliberate skip.
        covered = [(a.start, a.end) for a in spans]
        for surface in sorted({a.text for a in spans}):
            for index, start in enumerate(occurrences(text, surface)):
                end = start + len(surface)
                if not any(s <= start and end <= e for s, e in covered):
                    print(f"  UNMARKED occurrence {index} of {surface!r}: {_context(text, start, end)}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    print(f"{len(annotations)} mentions in {len(by_doc)} documents, {len(problems)} problems")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["show", "check"])
    parser.add_argument("items", nargs="+", help="PMIDs (show) or annotation files (check)")
    parser.add_argument("--source", type=Path, default=None, help="gregory_pubmed_abstracts.jsonl.gz")
    args = parser.parse_args(argv)
    source = args.source or default_source()
    try:
        if args.command == "show":
            _show(args.items, source)
            return 0
        return _check([Path(p) for p in args.items], source)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
