"""The full NLP pipeline on real MS abstracts: entities, abbreviations, offsets, bad input, linker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import gregory_articles, need

from core.settings import settings
from ingest.records import AbstractSection, Article, MeshHeading
from nlp.abbreviations import resolve_abbreviations
from nlp.gazetteer import shared_gazetteer
from nlp.linker import build_linker
from nlp.merge import EntitySpan, assign_marker_roles, merge_spans
from nlp.ner_model import MODEL_DIR
from nlp.pipeline import Pipeline, load_pipeline, pipeline_version
from nlp.records import document_text

NFL = "GAPMAP:neurofilament-light-chain"
OCRELIZUMAB = "MESH:C533411"


@pytest.fixture(scope="module")
def pipeline(shared: Path) -> Pipeline:
    return load_pipeline(model_dir=None)  # the gazetteer pipeline; the model is tested in test_ner_model


@pytest.fixture(scope="module")
def articles(shared: Path) -> list[Article]:
    return gregory_articles(shared, 700)


@pytest.fixture(scope="module")
def annotated(pipeline: Pipeline, articles: list[Article]) -> dict[str, list]:  # type: ignore[type-arg]
    results = {r.article.pmid: r for r in pipeline.annotate_many(articles)}
    assert not [r.error for r in results.values() if r.error]
    return {pmid: r.mentions for pmid, r in results.items()}


def test_ocrelizumab_found_in_every_paper_that_names_it(articles: list[Article], annotated: dict) -> None:  # type: ignore[type-arg]
    naming = {a.pmid for a in articles if re.search(r"\bocrelizumab\b", document_text(a), re.I)}
    found = {pmid for pmid, ms in annotated.items() if any(m.concept_id == OCRELIZUMAB for m in ms)}
    assert len(naming) >= 5
    assert naming <= found
    by_pmid = {a.pmid: document_text(a) for a in articles}
    for pmid in found - naming:  # the rest name it by a synonym or its own abbreviation
        assert re.search(r"ocrevus|\bOCR\b", by_pmid[pmid], re.I), pmid


def test_nfl_resolves_to_the_fluid_biomarker_linked_to_nefl(pipeline: Pipeline, annotated: dict) -> None:  # type: ignore[type-arg]
    nfl = [m for ms in annotated.values() for m in ms if m.text in {"NfL", "sNfL"}]
    assert len(nfl) > 20
    assert {(m.concept_id, m.type, m.kind) for m in nfl} == {(NFL, "Biomarker", "fluid")}
    concept = pipeline.concepts(nfl[:1])[0]
    assert "HGNC:7739" in concept.xrefs


def test_inflammation_and_words_containing_ms_are_not_misread(articles: list[Article], annotated: dict) -> None:  # type: ignore[type-arg]
    texts = {a.pmid: document_text(a) for a in articles}
    for pmid, mentions in annotated.items():
        text = texts[pmid]
        for m in mentions:
            if m.start < 0:
                continue
            assert text[m.start : m.end] == m.text
            assert m.sentence_index >= 0 and m.text in m.sentence
            if "inflammation" in m.text.lower():
                assert m.concept_id != NFL
            if m.concept_id == "MESH:D009103" and m.text == "MS":
                assert (m.start == 0 or not text[m.start - 1].isalnum()) and not text[m.end : m.end + 1].isalnum()


def test_pira_is_a_clinical_biomarker(annotated: dict) -> None:  # type: ignore[type-arg]
    pira = [m for ms in annotated.values() for m in ms if m.text == "PIRA"]
    assert pira and {(m.type, m.kind) for m in pira} == {("Biomarker", "clinical")}


def test_abbreviations_take_their_long_forms_concept(articles: list[Article], annotated: dict) -> None:  # type: ignore[type-arg]
    defining = [a.pmid for a in articles if re.search(r"systemic sclerosis \(SSc\)[\s,.;]", document_text(a), re.I)]
    assert defining
    for pmid in defining:
        ssc = [m for m in annotated[pmid] if m.text == "SSc"]
        assert ssc and {(m.concept_id, m.source) for m in ssc} == {("MESH:D012595", "abbreviation")}


def test_title_is_sentence_zero_and_sections_named(pipeline: Pipeline) -> None:
    article = Article(
        pmid="99",
        title="Siponimod in SPMS",
        abstract=[AbstractSection("Ocrelizumab lowers NfL.", "BACKGROUND"), AbstractSection("EDSS was stable.", "")],
    )
    mentions = {m.text: m for m in pipeline.annotate(article)}
    assert (mentions["Siponimod"].sentence_index, mentions["Siponimod"].section) == (0, "title")
    assert mentions["NfL"].section == "BACKGROUND" and mentions["NfL"].sentence_index == 1
    assert mentions["EDSS"].section == "abstract" and mentions["EDSS"].sentence == "EDSS was stable."


def test_bad_input_is_annotated_without_crashing(pipeline: Pipeline) -> None:
    odd = [
        Article(pmid="1"),
        Article(pmid="2", title="Ocrelizumab", abstract=[AbstractSection("NfL " * 25_000)]),  # 100k characters
        Article(pmid="3", title="Esclerosis múltiple: tratamiento con ocrelizumab y biomarcadores séricos (NfL)"),
        Article(pmid="4", title="İ\u0000\u200b\ud7ff 🙂 MS ﬁ", abstract=[AbstractSection("\n\n\t  ")]),
    ]
    results = {r.article.pmid: r for r in pipeline.annotate_many(odd)}
    assert set(results) == {"1", "2", "3", "4"} and not any(r.error for r in results.values())
    assert results["1"].mentions == []
    assert sum(m.concept_id == NFL for m in results["2"].mentions) == 25_000
    assert OCRELIZUMAB in {m.concept_id for m in results["3"].mentions}


def test_annotate_texts_gives_offsets_into_each_text(pipeline: Pipeline) -> None:
    texts = ["Serum NfL in SPMS.", "", "Simvastatin slowed brain atrophy."]
    spans = list(pipeline.annotate_texts(texts))
    assert len(spans) == 3 and spans[1] == []
    assert {(texts[2][s.start : s.end], s.type) for s in spans[2]} == {
        ("Simvastatin", "Compound"),
        ("brain atrophy", "Biomarker"),
    }
    assert all(s.concept_id for s in spans[0] + spans[2])


def test_version_changes_with_the_model(tmp_path: Path, pipeline: Pipeline) -> None:
    assert pipeline.version == pipeline_version(None)
    (tmp_path / "weights.bin").write_bytes(b"1")
    assert pipeline_version(tmp_path) != pipeline.version


def test_linker_normalises_model_spans_within_type(tmp_path: Path) -> None:
    gazetteer = shared_gazetteer()
    keep = [i for i, c in enumerate(gazetteer.concepts) if gazetteer.lexicons[i] == "curated" or c.type == "Disease"]
    keep = keep[:1500]
    linker = build_linker([gazetteer.concepts[i] for i in keep], [gazetteer.lexicons[i] for i in keep], tmp_path)
    links = linker.link(
        ["interferon beta-1a", "tolebrutinib", "multiple sclerosis", "qwxz plugh"],
        ["Compound", "Compound", "Compound", "Disease"],
    )
    assert links[0] is not None and links[0].concept_id == "MESH:D016899" and links[0].score >= 0.8
    assert links[1] is not None and links[1].concept_id == "GAPMAP:tolebrutinib"
    assert links[2] is None  # a disease name is no Compound
    assert links[3] is None
    # answers are remembered per (text, type): a repeat gives the same link, another type is its own question
    repeated = linker.link(["tolebrutinib", "multiple sclerosis", "tolebrutinib"], ["Compound", "Disease", "Compound"])
    assert repeated[0] == repeated[2] == links[1]
    assert repeated[1] is not None and repeated[1].concept_id != links[1].concept_id
    again = build_linker([gazetteer.concepts[i] for i in keep], [gazetteer.lexicons[i] for i in keep], tmp_path)
    assert again.link(["tolebrutinib"], ["Compound"])[0] == links[1]  # loaded from the cache folder


def test_with_the_trained_model_its_spans_are_linked_and_curated_terms_still_win(articles: list[Article]) -> None:
    need((MODEL_DIR / "config.cfg").is_file(), "no trained model in nlp/model (run `gapmap nlp train`)")
    full = load_pipeline()  # builds the linker index once per machine
    assert "gapmap_ner" in full.nlp.pipe_names and full.version != pipeline_version(None)
    mentions = [m for r in full.annotate_many(articles[:60]) for m in r.mentions]
    model = [m for m in mentions if m.source == "model"]
    assert model and {m.type for m in model} >= {"Compound", "Disease", "Mechanism"}  # the model learned MS types
    linked = [m for m in model if not m.concept_id.startswith("GAPMAP:")]
    assert linked and all(m.concept_id.split(":")[0] in {"MESH", "DOID", "HGNC", "CL", "GO"} for m in linked)
    assert all(m.score >= 0.8 for m in linked)
    probe = Article(pmid="7", title="Serum neurofilament light chain (sNfL) and GFAP in SPMS treated with siponimod")
    got = {m.text: (m.concept_id, m.type) for m in full.annotate(probe) if m.start >= 0}
    assert got["sNfL"] == (NFL, "Biomarker") and got["GFAP"][1] == "Biomarker"
    assert got["SPMS"] == ("DOID:0050783", "Disease") and got["siponimod"] == ("MESH:C578989", "Compound")
    # BioRED dev's PLAGL2 abstract: "pleomorphic adenoma gene like-2" names no concept the lexicons know, but the
    # model and HGNC agree on each PLAGL2, so the short form stays a Gene with HGNC's id
    text = (
        "Studies show that pleomorphic adenoma gene like-2 (PLAGL2) could induce EMT. "
        "We confirmed the role of PLAGL2 in the prognosis of colorectal cancer."
    )
    spans = [(text[s.start : s.end], s.type, s.concept_id) for s in next(full.annotate_texts([text]))]
    assert [s for s in spans if s[0] == "PLAGL2"] == [("PLAGL2", "Gene", "HGNC:9047")] * 2


def test_linker_refuses_aliases_that_add_words_to_the_mention() -> None:
    """Trigram similarity puts "inflammatory" near "inflammatory MFH" (a histiocytoma): that is no link."""
    from nlp.linker import shared_linker

    need((MODEL_DIR / "config.cfg").is_file(), "no trained model in nlp/model (run `gapmap nlp train`)")
    linker = shared_linker(str(settings().cache))
    inflammatory, ms, ifn = linker.link(
        ["inflammatory", "multiple sclerosis", "interferon beta-1a"], ["Disease", "Disease", "Compound"]
    )
    assert inflammatory is None or inflammatory.concept_id != "DOID:6192"
    assert ms is not None and ms.concept_id in {"MESH:D009103", "DOID:2377"}
    assert ifn is not None and ifn.concept_id == "MESH:D000068556"  # the Interferon beta-1a descriptor


def _span(start: int, end: int, type_: str, source: str = "gazetteer", lexicon: str = "mesh") -> EntitySpan:
    return EntitySpan(start, end, "x" * (end - start), type_, source=source, lexicon=lexicon)


def test_merge_rules() -> None:
    """Model chemical boundaries beat general lexicons, the longer disease span wins; curated, Biomarker/CellType and
    identical spans stay; a "not an entity" phrase blocks every source."""
    model = [
        _span(0, 16, "Compound", "model", ""),
        _span(20, 30, "Disease", "model", ""),
        _span(40, 45, "Gene", "model", ""),
        _span(50, 55, "Disease", "model", ""),
        _span(60, 70, "Compound", "model", ""),
        _span(80, 101, "Disease", "model", ""),
        _span(110, 120, "Disease", "model", ""),
    ]
    gazetteer = [
        _span(0, 8, "Compound"),  # "atropine" inside the model's "atropine sulfate": the model's span wins
        _span(20, 30, "Disease"),  # the same span and type: the gazetteer's match (its checked id), as the model's
        _span(40, 48, "CellType"),  # a type the model does not predict: the gazetteer wins
        _span(50, 58, "Disease", lexicon="curated"),  # curated always wins
        _span(92, 101, "Disease"),  # "ovarian cancer" inside the model's "hereditary ovarian cancer": the longer wins
        _span(105, 120, "Disease"),  # "male infertility" around the model's "infertility": the longer wins
    ]
    blocked = [_span(60, 64, "none", lexicon="none")]  # "DMTs": a class the guidelines exclude
    merged = {(s.start, s.end, s.source) for s in merge_spans(gazetteer, model, blocked)}
    assert merged == {
        (0, 16, "model"),
        (20, 30, "model"),
        (40, 48, "gazetteer"),
        (50, 58, "gazetteer"),
        (80, 101, "model"),
        (105, 120, "gazetteer"),
    }


def test_abbreviations_keep_longer_names_and_ignore_long_forms_about_people(pipeline: Pipeline) -> None:
    text = (
        "Multiple sclerosis (MS) often turns progressive. In progressive MS, people with progressive multiple "
        "sclerosis (PwPMS) need support; PwPMS said so."
    )
    spans = {(text[s.start : s.end], s.type) for s in next(pipeline.annotate_texts([text]))}
    assert ("progressive MS", "Disease") in spans and ("MS", "Disease") in spans
    assert not {t for t, _ in spans if t.startswith("PwPMS") or t == "progressive multiple sclerosis (PwPMS)"}


def test_short_forms_of_unknown_long_forms_are_no_diseases_but_stay_compounds(pipeline: Pipeline) -> None:
    """ "SBP" defined as a blood pressure is no disease, whatever the model says; an unknown drug's short form is
    still the model's Compound."""
    text = "Systolic blood pressure (SBP) rose. SBP fell after zeta blocking agent (ZBA). ZBA was safe."
    doc = pipeline.nlp(text)
    sbp, zba = text.rindex("SBP"), text.rindex("ZBA")
    model = [EntitySpan(sbp, sbp + 3, "SBP", "Disease", source="model")]
    model.append(EntitySpan(zba, zba + 3, "ZBA", "Compound", source="model"))
    kept = resolve_abbreviations(doc, model)
    assert [(s.text, s.type) for s in kept] == [("ZBA", "Compound")]


