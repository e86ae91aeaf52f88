"""Cell Ontology (OBO): cell types with their exact synonyms."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

from nlp.lexicons import shared_data
from nlp.records import Concept

_SYNONYM = re.compile(r'^synonym: "(.*)" EXACT')


def cell_concepts() -> Iterator[Concept]:
    """``CL:`` terms (not obsolete) typed CellType; only EXACT synonyms (RELATED ones name other things)."""
    path = shared_data() / "lexicons_cell_ontology" / "cl-basic_2022-09-15.obo.gz"
    term: dict[str, list[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in [*handle, "[Term]\n"]:
            line = line.rstrip("\n")
            if line.startswith("["):
                ids, names = term.get("id", []), term.get("name", [])
                if ids and ids[0].startswith("CL:") and names and not term.get("obsolete"):
                    yield Concept(ids[0], names[0], "CellType", term.get("synonyms", []))
                term = {}
            elif line.startswith(("id: ", "name: ")):
                key, _, value = line.partition(": ")
                term.setdefault(key, []).append(value)
            elif line.startswith("is_obsolete: true"):
                term["obsolete"] = ["true"]
            elif match := _SYNONYM.match(line):
                term.setdefault("synonyms", []).append(match.group(1))
