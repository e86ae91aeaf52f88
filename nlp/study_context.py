"""Study context of a paper: what kind of evidence it is (design, organisms, in vitro, disease models, MS forms).

Why: a strategist weighing an area must tell a compound that protects myelin in cuprizone mice from one that
failed a phase 2 trial in progressive MS; without this every paper counts the same (issue 18).

Two sources, field by field (:class:`nlp.context_classifier.ContextClassifier`):

* the record's own PubMed publication types and MeSH check tags (:mod:`nlp.context_metadata`) when it has
  them: indexers read the full paper, so where they settle a field, they win;
* the title and abstract (:mod:`nlp.context_model`, a linear model over compiled cue patterns and words, and
  the rules of :mod:`nlp.context_rules`) for the rest: the MS feed's records and recent records carry no MeSH.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: ``design`` labels, exactly one per paper.
DESIGNS = (
    "rct",
    "clinical_trial_other",
    "observational",
    "case_report",
    "systematic_review",
    "review",
    "preclinical",
    "in_silico",
    "other",
)
#: Designs that are reviews: no organisms, models or in-vitro work of their own (issue 18: "empty for a review").
REVIEW_DESIGNS = frozenset({"review", "systematic_review"})
ORGANISMS = ("human", "mouse", "rat", "nonhuman_primate", "other_animal")
MODELS = ("EAE", "cuprizone", "lysolecithin", "TMEV", "other_demyelination_model")
MS_POPULATIONS = ("PPMS", "SPMS", "progressive_unspecified", "RRMS", "CIS", "RIS", "pediatric", "MS_unspecified")
#: The set-valued fields and their label vocabularies.
SET_FIELDS = {"organisms": ORGANISMS, "models": MODELS, "ms_population": MS_POPULATIONS}

#: Evidence levels a publication is counted under (graph, queries, explorer), most to least direct in people.
EVIDENCE_LEVELS = ("rct", "other_trial", "observational", "preclinical_in_vivo", "in_vitro", "review", "other")


@dataclass(frozen=True)
class StudyContext:
    """The same five labels for every paper (issue 18); sets are frozensets so a context is hashable."""

    design: str = "other"
    organisms: frozenset[str] = frozenset()
    in_vitro: bool = False
    models: frozenset[str] = frozenset()
    ms_population: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ValueError(f"unknown design {self.design!r} (expected one of {', '.join(DESIGNS)})")
        for name, vocabulary in SET_FIELDS.items():
            unknown = set(getattr(self, name)) - set(vocabulary)
            if unknown:
                raise ValueError(f"unknown {name} {sorted(unknown)} (expected some of {', '.join(vocabulary)})")

    @property
    def evidence_levels(self) -> tuple[str, ...]:
        """The levels this paper counts under: its design's, plus in vivo / in vitro parts of a preclinical paper.

        A trial, observational or case study is human evidence whatever else it holds; a preclinical paper
        counts as in vivo when it used animals and as in vitro when it cultured cells (a paper may do both).
        """
        if self.design == "rct":
            return ("rct",)
        if self.design == "clinical_trial_other":
            return ("other_trial",)
        if self.design in ("observational", "case_report"):
            return ("observational",)
        if self.design in REVIEW_DESIGNS:
            return ("review",)
        levels = []
        if self.design == "preclinical" and (set(self.organisms) - {"human"} or self.models):
            levels.append("preclinical_in_vivo")
        if self.in_vitro:
            levels.append("in_vitro")
        return tuple(levels) or ("other",)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: sets as sorted lists (the gold file's and the article store's layout)."""
        return {
            "design": self.design,
            "organisms": sorted(self.organisms),
            "in_vitro": self.in_vitro,
            "models": sorted(self.models),
            "ms_population": sorted(self.ms_population),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyContext:
        return cls(
            design=str(data.get("design", "other")),
            organisms=frozenset(data.get("organisms", ())),
            in_vitro=bool(data.get("in_vitro", False)),
            models=frozenset(data.get("models", ())),
            ms_population=frozenset(data.get("ms_population", ())),
        )