def test_a_records_heading_names_the_concept_its_descriptor_was_folded_into(pipeline: Pipeline) -> None:
    """MeSH "Microglia" is folded into the curated microglial cell (CL:0000129): a record indexed with it and an
    abstract naming microglia give one concept, not two nodes for one cell type."""
    article = Article(
        pmid="8",
        title="Microglia in progressive MS",
        abstract=[AbstractSection("Microglia were activated.")],
        mesh=[MeshHeading("D017628", "Microglia")],
    )
    found = {(m.source, m.concept_id) for m in pipeline.annotate(article) if m.text.lower() == "microglia"}
    assert found == {("gazetteer", "CL:0000129"), ("mesh", "CL:0000129")}


def test_measures_and_drug_effects_are_no_diseases(pipeline: Pipeline) -> None:
    text = "Body weight fell and analgesia lasted; adverse drug reactions were mild, unlike the hepatitis."
    spans = {(text[s.start : s.end], s.type) for s in next(pipeline.annotate_texts([text]))}
    assert ("hepatitis", "Disease") in spans
    assert not {t for t, _ in spans if t.lower() in {"body weight", "analgesia", "adverse drug reactions"}}


def test_measured_genes_are_fluid_biomarkers_in_every_mention(pipeline: Pipeline) -> None:
    article = Article(
        pmid="5",
        title="Serum IL-6 and the BDNF Val66Met polymorphism in SPMS",
        abstract=[AbstractSection("IL-6 correlated with EDSS. BDNF expression was lower; DMTs did not change it.")],
    )
    mentions = [m for m in pipeline.annotate(article) if m.start >= 0]
    il6 = [m for m in mentions if m.text == "IL-6"]
    bdnf = [m for m in mentions if m.text == "BDNF"]
    assert len(il6) == 2 and {(m.type, m.kind) for m in il6} == {("Biomarker", "fluid")}
    assert il6[0].concept_id.startswith(("MESH:", "HGNC:"))  # the measured protein keeps its concept
    assert bdnf and {m.type for m in bdnf} == {"Gene"}  # named with a variant: the gene, not a level
    assert not [m for m in mentions if m.text == "DMTs"]


