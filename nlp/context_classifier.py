"""One paper's study context: the record's metadata where it settles a field, the text where it doesn't.

Why field by field: a record indexed for MeSH may still lack a design-giving publication type (most are just
"Journal Article"), and a record without MeSH has nothing but its text.  Consistency rules then apply to
whichever source gave each field, because the issue defines them that way: a review (narrative or systematic) has
no organisms of its own, a trial or an observational study has people in it, an animal study has people in it only
when it says it used human material (:func:`nlp.context_design.human_material`), and the MS forms are those of
people studied.  The text's design is the model's reading corrected by what the abstract states about itself
(:mod:`nlp.context_design`); an abstract saying "in vitro" after its opening sentence did in-vitro work.
"""

from __future__ import annotations

from pathlib import Path

from ingest.records import AbstractSection, Article
from nlp.context_design import design_from_text, human_material, stated_cues
from nlp.context_metadata import metadata_context
from nlp.context_model import MODEL_PATH, ContextModel
from nlp.context_rules import disease_models, ms_forms
from nlp.study_context import ORGANISMS, REVIEW_DESIGNS, StudyContext

_HUMAN_DESIGNS = frozenset({"rct", "clinical_trial_other", "observational", "case_report"})


class ContextClassifier:
    """Classifies articles (record + text) or plain title/abstract pairs (``gapmap nlp eval-context``)."""

    def __init__(self, model: ContextModel) -> None:
        self.model = model

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ContextClassifier:
        return cls(ContextModel.load(path))

    def classify(self, article: Article) -> StudyContext:
        meta = metadata_context(article)
        title, abstract = article.title, article.abstract_text
        text = self.model.predict(title, abstract)
        cues = stated_cues(title, abstract)
        design = meta.design or design_from_text(text.design, cues)
        if design in REVIEW_DESIGNS:
            return StudyContext(design, ms_population=ms_forms(title, abstract, True, meta.form_hints))
        organisms = meta.organisms
        if organisms is None:
            organisms = text.yes & frozenset(ORGANISMS)
            if design == "preclinical" and not human_material(cues):
                organisms -= {"human"}  # the human head reads "patients with MS" in an animal paper's background
        if design in _HUMAN_DESIGNS:
            organisms |= {"human"}
        models = disease_models(title, abstract) | meta.models
        if models and not organisms - {"human"}:  # a named disease model is an animal the heads missed
            organisms |= {"mouse"}
        in_vitro = meta.in_vitro if meta.in_vitro is not None else "in_vitro" in text.yes or cues.says("in_vitro")
        people = design != "preclinical" or "human" in organisms
        return StudyContext(design, organisms, in_vitro, models, ms_forms(title, abstract, people, meta.form_hints))

    def classify_text(self, title: str, abstract: str) -> StudyContext:
        """The text side alone, as for a record without publication types or MeSH."""
        sections = [AbstractSection(abstract)] if abstract.strip() else []
        return self.classify(Article("0", title=title, abstract=sections))
