"""Find PubMed files on disk and turn each into a stream of events, whatever its format.

Formats are told apart by name first, then by the first bytes (a ``.txt`` or ``.gz`` can hold any of
them): ``<?xml``/``<PubmedArticleSet``/``<MedlineCitationSet`` → PubMed XML, ``PMID-`` → MEDLINE text,
``{`` → JSON Lines.  Gzip is opened transparently; a file that cannot be opened or decompressed becomes
one :class:`Rejected` naming it, and the next file goes on.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

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


def _open(path: Path) -> BinaryIO:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")  # type: ignore[return-value]


def sniff(head: bytes) -> Parser | None:
    """The parser for a file starting with ``head`` (after decompression), or None if unrecognised."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return iter_pubmed_xml
    if text.startswith(b"{"):
        return iter_jsonl
    if text.startswith(b"PMID-") or b"\nPMID-" in text:
        return iter_medline
    return None


def iter_file_events(path: Path) -> Iterator[Event]:
    """Every event of one file; problems opening it or recognising it become a Rejected naming it."""
    source = str(path)
    try:
        stream = _open(path)
    except OSError as exc:
        yield Rejected(source, f"cannot open: {exc.strerror or exc}")
        return
    with stream:
        try:
            head = stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]  # type: ignore[attr-defined]
        except READ_ERRORS as exc:
            yield Rejected(source, f"cannot read (bad or truncated gzip?): {exc}")
            return
        parser = sniff(head) or _BY_SUFFIX.get(_base_suffix(path))
        if parser is None:
            yield Rejected(source, "unrecognised format (expected PubMed XML, MEDLINE text or JSON Lines)")
            return
        yield from parser(stream, source)
