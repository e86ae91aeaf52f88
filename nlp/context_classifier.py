"""One paper's study context: the record's metadata where it settles a field, the text where it doesn't.

Why field by field: a record indexed for MeSH may still lack a design-giving publication type (most are just
"Journal Article"), and a record without MeSH has nothing but its text.  Consistency rules then apply to
whichever source gave each field, because the issue defines them that way: a review has no organisms of its own,
a trial or an observational study has people in it, and the MS forms are those of people studied.
"""

from __future__ import annotations

from pathlib import Path

from ingest.records import AbstractSection, Article
from nlp.context_metadata import metadata_context
from nlp.context_model import MODEL_PATH, ContextModel
from nlp.context_rules import disease_models, ms_forms, says_review
from nlp.study_context import ORGANISMS, StudyContext

_HUMAN_DESIGNS = frozenset({"rct", "clinical_trial_other", "observational", "case_report"})
#: Designs the model gives narrative reviews of MS that talk about patients, MRI and mice (trained mostly on
#: dementia and oligodendrocyte reviews); a self-declared review is a review.  Trials and case reports keep their
#: design ("a case report and review of the literature").
_READ_AS_REVIEW = frozenset({"observational", "preclinical", "in_silico", "other"})


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
        design = meta.design or _rare_designs(text.design, text.features)
        if not meta.design and design in _READ_AS_REVIEW and says_review(abstract):
            design = "review"
        if design == "review":
            return StudyContext(design, ms_population=ms_forms(title, abstract, True, meta.form_hints))
        organisms = meta.organisms
        if organisms is None:
            organisms = text.yes & frozenset(ORGANISMS)
        if design in _HUMAN_DESIGNS:
            organisms |= {"human"}
        models = disease_models(title, abstract) | meta.models
        if models and not organisms - {"human"}:  # a named disease model is an animal the heads missed
            organisms |= {"mouse"}
        in_vitro = meta.in_vitro if meta.in_vitro is not None else "in_vitro" in text.yes
        people = design != "preclinical" or "human" in organisms
        return StudyContext(design, organisms, in_vitro, models, ms_forms(title, abstract, people, meta.form_hints))

    def classify_text(self, title: str, abstract: str) -> StudyContext:
        """The text side alone, as for a record without publication types or MeSH."""
        sections = [AbstractSection(abstract)] if abstract.strip() else []
        return self.classify(Article("0", title=title, abstract=sections))


def _either(features: frozenset[str], *cues: str) -> bool:
    return any(f"t:{c}" in features or f"a:{c}" in features for c in cues)


def _rare_designs(design: str, features: frozenset[str]) -> str:
    """The issue's definitions of the designs too rare in the training records for the model to learn.

    Three systematic reviews and three non-randomised trials carry labels there, so these follow the
    definitions directly: a systematic review or meta-analysis says so in its title or twice in its abstract;
    a randomised, placebo-controlled or blinded study, or an open-label extension, is an RCT; an open-label,
    single-arm or phased treatment study that never says "randomised" is another trial.
    """
    if "t:systematic" in features or "a2:systematic" in features:
        return "systematic_review"
    if design not in ("rct", "clinical_trial_other", "observational"):
        return design
    trial = _either(features, "trial", "treated")
    if _either(features, "extension") and _either(features, "open_label"):
        return "rct"
    if "t:randomised" in features or (_either(features, "randomised") and _either(features, "placebo", "blinded")):
        return "rct"
    if trial and not _either(features, "randomised") and _either(features, "open_label", "single_arm", "phase"):
        return "clinical_trial_other"
    return design
