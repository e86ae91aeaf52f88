"""Names as the graph keys them: one-line text, accent- and case-free keys, and institutions from affiliations.

These read only what a PubMed record says, so they belong to ingest; the graph builds its node keys with them
and the analytics group papers by the last author's institution with the same parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"\S+@\S+")
_INSTITUTION_WORDS = re.compile(
    r"universit|institut|hospital|college|school|centre|center|clinic|foundation|laborator|academy|council|"
    r"agency|ministry|inserm|cnrs|nih|company|inc\b|ltd\b|gmbh",
    re.IGNORECASE,
)
_COUNTRY_ALIASES = {
    "usa": "United States",
    "u.s.a": "United States",
    "us": "United States",
    "united states of america": "United States",
    "uk": "United Kingdom",
    "u.k": "United Kingdom",
    "england": "United Kingdom",
    "scotland": "United Kingdom",
    "wales": "United Kingdom",
    "northern ireland": "United Kingdom",
    "the netherlands": "Netherlands",
    "holland": "Netherlands",
    "p.r. china": "China",
    "pr china": "China",
    "people's republic of china": "China",
    "republic of korea": "South Korea",
    "korea": "South Korea",
}


def clean(text: str) -> str:
    """One line, single spaces: graph strings travel through CSV bulk loads and table output."""
    return _SPACE.sub(" ", text).strip()


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key ("Müller, J." and "muller j" agree)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


@dataclass(frozen=True)
class Affiliation:
    """An institution (keyed by :func:`name_key`) and its country, as an affiliation line gives them."""

    key: str
    name: str
    country: str


def parse_affiliation(text: str) -> Affiliation | None:
    """Institution and country from a free-text affiliation ("Dept X, Univ Y, City, Country. a@b.c")."""
    text = clean(_EMAIL.sub("", text)).rstrip(" .;,")
    if not text:
        return None
    parts = [p.strip(" .") for p in text.split(",") if p.strip(" .")]
    name = next((p for p in parts if _INSTITUTION_WORDS.search(p)), parts[0])
    tail = re.sub(r"[\d-]+", "", parts[-1]).strip(" .") if len(parts) > 1 else ""
    country = ""
    if tail and len(tail.split()) <= 4 and not _INSTITUTION_WORDS.search(tail):
        country = _COUNTRY_ALIASES.get(tail.lower(), tail)
    return Affiliation(name_key(name), name, country)
