"""Spans shaped by the annotation guideline's span rules (``../shared/annotation/ms_entities.md``).

The model and the lexicons often find only a cell type's head ("T cells"), while the guideline marks the longest
meaningful span and lets its head decide the type. Eleven rules, applied to the merged entities of one text
(1–5 for cell types, 6–9 for processes, 10 for diseases, 11 for drug classes), after a first one (0) that makes
every span well formed (closed parentheses, no trailing "of"/"and"):

1. **Subset-defining modifiers stay** (guideline, CellType): markers ("CD3+CD20+", "Eomes+", "CD25-"),
   participles that define a subset ("CD20-expressing", "EBV-infected", "myelin-specific", "iPSC-derived"),
   state words (memory, regulatory, naïve, autoreactive, activated, resting, effector, cytotoxic, mature …) and
   the tissue the cells sit in ("brain endothelial cells", "cortical microglia", "peripheral immune cells").
   Functional descriptors ("pro-inflammatory") are not among them and stay out.
2. **Elliptical coordination is one span** (rule 4): "B and T lymphocytes", "CD4+ and CD8+ T cells",
   "bronchial and alveolar epithelial cells".
3. **Counts, frequencies and subsets go** (guideline, CellType): "T cell count" → "T cell".
4. **An abbreviation inside the name belongs to it** (rule 1): "regulatory T (Treg) cells".
5. **The head decides the type** (rule 2): a cell type followed by a process noun is a Mechanism ("B cell
   depletion", "T-cell activation", "oligodendrocyte maturation"); by "therapy" or "product" an intervention, a
   Compound ("EBV-specific T cell therapy"); by "transplantation" a procedure and by "antigen" a molecule ("human
   leukocyte antigen"), neither of them a cell type mention; nor is the target of an antibody
   ("anti-oligodendrocyte antibodies").

6. **A molecule named as the subject of a process is a Mechanism** (rule 2): "PD-1 signaling", "mTOR
   pathway", "TNF-TNFR1 signaling blockade".
7. **Coordinated processes are one span** (rule 4): "demyelination and neurodegeneration processes", "metabolic
   and mitochondrial dysfunctions".
8. **A qualifier that names a kind of process stays** (Mechanism): "diffuse inflammation", "chronic, smoldering
   inflammation", "focal damage", "compartmentalized inflammation"; degree words ("increased", "active") do not.
9. **A head that is no mention on its own keeps its prepositional phrase** (rule 5) when the phrase names a
   process or a structure, not an entity of another type: "failure of endogenous remyelination", "disruption of
   the blood-brain barrier", "impairment of the neurovascular unit", "loss of myelin".
10. **Organisms and group labels are no diseases, techniques no biomarkers** (guideline, Disease and Biomarker): a
    bare virus name ("varicella-zoster virus"; "infection with hepatitis C virus" stays), a disease abbreviation
    glued to a group code ("MS" in "MS-HF versus MS-LF"), a technique ("spherical mean technique", "diffusion
    tensor imaging"; "DTI metrics" stays), and the short forms the text defines for them ("VZV", "SMT").
11. **A gene product named as a drug's target makes a drug class, a Compound** (guideline, Compound: "drug
    classes named by target"): "TNFα blockers", "PDE4 inhibitor", "COX-2 inhibitors", "inhibitors of
    thymidylate synthase".  A small molecule as the target stays itself ("dopamine" in "dopamine agonists",
    "calcium" in "calcium antagonists"), as BC5CDR marks it.

Spans of other types inside a widened span are dropped (the guideline's spans are flat): "CD20" in
"CD20-expressing B cells" is part of the cell type's name, not a Gene mention of its own.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from nlp.doc_text import doc_text
from nlp.merge import EntitySpan

#: One marker token: "CD4+", "CD25-", "Foxp3(+)", "CD3+CD20+", "CD45RA+CD25-Foxp3-CCR7+", "O4+", "Iba1+".
_MARKER = r"(?:[A-Za-z][\w.-]*?(?:\+|\(\+\)|-(?=[A-Za-z]|$))){1,8}"
#: A hyphenated participle that defines a subset: "CD20-expressing", "EBV-infected", "myelin-specific".
_PARTICIPLE = (
    r"[\w+./()-]+-(?:expressing|overexpressing|producing|secreting|infected|specific|reactive|derived|homing"
    r"|colonizing|positive|negative|primed|activated|depleted|resident|infiltrating|associated)"
)
_STATE = (
    r"memory|regulatory|na[iï]ve|autoreactive|reactive|activated|resting|effector|cytotoxic|helper|mature"
    r"|immature|innate|adaptive|myelinating|senescent|transitional|plasmacytoid|myeloid|lymphoid|follicular"
    r"|conventional|unconventional|M[12]"
)
_PLACE = (
    r"brain|cortical|corneal|peripheral|spinal|CNS|meningeal|perivascular|hippocampal|cerebellar|cerebral"
    r"|intrathecal|circulating|blood|lesional|endothelial|epithelial|alveolar|bronchial|intestinal|gut"
    r"|splenic|thymic|retinal|cord"
)
_MODIFIER = re.compile(rf"(?:{_MARKER}|{_PARTICIPLE}|(?:{_STATE}|{_PLACE})\b)$", re.I)
#: The word before "and"/"or" in an elliptical coordination: a marker, a short cell code (T, B, NK, Th17) or a
#: modifier of the kinds above. A plural abbreviation ("OPCs", "MSCs") is a whole name, not half of one.
_MARKER_WORD = re.compile(rf"{_MARKER}$")
_CELL_CODE = r"(?-i:(?![A-Z]+s$)[A-Z][A-Za-z0-9]{0,4})"
_CONJUNCT = re.compile(rf"(?:{_MARKER}|{_CELL_CODE}|{_PARTICIPLE}|(?:{_STATE}|{_PLACE})\b)$", re.I)
#: A cell type's head noun, which two coordinated subsets can share; a name without one is a code ("Th17").
CELL_HEAD_NOUN = re.compile(r"(?:cells?|cytes?|blasts?|phages?|glia|lymphocytes?|neurons?)$", re.I)
_COUNT = re.compile(r"\s+(?:counts?|numbers?|frequenc(?:y|ies)|percentages?|subsets?|subpopulations?)$", re.I)
_PROCESS_WORD = (
    r"(?:activation|depletion|infiltration|maturation|differentiation|proliferation|polari[sz]ation"
    r"|migration|responses?|pathogenicity|repopulation|reconstitution|trafficking|priming|apoptosis"
    r"|death|dysfunction|recruitment|expansion|generation|loss|survival|degeneration|damage|injury|activity"
    r"|development|(?:[\w-]+-)?mediated \w+)"
)
#: A process a cell type is the subject of, alone or coordinated ("T cell development and differentiation").
_PROCESS = re.compile(rf"^[\s-]+{_PROCESS_WORD}(?:\s+(?:and|or)\s+{_PROCESS_WORD})?\b", re.I)
#: An abbreviation in parentheses right after a name: "T helper 17 (Th17) responses".
_PARENTHESISED = re.compile(r"^\s?\([^()\s]{1,12}\)")
_INTERVENTION = re.compile(r"^[\s-]+(?:(?:depletion|transfer)\s+)?(?:therapy|therapies|products?)\b", re.I)
_NOT_A_CELL = re.compile(r"^[\s-]+(?:transplant(?:ation)?s?|antigens?)\b", re.I)
#: "anti-oligodendrocyte antibodies", "anti-CD20": an antibody against the cells, not a mention of them.
_ANTI = re.compile(r"\banti-$", re.I)
#: An abbreviation inside the name (guideline rule 1): "T helper 2 (TH2) cells", "natural killer (NK) cells".
_INNER_ABBREVIATION = re.compile(r"^\s?\([^()\s]{1,12}\)\s?(?:cells?|lymphocytes?)\b", re.I)
#: A molecule named as the subject of a process: "PD-1 signaling", "IL-17A signalling", "mTOR pathway",
#: "TNF-TNFR1 signaling blockade" are Mechanisms (rule 2: the head decides).
_SIGNALLING = re.compile(
    r"[\s-]+(?:signal(?:l)?ing|pathways?|cascades?|axis)(?:\s+(?:pathways?|blockade|inhibition|activation))?\b", re.I
)
#: Rule 11: what a drug does to its target, after the target ("TNFα blockers", "TNF (TNFα) blockers") or before
#: it ("inhibitors of thymidylate synthase").
_DRUG_ACTIONS = "inhibitor|blocker|antagonist|agonist|modulator"
_DRUG_ACTION = rf"(?:{_DRUG_ACTIONS})s?"
_TARGETED = re.compile(rf"(?:\s?\([^()\s]{{1,12}}\))?(?:[\s-]+receptors?)?[\s-]+{_DRUG_ACTION}\b", re.I)
#: A gene span that already ends in the plural ("COX-2 inhibitors") names the class; a singular may be a protein's
#: own name ("thrombin-activatable fibrinolysis inhibitor", "interleukin-1 receptor antagonist").
_DRUG_CLASS_END = re.compile(rf"[\s-](?:{_DRUG_ACTIONS})s$", re.I)
_TARGETED_OF = re.compile(rf"\b{_DRUG_ACTION}\s+of\s+(?:the\s+)?$", re.I)
_SEPARATOR = re.compile(r"[ \t]+$")
_CONJUNCTION = re.compile(r"[ \t]+(?:and|or|and/or)[ \t]+$|/[ \t]*$")


def _word_before(text: str, end: int) -> tuple[int, str]:
    """The whitespace-delimited word ending at ``end`` and its start (empty at the start of a line)."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while start < end and text[start] in "([{\"'":
        start += 1
    return start, text[start:end]


def _extend_left(text: str, start: int, floor: int, shared_head: bool = True) -> int:
    """Rules 1 and 2: the new start of a cell-type span that begins at ``start`` (never before ``floor``);
    ``shared_head``: the span ends in a head noun a first conjunct can share ("B and T lymphocytes"), unlike a
    code ("Th17 and Tregs" are two names)."""
    while True:
        glued_start, glued = _word_before(text, start)
        if glued and glued_start >= floor and _MARKER_WORD.match(glued):
            start = glued_start  # "CD161+CCR6+" glued to "CD8+T cells"
        # a modifier right before the span ("activated"), else the first conjunct of a coordination ("B and")
        joints = ((_SEPARATOR, _MODIFIER), (_CONJUNCTION, _CONJUNCT)) if shared_head else ((_SEPARATOR, _MODIFIER),)
        for joint, allowed in joints:
            found = joint.search(text, floor, start)
            if found is None:
                continue
            word_start, word = _word_before(text, found.start())
            if word and word_start >= floor and allowed.match(word):
                start = word_start
                break
        else:
            return start


def _floor(spans: list[EntitySpan], index: int, text: str) -> int:
    """How far left a span may grow: not past the sentence start, nor over a span that names no cell or molecule.

    Genes and cell types to the left can be part of the name ("CD20-expressing", "Th1 and Th17 cells"); a
    disease, compound, mechanism or biomarker cannot ("MS and B cells" stays "B cells").
    """
    span = spans[index]
    sentence = max(text.rfind(". ", 0, span.start), text.rfind("\n", 0, span.start), text.rfind("; ", 0, span.start))
    floor = sentence + 2 if sentence >= 0 else 0
    for other in spans[:index]:
        if other.end <= span.start and other.type not in ("Gene", "CellType"):
            floor = max(floor, other.end)
    return floor


def shape_spans(
    text: str, spans: list[EntitySpan], not_named: frozenset[tuple[str, str]] = frozenset()
) -> list[EntitySpan]:
    """Apply rules 0–11 to ``spans``; returns the new non-overlapping list, sorted.

    ``not_named``: (type, short form) pairs the text defines as something that is no mention of that type: a virus
    ("varicella-zoster virus (VZV)") is no Disease, a technique ("spherical mean technique (SMT)") no Biomarker.
    """
    spans = sorted(
        (
            w
            for s in spans
            if not _not_a_mention(text, s)
            and (s.type, s.text) not in not_named
            and (w := _well_formed(text, s)) is not None
        ),
        key=lambda s: (s.start, s.end),
    )
    shaped: list[EntitySpan] = []
    for index, span in enumerate(spans):
        if span.type == "Gene" and _DRUG_CLASS_END.search(span.text):  # the model's "COX-2 inhibitors"
            shaped.append(replace(span, type="Compound", concept_id="", concept_name=""))
            continue
        if span.type == "Gene" and (
            (found := _TARGETED.match(text, span.end))
            or (found := _TARGETED_OF.search(text, max(0, span.start - _HEAD_REACH), span.start))
        ):
            start, end = min(span.start, found.start()), max(span.end, found.end())
            if start >= (shaped[-1].end if shaped else 0):
                shaped.append(replace(span, start=start, end=end, text=text[start:end], type="Compound",
                                      concept_id="", concept_name=""))  # fmt: skip
                continue
        if span.type in ("Gene", "Compound") and (signal := _SIGNALLING.match(text, span.end)):
            end = signal.end()
            shaped.append(
                replace(span, end=end, text=text[span.start : end], type="Mechanism", concept_id="", concept_name="")
            )
            continue
        if span.type != "CellType":
            shaped.append(span)
            continue
        after = text[span.end : span.end + 60]
        if _NOT_A_CELL.match(after) or _ANTI.search(text, max(0, span.start - 5), span.start):
            continue
        inner = _INNER_ABBREVIATION.match(after)
        if inner is None and (paren := _PARENTHESISED.match(after)) and _PROCESS.match(after[paren.end() :]):
            inner = paren  # "T helper 17 (Th17) responses": the process follows the abbreviation
        if inner is not None:
            span = replace(span, end=span.end + inner.end(), text=text[span.start : span.end + inner.end()])
            after = text[span.end : span.end + 60]
        start = _extend_left(text, span.start, _floor(spans, index, text), CELL_HEAD_NOUN.search(span.text) is not None)
        end = span.end
        kind = span.type
        if count := _COUNT.search(text, start, end):
            end = count.start()
        elif intervention := _INTERVENTION.match(after):
            end, kind = span.end + intervention.end(), "Compound"
        elif process := _PROCESS.match(after):
            end, kind = span.end + process.end(), "Mechanism"
        if (start, end, kind) == (span.start, span.end, span.type):
            shaped.append(span)
            continue
        concept = (span.concept_id, span.concept_name) if kind == "CellType" else ("", "")
        shaped.append(
            replace(
                span,
                start=start,
                end=end,
                text=text[start:end],
                type=kind,
                concept_id=concept[0],
                concept_name=concept[1],
            )
        )
    return _headed_processes(text, _coordinated_mechanisms(text, _flatten(shaped)))


#: Rule 10: a virus named as the organism, and a group code glued to a disease abbreviation ("MS-HF").
_VIRUS = re.compile(r"\bvirus(?:es)?$", re.I)
_INFECTION = re.compile(r"\binfect", re.I)
_GROUP_CODE = re.compile(r"-[A-Z]{1,4}\b")


#: ... and a technique is no measure (guideline, Biomarker: "imaging techniques are not annotated").
_TECHNIQUE = re.compile(r"\b(?:techniques?|imaging|tomography|spectroscopy|methods?)$", re.I)


def _is_virus(name: str) -> bool:
    return _VIRUS.search(name) is not None and _INFECTION.search(name) is None


def _not_named(long_form: str) -> str | None:
    """The type a short form defined by ``long_form`` is no mention of (rule 10), if any."""
    if _is_virus(long_form):
        return "Disease"
    return "Biomarker" if _TECHNIQUE.search(long_form) else None


def _not_a_mention(text: str, span: EntitySpan) -> bool:
    """Rule 10 for one span."""
    if span.type == "Biomarker":
        return _TECHNIQUE.search(span.text) is not None
    if span.type != "Disease":
        return False
    if _is_virus(span.text):
        return True
    return span.text.isupper() and len(span.text) <= 5 and _GROUP_CODE.match(text, span.end) is not None


#: A name ends with a word, not a preposition or conjunction ("breakdown of", "response to").
_TRAILING_FUNCTION_WORD = re.compile(r"(?:\s+(?:of|and|or|in|the|to|by|with|for|a|an)|[\s,;:-])+$", re.I)
#: What closes an abbreviation a span left open: ")" and a glued suffix ("interleukin (IL)-4", "(IFN)-γ").
_CLOSING = re.compile(r"\)[\w-]*")


def _well_formed(text: str, span: EntitySpan) -> EntitySpan | None:
    """Rule 0: a span closes the parenthesis it opens and ends with a word; None if nothing is left.

    "interleukin (IL" becomes "interleukin (IL)-4" where the text closes it there, else "interleukin"; "breakdown
    of" becomes "breakdown", "TNF-α and MMP9," loses its comma.
    """
    start, end = span.start, span.end
    name = text[start:end]
    if name.count("(") > name.count(")"):
        closing = _CLOSING.match(text, end)
        end = closing.end() if closing else start + len(name[: name.rfind("(")].rstrip())
    if trailing := _TRAILING_FUNCTION_WORD.search(text, start, end):
        end = trailing.start()
    if end <= start:
        return None
    return span if (start, end) == (span.start, span.end) else replace(span, end=end, text=text[start:end])


#: A head two coordinated processes share: "demyelination and neurodegeneration processes".
_SHARED_HEAD = re.compile(r"\s+(?:process(?:es)?|mechanisms?|pathways?|events)\b", re.I)
#: A relational adjective coordinated with a process's own: "metabolic and mitochondrial dysfunctions".
_ADJECTIVE = re.compile(r"[a-z]+(?:ic|al|ory|ive|ar|ous)$")
_AND = re.compile(r"[ \t]+(?:and|or)[ \t]+")
_AND_BEFORE = re.compile(rf"{_AND.pattern}$")
#: How far before a span "and"/"or" is looked for: the conjunction and its spaces, not the whole abstract.
_CONJUNCTION_REACH = 40


def _coordinated_mechanisms(text: str, spans: list[EntitySpan]) -> list[EntitySpan]:
    """Rule 7: an elliptical coordination of processes is one Mechanism span (guideline rule 4)."""
    out: list[EntitySpan] = []
    for span in spans:
        previous = out[-1] if out else None
        if (
            span.type == "Mechanism"
            and previous is not None
            and previous.type == "Mechanism"
            and _AND.fullmatch(text, previous.end, span.start)
            and (head := _SHARED_HEAD.match(text, span.end))
        ):
            out[-1] = replace(previous, end=head.end(), text=text[previous.start : head.end()], concept_id="",
                              concept_name="")  # fmt: skip
            continue
        if span.type == "Mechanism" and (
            conjunction := _AND_BEFORE.search(text, max(0, span.start - _CONJUNCTION_REACH), span.start)
        ):
            word_start, word = _word_before(text, conjunction.start())
            if _ADJECTIVE.fullmatch(word) and (previous is None or previous.end <= word_start):
                span = replace(span, start=word_start, text=text[word_start : span.end], concept_id="",
                               concept_name="")  # fmt: skip
        out.append(span)
    return out


#: Rule 8: qualifiers naming a kind of process, before it or before another such qualifier (", " between them).
_KIND = re.compile(
    r"(?:chronic|smou?ldering|diffuse|compartmentali[sz]ed|low-grade|focal|systemic|peripheral|intrathecal|innate"
    r"|adaptive|widespread|subclinical|global|regional)$",
    re.I,
)
_QUALIFIER_GAP = re.compile(r"(?:[ \t]+|,[ \t]+)$")
#: Rule 9: heads that name no process alone ("failure", "disruption"), the ones that can also take a structure
#: first, and the structures.
_DAMAGE_HEADS = (
    "failure|impairment|disruption|dysregulation|breakdown|loss|dysfunction|damage|injury|integrity|leakage"
    "|permeability"
)
_HEAD_OF = re.compile(
    rf"\b(?:{_DAMAGE_HEADS}|lack|inhibition|promotion|enhancement|induction|acceleration)\s+of\s+(?:the\s+)?"
    r"(?:[a-z-]+\s+)?$",
    re.I,
)
_STRUCTURE = re.compile(
    rf"\b(?:{_DAMAGE_HEADS})\s+of\s+(?:the\s+)?(?:blood[-\u2013 ]brain[- ]barrier|BBB|neurovascular unit"
    r"|myelin(?: sheaths?)?|axons|white matter|grey matter|gray matter)\b",
    re.I,
)
#: How far before a span a qualifier or a "head of" is looked for.
_HEAD_REACH = 40


def _headed_processes(text: str, spans: list[EntitySpan]) -> list[EntitySpan]:
    """Rules 8 and 9: a Mechanism span grows left over kind qualifiers and over a "head of"; a "head of" a
    structure that overlaps no span becomes a Mechanism span."""
    out: list[EntitySpan] = []
    for span in spans:
        floor = out[-1].end if out else 0
        if span.type == "Mechanism":
            start = span.start
            while (gap := _QUALIFIER_GAP.search(text, max(floor, start - 3), start)) is not None:
                word_start, word = _word_before(text, gap.start())
                if word_start < floor or not _KIND.fullmatch(word):
                    break
                start = word_start
            if (head := _HEAD_OF.search(text, max(floor, start - _HEAD_REACH), start)) is not None:
                start = head.start()
            if start != span.start:
                concept = (span.concept_id, span.concept_name) if head is None else ("", "")
                span = replace(span, start=start, text=text[start : span.end], concept_id=concept[0],
                               concept_name=concept[1])  # fmt: skip
        out.append(span)
    taken = [(s.start, s.end) for s in out]
    for found in _STRUCTURE.finditer(text):
        if not any(found.start() < end and start < found.end() for start, end in taken):
            out.append(EntitySpan(found.start(), found.end(), found.group(), "Mechanism", source="rule"))
    return sorted(out, key=lambda s: (s.start, s.end))


def _flatten(spans: list[EntitySpan]) -> list[EntitySpan]:
    """Drop spans inside a widened one; where two still overlap, the longer stays."""
    kept: list[EntitySpan] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(k.overlaps(span) for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


class SpanRuleComponent:
    """spaCy component, after the abbreviations: applies the span rules to ``doc._.entities``; a second linker
    after it links the spans it reshaped."""

    def __call__(self, doc: Doc) -> Doc:
        defined = getattr(doc._, "abbreviations", None) or []
        not_named = frozenset((t, a.text) for a in defined if (t := _not_named(a._.long_form.text)) is not None)
        doc._.entities = shape_spans(doc_text(doc), doc._.entities or [], not_named)
        return doc


@Language.factory("gapmap_span_rules")
def make_span_rule_component(nlp: Language, name: str) -> SpanRuleComponent:
    return SpanRuleComponent()
