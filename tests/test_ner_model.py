"""The committed NER model loads offline and finds real entities; `gapmap nlp train` builds a loadable model."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import spacy
from conftest import need
from typer.testing import CliRunner

from gapmap.cli import app
from nlp.evaluate import evaluate
from nlp.ner_model import MODEL_DIR, annotate_with_model, load_model
from nlp.pubtator import read_pubtator

BC5CDR_DEV = "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz"


def committed_model() -> spacy.language.Language:
    need((MODEL_DIR / "config.cfg").is_file(), f"no committed model in {MODEL_DIR}: run `make model`")
    return load_model(MODEL_DIR)


def test_committed_model_pipeline() -> None:
    nlp = committed_model()
    assert {"ner", "sentencizer"} <= set(nlp.pipe_names)
    assert set(nlp.pipe_labels["ner"]) == {"Compound", "Disease", "Gene"}
    # The biomedical tokenizer travels with the model: hyphens and slashes are token boundaries.
    assert [t.text for t in nlp.make_doc("cocaine-induced levodopa/carbidopa")] == [
        "cocaine",
        "-",
        "induced",
        "levodopa",
        "/",
        "carbidopa",
    ]
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert size < 25_000_000


def test_committed_model_finds_bc5cdr_entities(shared: Path) -> None:
    committed_model()
    docs = list(islice(read_pubtator(shared / BC5CDR_DEV), 50))
    report = evaluate(docs, annotate_with_model).to_json()
    # A broken or untrained model scores near 0; the committed one scores 0.75 on these held-out abstracts.
    assert report["overall"]["f1"] > 0.6
    assert report["by_type"]["Chemical"]["f1"] > 0.6
    assert report["by_type"]["Disease"]["f1"] > 0.5


def test_committed_model_splits_sentences(shared: Path) -> None:
    nlp = committed_model()
    doc = next(iter(read_pubtator(shared / BC5CDR_DEV)))
    parsed = nlp(doc.text)
    sentences = list(parsed.sents)
    assert len(sentences) > 3
    assert sentences[0].start_char == 0 and sentences[-1].end_char == len(doc.text.rstrip())


def test_train_command_tiny_run(shared: Path, tmp_path: Path) -> None:
    output = tmp_path / "model"
    args = ["nlp", "train", "--output", str(output), "--max-steps", "6", "--limit", "8", "--data", str(shared)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads((output / "training.json").read_text())
    assert record["max_steps"] == 6 and 0 < record["train_docs"] <= 24
    nlp = spacy.load(output)
    assert set(nlp.pipe_labels["ner"]) == {"Compound", "Disease", "Gene"}
    assert nlp("Cocaine-induced seizures.").text == "Cocaine-induced seizures."
