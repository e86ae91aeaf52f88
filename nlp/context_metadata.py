"""Study context from the record itself: PubMed publication types and MeSH check tags.

Why first: NLM indexers read the whole paper, so a publication type "Randomized Controlled Trial" or the check
tags Humans / Mice settle a field better than any abstract classifier.  The same derivation labels the
training records of the text model (:mod:`nlp.context_training`), so the model learns to say what the
indexers would have said on records that have no MeSH yet.

Each field is ``None`` where the record does not settle it; :func:`metadata_context` never guesses.
``weak_design`` is the one guess, kept apart: a MeSH-indexed journal article with only the Humans check tag is
most often an observational study, and only training uses that.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.records import Article
from nlp.study_context import REVIEW_DESIGNS

_SYSTEMATIC = {"Systematic Review", "Meta-Analysis"}
_RCT = {"Randomized Controlled Trial", "Pragmatic Clinical Trial", "Equivalence Trial"}
_TRIAL_PREFIX = ("Clinical Trial", "Controlled Clinical Trial", "Adaptive Clinical Trial")
_REVIEW = {"Review", "Editorial", "Comment", "Practice Guideline", "Guideline", "Consensus Development Conference"}
_OBSERVATIONAL_TYPES = {"Observational Study", "Twin Study"}
_OBSERVATIONAL_MESH = {
    "Cohort Studies",
    "Retrospective Studies",
    "Prospective Studies",
    "Cross-Sectional Studies",
    "Case-Control Studies",
    "Longitudinal Studies",
    "Follow-Up Studies",
    "Registries",
    "Surveys and Questionnaires",
    "Health Surveys",
    "Autopsy",
}
_RCT_MESH = {"Random Allocation", "Double-Blind Method", "Single-Blind Method"}
_IN_SILICO_MESH = {
    "Mendelian Randomization Analysis",
    "Genome-Wide Association Study",
    "Computational Biology",
    "Computer Simulation",
    "Gene Regulatory Networks",
    "Protein Interaction Maps",
    "Molecular Docking Simulation",
}
_IN_VITRO_MESH = {
    "Cells, Cultured",
    "In Vitro Techniques",
    "Coculture Techniques",
    "Organoids",
    "Primary Cell Culture",
    "Cell Culture Techniques",
    "Organ Culture Techniques",
    "Tissue Culture Techniques",
}
_PRIMATES = ("Macaca", "Callithrix", "Primates", "Haplorhini", "Chlorocebus", "Papio", "Saimiri", "Pan troglodytes")
_MODELS_MESH = {
    "Encephalomyelitis, Autoimmune, Experimental": "EAE",
    "Cuprizone": "cuprizone",
    "Lysophosphatidylcholines": "lysolecithin",
    "Theilovirus": "TMEV",
}
_FORMS_MESH = {
    "Multiple Sclerosis, Relapsing-Remitting": "RRMS",
    "Multiple Sclerosis, Chronic Progressive": "progressive",
    "Demyelinating Autoimmune Diseases, CNS": "MS",
    "Multiple Sclerosis": "MS",
}


@dataclass(frozen=True)
class MetadataContext:
    """What the record's publication types and MeSH say; ``None`` where they do not settle a field."""

    design: str | None = None
    weak_design: str | None = None
    organisms: frozenset[str] | None = None
    in_vitro: bool | None = None
    models: frozenset[str] = frozenset()
    form_hints: frozenset[str] = frozenset()


def _organisms(headings: set[str]) -> frozenset[str] | None:
    """Organisms from check tags, or None when the record carries none (not yet indexed)."""
    out = set()
    if "Humans" in headings:
        out.add("human")
    for name in headings:
        if name == "Mice" or name.startswith("Mice,"):
            out.add("mouse")
        elif name == "Rats" or name.startswith("Rats,"):
            out.add("rat")
        elif name.startswith(_PRIMATES):
            out.add("nonhuman_primate")
    if "Animals" in headings and not out - {"human"}:
        out.add("other_animal")
    return frozenset(out) if out else None


def _design(types: set[str], headings: set[str]) -> str | None:
    if types & _SYSTEMATIC:
        return "systematic_review"
    if types & _RCT:
        return "rct"
    if any(t.startswith(_TRIAL_PREFIX) for t in types):
        return "rct" if headings & _RCT_MESH else "clinical_trial_other"
    if "Case Reports" in types:
        return "case_report"
    if types & _REVIEW:
        return "review"
    if headings & _IN_SILICO_MESH:
        return "in_silico"
    animals = "Animals" in headings
    rodents = any(h.startswith(("Mice", "Rats")) for h in headings)
    if animals and ("Humans" not in headings or rodents or headings & {"Disease Models, Animal", *_MODELS_MESH}):
        return "preclinical"
    if headings & _RCT_MESH:
        return "rct"
    if types & _OBSERVATIONAL_TYPES or headings & _OBSERVATIONAL_MESH:
        return "observational"
    if headings & _IN_VITRO_MESH and not animals:
        return "preclinical"
    return None


def metadata_context(article: Article) -> MetadataContext:
    """The fields this record's publication types and MeSH settle."""
    types = set(article.publication_types)
    headings = {m.descriptor_name for m in article.mesh}
    design = _design(types, headings)
    weak = design
    if weak is None and headings and headings & {"Humans", "Animals"} == {"Humans"}:
        weak = "observational"
    organisms = _organisms(headings)
    if design in REVIEW_DESIGNS and organisms is not None:
        organisms = frozenset()
    return MetadataContext(
        design=design,
        weak_design=weak,
        organisms=organisms,
        in_vitro=bool(headings & _IN_VITRO_MESH or any(h.startswith("Cell Line") for h in headings))
        if headings
        else None,
        models=frozenset(label for name, label in _MODELS_MESH.items() if name in headings),
        form_hints=frozenset(label for name, label in _FORMS_MESH.items() if name in headings),
    )