def test_role_decides_per_mention_whether_a_measured_protein_is_a_biomarker_or_a_gene() -> None:
    """Guideline rule 7: the measured IL27 is a Biomarker, the IL27 named with its variant a Gene; HTRA1 measured
    in CSF is a Biomarker, HTRA1 that degrades matrix or that glia express is the molecule, a Gene."""
    text = (
        "Serum IL27 levels were lower in MS. We studied the IL27 T4730C gene polymorphism. HTRA1 levels in CSF "
        "rose. HTRA1 degrades extracellular matrix, and glia express HTRA1."
    )
    spans = [
        EntitySpan(m.start(), m.end(), m.group(), "Gene", concept_id=f"HGNC:{m.group()}")
        for m in re.finditer(r"IL27|HTRA1", text)
    ]
    roles = [(s.text, s.type) for s in assign_marker_roles(text, spans)]
    assert roles == [
        ("IL27", "Biomarker"),
        ("IL27", "Gene"),
        ("HTRA1", "Biomarker"),
        ("HTRA1", "Gene"),
        ("HTRA1", "Gene"),
    ]
    model_biomarker = [EntitySpan(text.rindex("HTRA1"), len(text) - 1, "HTRA1", "Biomarker", concept_id="HGNC:9476")]
    assert [s.type for s in assign_marker_roles(text, model_biomarker)] == ["Gene"]


