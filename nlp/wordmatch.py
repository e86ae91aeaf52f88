"""Whole-word dictionary matching on two Aho–Corasick automata: the one core of the gazetteer
(:mod:`nlp.gazetteer`), of the NER model's dictionary features (:mod:`nlp.dictionary_features`) and of the study
context's phrase cues (:mod:`nlp.context_rules`).

Why Aho–Corasick (``pyahocorasick``): one pass over the text finds all of ~700k surface forms, in C, at tens of
thousands of abstracts per second; a spaCy PhraseMatcher over the same lexicon needs far more memory.

The rules, the same for both users:

* Keys and text are normalised alike, one character for one (:func:`nlp.textnorm.word_characters`), and every key
  is padded with a space on each side, so a match starts and ends at a word boundary and its offsets are offsets
  into the original text; a key marked as a prefix has no space after it, so it matches the start of a word.
* Abbreviation-like forms (:func:`is_abbreviation`: ``NfL``, ``PIRA``, ``CD20``, ``IL-6``) are matched
  case-sensitively; everything else on lower-cased keys and text (:func:`nlp.textnorm.lower_same_length`).
* Overlapping matches: the longest wins (:func:`longest_matches`); each user says how ties break.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import ahocorasick

from nlp.textnorm import lower_same_length, word_characters

#: Automaton values pack ``(value << 11) | (prefix << 10) | key length``: one int per key, not a tuple (memory).
LENGTH_BITS = 10
_LENGTH_MASK = (1 << LENGTH_BITS) - 1
_PREFIX = 1 << LENGTH_BITS
Match = TypeVar("Match", bound=tuple[int, ...])
#: ``(form, value)``, or ``(form, value, True)`` for a form that matches as a word prefix.
Entry = tuple[str, int] | tuple[str, int, bool]


def is_abbreviation(form: str) -> bool:
    """One word with at least two capitals, or with one capital in at most five characters: matched with its case."""
    if " " in form:
        return False
    capitals = sum(c.isupper() for c in form)
    return capitals >= 2 or (capitals >= 1 and len(form) <= 5)


class WordAutomata:
    """Forms with their values (:data:`Entry`) compiled into a case-sensitive and a lower-cased automaton.

    A key met again keeps its first value, or ``combine(old, new)`` when given (e.g. OR-ing type bits).
    Values are non-negative ints; keys of 1,024 characters or more are left out.
    """

    def __init__(self, entries: Iterable[Entry], combine: Callable[[int, int], int] | None = None) -> None:
        tables: tuple[dict[tuple[str, bool], int], dict[tuple[str, bool], int]] = ({}, {})
        for entry in entries:
            form, value, prefix = entry[0], entry[1], len(entry) > 2 and bool(entry[2])
            sensitive = is_abbreviation(form)
            key = word_characters(form)
            key = key if sensitive else lower_same_length(key)
            if not key.strip() or len(key) > _LENGTH_MASK:
                continue
            table = tables[0 if sensitive else 1]
            if (key, prefix) not in table:
                table[key, prefix] = value
            elif combine is not None:
                table[key, prefix] = combine(table[key, prefix], value)
        self._automata = (ahocorasick.Automaton(), ahocorasick.Automaton())
        for automaton, table in zip(self._automata, tables, strict=True):
            for (key, prefix), value in table.items():
                packed = (value << (LENGTH_BITS + 1)) | len(key)
                automaton.add_word(f" {key}" if prefix else f" {key} ", packed | _PREFIX if prefix else packed)
            automaton.make_automaton()

    def __len__(self) -> int:
        return sum(len(a) for a in self._automata)

    def hits(self, text: str) -> Iterator[tuple[int, int, int]]:
        """``(start, end, value)`` of every match in ``text``, from either automaton (a prefix ends where it ends)."""
        normal = f" {word_characters(text)} "
        for automaton, haystack in zip(self._automata, (normal, lower_same_length(normal)), strict=True):
            if len(automaton) == 0:
                continue
            for last, packed in automaton.iter(haystack):
                # the key is " form " (" form" for a prefix), the haystack has a leading space: in text coordinates
                # the form ends at last - 1 (at last for a prefix)
                end = last if packed & _PREFIX else last - 1
                yield end - (packed & _LENGTH_MASK), end, packed >> (LENGTH_BITS + 1)


def longest_matches(ranked: Iterable[Match], size: int) -> list[Match]:
    """The matches ``(start, end, ...)`` of ``ranked`` (best first) that overlap no better one, in rank order.

    Callers rank longest first (``start - end``), then by their own tie-break; ``size`` is the text's length.
    """
    taken: list[Match] = []
    occupied = bytearray(size + 1)
    for match in ranked:
        start, end = match[0], match[1]
        if any(occupied[start:end]):
            continue
        occupied[start:end] = b"\x01" * (end - start)
        taken.append(match)
    return taken
