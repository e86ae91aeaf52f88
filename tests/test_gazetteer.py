"""Gazetteer matching rules, on the real compiled lexicons and on real MS abstracts."""

from __future__ import annotations

import doctest
import gzip
import re
from pathlib import Path

import pytest
from conftest import gregory_articles

import nlp.textnorm
from nlp.gazetteer import STOPLIST, Gazetteer, shared_gazetteer
from nlp.records import document_text
from nlp.textnorm import word_characters

NFL = "GAPMAP:neurofilament-light-chain"


@pytest.fixture(scope="module")
def gazetteer(shared: Path) -> Gazetteer:
    return shared_gazetteer()


def _found(gazetteer: Gazetteer, text: str) -> dict[str, str]:
    return {m.text: m.concept.concept_id for m in gazetteer.match(text)}


def test_nfl_and_abbreviations_resolve_with_case_and_word_rules(gazetteer: Gazetteer) -> None:
    text = "Serum NfL (sNfL) rose with inflammation; NFL and nfl differ; MSc students, AMS and MS; 10 ms."
    matches = gazetteer.match(text)
    by_text = {m.text: m for m in matches}
    assert by_text["NfL"].concept.concept_id == NFL and by_text["sNfL"].concept.concept_id == NFL
    nfl = by_text["sNfL"].concept
    assert (nfl.type, nfl.kind) == ("Biomarker", "fluid") and "HGNC:7739" in nfl.xrefs
    assert "nfl" not in by_text  # lower-case short forms are not abbreviations
    assert by_text["inflammation"].concept.type == "Mechanism"
    ms = [m for m in matches if m.concept.concept_id == "MESH:D009103"]
    assert [text[m.start : m.end] for m in ms] == ["MS"]  # not in "MSc", "AMS" or "ms"
    for m in matches:
        assert text[m.start : m.end] == m.text


def test_ms_terms_types_and_kinds(gazetteer: Gazetteer) -> None:
    text = (
        "PIRA and EDSS worsening, paramagnetic rim lesions, smartphone gait test, microglial activation, "
        "blood–brain barrier disruption, ocrelizumab, siponimod and OPCs in SPMS."
    )
    got = {m.text: (m.concept.type, m.concept.kind) for m in gazetteer.match(text)}
    assert got["PIRA"] == ("Biomarker", "clinical")
    assert got["EDSS"] == ("Biomarker", "clinical")
    assert got["paramagnetic rim lesions"] == ("Biomarker", "imaging")
    assert got["smartphone gait test"] == ("Biomarker", "digital")
    assert got["microglial activation"][0] == "Mechanism"
    assert got["blood–brain barrier disruption"][0] == "Mechanism"  # en dash matches the hyphenated entry
    assert got["ocrelizumab"][0] == got["siponimod"][0] == "Compound"
    assert got["OPCs"][0] == "CellType" and got["SPMS"][0] == "Disease"


def test_stoplisted_and_english_gene_aliases_do_not_match(gazetteer: Gazetteer) -> None:
    text = "ALL patients CAN SET a spatial task; STAT analysis; CIS converted."
    found = _found(gazetteer, text)
    assert not {k for k, v in found.items() if v.startswith("HGNC:")}, found
    assert found == {"CIS": "GAPMAP:clinically-isolated-syndrome"}
    assert {"ms", "cis", "all", "can"} <= STOPLIST
    # a letter and a number is no name: "A 7" (a MeSH supplementary concept) in "a 7-point scale", "A 7 Tesla"
    assert _found(gazetteer, "rated on a 7-point scale at A 7 Tesla with vitamin B 12") == {
        "vitamin B 12": "MESH:D014805"
    }


def test_offsets_survive_odd_unicode(gazetteer: Gazetteer) -> None:
    text = "İİ ﬁ\u200b NfL in ΣMS — ocrelizumab 🙂 microglia"
    for m in gazetteer.match(text):
        assert text[m.start : m.end] == m.text
    assert {"NfL", "ocrelizumab", "microglia"} <= set(_found(gazetteer, text))


def test_matches_on_real_abstracts_respect_word_boundaries(shared: Path, gazetteer: Gazetteer) -> None:
    articles = gregory_articles(shared, 800)
    nfl_docs = 0
    for article in articles:
        text = document_text(article)
        for m in gazetteer.match(text):
            assert text[m.start : m.end] == m.text
            assert m.start == 0 or not text[m.start - 1].isalnum(), (article.pmid, m.text)
            assert m.end == len(text) or not text[m.end].isalnum(), (article.pmid, m.text)
            if m.concept.concept_id == NFL:
                nfl_docs += 1
                assert re.search(r"neurofilament|nf-?l", m.text, re.I), (article.pmid, m.text)
    assert nfl_docs > 10


def test_not_entity_phrases_and_specimen_words(gazetteer: Gazetteer) -> None:
    text = "DMTs such as disease-modifying therapies, placebo and cytokines; serum NfL and CSF GFAP in the MS Society."
    matches = {m.text: m for m in gazetteer.match(text)}
    blocked = {t for t, m in matches.items() if m.lexicon == "none"}
    assert {"DMTs", "disease-modifying therapies", "placebo", "cytokines", "MS Society"} <= blocked
    assert all(m.concept.type == "none" for t, m in matches.items() if t in blocked)
    assert matches["NfL"].concept.concept_id == NFL and "serum NfL" not in matches  # the specimen is no part of it
    assert matches["GFAP"].concept.type == "Biomarker"


def test_word_characters_is_the_regular_expression_on_real_text(shared: Path) -> None:
    """The ASCII fast path of the normalisation gives exactly what the regular expression gives."""
    not_word = re.compile(r"[\W_]")
    with gzip.open(shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz", "rt") as handle:
        texts = [line for line, _ in zip(handle, range(2000), strict=False)]
    texts += ["", "_", "a_b-c", "".join(map(chr, range(128))), "İstanbul ﬁ 🙂 Ω-3"]
    assert sum(t.isascii() for t in texts) > 100
    assert all(word_characters(t) == not_word.sub(" ", t) for t in texts)
    assert doctest.testmod(nlp.textnorm).failed == 0