@pytest.mark.parametrize(
    ("mention", "alias", "linked"),
    [
        ("neurological diseases", "Urological Diseases", False),  # a similar-looking word, another thing
        ("inflammatory diseases", "Inflammatory Bone Diseases", False),  # a word the text never said
        ("tolebrutinib 60 mg", "tolebrutinib", True),  # words dropped, none changed
        ("teriflunomide", "Teriflunomid", True),  # a spelling variant
        ("tumour necrosis factor", "Tumor Necrosis Factor", True),
    ],
)
def test_fuzzy_links_may_drop_words_but_never_change_one(mention: str, alias: str, linked: bool) -> None:
    from nlp.linker import says_only_what_the_text_says

    assert says_only_what_the_text_says(mention, alias) is linked


def test_a_one_word_alias_of_a_compound_stands_only_where_the_model_tagged_it() -> None:
    """Rule 3b: "retinal" (an alias of Retinaldehyde) is an adjective in "retinal nerve fibre layer"; a compound's
    own name ("glucocorticoid" for Glucocorticoids) and a curated entry stand alone."""
    six = frozenset({"Compound", "Disease", "Gene", "Biomarker", "CellType", "Mechanism"})
    alias = EntitySpan(0, 7, "retinal", "Compound", "MESH:D012172", "Retinaldehyde", lexicon="mesh")
    own_name = EntitySpan(20, 34, "glucocorticoid", "Compound", "MESH:D005938", "Glucocorticoids", lexicon="mesh")
    curated = EntitySpan(40, 47, "fingolimod", "Compound", "MESH:D000068876", "Fingolimod Hydrochloride",
                         lexicon="curated")  # fmt: skip
    kept = merge_spans([alias, own_name, curated], [], model_types=six, trusted=frozenset({"Mechanism"}))
    assert [s.text for s in kept] == ["glucocorticoid", "fingolimod"]
    tagged = merge_spans([alias], [_span(0, 7, "Compound", "model", "")], model_types=six)
    assert [(s.start, s.end) for s in tagged] == [(0, 7)]


