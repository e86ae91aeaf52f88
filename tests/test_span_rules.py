"""Spans follow the annotation guideline's span rules: on its own examples, and on the MS tune documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import need

from nlp.devsets import build as devset
from nlp.evaluate import evaluate
from nlp.merge import EntitySpan, merge_spans
from nlp.ner_model import MODEL_DIR
from nlp.pipeline import load_pipeline
from nlp.pubtator import read_pubtator
from nlp.span_rules import shape_spans


def shaped(text: str, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``shape_spans`` on spans placed at the first occurrence of each (string, type)."""
    spans = [EntitySpan(text.index(s), text.index(s) + len(s), s, t, concept_id=f"X:{s}") for s, t in found]
    return [(s.text, s.type) for s in shape_spans(text, spans)]


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        # the guideline's own examples (../shared/annotation/ms_entities.md, rules 2 and 4 and CellType)
        (
            "The function of CD20-expressing B cells in MS",
            [("CD20", "Gene"), ("B cells", "CellType"), ("MS", "Disease")],
            [("CD20-expressing B cells", "CellType"), ("MS", "Disease")],
        ),
        ("higher SIGLEC1+ myeloid cells", [("myeloid cells", "CellType")], [("SIGLEC1+ myeloid cells", "CellType")]),
        (
            "to modulate T and myeloid cell functions",
            [("myeloid cell", "CellType")],
            [("T and myeloid cell", "CellType")],
        ),
        (
            "in CD4+ and CD8+ T cells",
            [("CD4", "Gene"), ("CD8+ T cells", "CellType")],
            [("CD4+ and CD8+ T cells", "CellType")],
        ),
        ("after B cell depletion with", [("B cell", "CellType")], [("B cell depletion", "Mechanism")]),
        ("autologous T cell therapy", [("T cell", "CellType")], [("T cell therapy", "Compound")]),
        ("reduced B cell subsets", [("B cell subsets", "CellType")], [("B cell", "CellType")]),
        ("pro-inflammatory Th1/Th17 cells", [("Th1/Th17 cells", "CellType")], [("Th1/Th17 cells", "CellType")]),
        (
            "an expanded pool of regulatory T (Treg) cells",
            [("regulatory T", "CellType"), ("Treg", "CellType")],
            [("regulatory T (Treg) cells", "CellType")],
        ),
        ("via PD-1 signaling in", [("PD-1", "Gene")], [("PD-1 signaling", "Mechanism")]),
        ("through the mTOR pathway,", [("mTOR", "Gene")], [("mTOR pathway", "Mechanism")]),
        (
            "'inside-out' demyelination and neurodegeneration processes.",
            [("demyelination", "Mechanism"), ("neurodegeneration", "Mechanism")],
            [("demyelination and neurodegeneration processes", "Mechanism")],
        ),
        (
            "the metabolic and mitochondrial dysfunctions of",
            [("mitochondrial dysfunctions", "Mechanism")],
            [("metabolic and mitochondrial dysfunctions", "Mechanism")],
        ),
        (
            "inflammation and demyelination in MS",
            [("inflammation", "Mechanism"), ("demyelination", "Mechanism")],
            [("inflammation", "Mechanism"), ("demyelination", "Mechanism")],
        ),
        # well-formed spans (rule 0): parentheses closed, no trailing function word
        ("levels of interleukin (IL)-4 and", [("interleukin (IL", "Gene")], [("interleukin (IL)-4", "Gene")]),
        (
            "relapsing-remitting (RR-MS patients",
            [("relapsing-remitting (RR-MS", "Disease")],
            [("relapsing-remitting", "Disease")],
        ),
        ("the breakdown of remyelination", [("breakdown of", "Mechanism")], [("breakdown", "Mechanism")]),
        # not cell mentions: a procedure, a molecule, an antibody's target
        ("after hematopoietic stem cell transplantation", [("hematopoietic stem cell", "CellType")], []),
        ("human leukocyte antigen DRB1", [("leukocyte", "CellType")], []),
        ("serum anti-oligodendrocyte antibodies", [("oligodendrocyte", "CellType")], []),
        # what must not be swallowed: another type to the left, a comma list, a sentence end
        (
            "patients with MS and B cells",
            [("MS", "Disease"), ("B cells", "CellType")],
            [("MS", "Disease"), ("B cells", "CellType")],
        ),
        ("CD4+, CD8+ T cells", [("CD8+ T cells", "CellType")], [("CD8+ T cells", "CellType")]),
        (
            "Th17 and Tregs rose",
            [("Th17", "CellType"), ("Tregs", "CellType")],
            [("Th17", "CellType"), ("Tregs", "CellType")],
        ),
        (
            "in OPCs and oligodendrocyte progenitor cells",
            [("OPCs", "CellType"), ("oligodendrocyte progenitor cells", "CellType")],
            [("OPCs", "CellType"), ("oligodendrocyte progenitor cells", "CellType")],
        ),
        ("were memory. T cells rose", [("T cells", "CellType")], [("T cells", "CellType")]),
        # rule 5 through an abbreviation and over a coordination of processes; M1/M2 name macrophage subsets
        (
            "can augment T helper 17 (Th17) responses",
            [("T helper 17", "CellType"), ("Th17", "CellType")],
            [("T helper 17 (Th17) responses", "Mechanism")],
        ),
        (
            "on T cell development and differentiation",
            [("T cell", "CellType")],
            [("T cell development and differentiation", "Mechanism")],
        ),  # fmt: skip
        (
            "and M1 macrophages polarization",
            [("macrophages", "CellType")],
            [("M1 macrophages polarization", "Mechanism")],
        ),
        # rule 11: a gene product as a drug's target makes a drug class; a small molecule stays itself
        (
            "exposed to TNFα blockers and dopamine agonists",
            [("TNFα", "Gene"), ("dopamine", "Compound")],
            [("TNFα blockers", "Compound"), ("dopamine", "Compound")],
        ),
        (
            "a selective inhibitor of thymidylate synthase",
            [("thymidylate synthase", "Gene")],
            [("inhibitor of thymidylate synthase", "Compound")],
        ),  # fmt: skip
        ("with COX-2 inhibitors", [("COX-2 inhibitors", "Gene")], [("COX-2 inhibitors", "Compound")]),
        # rule 10: organisms and group codes are no diseases
        (
            "caused by varicella-zoster virus, chronic infection with hepatitis C virus",
            [("varicella-zoster virus", "Disease"), ("chronic infection with hepatitis C virus", "Disease")],
            [("chronic infection with hepatitis C virus", "Disease")],
        ),
        ("higher in MS-HF than in MS", [("MS", "Disease")], []),
        (
            "by spherical mean technique and with DTI metrics",
            [("spherical mean technique", "Biomarker"), ("DTI metrics", "Biomarker")],
            [("DTI metrics", "Biomarker")],
        ),
        # rules 8 and 9: kinds of process, heads that keep their phrase; degree words and other types stay out
        (
            "with chronic, smouldering inflammation and increased demyelination",
            [("inflammation", "Mechanism"), ("demyelination", "Mechanism")],
            [("chronic, smouldering inflammation", "Mechanism"), ("demyelination", "Mechanism")],
        ),
        (
            "explains the failure of endogenous remyelination in MS",
            [("remyelination", "Mechanism"), ("MS", "Disease")],
            [("failure of endogenous remyelination", "Mechanism"), ("MS", "Disease")],
        ),
        (
            "after disruption of the blood-brain barrier, degeneration of oligodendrocytes",
            [("degeneration", "Mechanism"), ("oligodendrocytes", "CellType")],
            [
                ("disruption of the blood-brain barrier", "Mechanism"),
                ("degeneration", "Mechanism"),
                ("oligodendrocytes", "CellType"),
            ],
        ),
    ],
)
def test_guideline_span_rules(text: str, found: list[tuple[str, str]], expected: list[tuple[str, str]]) -> None:
    assert shaped(text, found) == expected


