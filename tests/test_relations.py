"""The relation extractor on the real corpora: gold relations read from PubTator, document-level scoring, the
committed model's scores on the held-out dev splits, the eval-relations CLI, the role abstraction of gapmap's types,
direction, and a training smoke run."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from typer.testing import CliRunner

from core.errors import GapmapError
from gapmap.cli import app
from nlp.evaluate import Counts
from nlp.pubtator import read_pubtator
from nlp.records import relation_verb
from nlp.relation_eval import CorpusIds, RelationCounts, evaluate_relations, gold_relation_doc, gold_triples
from nlp.relations import (
    CID,
    RELATION_TYPES,
    Argument,
    PredictedRelation,
    RelationDoc,
    RelationExtractor,
    RelationModel,
    load_relation_model,
    pair_roles,
    split_sentences,
)

BIORED_TRAIN = "biored_train_dev/Train.PubTator.gz"
BIORED_DEV = "biored_train_dev/Dev.PubTator.gz"
CDR_DEV = "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz"


def test_relation_lines_are_read_with_their_novelty(shared: Path) -> None:
    docs = list(read_pubtator(shared / BIORED_TRAIN))
    relations = [r for d in docs for r in d.relations]
    assert len(relations) == 4178  # SOURCE.md: 4,178 relation lines
    assert {r.type for r in relations} == set(RELATION_TYPES)
    assert sum(r.novel is True for r in relations) == 2838 and sum(r.novel is False for r in relations) == 1340
    first = docs[0]
    assert first.pmid == "10491763" and (first.relations[0].type, first.relations[0].id1) == ("Association", "3175")
    cdr = list(read_pubtator(shared / CDR_DEV))
    assert {r.type for d in cdr for r in d.relations} == {CID}
    assert all(r.novel is None for d in cdr for r in d.relations)


def test_sentences_start_with_the_title(shared: Path) -> None:
    doc = next(read_pubtator(shared / BIORED_TRAIN))
    spans = split_sentences(doc.text, len(doc.title))
    assert spans[0] == (0, len(doc.title))
    texts = [doc.text[s:e] for s, e in spans]
    assert texts[1].startswith("The transcription factor hepatocyte") and texts[1].endswith("of the young.")
    assert texts[-1].startswith("Mutations in the coding region") and len(spans) == 10  # title + 9
    assert all(s < e for s, e in spans) and all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))


def test_scores_are_document_level_over_unordered_id_pairs() -> None:
    counts = RelationCounts("toy", 1, "gold_entities")
    gold = [(frozenset(("D1", "G1")), "Association", True), (frozenset(("D1", "C1")), "Negative_Correlation", False)]
    predicted = [
        PredictedRelation("G1", "D1", "Association", 0.9, False, True, 0.8, (1,)),  # reversed order: same pair
        PredictedRelation("C1", "D1", "Positive_Correlation", 0.7, True, False, 0.3, (2,)),  # right pair, wrong type
        PredictedRelation("C1", "G1", "Bind", 0.6, False, True, 0.7, (3,)),  # no such relation
    ]
    counts.add(gold, predicted)
    assert (counts.pair.tp, counts.pair.fp, counts.pair.fn) == (2, 1, 0)
    assert (counts.pair_type.tp, counts.pair_type.fp, counts.pair_type.fn) == (1, 2, 1)
    assert (counts.novelty.tp, counts.novelty.fp, counts.novelty.fn) == (1, 2, 1)
    assert counts.by_type["Association"].f1 == 1.0 and counts.by_type["Bind"].precision == 0.0
    assert list(counts.to_json()) == [
        "corpus", "docs", "mode", "pair", "pair_type", "novelty", "by_type", "docs_per_second"
    ]  # fmt: skip


def test_gapmap_types_take_the_roles_the_corpora_teach() -> None:
    assert pair_roles("Compound", "", "Biomarker", "fluid") == ("Chemical", "Gene")  # ocrelizumab – NfL
    assert pair_roles("Compound", "", "Mechanism", "") == ("Chemical", "Disease")
    assert pair_roles("Mechanism", "", "Disease", "") == ("Gene", "Disease")  # the mechanism is the agent
    assert pair_roles("Disease", "", "Mechanism", "") == ("Disease", "Gene")
    assert pair_roles("CellType", "", "Mechanism", "") == ("Gene", "Disease")
    assert pair_roles("Gene", "", "Mechanism", "") == ("Gene", "Disease")
    assert pair_roles("Compound", "", "Biomarker", "imaging") == ("Chemical", "Disease")
    assert pair_roles("Disease", "", "Disease", "") is None and pair_roles("Mechanism", "", "Mechanism", "") is None
    assert relation_verb("Negative_Correlation", True, "Compound", "Biomarker") == "decreases"
    assert relation_verb("Positive_Correlation", True, "Compound", "Disease") == "causes"
    assert relation_verb("Cotreatment", False) == "used with" and relation_verb(CID, True) == "causes"


def test_committed_model_on_the_held_out_dev_splits(shared: Path) -> None:
    """The numbers docs/relations.md reports, with the corpus's own entities (BioRED dev: 100 abstracts)."""
    model = load_relation_model()
    docs = list(read_pubtator(shared / BIORED_DEV))
    report = evaluate_relations(docs, RelationExtractor(model), corpus="dev").to_json()
    assert report["mode"] == "gold_entities" and report["docs"] == 100
    assert report["pair"]["f1"] >= 0.70 and report["pair_type"]["f1"] >= 0.49, report
    assert 0 < report["novelty"]["f1"] < report["pair_type"]["f1"]
    cdr = list(islice(read_pubtator(shared / CDR_DEV), 200))
    cid = evaluate_relations(cdr, RelationExtractor(model, "cdr"), corpus="cdr").to_json()
    assert cid["pair_type"] == cid["pair"] and list(cid["by_type"]) == [CID] and "novelty" not in cid
    assert cid["pair"]["f1"] >= 0.48, cid


