"""Plain text out of PubMed's marked-up fields.

Titles and abstracts carry inline HTML/MathML (``<i>``, ``<sup>``, ``<mml:math>``) and placeholders such as
"NO ABSTRACT"; the NLP stage wants plain Unicode text with single spaces, so every parser passes its text
through here.  Also holds the one list of read errors a compressed or truncated stream can raise, so every
parser turns them into the same :class:`~ingest.records.Rejected`.
"""

from __future__ import annotations

import html
import re
import zlib
from typing import Any

from ingest.records import AbstractSection

#: An lxml element (lxml ships no type stubs); xml.etree elements work the same here.
XmlElement = Any

#: What reading a (possibly gzip-compressed, possibly truncated) byte stream can raise.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)

_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_NO_ABSTRACT = re.compile(r"^\W*(?:no abstract(?: available)?|abstract (?:not )?available|not available)\W*$", re.I)
# An inline structured-abstract heading: upper-case words (with & / , - and spaces) then a colon.
_INLINE_LABEL = re.compile(r"(?:(?<=^)|(?<=[.?!)\]] ))([A-Z][A-Z0-9 &/,()-]{2,60}[A-Z)]): ")


def squash(text: str) -> str:
    """Collapse runs of whitespace (any Unicode space, newlines, tabs) to one space and trim."""
    return " ".join(text.split())


def element_text(elem: XmlElement | None) -> str:
    """All text inside ``elem``, inline tags dropped, whitespace squashed ("" for a missing element)."""
    if elem is None:
        return ""
    if len(elem) == 0:  # a leaf: most fields, and much cheaper than itertext
        return " ".join((elem.text or "").split())
    return " ".join("".join(elem.itertext()).split())


def strip_tags(text: str) -> str:
    """Plain text of a string that may hold literal HTML tags and entities (MEDLINE/JSONL exports)."""
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return squash(text)


def is_no_abstract(text: str) -> bool:
    """True for the placeholders PubMed and exporters put where there is no abstract."""
    return bool(_NO_ABSTRACT.match(text.strip("[] ")))


def clean_abstract(sections: list[AbstractSection]) -> list[AbstractSection]:
    """Drop empty sections, and return no sections at all when the abstract is only a placeholder."""
    kept = [s for s in sections if s.text]
    if len(kept) == 1 and not kept[0].label and is_no_abstract(kept[0].text):
        return []
    return kept


def split_inline_labels(text: str, min_labels: int = 2) -> list[AbstractSection]:
    """Split "BACKGROUND: … METHODS: …" into labelled sections when the text is clearly structured.

    Clearly structured means: it starts with a heading and has at least ``min_labels`` of them (one is
    enough for a paragraph that an exporter already split off).  Anything else (a single "NOTE:" in the
    middle of prose, lower-case "Results: ") stays one unlabelled section, because a wrong split would cut
    a sentence in two.
    """
    if not _INLINE_LABEL.match(text):  # no heading at the start: no need to scan a text of megabytes
        return [AbstractSection(text=text)] if text else []
    matches = list(_INLINE_LABEL.finditer(text))
    if len(matches) < min_labels:
        return [AbstractSection(text=text)]
    sections = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.end() : end].strip()
        if body:
            sections.append(AbstractSection(text=body, label=m.group(1).strip()))
    return sections
