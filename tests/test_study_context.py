"""Study context on real records: metadata labels, the text side against them, the MS dev set, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.files import iter_file_events
from ingest.records import Article
from nlp.context_classifier import ContextClassifier
from nlp.context_eval import agreement, micro_f1, read_gold
from nlp.context_metadata import metadata_context
from nlp.context_model import MODEL_PATH, ContextModel
from nlp.context_rules import disease_models, ms_forms
from nlp.context_training import LabelledRecord, labelled_records, split, train
from nlp.devsets.context import build, read_labels
from nlp.reserved import reserved_pmids
from nlp.study_context import StudyContext

GAPMAP = Path(sys.executable).parent / "gapmap"
MEDLINE = "pubmed_medline_oligodendrocyte_dementia/pubmed-oligodendr-set.txt.gz"


@pytest.fixture(scope="module")
def classifier() -> ContextClassifier:
    return ContextClassifier.load()


@pytest.fixture(scope="module")
def medline(shared: Path) -> dict[str, Article]:
    return {e.pmid: e for e in iter_file_events(shared / MEDLINE) if isinstance(e, Article)}


@pytest.fixture(scope="module")
def records(shared: Path) -> list[LabelledRecord]:
    return list(labelled_records(shared))


@pytest.fixture(scope="module")
def gold(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("context") / "gold.jsonl"
    build(out, shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz")
    return out


def test_publication_types_and_check_tags_settle_fields(medline: dict[str, Article]) -> None:
    by_type = {
        t: next(a for a in medline.values() if t in a.publication_types)
        for t in ("Review", "Case Reports", "Randomized Controlled Trial")
    }
    review = metadata_context(by_type["Review"])
    assert review.design == "review" and review.organisms == frozenset()
    assert metadata_context(by_type["Case Reports"]).design == "case_report"
    assert metadata_context(by_type["Randomized Controlled Trial"]).design == "rct"
    mouse = next(
        a
        for a in medline.values()
        if {"Mice", "Animals"} <= {m.descriptor_name for m in a.mesh} and a.publication_types == ["Journal Article"]
    )
    context = metadata_context(mouse)
    assert context.design == "preclinical" and "mouse" in (context.organisms or ())


def test_metadata_wins_over_text_where_it_settles(medline: dict[str, Article], classifier: ContextClassifier) -> None:
    for article in list(medline.values())[:200]:
        meta, context = metadata_context(article), classifier.classify(article)
        if meta.design:
            assert context.design == meta.design, article.pmid
        if meta.organisms is not None and context.design not in ("review", "rct", "observational", "case_report"):
            assert meta.organisms <= context.organisms, article.pmid


def test_text_side_agrees_with_mesh_on_held_out_records(
    records: list[LabelledRecord], classifier: ContextClassifier
) -> None:
    _, dev = split(records)
    rows = {r.field: r for r in agreement(dev, classifier)}
    assert rows["design"].records > 150 and rows["design"].rate >= 0.85
    assert rows["organisms"].kappa_or_f1 >= 0.9
    assert rows["in_vitro"].rate >= 0.85


def test_committed_model_is_what_train_context_builds(
    records: list[LabelledRecord], classifier: ContextClassifier
) -> None:
    training, dev = split(records)
    rebuilt = ContextClassifier(train(training))
    for r in dev[:100]:
        assert rebuilt.classify_text(r.article.title, r.article.abstract_text) == classifier.classify_text(
            r.article.title, r.article.abstract_text
        ), r.article.pmid
    assert ContextModel.load(MODEL_PATH).heads.keys() == rebuilt.model.heads.keys()


def test_reserved_and_dev_pmids_are_kept_out(shared: Path, records: list[LabelledRecord]) -> None:
    reserved = reserved_pmids()
    assert reserved and not reserved & {r.article.pmid for r in records}
    assert not reserved & set(read_labels())
    training, dev = split(records)
    assert not {r.article.pmid for r in training} & {r.article.pmid for r in dev} and len(dev) > 300


def test_disease_models_and_ms_forms_from_real_abstracts(gold: Path) -> None:
    docs = {d.pmid: d for d in read_gold(gold)}
    lpc = docs["33790323"]  # lysolecithin-induced spinal cord demyelination in mice
    assert disease_models(lpc.title, lpc.abstract) == {"lysolecithin"}
    nfl = docs["34504023"]  # natalizumab-treated RRMS cohort
    assert ms_forms(nfl.title, nfl.abstract, True) == {"RRMS"}
    assert ms_forms(nfl.title, nfl.abstract, False) == frozenset()
    alliance = docs["33720795"]  # progressive MS rehabilitation priorities: neither PPMS nor SPMS named
    assert "progressive_unspecified" in ms_forms(alliance.title, alliance.abstract, True)


def test_eval_context_cli_reports_the_issue_keys(gold: Path) -> None:
    done = subprocess.run(
        [str(GAPMAP), "nlp", "eval-context", "--gold", str(gold), "--json"], capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert list(report) == ["docs", "design", "organisms", "in_vitro", "models", "ms_population", "docs_per_second"]
    assert report["docs"] == 40 and set(report["design"]) == {"accuracy", "macro_f1"}
    assert report["design"]["accuracy"] >= 0.7 and report["organisms"]["micro_f1"] >= 0.8
    assert report["docs_per_second"] > 0  # speed is measured in bench/nlp, not here


def test_bad_gold_line_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"pmid": "1", "title": "t", "abstract": "a", "labels": {"design": "trial"}}\n')
    done = subprocess.run([str(GAPMAP), "nlp", "eval-context", "--gold", str(bad)], capture_output=True, text=True)
    assert done.returncode != 0 and "bad.jsonl:1" in done.stderr + done.stdout


def test_study_context_labels_and_levels() -> None:
    with pytest.raises(ValueError, match="unknown design"):
        StudyContext(design="trial")
    with pytest.raises(ValueError, match="unknown models"):
        StudyContext(models=frozenset({"MOG"}))
    both = StudyContext("preclinical", frozenset({"mouse"}), True, frozenset({"EAE"}))
    assert both.evidence_levels == ("preclinical_in_vivo", "in_vitro")
    assert StudyContext("case_report").evidence_levels == ("observational",)
    assert StudyContext.from_dict(both.to_dict()) == both
    assert micro_f1([(frozenset({"a", "b"}), frozenset({"a"})), (frozenset(), frozenset({"c"}))]) == 0.5


GREGORY = "pubmed_ms_gregory_rss_2021/gregory_pubmed_abstracts.jsonl.gz"


@pytest.fixture(scope="module")
def feed(shared: Path) -> dict[str, Article]:
    """Gregory MS feed records outside the dev set and the reserved list (the rules are checked on these)."""
    kept = reserved_pmids() | set(read_labels())
    return {e.pmid: e for e in iter_file_events(shared / GREGORY) if isinstance(e, Article) and e.pmid not in kept}


def test_labelled_background_is_background_except_its_aim(feed: dict[str, Article]) -> None:
    parkinson = feed["33642281"]  # CSF microRNA in Parkinson's disease: MS only in the BACKGROUND paragraph
    assert ms_forms(parkinson.title, parkinson.abstract_text, True) == frozenset()
    natalizumab = feed["34181077"]  # "The aim of our study was to evaluate … RRMS patients", inside BACKGROUND
    assert ms_forms(natalizumab.title, natalizumab.abstract_text, True) == {"RRMS"}
    fatigue = feed["34237561"]  # relapsing vs progressive (PPMS, SPMS) fatigue: the aims sit in BACKGROUND
    assert ms_forms(fatigue.title, fatigue.abstract_text, True) == {"PPMS", "SPMS", "RRMS"}


def test_self_declared_review_is_a_review(feed: dict[str, Article], classifier: ContextClassifier) -> None:
    ofatumumab = feed["34387444"]  # "This review is devoted to ofatumumab": no MeSH, the model alone says cohort
    assert classifier.model.predict(ofatumumab.title, ofatumumab.abstract_text).design == "observational"
    assert classifier.classify_text(ofatumumab.title, ofatumumab.abstract_text).design == "review"
    trial = feed["33796143"]  # a post hoc analysis of a randomised trial stays an RCT
    assert classifier.classify_text(trial.title, trial.abstract_text).design == "rct"
