"""Loaders for the ontologies the NLP stage recognises and normalises to (MeSH, HGNC, GO, CL, DOID, curated MS).

Each loader reads one real vocabulary file from the shared data folder and yields :class:`~nlp.records.Concept`
records, so the gazetteer, the linker and the record-metadata mentions all agree on ids, names and types.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    """The shared real-data folder: ``$GAPMAP_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    return Path(os.environ.get("GAPMAP_SHARED_DATA", REPO.parent / "shared" / "data"))