def test_evidence_and_direction_from_a_real_sentence(shared: Path) -> None:
    """BioRED dev: the evidence sentences name both arguments; an increase/decrease verb between the two gives
    the direction, active or passive."""
    extractor = RelationExtractor(load_relation_model())
    checked = 0
    for doc in islice(read_pubtator(shared / BIORED_DEV), 30):
        rdoc = gold_relation_doc(doc)
        sentence_of = [i for i, _ in enumerate(rdoc.sentences)]
        where: dict[str, set[int]] = {}
        for arg in rdoc.arguments:
            index = max(i for i in sentence_of if rdoc.sentences[i][0] <= arg.start)
            where.setdefault(arg.concept_id, set()).add(index)
        for rel in extractor.extract(rdoc):
            shared_sentences = where[rel.subject] & where[rel.object]
            if shared_sentences:  # the evidence is the sentences naming both, nearest mentions first
                assert set(rel.sentences) == shared_sentences
            else:  # else the two sentences of the nearest mentions
                assert len(rel.sentences) == 2 and set(rel.sentences) & where[rel.subject]
            checked += 1
    assert checked > 100
    text = "Ocrelizumab reduced serum neurofilament light chain in progressive multiple sclerosis."
    passive = "Serum neurofilament light chain was reduced by ocrelizumab in progressive multiple sclerosis."
    for sentence in (text, passive):
        drug, marker = sentence.lower().index("ocrelizumab"), sentence.lower().index("neurofilament light chain")
        doc = RelationDoc(
            sentence,
            [(0, len(sentence))],
            [
                Argument(drug, drug + len("ocrelizumab"), "Compound", "MESH:C000598416"),
                Argument(marker, marker + len("neurofilament light chain"), "Biomarker", "GAPMAP:nfl", "fluid"),
            ],
        )
        cands = extractor.featurizer.candidates(doc)
        assert len(cands) == 1 and cands[0].a == "MESH:C000598416" and cands[0].directed_ab is True
    # two genes: the voice decides (TNF acts in both); another entity between the two gives no direction
    for sentence in ("TNF increased IL6 in microglia.", "IL6 was increased by TNF in microglia."):
        args = [Argument(sentence.index(g), sentence.index(g) + len(g), "Gene", g) for g in ("TNF", "IL6")]
        cand = extractor.featurizer.candidates(RelationDoc(sentence, [(0, len(sentence))], args))[0]
        assert cand.directed_ab is (cand.a == "TNF")
    sentence = "TNF, unlike IL1B, increased IL6."
    args = [Argument(sentence.index(g), sentence.index(g) + len(g), "Gene", g) for g in ("TNF", "IL1B", "IL6")]
    cands = extractor.featurizer.candidates(RelationDoc(sentence, [(0, len(sentence))], args))
    assert next(c for c in cands if {c.a, c.b} == {"TNF", "IL6"}).directed_ab is None


