"""gapmap's abbreviation detector finds exactly what scispaCy's finds, on real abstracts."""

from __future__ import annotations

import doctest
import gzip
from itertools import islice
from pathlib import Path
from typing import BinaryIO, cast

import spacy
from scispacy.abbreviation import AbbreviationDetector
from spacy.tokens import Doc

import nlp.abbreviation_detector
from ingest.jsonl import iter_jsonl
from ingest.records import Article
from nlp.abbreviation_detector import FastAbbreviationDetector
from nlp.pubtator import read_pubtator
from nlp.records import document_text
from nlp.training.corpus import tokenizer_nlp

GREGORY = "pubmed_ms_gregory_rss_2021/gregory_pubmed_abstracts.jsonl.gz"
BC5CDR_TRAIN = "bc5cdr_train_dev/CDR_TrainingSet.PubTator.txt.gz"


def definitions(detector: AbbreviationDetector, doc: Doc) -> list[tuple[int, int, int, int]]:
    doc._.abbreviations = []
    detector(doc)
    return sorted((s.start, s.end, s._.long_form.start, s._.long_form.end) for s in doc._.abbreviations)


def test_same_definitions_as_scispacy(shared: Path) -> None:
    with gzip.open(shared / GREGORY, "rb") as stream:
        articles = (a for a in iter_jsonl(cast(BinaryIO, stream), GREGORY) if isinstance(a, Article))
        texts = [document_text(a) for a in islice(articles, 400)]
    texts += [d.text for d in islice(read_pubtator(shared / BC5CDR_TRAIN), 300)]
    texts += ["", "(", ")", "a ( b ) c ( d ) e ( f ( g ) h )", "multiple sclerosis (MS) and MS and (MS)"]
    nlp = tokenizer_nlp()
    scispacy, ours = AbbreviationDetector(nlp), FastAbbreviationDetector(nlp)
    found = 0
    for doc in (nlp.make_doc(t) for t in texts):
        expected = definitions(scispacy, doc)
        assert definitions(ours, doc) == expected, doc.text[:80]
        found += len(expected)
    assert found > 1000


def test_short_forms_get_long_forms() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("gapmap_abbreviation_detector")
    doc = nlp("Serum neurofilament light chain (sNfL) predicts progression; sNfL rose, as did sNfL levels.")
    pairs = [(s.text, s._.long_form.text) for s in doc._.abbreviations]
    assert pairs == [("sNfL", "Serum neurofilament light chain")] * 3


def test_doctests() -> None:
    assert doctest.testmod(nlp.abbreviation_detector).failed == 0
