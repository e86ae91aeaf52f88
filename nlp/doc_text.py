"""The text of a spaCy ``Doc``, joined once per doc.

Why: ``Doc.text`` rebuilds the string from the doc's tokens on every access (≈ 0.1 ms for an abstract), and the
dictionary features, gazetteer, linker, abbreviation and role rules all read it.  The first read keeps it in
``doc.user_data``; tokens never change text (spaCy's retokenizer keeps it), so the kept string stays right.
"""

from __future__ import annotations

from spacy.tokens import Doc

_KEY = "gapmap_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed on the first call for this doc."""
    text = doc.user_data.get(_KEY)
    if text is None:
        text = doc.user_data[_KEY] = doc.text
    return text


def with_text(doc: Doc, text: str) -> Doc:
    """``doc``, tokenized from ``text``, keeping ``text`` so :func:`doc_text` need not join the tokens."""
    doc.user_data[_KEY] = text
    return doc
