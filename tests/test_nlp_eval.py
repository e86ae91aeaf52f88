"""The evaluation harness: exact scores on hand-checkable predictions built from real gold corpora, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from conftest import need
from typer.testing import CliRunner

from core.errors import GapmapError
from gapmap.cli import app
from nlp.evaluate import Annotator, evaluate
from nlp.ner_model import MODEL_DIR, PredictedSpan
from nlp.pubtator import GAPMAP_TYPE, PubtatorDoc, read_pubtator

BC5CDR_DEV = "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz"


def first_docs(path: Path, n: int) -> list[PubtatorDoc]:
    return list(islice(read_pubtator(path), n))


def replay(predictions: list[list[PredictedSpan]]) -> Annotator:
    """An annotator that returns fixed predictions, one list per text, after reading every text."""

    def annotate(texts: Iterable[str]) -> Iterator[list[PredictedSpan]]:
        assert len(list(texts)) == len(predictions)
        yield from predictions

    return annotate


def gold_spans(doc: PubtatorDoc, with_ids: bool = True) -> list[PredictedSpan]:
    return [
        PredictedSpan(m.start, m.end, GAPMAP_TYPE[m.type], m.concept_ids[0] if with_ids and m.concept_ids else "")
        for m in doc.mentions
        if m.type in GAPMAP_TYPE
    ]


def test_perfect_predictions_score_one(shared: Path) -> None:
    docs = first_docs(shared / BC5CDR_DEV, 20)
    report = evaluate(docs, replay([gold_spans(doc) for doc in docs])).to_json()
    assert report["overall"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert set(report["by_type"]) == {"Chemical", "Disease"}
    support = sum(row["support"] for row in report["by_type"].values())
    assert support == len({(doc.pmid, m.start, m.end, m.type) for doc in docs for m in doc.mentions})
    assert all(row["accuracy"] == 1.0 for row in report["id_accuracy"].values())


def test_dropped_and_spurious_spans_give_exact_scores(shared: Path) -> None:
    doc = first_docs(shared / BC5CDR_DEV, 1)[0]
    gold = gold_spans(doc, with_ids=False)
    chemicals = [s for s in gold if s.type == "Compound"]
    diseases = [s for s in gold if s.type == "Disease"]
    # Keep all chemicals but the first; add one wrong-boundary disease span and a Gene (BC5CDR has no gene gold).
    shifted = PredictedSpan(diseases[0].start, diseases[0].end + 1, "Disease")
    predicted = [*chemicals[1:], *diseases[1:], shifted, PredictedSpan(0, 3, "Gene")]
    report = evaluate([doc], replay([predicted])).to_json()
    chem, dis = report["by_type"]["Chemical"], report["by_type"]["Disease"]
    assert chem["support"] == len(chemicals) and dis["support"] == len(diseases)
    assert chem["precision"] == 1.0
    assert chem["recall"] == round((len(chemicals) - 1) / len(chemicals), 4)
    assert dis["precision"] == round((len(diseases) - 1) / len(diseases), 4)
    assert dis["recall"] == round((len(diseases) - 1) / len(diseases), 4)
    tp = len(chemicals) + len(diseases) - 2
    assert report["overall"]["precision"] == round(tp / (tp + 1), 4)  # the Gene is ignored, not a false positive
    assert report["overall"]["recall"] == round(tp / (tp + 2), 4)
    assert report["id_accuracy"] == {}  # no predicted ids: not applicable


def test_id_accuracy_counts_wrong_ids(shared: Path) -> None:
    doc = first_docs(shared / BC5CDR_DEV, 1)[0]
    spans = gold_spans(doc)
    wrong = [PredictedSpan(s.start, s.end, s.type, "MESH:D000000") if s.type == "Disease" else s for s in spans]
    wrong = [
        PredictedSpan(s.start, s.end, s.type, f"MESH:{s.concept_id}") if s.type == "Compound" else s for s in wrong
    ]
    report = evaluate([doc], replay([wrong])).to_json()
    assert report["id_accuracy"]["Chemical"]["accuracy"] == 1.0  # "MESH:" prefix is the same id
    assert report["id_accuracy"]["Disease"]["correct"] == 0
    assert report["overall"]["f1"] == 1.0


def test_ncbi_classes_are_scored_as_disease(shared: Path) -> None:
    docs = first_docs(shared / "ncbi_disease_corpus" / "NCBIdevelopset_corpus.txt.gz", 10)
    report = evaluate(docs, replay([gold_spans(doc) for doc in docs])).to_json()
    assert list(report["by_type"]) == ["Disease"]
    assert report["overall"]["f1"] == 1.0


def test_biored_unmapped_types_left_out(shared: Path) -> None:
    docs = first_docs(shared / "biored_train_dev" / "Dev.PubTator.gz", 10)
    report = evaluate(docs, replay([[] for _ in docs])).to_json()
    assert set(report["by_type"]) == {"ChemicalEntity", "DiseaseOrPhenotypicFeature", "GeneOrGeneProduct"}
    assert report["overall"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_cli_eval_json_shape_and_errors_file(shared: Path, tmp_path: Path) -> None:
    need((MODEL_DIR / "config.cfg").is_file(), f"no committed model in {MODEL_DIR}: run `make model`")
    errors = tmp_path / "errors.jsonl"
    args = ["nlp", "eval", "--corpus", str(shared / BC5CDR_DEV), "--limit", "5", "--json", "--model-only"]
    result = CliRunner().invoke(app, [*args, "--errors", str(errors)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"overall", "by_type", "docs_per_second", "id_accuracy"}
    assert set(report["overall"]) == {"precision", "recall", "f1"}
    assert set(report["by_type"]) == {"Chemical", "Disease"}
    for row in report["by_type"].values():
        assert set(row) == {"precision", "recall", "f1", "support", "lenient", "doc_concepts"}
        assert row["lenient"]["f1"] >= row["f1"]  # an exact match is an overlap too
    assert report["docs_per_second"] > 0
    cases = [json.loads(line) for line in errors.read_text().splitlines()]
    strict = report["by_type"]
    assert cases and {c["kind"] for c in cases} <= {"FP", "FN"}
    for case in cases:
        assert "[[" + case["text"] + "]]" in case["context"]
    wrong = sum(round(r["support"] * (1 - r["recall"])) for r in strict.values())
    assert sum(c["kind"] == "FN" for c in cases) == wrong


def test_cli_eval_bad_inputs_are_gapmap_errors(shared: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["nlp", "eval", "--corpus", str(tmp_path / "nope.txt")])
    assert isinstance(result.exception, GapmapError) and "nope.txt" in result.exception.message
    args = ["nlp", "eval", "--corpus", str(shared / BC5CDR_DEV), "--model", str(tmp_path), "--limit", "1"]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, GapmapError) and "no trained NER model" in result.exception.message
