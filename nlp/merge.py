"""Merging entity spans from different sources into one non-overlapping set, then role rules on the result.

Merge rules, in order (also in docs/nlp.md). They depend on which types the loaded model predicts
(``model_types``, read from its NER labels) and on the types whose boundaries the model is trusted with
(:data:`TRUSTED_TYPES` among those it predicts): a model trained on annotated MS text learned the guideline's
spans for them.  The trusted types were chosen on the MS gold set's ``tune`` documents and the public dev splits
(docs/nlp-model.md): Mechanism, Gene and Disease; for Compound, Biomarker and CellType the lexicons' names did
better than the model's boundaries.

0. A span of any source overlapping a curated "not an entity" phrase ("DMTs", "disease-modifying therapies",
   "placebo", "cytokines": classes the guidelines exclude) is dropped.
1. Curated-lexicon matches always stay, except of a trusted type: the MS lexicon was written for these abstracts,
   but a model trained on the MS gold set learned the guideline's span boundaries ("remyelination failure",
   "B cell depletion"), and an overlapping model span of a trusted type wins.
1b. Whatever the lexicon, a model span of the match's own type that contains it and is longer wins, and keeps
   the match's concept: the guideline marks the longest meaningful span, and the model learned which modifiers
   belong to it ("activated T cells", "CD20-expressing B cells", "serum neurofilament light chain"); the
   lexicon only knows the head's name.
2. A model span overlapping a match from a general lexicon (MeSH, ChEBI, GO, DOID, HGNC, CL):
   a. the gazetteer says Biomarker or CellType and the model does not predict that type: the gazetteer wins;
   b. the same span and type: the gazetteer's match stays (it carries a checked ontology id), as a model span
      (the model found it too, which the abbreviation rules below rely on: "pleomorphic adenoma gene like-2
      (PLAGL2)" names no concept the lexicons know, yet the model's PLAGL2 stands);
   c. both say Disease: the longer span wins.  A lexicon name longer than the model's span is the full name
      annotators mark ("male infertility", "primary hyperparathyroidism" where the model said "infertility"); a
      model span longer than the lexicon's name carries a qualifier the name lacks ("hereditary ovarian cancer",
      "breast/ovarian cancer", "type 2B von Willebrand disease").  Measured on the held-out BioRED dev and
      NCBI-disease test splits;
   d. anything else: the model wins.  It reads the context and learned where chemical names start and end
      ("atropine sulfate", "[3H]-naloxone", not the MeSH parent "atropine"), which type a word has in context
      ("CD20" the gene vs "anti-CD20" the drug class; "necrosis" a disease, not GO's process); its span is
      normalised by the linker.  On BC5CDR's training split, letting MeSH chemical boundaries win cost 130 correct
      model spans.
3. Spans that overlap nothing are kept from the model and the gazetteer, except general-lexicon matches of a
   trusted type: the model read them in context and left them out ("retinal" is no Retinaldehyde, "SOD" no
   dysplasia).
4. Abbreviations are resolved afterwards (:mod:`nlp.abbreviations`): a short form takes its long form's concept.

Role rule (after abbreviations, :func:`assign_marker_roles`), the guideline's rule 7 ("role decides the type, per
sentence"): a gene or protein that the abstract *measures* ("serum IL-6", "CSF osteopontin levels", "Eomes level
acted as a biomarker") is a fluid Biomarker in its mentions, keeping its concept id, except a mention that names
the molecule itself: with a variant ("IL27 T4730C gene polymorphism", "BDNF Val66Met") or as the actor or object
of a molecular process ("HTRA1 degrades extracellular matrix", "glia express HTRA1", "knockout of Fzd1").  Such a
mention is a Gene even where the model called it a Biomarker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc

from nlp.doc_text import doc_text
from nlp.lexicons.curated import slug

#: The types a model trained before the MS gold set predicts (the default when none is named).
MODEL_TYPES = frozenset({"Compound", "Disease", "Gene"})
#: Gazetteer types that beat an overlapping model span when the model does not predict them (rule 2a).
GAZETTEER_FIRST_TYPES = frozenset({"Biomarker", "CellType"})
#: Types whose spans the model decides, when it predicts them (rules 1 and 3).
TRUSTED_TYPES = frozenset({"Mechanism", "Gene", "Disease"})


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

    def concept(self) -> tuple[str, str]:
        """The span's concept (id, name); an unlinked span names a ``GAPMAP:<slug of the text>`` concept, the
        same for the singular and the plural ("steroid", "steroids")."""
        if self.concept_id:
            return self.concept_id, self.concept_name
        return f"GAPMAP:{slug(_singular(self.text))}", self.text

    def overlaps(self, other: EntitySpan) -> bool:
        return self.overlaps_range(other.start, other.end)

    def overlaps_range(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def _singular(name: str) -> str:
    """``name`` with a plural last word made singular ("steroids", "OPCs", "therapies"); "sclerosis" stays."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith("s") and len(name) > 3 and not name.endswith(("ss", "us", "is", "ys")):
        return name[:-1]
    return name


