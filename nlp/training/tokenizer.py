"""The biomedical tokenizer the model is trained with: scispaCy's rules, plus splits at hyphens and slashes.

Gold mentions in BC5CDR and BioRED often end inside a hyphenated or slashed word ("cocaine-induced",
"levodopa/carbidopa"); a token boundary there is what lets the NER predict the exact span. The rules are
regular expressions that spaCy serialises with the model, so loading ``nlp/model`` needs none of this code.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.lang import char_classes
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_suffix_regex

#: Extra infixes: any hyphen or slash between two non-space characters, brackets next to a hyphen or slash
#: ("(MPTP)-exposed"), and "+" between letters.
EXTRA_INFIXES = [
    rf"(?<=\S)(?:{char_classes.HYPHENS})(?=\S)",
    r"(?<=\S)[/\\](?=\S)",
    r"(?<=\S)[()\[\]](?=[-/])",
    r"(?<=[-/])[()\[\]](?=\S)",
    rf"(?<=[{char_classes.ALPHA}])\+(?=[{char_classes.ALPHA}])",
]

#: Extra suffixes: a dangling hyphen ("piperacillin- and ...") and a full stop after a capital ("hepatitis C.").
EXTRA_SUFFIXES = [rf"(?<=[{char_classes.ALPHA}0-9])-", r"(?<=[A-Z])\."]


def biomedical_tokenizer(nlp: Language) -> Tokenizer:
    """scispaCy's combined rule tokenizer with :data:`EXTRA_INFIXES` and :data:`EXTRA_SUFFIXES` added."""
    with warnings.catch_warnings():
        # scispaCy's suffix rules contain "[" inside a character class; Python's re warns on every compile.
        warnings.filterwarnings("ignore", "Possible set union", FutureWarning)
        tokenizer = combined_rule_tokenizer(nlp)
        base = tokenizer.infix_finditer.__self__.pattern  # type: ignore[union-attr]
        tokenizer.infix_finditer = compile_infix_regex([base, *EXTRA_INFIXES]).finditer
        suffixes = tokenizer.suffix_search.__self__.pattern  # type: ignore[union-attr]
        tokenizer.suffix_search = compile_suffix_regex([suffixes, *(f"{s}$" for s in EXTRA_SUFFIXES)]).search
    return tokenizer


@spacy.registry.callbacks("gapmap.biomedical_tokenizer.v1")
def replace_tokenizer() -> Callable[[Language], Language]:
    """``[initialize.before_init]`` callback: swap in :func:`biomedical_tokenizer` before training starts."""

    def replace(nlp: Language) -> Language:
        nlp.tokenizer = biomedical_tokenizer(nlp)
        return nlp

    return replace
