"""How a paper uses what it mentions: a compound named as an experimental tool, not as something studied.

Why: "cuprizone-induced demyelination", "LPS-stimulated microglia", "Luxol fast blue staining", "paraffin-embedded",
"gadolinium-enhancing lesions", "tamoxifen-induced recombination" name a model inducer, a stain, a contrast agent,
a genetic switch.  Such a compound is co-mentioned with the mechanisms of every paper that uses the model, so a gap
map counts it as a plausible intervention when it is the experiment's tool.  No ontology marks them all (ChEBI has
no role for cuprizone or LPS), but the papers do, in the word that follows the name; the graph counts, per entity,
the papers that use it this way (``Entity.tool_papers``), and the analytics read the share.
"""

from __future__ import annotations

import re

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


def used_as_tool(mention: Mention) -> bool:
    """True when the words right after the mention in its sentence name an experimental use of it."""
    if not mention.sentence or not mention.text:
        return False
    at = mention.sentence.find(mention.text)
    while at >= 0:
        if _TOOL_USE.match(mention.sentence, at + len(mention.text)):
            return True
        at = mention.sentence.find(mention.text, at + 1)
    return False