def _extends(model: EntitySpan, gazetteer: EntitySpan) -> bool:
    """Rule 1b: a model span of the lexicon match's type that contains it and is longer."""
    return (
        model.type == gazetteer.type
        and model.start <= gazetteer.start
        and gazetteer.end <= model.end
        and model.end - model.start > gazetteer.end - gazetteer.start
    )


def _model_wins(model: EntitySpan, gazetteer: EntitySpan, model_types: frozenset[str], trusted: frozenset[str]) -> bool:
    if model.type in model_types and _extends(model, gazetteer):
        return True
    if (gazetteer.lexicon == "curated" and gazetteer.type not in trusted) or (
        gazetteer.type in GAZETTEER_FIRST_TYPES - model_types
    ):
        return False
    if model.type == gazetteer.type == "Disease":
        return model.end - model.start > gazetteer.end - gazetteer.start
    return not _same(model, gazetteer)


def _same(model: EntitySpan, gazetteer: EntitySpan) -> bool:
    return (model.start, model.end, model.type) == (gazetteer.start, gazetteer.end, gazetteer.type)


#: A gene symbol a lexicon match may stand on without the model (rule 3): a capital first, two capitals and a digit
#: in one word of 3–10 characters ("IL27", "HTRA1", "CXCL13"), not a word that could be English.
_GENE_SYMBOL = re.compile(r"(?=[A-Za-z0-9-]*[0-9])(?=(?:[A-Za-z0-9-]*[A-Z]){2})[A-Z][A-Za-z0-9-]{2,9}")


def _fills_in(gazetteer: EntitySpan, trusted: frozenset[str], model_types: frozenset[str]) -> bool:
    """Rule 3 for a gazetteer span that overlaps no model span."""
    if gazetteer.lexicon == "curated":
        return True
    if gazetteer.type in trusted:
        return gazetteer.type == "Gene" and _GENE_SYMBOL.fullmatch(gazetteer.text) is not None
    return gazetteer.type not in model_types or gazetteer.type != "Compound" or not _common_word_alias(gazetteer)


def _common_word_alias(gazetteer: EntitySpan) -> bool:
    """Rule 3b: one lower-case word that is only an alias of its compound ("retinal" for Retinaldehyde): such
    aliases are ordinary words far more often than names, so they stand only where the model, which reads the
    context, tagged them too. The concept's own name, singular or plural ("glucocorticoid"), is no alias."""
    text, name = gazetteer.text, gazetteer.concept_name.lower()
    return text.islower() and text.isalpha() and text not in (name, name.removesuffix("s"))


def _with_head_concept(model: EntitySpan, rivals: list[EntitySpan]) -> EntitySpan:
    """A model span that extends one lexicon match of its type keeps that match's concept (rule 1b).

    "activated T cells" and "CD3+CD20+ T cells" are T cells: the extra words narrow the subset, and the linker
    (exact names only for CellType and Biomarker) would otherwise leave the span without a concept.
    """
    heads = [g for g in rivals if g.concept_id and _extends(model, g)]
    if len(heads) != 1:
        return model
    return replace(model, concept_id=heads[0].concept_id, concept_name=heads[0].concept_name)


def merge_spans(
    gazetteer: list[EntitySpan],
    model: list[EntitySpan],
    blocked: Sequence[EntitySpan] = (),
    model_types: frozenset[str] = MODEL_TYPES,
    trusted: frozenset[str] = frozenset(),
) -> list[EntitySpan]:
    """Apply rules 0–3 to one text's spans; returns non-overlapping spans sorted by offset.

    ``trusted``: the types whose spans the model decides (:data:`TRUSTED_TYPES` among those it predicts).
    """
    dropped_gazetteer: set[int] = set()
    overlapped: set[int] = set()
    confirmed: set[int] = set()
    kept_model: list[EntitySpan] = []
    for m in model:
        if any(b.overlaps(m) for b in blocked):
            continue
        rivals = [i for i, g in enumerate(gazetteer) if g.overlaps(m)]
        overlapped.update(rivals)
        confirmed.update(i for i in rivals if _same(m, gazetteer[i]))
        if all(_model_wins(m, gazetteer[i], model_types, trusted) for i in rivals):
            dropped_gazetteer.update(rivals)
            kept_model.append(_with_head_concept(m, [gazetteer[i] for i in rivals]))
    kept = [
        replace(g, source="model") if i in confirmed else g
        for i, g in enumerate(gazetteer)
        if i not in dropped_gazetteer and (i in overlapped or _fills_in(g, trusted, model_types))
    ]
    return sorted(kept + kept_model, key=lambda s: (s.start, s.end))


