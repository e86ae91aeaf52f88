"""Find PubMed files on disk and turn each into a stream of events, whatever its format.

Formats are told apart by the first bytes, then by the name (a ``.txt`` or ``.gz`` can hold any of them,
and a pipe has no name): ``<`` → PubMed XML, ``PMID-`` → MEDLINE text, ``{`` → JSON Lines.  Gzip is
opened transparently.  A file that cannot be opened, decompressed or recognised becomes one
:class:`Rejected` naming it, and so does a file in which no PubMed record is found; the next file goes on.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from ingest.jsonl import iter_jsonl
from ingest.markup import READ_ERRORS
from ingest.medline import iter_medline
from ingest.pipeline import Event
from ingest.pubmed_xml import iter_pubmed_xml
from ingest.records import Rejected

Parser = Callable[[BinaryIO, str], Iterator[Event]]

#: File-name endings ``iter_paths`` picks up in folders (a file named explicitly is always tried).
SUFFIXES = (".xml", ".txt", ".nbib", ".medline", ".jsonl")
_BY_SUFFIX: dict[str, Parser] = {
    ".xml": iter_pubmed_xml,
    ".nbib": iter_medline,
    ".medline": iter_medline,
    ".jsonl": iter_jsonl,
}
_SNIFF_BYTES = 4096
#: A MEDLINE line: a tag padded to 4 characters, "- ", the value ("PMID- 1", "OWN - NLM", "TI  - …").  The first
#: record may have lost its PMID line, which is then the record's rejection, not the file's.
_MEDLINE_TAG = re.compile(rb"[A-Z][A-Z0-9 ]{3}- ")
_EXPECTED: dict[Parser, str] = {
    iter_pubmed_xml: "read as XML: expected PubmedArticle, MedlineCitation or DeleteCitation elements, no namespace",
    iter_medline: "read as MEDLINE text: expected records starting 'PMID- '",
    iter_jsonl: "read as JSON Lines: expected one JSON object per line",
}


def _base_suffix(path: Path) -> str:
    """ ".xml" for both ``a.xml`` and ``a.xml.gz``."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def is_ingestible(path: Path) -> bool:
    return _base_suffix(path) in SUFFIXES


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: each given file, and the ingestible files under each folder (recursive, sorted)."""
    for path in paths:
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and is_ingestible(p))
        else:
            yield path


def sniff(head: bytes) -> Parser | None:
    """The parser for a file starting with ``head`` (after decompression), or None if unrecognised."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return iter_pubmed_xml
    if text.startswith(b"{"):
        return iter_jsonl
    if _MEDLINE_TAG.match(text) or b"\nPMID-" in text:
        return iter_medline
    return None


def iter_file_events(path: Path) -> Iterator[Event]:
    """Every event of one file; problems opening it or recognising it become a Rejected naming it.

    The file is opened once and read forward only, so a pipe works too (``<(zcat …)`` is ``/dev/fd/63``:
    no name to go by, and a second open would miss the bytes already read).
    """
    source = str(path)
    try:
        raw = path.open("rb")
    except OSError as exc:
        yield Rejected(source, f"cannot open: {exc.strerror or exc}")
        return
    with raw:
        try:
            gzipped = raw.peek(2)[:2] == b"\x1f\x8b"
            stream: gzip.GzipFile | io.BufferedReader = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
            head = stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]
        except READ_ERRORS as exc:
            yield Rejected(source, f"cannot read (bad or truncated gzip?): {exc}")
            return
        parser = sniff(head) or _BY_SUFFIX.get(_base_suffix(path))
        if parser is None:
            yield Rejected(source, "unrecognised format (expected PubMed XML, MEDLINE text or JSON Lines)")
            return
        found = False
        for event in parser(cast(BinaryIO, stream), source):  # both are binary streams; typeshed has no common type
            found = True
            yield event
        if not found:  # an SVG, an XML document in a namespace, an empty export: say so, do not pass silently
            yield Rejected(source, f"no PubMed records found in {source} ({_EXPECTED[parser]})")
