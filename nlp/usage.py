"""How a paper uses what it mentions: a compound named as an experimental tool, given, or measured.

Why: "cuprizone-induced demyelination", "LPS-stimulated microglia", "Luxol fast blue staining", "paraffin-embedded",
"gadolinium-enhancing lesions", "tamoxifen-induced recombination" name a model inducer, a stain, a contrast agent,
a genetic switch.  Such a compound is co-mentioned with the mechanisms of every paper that uses the model, so a gap
map counts it as a plausible intervention when it is the experiment's tool.  No ontology marks them all (ChEBI has
no role for cuprizone or LPS), but the papers do, in the word that follows the name; the graph counts, per entity,
the papers that use it this way (``Entity.tool_papers``), and the analytics read the share.

The words around a name also tell the two roles a compound has in a study (issue 18): **given** to patients,
animals or cells ("treated with fingolimod", "metformin-treated rats", "vitamin D supplementation", "clemastine
(10 mg/kg)") or **measured** as a read-out ("serum malondialdehyde", "levels of MDA and GSH", "glutathione
content").  A translational gap needs a compound one could give, and the ontologies cannot tell the two apart: MeSH
files malondialdehyde, metformin and fingolimod alike under Chemicals and Drugs, ChEBI calls glutathione and biotin
human metabolites although both have been given in trials.  The sentences can: the graph counts per compound the
papers giving it and the papers measuring it (``Entity.given_papers``, ``Entity.measured_papers``).  The measured
words are those of the NLP stage's marker role rule for genes (:mod:`nlp.merge`: a specimen or a quantity next to
the name), widened to other names listed with it ("MDA, SOD and GSH levels") and to tissues and assays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlp.records import Mention

#: What follows a tool's name: induced/challenged/fed (a model), stimulated (an in-vitro trigger),
#: staining/stained (a stain), -enhancing/-enhanced/enhancement (a contrast agent), intoxication, a model,
#: -embedded/-fixed/perfused (histology: "paraffin-embedded", "formalin-fixed", "paraformaldehyde perfusion").
_TOOL_USE = re.compile(
    r"[\s\-–]*(?:\([^)]{1,20}\)[\s\-–]*)?(?:(?:mouse|mice|rat|murine|animal)\s+)?"
    r"(induced|induction|challenged?|fed|feeding|diet|stimulated|stimulation|intoxicat\w*|"
    r"stain\w*|(?<=-)enhanc\w*|enhancement|model\w*|(?<=-)embedded|(?<=-)fixed|perfused|perfusion)\b",
    re.IGNORECASE,
)

#: Where a measured compound is: a body fluid ("serum MDA", "glutathione in plasma") or, named before it, a tissue or
#: compartment ("brain malondialdehyde", "extracellular glutamate"; after the name, "effects of X in the brain" is
#: where a drug acts).
_FLUID = r"(?:serum|plasma(?! exchange)|blood|CSF|cerebrospinal fluid|urine|urinary|saliva|salivary|circulating)"
_SPECIMEN = rf"(?:{_FLUID}|tissue|brain|hippocampal|cortical|cellular|intracellular|extracellular)"
#: How much of it there is.
_QUANTITY = r"(?:levels?|concentrations?|contents?|amounts?|titers?|titres?)"
#: A name, with an abbreviation or gloss in brackets ("malondialdehyde (MDA)"); an item of a list has up to three words.
_NAME = r"[\w-]+(?:\s*\([^()]{0,30}\))?"
_ITEM = rf"(?:[\w-]+\s+){{0,2}}{_NAME}"
#: Other names listed after the mention before the word that says what is done to all of them ("MDA, SOD and GSH
#: levels", "MDA/GSH levels"); a list ends in "and" or "or", so an apposition ("X, a vitamin, is …") is none.
_LIST_AFTER = rf"(?:(?:\s*,\s*{_ITEM}){{0,3}}\s*,?\s+(?:and|or)\s+{_ITEM}|\s*/\s*{_ITEM})?"
_MEASURED_BEFORE = re.compile(
    rf"\b(?:{_SPECIMEN}|{_QUANTITY} of(?: the)?(?: {_SPECIMEN})?|status of|(?:measur|quantif|assay)\w*(?: of)?(?: the)?"
    rf"(?: {_SPECIMEN})?)(?:[\s-]+{_NAME}\s*(?:,\s*(?:and|or)?|and|or|/))*[\s-]+$",
    re.IGNORECASE,
)
_MEASURED_AFTER = re.compile(
    rf"^(?:\s*\([^()]{{0,30}}\))?{_LIST_AFTER}(?:[\s-]+(?:{_SPECIMEN}\s+)?{_QUANTITY}\b"
    rf"|\s+(?:{_QUANTITY}\s+)?in (?:the )?{_FLUID}\b|\s+(?:as|was|is|were) an? (?:\w+ )?(?:bio)?marker)",
    re.IGNORECASE,
)
#: A dose ("10 mg/kg", "2,000 IU/day") or a concentration applied to cells ("100 µM"; before the name only: after
#: it, "12.4 mM glutamate" is as likely a measured value).
_DOSE = r"\d+(?:[.,]\d+)?\s*(?:mg|µg|μg|ug|g|IU|U)(?:/(?:kg|day|d|week|wk|m2))*\b"
_CONCENTRATION = r"\d+(?:[.,]\d+)?\s*(?:µM|μM|uM|nM|mM)\b"
_ROUTE = (
    r"(?:oral|orally|intravenous|intraperitoneal|intranasal|subcutaneous|i\.p\.|i\.v\.|s\.c\.|daily|weekly"
    r"|high-dose|low-dose)"
)
_GIVEN_BEFORE = re.compile(
    r"(?:\b(?:treat\w*|pre-?treat\w*|co-?treat\w*|therapy|supplement\w*|inject\w*|infus\w*|dosed|administered"
    r"|received|receiving)\s+with"
    r"|\b(?:administration|administering|injection|infusion|supplementation|intake|doses?|dosing|treatment|therapy"
    r"|delivery)\s+(?:of|with)"
    r"|\b(?:administer\w*|receiv\w*|switch\w* to|start\w*|initiat\w*|took|taking|prescribed)"
    rf"|{_DOSE}(?:\s+of)?|{_CONCENTRATION}(?:\s+of)?|\b{_ROUTE})"
    rf"(?:\s+(?:the|a|an|{_ROUTE}|[\w-]+-dose))*[\s-]+$",
    re.IGNORECASE,
)
_GIVEN_AFTER = re.compile(
    r"^(?:\s*\([^()]{0,30}\))?[\s-]*(?:"
    r"(?:pre-?|co-?)?treat(?:ed|ment|ments)\b|therapy\b|therapies\b|monotherapy\b|administration\b|administered\b"
    r"|supplementation\b|supplemented\b|injections?\b|injected\b|infusions?\b|infused\b|dosing\b|regimen\b|users?\b"
    r"|intake\b|(?:was|were|is|are) (?:\w+ )?(?:given|administered|injected|infused|applied|added)\b"
    rf"|\(?\s*{_DOSE}|\(?\s*at (?:a )?(?:doses?|concentrations?) of|\(?\s*at {_CONCENTRATION})",
    re.IGNORECASE,
)
#: Characters of context read on each side of a mention.
_WINDOW = 80


def _occurrences(mention: Mention) -> Iterator[tuple[int, int]]:
    """(start, end) of each occurrence of the mention's text in its sentence."""
    if not mention.sentence or not mention.text:
        return
    at = mention.sentence.find(mention.text)
    while at >= 0:
        yield at, at + len(mention.text)
        at = mention.sentence.find(mention.text, at + 1)


def _around(mention: Mention, before: re.Pattern[str], after: re.Pattern[str]) -> bool:
    """True when ``before`` ends the words before an occurrence of the mention or ``after`` starts those after it."""
    text = mention.sentence
    return any(
        before.search(text[max(0, start - _WINDOW) : start]) or after.match(text[end : end + _WINDOW])
        for start, end in _occurrences(mention)
    )


def used_as_tool(mention: Mention) -> bool:
    """True when the words right after the mention in its sentence name an experimental use of it."""
    return any(_TOOL_USE.match(mention.sentence, end) for _, end in _occurrences(mention))


def is_given(mention: Mention) -> bool:
    """True when the words around the mention say it is given: a treatment verb, a route, a dose."""
    return _around(mention, _GIVEN_BEFORE, _GIVEN_AFTER)


def is_measured(mention: Mention) -> bool:
    """True when the words around the mention say it is measured: a specimen, a quantity, an assay."""
    return _around(mention, _MEASURED_BEFORE, _MEASURED_AFTER)
