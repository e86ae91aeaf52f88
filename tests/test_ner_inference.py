"""nlp.ner_inference runs a trained tok2vec + ner as arrays: it must give spaCy's own entities, token for token."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import numpy as np
import pytest
import spacy
from conftest import gregory_articles, need
from spacy.language import Language
from spacy.training import Example

from nlp.ner_inference import EmbeddingCache, NerInference, use_ner_inference
from nlp.ner_model import MODEL_DIR, load_model, open_model
from nlp.pubtator import read_pubtator
from nlp.records import ENTITY_TYPES, document_text

BC5CDR_DEV = "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz"
BC5CDR_TRAIN = "bc5cdr_train_dev/CDR_TrainingSet.PubTator.txt.gz"
#: Texts that stress the edges: empty, one token, white space only, a paragraph break, an entity at the very end,
#: odd Unicode, and a 40k-character text (one doc larger than a whole group of the encoder).
ODD_TEXTS = [
    "",
    "ocrelizumab",
    "   \n\n  ",
    "Title\n\nMETHODS: cisplatin nephrotoxicity",
    "treated with simvastatin",
    "İ\u0000\u200b 🙂 MS ﬁ esclerosis múltiple",
    "cisplatin-induced nephrotoxicity and " * 1100,
]


def abstracts(shared: Path, limit: int) -> list[str]:
    return [document_text(a) for a in gregory_articles(shared, limit)]


def entities(nlp: Language, texts: list[str], batch_size: int = 16) -> list[list[tuple[int, int, str]]]:
    return [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=batch_size)]


def test_committed_model_gives_spacys_entities(shared: Path) -> None:
    need((MODEL_DIR / "config.cfg").is_file(), f"no committed model in {MODEL_DIR}: run `make model`")
    texts = abstracts(shared, 150) + [d.text for d in islice(read_pubtator(shared / BC5CDR_DEV), 100)] + ODD_TEXTS
    reference = open_model(MODEL_DIR, spacy_ner=True)
    fast = load_model(MODEL_DIR)
    assert "gapmap_ner" in fast.pipe_names and not {"tok2vec", "ner"} & set(fast.pipe_names)
    assert set(fast.pipe_labels["gapmap_ner"]) == set(ENTITY_TYPES)
    expected, got = entities(reference, texts), entities(fast, texts, batch_size=7)
    assert sum(map(len, expected)) > 2000  # the comparison is about real predictions, not empty lists
    for text, want, have in zip(texts, expected, got, strict=True):
        assert have == want, text[:80]


def test_token_vectors_match_spacys_tok2vec(shared: Path) -> None:
    """Also with an embedding cache small enough to start over mid-run."""
    need((MODEL_DIR / "config.cfg").is_file(), f"no committed model in {MODEL_DIR}: run `make model`")
    reference = open_model(MODEL_DIR, spacy_ner=True)
    inference = NerInference(reference.get_pipe("tok2vec").model, reference.get_pipe("ner"))
    cache = inference.embedding
    width, columns = inference.encoder[0].width, len(inference.columns)
    inference.embedding = EmbeddingCache(cache.features, cache.mixer, columns, width, capacity=3000)
    docs = list(reference.pipe(abstracts(shared, 40), disable=["ner"]))
    for batch in (docs[:20], docs[20:], docs[:20]):
        got = inference.tokvecs(batch)
        want = np.concatenate([doc.tensor for doc in batch])
        np.testing.assert_allclose(got, want, atol=2e-4)
    assert len(inference.embedding.rows) <= 3000


def _trained_spacy_model(shared: Path, encode: dict[str, object]) -> Language:
    """A small model of spaCy's own default shape (no dictionary features), trained briefly on BC5CDR."""
    nlp = spacy.blank("en")
    embed = {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": encode["width"],
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
        "rows": [5000, 1000, 2500, 2500],
        "include_static_vectors": False,
    }
    nlp.add_pipe("tok2vec", config={"model": {"@architectures": "spacy.Tok2Vec.v2", "embed": embed, "encode": encode}})
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": encode["width"]}
    parser = {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "hidden_width": 48}
    nlp.add_pipe("ner", config={"model": {**parser, "maxout_pieces": 3, "use_upper": True, "tok2vec": listener}})
    examples = []
    for gold in islice(read_pubtator(shared / BC5CDR_TRAIN), 40):
        doc = nlp.make_doc(gold.text)
        spans = [doc.char_span(m.start, m.end, label=m.type) for m in gold.mentions]
        ents = spacy.util.filter_spans([s for s in spans if s is not None])
        examples.append(Example.from_dict(doc, {"entities": [(s.start_char, s.end_char, s.label_) for s in ents]}))
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = 0.005
    for _ in range(10):
        for start in range(0, len(examples), 4):
            nlp.update(examples[start : start + 4], sgd=optimizer)
    return nlp


@pytest.mark.parametrize("pieces", [2, 3])
def test_other_sizes_of_spacys_architecture(shared: Path, pieces: int) -> None:
    encode = {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "depth": 3, "window_size": 1}
    nlp = _trained_spacy_model(shared, {**encode, "maxout_pieces": pieces})
    texts = [d.text for d in islice(read_pubtator(shared / BC5CDR_DEV), 60)] + ODD_TEXTS
    expected = entities(nlp, texts)
    assert sum(map(len, expected)) > 50
    assert entities(use_ner_inference(nlp), texts) == expected
    assert "gapmap_ner" in nlp.pipe_names


def test_other_architectures_keep_spacys_components(shared: Path) -> None:
    encode = {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 32, "depth": 2, "window_size": 2}
    nlp = _trained_spacy_model(shared, {**encode, "maxout_pieces": 2})
    texts = [d.text for d in islice(read_pubtator(shared / BC5CDR_DEV), 60)] + ODD_TEXTS
    before = entities(nlp, texts)
    assert sum(map(len, before)) > 20
    with pytest.warns(UserWarning, match="spaCy's own components"):
        use_ner_inference(nlp)
    assert {"tok2vec", "ner"} <= set(nlp.pipe_names) and "gapmap_ner" not in nlp.pipe_names
    assert entities(nlp, texts) == before  # left as it was: the same components give the same entities
