"""The committed NER model loads and finds real entities; its dictionary features mark lexicon names; `gapmap nlp
train` builds a loadable model."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import spacy
from conftest import need
from spacy.vocab import Vocab
from typer.testing import CliRunner

from gapmap.cli import app
from nlp.dictionary_features import DictionaryFeatures, feature_matcher, token_tags
from nlp.evaluate import evaluate
from nlp.ner_model import MODEL_DIR, TOKENIZER_CACHE, annotate_with_model, load_model, open_model
from nlp.pubtator import read_pubtator
from nlp.records import ENTITY_TYPES
from nlp.reserved import reserved_pmids
from nlp.training.corpus import TRAIN_SPLITS, held_out_pmids, tokenizer_nlp, training_pmids
from nlp.training.silver import silver_docs, unlabelled_abstracts

BC5CDR_DEV = "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz"


def committed_model() -> spacy.language.Language:
    need((MODEL_DIR / "config.cfg").is_file(), f"no committed model in {MODEL_DIR}: run `make model`")
    return load_model(MODEL_DIR)


def test_committed_model_pipeline() -> None:
    nlp = committed_model()
    # The trained tok2vec + ner run as one component (nlp.ner_inference), after the dictionary features, which
    # tok2vec embeds (TAG) with the spelling features.
    assert nlp.pipe_names == ["dictionary_features", "gapmap_ner", "sentencizer"]
    assert set(nlp.pipe_labels["gapmap_ner"]) == set(ENTITY_TYPES)
    trained = open_model(MODEL_DIR, spacy_ner=True)
    assert trained.pipe_names.index("dictionary_features") < trained.pipe_names.index("tok2vec")
    assert set(trained.pipe_labels["ner"]) == set(ENTITY_TYPES)
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
    assert record["max_steps"] == 6 and 0 < record["train_docs"] <= 8 * len(TRAIN_SPLITS)
    assert record["silver_docs"] == 8 and "ents_f" in record["teacher_validation_scores"]
    nlp = spacy.load(output)
    assert set(nlp.pipe_labels["ner"]) == set(ENTITY_TYPES)
    assert nlp("Cocaine-induced seizures.").text == "Cocaine-induced seizures."
    # the student has the shipped model's size, not the teacher's
    assert nlp.get_pipe("tok2vec").model.get_dim("nO") == spacy.load(MODEL_DIR).get_pipe("tok2vec").model.get_dim("nO")


def test_silver_data_is_the_teachers_entities_on_unlabelled_abstracts(shared: Path) -> None:
    gold = held_out_pmids(shared) | training_pmids(shared)
    texts = unlabelled_abstracts(shared, gold)
    assert len(texts) > 4000 and not gold & texts.keys()
    assert not reserved_pmids() & texts.keys()  # kept for independent evaluation: never training data
    assert "Ocrelizumab" in " ".join(texts.values())  # the MS feed is among them
    sample = list(texts.values())[:30]
    docs = list(silver_docs(committed_model(), sample).get_docs(Vocab()))
    assert [d.text for d in docs] == sample
    labels = [e.label_ for d in docs for e in d.ents]
    assert len(labels) > 150 and set(labels) == set(ENTITY_TYPES)
    # every token is labelled: the teacher's "outside" is a real negative for the student
    assert all(t.ent_iob_ in {"B", "I", "O"} for d in docs for t in d)


def tags_of(text: str) -> dict[str, str]:
    """Token text → dictionary-feature tag, with the lexicons the committed model uses (Mondo included)."""
    nlp = tokenizer_nlp()
    doc = nlp.make_doc(text)
    return dict(zip([t.text for t in doc], token_tags(doc, feature_matcher(mondo=True)), strict=True))


def test_dictionary_features_mark_lexicon_names(shared: Path) -> None:
    tags = tags_of("Naloxone reverses the effect of clonidine in Parkinson disease patients with TNF-alpha levels.")
    assert tags["Naloxone"] == "C:B|D:O|G:O"  # MeSH tree D, matched whatever the case
    assert tags["clonidine"].startswith("C:B")
    assert tags["Parkinson"] == "C:O|D:B|G:O" and tags["disease"] == "C:O|D:I|G:O"  # a two-word MeSH disease
    assert tags["reverses"] == tags["patients"] == "C:O|D:O|G:O"
    assert tags["TNF"].endswith("G:B")  # HGNC alias with a hyphen normalised like the text


def test_dictionary_features_respect_word_boundaries_and_case(shared: Path) -> None:
    # "CIS" (a MeSH abbreviation) is matched case-sensitively: "cis" the word is not a disease; no match inside a word.
    tags = tags_of("the cis isomer of Naloxonex")
    assert tags["cis"].split("|")[1] == "D:O"
    assert tags["Naloxonex"] == "C:O|D:O|G:O"


def test_dictionary_component_writes_tags(shared: Path) -> None:
    nlp = tokenizer_nlp()
    doc = DictionaryFeatures(feature_matcher(mondo=True))(nlp.make_doc("Cocaine-induced seizures."))
    assert [t.tag_ for t in doc][:3] == ["C:B|D:O|G:O", "C:O|D:O|G:O", "C:O|D:O|G:O"]
    assert doc[3].tag_.split("|")[1] == "D:B"  # "seizures": a MeSH disease entry term
    assert DictionaryFeatures(feature_matcher(mondo=True))(nlp.make_doc("")).text == ""


def test_larger_tokenizer_cache_same_tokens(shared: Path) -> None:
    """The model's tokenizer remembers more chunks than spaCy's default 10,000; that changes speed, not tokens."""
    fast = committed_model()
    assert fast.tokenizer.max_cache_size == TOKENIZER_CACHE > 10_000
    default = spacy.load(MODEL_DIR, exclude=["dictionary_features", "tok2vec", "ner", "sentencizer"])
    assert default.tokenizer.max_cache_size == 10_000
    texts = [d.text for d in islice(read_pubtator(shared / BC5CDR_DEV), 200)] * 2  # the second round hits the cache
    for text in texts:
        expected = [(t.text, t.norm_, t.whitespace_) for t in default.make_doc(text)]
        assert [(t.text, t.norm_, t.whitespace_) for t in fast.make_doc(text)] == expected