def test_short_forms_the_text_defines_as_a_virus_or_a_technique_are_no_mentions() -> None:
    """Rule 10 through the abbreviation: "varicella-zoster virus (VZV)", "spherical mean technique (SMT)"."""
    text = "VZV load and SMT metrics; VZV again"
    spans = [
        EntitySpan(m.start(), m.end(), m.group(), t)
        for m, t in zip(re.finditer(r"VZV|SMT", text), ["Disease", "Biomarker", "Disease"], strict=True)
    ]
    assert shape_spans(text, spans, frozenset({("Disease", "VZV"), ("Biomarker", "SMT")})) == []
    assert len(shape_spans(text, spans)) == 3


def test_a_widened_cell_keeps_its_heads_concept_and_a_retyped_one_drops_it() -> None:
    text = "activated T cells and T cell activation"
    spans = [
        EntitySpan(10, 17, "T cells", "CellType", "CL:0000084"),
        EntitySpan(22, 28, "T cell", "CellType", "CL:0000084"),
    ]
    out = shape_spans(text, spans)
    assert [(s.text, s.type, s.concept_id) for s in out] == [
        ("activated T cells", "CellType", "CL:0000084"),
        ("T cell activation", "Mechanism", ""),
    ]


def test_a_model_span_that_extends_a_lexicon_match_wins_with_the_matchs_concept() -> None:
    lexicon = EntitySpan(20, 27, "T cells", "CellType", "CL:0000084", "T cell", lexicon="curated")
    model = EntitySpan(10, 27, "activated T cells", "CellType", source="model")
    types = frozenset({"CellType", "Disease", "Gene", "Compound", "Mechanism", "Biomarker"})
    [merged] = merge_spans([lexicon], [model], model_types=types, trusted=frozenset({"Mechanism"}))
    assert (merged.text, merged.concept_id, merged.source) == ("activated T cells", "CL:0000084", "model")


def test_full_pipeline_cell_types_on_the_ms_tune_documents(shared: Path, tmp_path: Path) -> None:
    """Strict CellType F1 on the tune documents (never trained on): the rules add points over the merge alone."""
    need((MODEL_DIR / "config.cfg").is_file(), f"no NER model in {MODEL_DIR}")
    corpus = tmp_path / "tune.pubtator"
    devset.build(corpus, "tune", shared / devset.SOURCE_NAME)
    docs = list(read_pubtator(corpus))
    pipeline = load_pipeline(MODEL_DIR)
    with_rules = evaluate(docs, pipeline.annotate_texts).to_json()["by_type"]["CellType"]["f1"]
    pipeline.nlp.remove_pipe("gapmap_span_rules")
    without = evaluate(docs, pipeline.annotate_texts).to_json()["by_type"]["CellType"]["f1"]
    assert with_rules >= 0.70
    assert with_rules >= without + 0.03
