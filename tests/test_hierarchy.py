"""The concept hierarchy (graph.hierarchy) from the real ontology files, roll-up and specificity on real records,
and how papers name experimental tools (nlp.usage) in the real MS abstracts."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest

from analytics.hierarchy import ConceptTree, roll_up
from analytics.incidence import Corpus, Incidence
from analytics.results import Analysis
from analytics.source import articles_in, from_articles
from graph.hierarchy import EntityRef, build_hierarchy
from nlp.records import Mention
from nlp.usage import used_as_tool

PPMS, SPMS, PMS, MS = "DOID:0050784", "DOID:0050783", "MESH:D020528", "MESH:D009103"
PIRA = "GAPMAP:progression-independent-of-relapse-activity"


@pytest.fixture(scope="module")
def hierarchy(shared: Path) -> dict[str, dict[str, int]]:
    """child → {parent: distance} for a handful of real concepts (their ids and names as the lexicons give them)."""
    entities = [
        EntityRef(PPMS, "primary progressive multiple sclerosis", "Disease"),
        EntityRef(SPMS, "secondary progressive multiple sclerosis", "Disease"),
        EntityRef(PMS, "progressive multiple sclerosis", "Disease"),
        EntityRef(MS, "multiple sclerosis", "Disease"),
        EntityRef(PIRA, "progression independent of relapse activity", "Biomarker"),
        EntityRef("GO:0042110", "T cell activation", "Mechanism"),
        EntityRef("GO:0042113", "B cell activation", "Mechanism"),
        EntityRef("MESH:D017209", "apoptosis", "Mechanism"),
        EntityRef("GO:0008219", "cell death", "Mechanism"),
        EntityRef("MESH:D000069462", "dimethyl fumarate", "Compound"),
        EntityRef("MESH:C509058", "monomethyl fumarate", "Compound"),
        EntityRef("MESH:D000068876", "fingolimod", "Compound"),
        EntityRef("MESH:C578989", "siponimod", "Compound"),
    ]
    built = build_hierarchy(entities)
    out: dict[str, dict[str, int]] = {}
    for link in built.links:
        out.setdefault(link.child, {})[link.parent] = link.distance
    return out


def test_ms_phenotypes_roll_up_to_progressive_ms_and_ms(hierarchy: dict[str, dict[str, int]]) -> None:
    for subtype in (PPMS, SPMS):
        assert hierarchy[subtype][PMS] == 1 and hierarchy[subtype][MS] == 1  # curated, and DOID is_a
    assert hierarchy[PIRA][PMS] == 1 and hierarchy[PIRA][MS] == 2
    assert hierarchy[PMS][MS] == 1
    assert PMS not in hierarchy[MS]  # no cycle


def test_mechanisms_roll_up_along_go_and_ontologies_meet(hierarchy: dict[str, dict[str, int]]) -> None:
    lymphocyte_activation = "GO:0046649"
    assert hierarchy["GO:0042110"][lymphocyte_activation] == 1 == hierarchy["GO:0042113"][lymphocyte_activation]
    # MeSH files apoptosis under "Cell Death"; the corpus names GO "cell death": the two trees meet at that entity
    assert "GO:0008219" in hierarchy["MESH:D017209"] and "MESH:D016923" not in hierarchy["MESH:D017209"]


def test_compounds_roll_up_to_their_classes(hierarchy: dict[str, dict[str, int]]) -> None:
    fumarates = "MESH:D005650"
    assert hierarchy["MESH:D000069462"][fumarates] == 1  # tree number D02.241.081.337.302.500
    assert hierarchy["MESH:C509058"][fumarates] == 1  # the supplementary concept's mapped descriptor
    s1p = "GAPMAP:sphingosine-1-phosphate-receptor-modulators"
    assert hierarchy["MESH:D000068876"][s1p] == 1 == hierarchy["MESH:C578989"][s1p]  # curated drug class
    assert "CHEBI:35705" in hierarchy["MESH:D000068876"]  # ChEBI role: immunosuppressive agent


def test_closure_is_transitive(hierarchy: dict[str, dict[str, int]]) -> None:
    for child, ups in hierarchy.items():
        for parent, d in ups.items():
            for grand, e in hierarchy.get(parent, {}).items():
                if grand != child:
                    assert ups[grand] <= d + e, (child, parent, grand)


@pytest.fixture(scope="module")
def oligo(shared: Path) -> Corpus:
    path = shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz"
    return from_articles(articles_in([path]), hierarchy=True)


def test_roll_up_counts_each_paper_once_for_a_parent(oligo: Corpus) -> None:
    base = Incidence.from_rows(oligo.rows)
    rolled = roll_up(base, oligo.hierarchy, levels=1)
    tree = ConceptTree.build(base, [link for link in oligo.hierarchy if link.distance == 1])
    index, rolled_index = base.index(), rolled.index()
    checked = 0
    for parent, col in rolled_index.items():
        kids = [
            index[k]
            for k in base.entity_ids
            if parent in tree.broader[index[k]] and base.types[index[k]] == rolled.types[col]
        ]
        expected = set(base.matrix[:, kids].tocoo().row) if kids else set()
        if parent in index:
            expected |= set(base.matrix[:, [index[parent]]].tocoo().row)
        assert set(rolled.matrix[:, [col]].tocoo().row) == expected, parent
        checked += len(kids) > 1
    assert checked > 5
    assert rolled.n_entities > base.n_entities  # class columns nobody names themselves
    assert set(np.unique(rolled.matrix.data)) == {1}


def test_specificity_reasons_come_from_data(oligo: Corpus) -> None:
    an = Analysis(oligo)
    spec = an.specificity(("Mechanism", "Compound"))
    by_name = {n: i for i, n in enumerate(an.inc.names)}
    assert "not-entity policy" in spec.why(by_name["Antibodies"])  # nlp/ms_lexicon.yaml: "antibodies"
    classes = [i for i, r in enumerate(spec.reasons) if any(x.startswith("class: ") for x in r)]
    tree = an.tree
    narrower = tree.narrower_counts()
    assert all(narrower[i] >= 2 or 0 <= tree.depth[i] <= 1 or "Chemical Actions" in spec.why(i) for i in classes)
    assert classes and spec.specific().sum() > 0.3 * an.inc.n_entities


def _gregory_sentences(shared: Path, word: str) -> list[str]:
    path = shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"
    found = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = " ".join(str(v) for v in json.loads(line).values() if isinstance(v, str))
            found += [s for s in re.split(r"(?<=[.!?])\s+", text) if word.lower() in s.lower()]
    return found


def _mention(sentence: str, word: str) -> Mention:
    at = sentence.lower().find(word.lower())
    text = sentence[at : at + len(word)]
    return Mention("0", "abstract", 1, sentence, at, at + len(word), text, "Compound", "X", word, "gazetteer")


def test_papers_name_model_inducers_as_tools_and_drugs_as_drugs(shared: Path) -> None:
    cuprizone = _gregory_sentences(shared, "cuprizone")
    fingolimod = _gregory_sentences(shared, "fingolimod")
    assert len(cuprizone) > 10 and len(fingolimod) > 50
    tool_share = np.mean([used_as_tool(_mention(s, "cuprizone")) for s in cuprizone])
    drug_share = np.mean([used_as_tool(_mention(s, "fingolimod")) for s in fingolimod])
    assert tool_share > 0.4 and drug_share < 0.1, (tool_share, drug_share)