#: A specimen or quantity next to a name: the abstract measures it ("serum IL-6", "CSF levels of osteopontin",
#: "GFAP concentrations", "IL-6 in serum", "Eomes level acted as a biomarker").
_SPECIMEN = r"(?:serum|plasma|blood|CSF|cerebrospinal fluid|urine|urinary|saliva|salivary|circulating|intrathecal)"
_MEASURED_BEFORE = re.compile(
    rf"(?:\b{_SPECIMEN}|\b(?:levels?|concentrations?|titers?|titres?) of(?: (?:the|{_SPECIMEN}))?)[\s-]+$", re.I
)
_MEASURED_AFTER = re.compile(
    rf"^[^.;]{{0,40}}?\b(?:(?:{_SPECIMEN}\s+)?(?:levels?|concentrations?|titers?|titres?)\b"
    rf"|in (?:the )?{_SPECIMEN}\b|(?:as|was|is|were) an? (?:\w+ )?biomarker)",
    re.I,
)
#: A mention named with a variant is about the gene, not a measured level.
_GENETIC_AFTER = re.compile(r"^\s*(?:\S+\s+)?(?:polymorphisms?|variants?|alleles?|genotypes?|mutations?|gene)\b", re.I)
#: A mention that acts or is acted on as a molecule ("HTRA1 degrades", "was expressed in", "knockout of Fzd1").
_MOLECULE_AFTER = re.compile(
    r"^\s*(?:\([^()]{1,15}\)\s*)?(?:(?:is|was|were|are)\s+)?(?:expressed|degrad\w*|cleav\w*|binds?|bound|encod\w*"
    r"|phosphorylat\w*|ubiquitinat\w*|knock\w*|deficient|overexpress\w*)\b",
    re.I,
)
_MOLECULE_BEFORE = re.compile(
    r"\b(?:express(?:es|ed|ing)?|knock(?:out|down|ed out|ing out) of|deficien(?:t|cy) (?:in|of)|overexpression of"
    r"|inhibition of|inhibiting|blocking|deletion of)\s+(?:the\s+)?$",
    re.I,
)
#: "at the level of": where something happens, not a measured level.
_LOCATIVE_LEVEL = re.compile(r"\bat the level of\s+$", re.I)
_WINDOW = 40


def _measured(text: str, span: EntitySpan) -> bool:
    before, after = text[max(0, span.start - _WINDOW) : span.start], text[span.end : span.end + 60]
    return bool(
        (_MEASURED_BEFORE.search(before) and not _LOCATIVE_LEVEL.search(before)) or _MEASURED_AFTER.match(after)
    )


def _named_as_molecule(text: str, span: EntitySpan) -> bool:
    before, after = text[max(0, span.start - _WINDOW) : span.start], text[span.end : span.end + 60]
    return bool(_GENETIC_AFTER.match(after) or _MOLECULE_AFTER.match(after) or _MOLECULE_BEFORE.search(before))


def assign_marker_roles(text: str, spans: list[EntitySpan]) -> list[EntitySpan]:
    """Each gene or protein mention as its role says (see the module docstring): measured concepts are Biomarkers
    but where a mention names the molecule; a protein Biomarker named as a molecule is a Gene."""
    measured = {s.concept_id or s.text for s in spans if s.type == "Gene" and _measured(text, s)}
    out = []
    for span in spans:
        if span.type == "Gene" and (span.concept_id or span.text) in measured and not _named_as_molecule(text, span):
            span = replace(span, type="Biomarker", kind="fluid")
        elif span.type == "Biomarker" and span.concept_id.startswith("HGNC:") and _named_as_molecule(text, span):
            span = replace(span, type="Gene", kind="")
        out.append(span)
    return out


class MergeComponent:
    """spaCy component: ``doc._.entities`` = merged gazetteer and model (``doc.ents``) spans (rules 0–3)."""

    def __init__(self, model_types: frozenset[str], trusted: frozenset[str]) -> None:
        self.model_types = model_types
        self.trusted = trusted

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        model = [
            EntitySpan(e.start_char, e.end_char, text[e.start_char : e.end_char], e.label_, source="model")
            for e in doc.ents
        ]
        spans = doc._.gazetteer_entities or []
        doc._.entities = merge_spans(spans, model, doc._.blocked_spans or [], self.model_types, self.trusted)
        return doc


class MarkerRoleComponent:
    """spaCy component, last: measured genes and proteins in ``doc._.entities`` become Biomarkers."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.entities = assign_marker_roles(doc_text(doc), doc._.entities or [])
        return doc


Doc.set_extension("entities", default=None, force=True)


@Language.factory("gapmap_merge")
def make_merge_component(nlp: Language, name: str) -> MergeComponent:
    """The merge, for the types the pipeline's NER component predicts (none without a model).

    The trusted types are trusted only in a model that learned the MS types: one trained on the public corpora
    alone never saw the MS guideline's boundaries.
    """
    learned = {label for pipe in ("gapmap_ner", "ner") if pipe in nlp.pipe_names for label in nlp.pipe_labels[pipe]}
    trusted = TRUSTED_TYPES & learned if learned >= GAZETTEER_FIRST_TYPES else frozenset()
    return MergeComponent(frozenset(learned), trusted)


@Language.factory("gapmap_marker_roles")
def make_marker_role_component(nlp: Language, name: str) -> MarkerRoleComponent:
    return MarkerRoleComponent()
