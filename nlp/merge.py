"""Merging entity spans from different sources into one non-overlapping set.

The rules, in order (also in docs/nlp.md):

1. Curated-lexicon matches always stay: the MS lexicon was written for these abstracts and is the only source of
   Biomarker types and MS-specific abbreviations.
2. A model span overlapping a gazetteer match:
   a. the gazetteer says Mechanism, Biomarker or CellType (types the model does not predict): the gazetteer wins;
   b. same type: the gazetteer wins (a dictionary entry carries a checked ontology id);
   c. different types the model does predict (Compound / Disease / Gene): the model wins, because it reads the
      context ("CD20" the gene vs "anti-CD20" the drug class), and its span is normalised by the linker.
3. Spans that overlap nothing are kept from every source.
4. Abbreviations are resolved afterwards (:mod:`nlp.abbreviations`): a short form takes its long form's concept.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

#: The types the statistical model predicts; anything else comes from the gazetteer only.
MODEL_TYPES = frozenset({"Compound", "Disease", "Gene"})


@dataclass
class EntitySpan:
    """One entity in a text: character offsets, type, concept, and which source found it."""

    start: int
    end: int
    text: str
    type: str
    concept_id: str = ""
    concept_name: str = ""
    source: str = "gazetteer"  # model | gazetteer | abbreviation
    score: float = 1.0
    kind: str = ""
    lexicon: str = ""  # for gazetteer spans: which lexicon (curated, mesh, hgnc …)

    def overlaps(self, other: EntitySpan) -> bool:
        return self.start < other.end and other.start < self.end


def _model_wins(model: EntitySpan, gazetteer: EntitySpan) -> bool:
    if gazetteer.lexicon == "curated" or gazetteer.type not in MODEL_TYPES:
        return False
    return model.type != gazetteer.type


def merge_spans(gazetteer: list[EntitySpan], model: list[EntitySpan]) -> list[EntitySpan]:
    """Apply rules 1–3 to one text's spans; returns non-overlapping spans sorted by offset."""
    dropped_gazetteer: set[int] = set()
    kept_model: list[EntitySpan] = []
    for m in model:
        rivals = [i for i, g in enumerate(gazetteer) if g.overlaps(m)]
        if all(_model_wins(m, gazetteer[i]) for i in rivals):
            dropped_gazetteer.update(rivals)
            kept_model.append(m)
    kept = [g for i, g in enumerate(gazetteer) if i not in dropped_gazetteer] + kept_model
    return sorted(kept, key=lambda s: (s.start, s.end))


class MergeComponent:
    """spaCy component: ``doc._.entities`` = merged gazetteer and model spans (rules 1–3)."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.entities = merge_spans(doc._.gazetteer_entities or [], doc._.model_entities or [])
        return doc


Doc.set_extension("entities", default=None, force=True)


@Language.factory("gapmap_merge")
def make_merge_component(nlp: Language, name: str) -> MergeComponent:
    return MergeComponent()
