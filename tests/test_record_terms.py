"""Record MeSH headings and chemicals become typed mentions (real MEDLINE records)."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from ingest.medline import iter_medline
from ingest.records import Article, Chemical, MeshHeading
from nlp.lexicons.mesh import descriptor_by_name, mesh_type
from nlp.mention_store import Annotation, MentionStore
from nlp.record_terms import heading_uis, mentions_from_record
from nlp.study_context import StudyContext

CHECK_TAGS = {"Humans", "Female", "Male", "Animals", "Aged", "Adult", "Middle Aged", "Mice", "Rats"}


@pytest.fixture(scope="module")
def medline(shared: Path) -> list[Article]:
    path = shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz"
    with gzip.open(path, "rb") as stream:
        return [a for a in iter_medline(cast(BinaryIO, stream), str(path)) if isinstance(a, Article)]


def test_headings_are_typed_by_tree_and_check_tags_skipped(medline: list[Article]) -> None:
    seen_types = set()
    for article in medline:
        mentions = mentions_from_record(article)
        texts = {m.text for m in mentions if m.section == "mesh"}
        assert not texts & CHECK_TAGS, article.pmid
        for m in mentions:
            assert (m.sentence_index, m.start, m.end, m.sentence, m.source) == (-1, -1, -1, "", "mesh")
            assert m.concept_id.startswith("MESH:") and m.pmid == article.pmid
            seen_types.add(m.type)
        # every heading whose tree gives a type is there, once
        typed = {
            d.ui
            for h in article.mesh
            if (d := descriptor_by_name().get(h.descriptor_name.lower())) and mesh_type(d.trees)
        }
        assert {m.concept_id[5:] for m in mentions if m.section == "mesh"} == typed
    assert {"Disease", "Compound", "CellType", "Mechanism"} <= seen_types


def test_mesh_types_of_known_descriptors() -> None:
    expected = {
        "Multiple Sclerosis, Chronic Progressive": "Disease",
        "Simvastatin": "Compound",
        "Microglia": "CellType",
        "Remyelination": "Mechanism",
        "Inflammation": "Mechanism",
        "Axons": None,  # a cellular structure, not a cell type
        "Humans": None,
        "Disease Progression": None,
        "Serum Albumin": "Gene",  # gene products are named as molecules, not given as substances
        "Interleukin-6": "Gene",
        "MicroRNAs": "Gene",
        "Natalizumab": "Compound",  # ... except monoclonal antibodies and interferons, which are drugs
        "Interferon beta-1a": "Compound",
        "Analgesics": None,  # a class defined by its use
        "Tablets": None,
        "Calcium Channel Blockers": "Compound",  # a class defined by its molecular target
    }
    for name, type_ in expected.items():
        assert mesh_type(descriptor_by_name()[name.lower()].trees) == type_, name
    # the unsplit reading (every D descriptor a Compound) that the NER model's dictionary features use
    assert mesh_type(descriptor_by_name()["serum albumin"].trees, split_chemicals=False) == "Compound"


def test_chemicals_including_supplementary_concepts() -> None:
    article = Article(
        pmid="1",
        mesh=[MeshHeading("D020528", "Multiple Sclerosis, Chronic Progressive"), MeshHeading("D006801", "Humans")],
        chemicals=[Chemical("ocrelizumab", "C533411"), Chemical("Simvastatin", "D019821"), Chemical("Water", "")],
    )
    got = {(m.section, m.concept_id, m.type) for m in mentions_from_record(article)}
    assert got == {
        ("mesh", "MESH:D020528", "Disease"),
        ("chemicals", "MESH:C533411", "Compound"),
        ("chemicals", "MESH:D019821", "Compound"),
        ("chemicals", "MESH:D014867", "Compound"),  # "Water" resolved by name
    }


def test_headings_named_without_an_id_get_the_descriptor_id_and_the_store_keeps_it(medline: list[Article]) -> None:
    """MEDLINE text names headings only; the NLP stage resolves them and the graph loader reads the result."""
    assert all(not h.descriptor_ui for a in medline for h in a.mesh)
    resolved = {a.pmid: heading_uis(a) for a in medline}
    for article in medline:
        known = {h.descriptor_name.lower() for h in article.mesh} & descriptor_by_name().keys()
        assert resolved[article.pmid] == {name: descriptor_by_name()[name].ui for name in known}
    assert {ui for r in resolved.values() for ui in r.values()} >= {"D006801", "D009836"}  # Humans, Oligodendroglia
    assert heading_uis(Article(pmid="1", mesh=[MeshHeading("", "No Such Heading"), MeshHeading("D1", "Humans")])) == {}

    store = MentionStore(sqlite3.connect(":memory:"))
    first, second = medline[0], medline[1]
    store.write([Annotation(a.pmid, "h", [], StudyContext(), resolved[a.pmid]) for a in (first, second)], "v1")
    assert store.mesh_uis() == {**resolved[first.pmid], **resolved[second.pmid]}
    store.write([Annotation(first.pmid, "h2", [], StudyContext(), {})], "v1")  # re-annotated: its old rows go
    store.forget([second.pmid])
    assert store.mesh_uis() == {}
