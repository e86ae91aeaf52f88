"""Same-length text normalisation for dictionary matching (the gazetteer and the model's dictionary features).

Every character that is not a letter or digit becomes a space, one character for one, so offsets into the
normalised text are offsets into the original: "blood–brain barrier" matches "blood-brain barrier", and with a
space added around keys and text, a key can only match whole words.
"""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[\W_]")
#: The same mapping for ASCII, as a bytes table: three quarters of abstracts are pure ASCII, and
#: ``bytes.translate`` does them several times faster than the regular expression.
_ASCII_TABLE = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(128)


def word_characters(text: str) -> str:
    """``text`` with every character that is not a letter or digit replaced by a space.

    >>> word_characters("blood–brain barrier (BBB), IL_6")
    'blood brain barrier  BBB   IL 6'
    """
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    return _NOT_WORD.sub(" ", text)


def lower_same_length(text: str) -> str:
    """Lower-case without changing the length (``"İ".lower()`` is two characters), so offsets stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)