def test_a_gene_symbol_typed_mechanism_or_compound_takes_the_genes_concept() -> None:
    """TNF-α is one concept whatever type a sentence gave it; a process written out gets no gene concept."""
    from nlp.linker import shared_linker

    need((MODEL_DIR / "config.cfg").is_file(), "no trained model in nlp/model (run `gapmap nlp train`)")
    linker = shared_linker(str(settings().cache))
    as_gene, as_mechanism, as_compound, process = linker.link(
        ["TNF-α", "TNF-α", "TNF-α", "apoptosis"], ["Gene", "Mechanism", "Compound", "Mechanism"]
    )
    assert as_gene is not None
    assert as_mechanism is not None and as_mechanism.concept_id == as_gene.concept_id
    assert as_compound is not None and as_compound.concept_id == as_gene.concept_id
    assert process is None or process.concept_id.startswith(("GO:", "MESH:", "GAPMAP:"))


def test_a_cell_subset_links_to_the_cell_type_of_its_head() -> None:
    """The guideline keeps subset modifiers in the span; the concept is the cell type ("reactive astrocytes")."""
    from nlp.linker import shared_linker

    need((MODEL_DIR / "config.cfg").is_file(), "no trained model in nlp/model (run `gapmap nlp train`)")
    linker = shared_linker(str(settings().cache))
    subset, head, marked = linker.link(["reactive astrocytes", "astrocytes", "CD3+CD20+ T cells"], ["CellType"] * 3)
    assert head is not None and subset is not None and subset.concept_id == head.concept_id
    assert marked is not None