def test_corpus_ids_map_mesh_and_hgnc(shared: Path) -> None:
    ids = CorpusIds.from_shared_data()
    assert ids.map("MESH:D003924") == "D003924"
    assert ids.map("HGNC:7739") == "4747"  # NEFL
    assert ids.map("GAPMAP:nfl", ["HGNC:7739"]) == "4747"  # a curated biomarker through its gene
    assert ids.map("GO:0006954") == ""


def test_eval_relations_cli_prints_the_issue_json(shared: Path) -> None:
    result = CliRunner().invoke(
        app, ["nlp", "eval-relations", "--corpus", str(shared / BIORED_DEV), "--gold-entities", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # stderr may carry another thread's progress line
    assert list(report) == ["corpus", "docs", "mode", "pair", "pair_type", "novelty", "by_type", "docs_per_second"]
    assert report["mode"] == "gold_entities" and set(report["by_type"]) <= set(RELATION_TYPES)
    assert all(set(v) == {"precision", "recall", "f1"} for v in report["by_type"].values())
    missing = CliRunner().invoke(app, ["nlp", "eval-relations", "--corpus", "/nonexistent.pubtator"])
    assert isinstance(missing.exception, GapmapError) and "no such corpus file" in str(missing.exception)


def test_training_smoke_run_gives_a_loadable_model(shared: Path, tmp_path: Path) -> None:
    from nlp.training.relations import train_relations

    report = train_relations(shared, tmp_path / "model", limit=25)
    assert report.biored_docs == 25 and report.cdr_docs == 25 and report.dropped_held_out > 0
    model = RelationModel.load(tmp_path / "model")
    assert set(model.heads) == {"type", "cid", "novelty"} and model.heads["type"].classes == ("", *RELATION_TYPES)
    doc = next(read_pubtator(shared / BIORED_TRAIN))
    assert all(isinstance(r, PredictedRelation) for r in RelationExtractor(model).extract(gold_relation_doc(doc)))
    assert gold_triples(doc)


def test_counts_reuse_the_ner_harness() -> None:
    assert Counts(tp=1, fp=1, fn=0).scores() == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}


def test_the_relation_model_is_part_of_the_pipeline_version(tmp_path: Path) -> None:
    """A retrained relation model re-annotates every article (the pipeline version covers its files)."""
    from nlp.pipeline import pipeline_version
    from nlp.relations import MODEL_DIR

    copy = tmp_path / "relation_model"
    copy.mkdir()
    for f in MODEL_DIR.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert pipeline_version(None, copy) == pipeline_version(None)
    (copy / "model.json").write_text((MODEL_DIR / "model.json").read_text() + " ", encoding="utf-8")
    assert pipeline_version(None, copy) != pipeline_version(None) != pipeline_version(None, None)
