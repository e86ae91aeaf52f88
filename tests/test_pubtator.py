"""The PubTator reader on the real corpora: counts agree with each SOURCE.md, offsets slice the stated text."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from core.errors import GapmapError
from nlp.pubtator import GAPMAP_TYPE, read_pubtator, split_ids
from nlp.records import ENTITY_TYPES


def stated_bc5cdr_counts(source: Path) -> dict[str, tuple[int, int]]:
    """``| Training | 500 | 9,385 | ...`` rows of the BC5CDR SOURCE.md → {split: (abstracts, mentions)}."""
    rows = re.findall(r"^\| (Training|Development) \| ([\d,]+) \| ([\d,]+) \|", source.read_text(), re.M)
    return {split: (int(docs.replace(",", "")), int(mentions.replace(",", ""))) for split, docs, mentions in rows}


def stated_abstracts(source: Path, filename: str) -> int:
    """``\\`file\\` (400 abstracts`` in a SOURCE.md → 400."""
    match = re.search(rf"`{re.escape(filename)}` \((\d+)(?: abstracts)?[,)]", source.read_text())
    assert match, f"{source} states no abstract count for {filename}"
    return int(match.group(1))


@pytest.mark.parametrize(
    ("split", "filename"),
    [("Training", "CDR_TrainingSet.PubTator.txt.gz"), ("Development", "CDR_DevelopmentSet.PubTator.txt.gz")],
)
def test_bc5cdr_counts_and_offsets(shared: Path, split: str, filename: str) -> None:
    folder = shared / "bc5cdr_train_dev"
    docs = list(read_pubtator(folder / filename))
    mentions = [(doc, m) for doc in docs for m in doc.mentions]
    assert (len(docs), len(mentions)) == stated_bc5cdr_counts(folder / "SOURCE.md")[split]
    assert {m.type for _, m in mentions} == {"Chemical", "Disease"}
    assert all(doc.text[m.start : m.end] == m.text for doc, m in mentions)
    assert all(re.fullmatch(r"[CD]\d+", i) for _, m in mentions for i in m.concept_ids)  # MeSH ids


@pytest.mark.parametrize(
    ("folder", "filename"),
    [
        ("biored_train_dev", "Train.PubTator.gz"),
        ("biored_train_dev", "Dev.PubTator.gz"),
        ("ncbi_disease_corpus", "NCBItrainset_corpus.txt.gz"),
        ("ncbi_disease_corpus", "NCBIdevelopset_corpus.txt.gz"),
        ("ncbi_disease_corpus", "NCBItestset_corpus.txt.gz"),
    ],
)
def test_abstract_counts_and_offsets(shared: Path, folder: str, filename: str) -> None:
    docs = list(read_pubtator(shared / folder / filename))
    assert len(docs) == stated_abstracts(shared / folder / "SOURCE.md", filename)
    mentions = [(doc, m) for doc in docs for m in doc.mentions]
    assert len(mentions) > 5 * len(docs)
    misaligned = {(doc.pmid, m.start) for doc, m in mentions if doc.text[m.start : m.end] != m.text}
    # One NCBI-disease train mention states its text with extra trailing blanks: a known glitch of the corpus.
    assert misaligned <= {("10923035", 711)}


def test_relation_lines_are_not_mentions(shared: Path) -> None:
    with gzip.open(shared / "bc5cdr_train_dev" / "CDR_TrainingSet.PubTator.txt.gz", "rt") as handle:
        raw = handle.read()
    relations = len(re.findall(r"^\d+\tCID\t", raw, re.M))
    assert relations == 1038  # SOURCE.md: 1,038 CID relations; none of them become mentions
    docs = read_pubtator(shared / "bc5cdr_train_dev" / "CDR_TrainingSet.PubTator.txt.gz")
    assert all(m.type != "CID" for doc in docs for m in doc.mentions)


def test_ncbi_classes_and_composite_ids(shared: Path) -> None:
    docs = list(read_pubtator(shared / "ncbi_disease_corpus" / "NCBItrainset_corpus.txt.gz"))
    first = docs[0]
    assert first.pmid == "10192393"
    composite = next(m for m in first.mentions if m.type == "CompositeMention")
    assert composite.text == "colon and some other cancers"
    assert composite.concept_ids == ("D003110", "D009369")
    types = {m.type for doc in docs for m in doc.mentions}
    assert types == {"SpecificDisease", "DiseaseClass", "CompositeMention", "Modifier"}
    assert {GAPMAP_TYPE[t] for t in types} == {"Disease"}
    assert any(i.startswith("OMIM:") for doc in docs for m in doc.mentions for i in m.concept_ids)


def test_split_ids() -> None:
    assert split_ids("D001943|D010051") == ("D001943", "D010051")
    assert split_ids("D004409,D006948") == ("D004409", "D006948")
    assert split_ids("OMIM:300322+OMIM:102600") == ("OMIM:300322", "OMIM:102600")
    assert split_ids("D012878.") == ("D012878",)
    assert split_ids("-1") == split_ids("-") == ()
    assert split_ids("D002544|-1") == ("D002544",)
    assert split_ids("c|DEL|1314_1328|") == ("c|DEL|1314_1328|",)  # a BioRED variant id is one id


def test_type_mapping_targets_gapmap_types() -> None:
    assert set(GAPMAP_TYPE.values()) <= set(ENTITY_TYPES)
    assert "SequenceVariant" not in GAPMAP_TYPE and "OrganismTaxon" not in GAPMAP_TYPE


def test_bad_input_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("123|t|A title\n123|a|An abstract\n999\t0\t1\tA\tChemical\tD1\n")
    with pytest.raises(GapmapError, match=r"bad\.txt:3"):
        list(read_pubtator(bad))
    with pytest.raises(GapmapError, match="no such corpus file"):
        list(read_pubtator(tmp_path / "missing.txt"))
