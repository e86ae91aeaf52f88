"""PMIDs reserved for independent evaluation: no training set, dev set, lexicon, rule or test may use them.

The list lives beside the shared data (``../shared/annotation/reserved_pmids.txt``); their abstracts are part of
the shared Gregory-MS corpus, so anything that reads that corpus to learn from it (silver training data, gold
sets) drops them here. They may still pass through the pipeline like any other record (the demo ingests them).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.errors import GapmapError
from core.settings import settings


def reserved_file() -> Path:
    return settings().shared_data.parent / "annotation" / "reserved_pmids.txt"


@cache
def reserved_pmids() -> frozenset[str]:
    """The reserved PMIDs; a missing list is an error, never an empty set (that would silently use them)."""
    path = reserved_file()
    if not path.is_file():
        raise GapmapError(f"reserved-PMID list not found: {path}", "set GAPMAP_SHARED_DATA to the shared data folder")
    return frozenset(path.read_text(encoding="utf-8").split())
