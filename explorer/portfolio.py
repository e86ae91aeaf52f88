"""What a funder's programmes and awards say they fund, mapped to the graph's entities, and why no publication
is linked when none is.

Why from text: a portfolio states its focus in words ("scope: axonal loss, glial activation, neurodegeneration…",
an award's title), not as ontology ids.  Entities whose name or synonym appears in those words, as whole words,
are the entities the funder said it funds; the research areas they belong to are the areas it covers on paper,
whatever publications are linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

#: Parts of a programme description that state its focus ("focus areas: …; scope: …").
FOCUS_KEYS = ("focus areas", "priority areas", "scope", "topics", "focus")
#: Shortest entity name matched in free text (shorter ones, like "MS" or "CIS", match too much).
MIN_FORM = 4


def stated_focus(description: str) -> str:
    """The focus clauses of a programme description ("" when it states none)."""
    found = []
    for part in (p.strip() for p in (description or "").split(";")):
        key, sep, value = part.partition(":")
        if sep and value.strip() and key.strip().lower().endswith(FOCUS_KEYS):
            found.append(value.strip())
    return "; ".join(found)


@dataclass(frozen=True)
class Named:
    """An entity named in a focus text, and the words that named it."""

    id: str
    name: str
    type: str
    papers: int
    words: str


class Lexicon:
    """Entity names and synonyms, lower-cased, to find the entities a text names (built once per graph)."""

    def __init__(self, entities: pd.DataFrame) -> None:
        """``entities``: id, name, type, papers, synonyms (the ``entity_lexicon`` query)."""
        self.forms: dict[str, tuple[str, str, str, int]] = {}
        for row in entities.sort_values("papers").itertuples(index=False):  # the most-studied wins a shared form
            for form in [row.name, *(row.synonyms if isinstance(row.synonyms, list) else [])]:
                key = " ".join(str(form).lower().split())
                if len(key) >= MIN_FORM and not re.search(r"\w, \w", key):
                    self.forms[key] = (row.id, row.name, row.type, int(row.papers))

    def named(self, text: str, longest: int = 6) -> list[Named]:
        """Entities named in ``text`` as whole words (a plural "s" forgiven), longest phrases first so "axonal
        loss" wins over "loss"; most-studied first."""
        words = re.findall(r"[\w\-]+", text.lower())
        taken = [False] * len(words)
        found: dict[str, Named] = {}
        for n in range(min(longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if any(taken[i : i + n]):
                    continue
                phrase = " ".join(words[i : i + n])
                hit = self.forms.get(phrase) or (self.forms.get(phrase[:-1]) if phrase.endswith("s") else None)
                if hit is None:
                    continue
                taken[i : i + n] = [True] * n
                found.setdefault(hit[0], Named(*hit, words=phrase))
        return sorted(found.values(), key=lambda e: (-e.papers, e.name))


def why_unlinked(named_links: int, publications: int, pi_publications: int) -> str:
    """Plain words on why an award has no linked publication ("" when it has some)."""
    if publications:
        return ""
    if named_links:
        reason = (
            f"The portfolio names {named_links} PMID/DOI/grant number{'s' if named_links != 1 else ''} for this "
            "award, but none of those papers is in this corpus: fetch them (`gapmap ingest pmids …`), then run "
            "`gapmap extract` and `gapmap load`."
        )
    else:
        reason = (
            "The portfolio names no PMID, DOI or grant number for this award, and papers acknowledge funding by "
            "grant number, so nothing can tie a paper to it. List its papers (pmids:, dois:) or grant numbers "
            "(grant_numbers:) under the award in the portfolio file, then run `gapmap ingest funding FILE` and "
            "`gapmap load`."
        )
    if pi_publications:
        reason += (
            f" {pi_publications} paper{'s' if pi_publications != 1 else ''} in the corpus "
            f"{'have' if pi_publications != 1 else 'has'} an author with a principal investigator's name and "
            "initials (possibly a namesake): if the award funded them, list their PMIDs."
        )
    return reason


def programme_unlinked(awards: int, publications: int) -> str:
    """Plain words on why a programme has no linked publication ("" when it has some)."""
    if publications:
        return ""
    if not awards:
        return (
            "The sources describe this funding round (its focus, how many awards) but list none of its awards, "
            "so no award, and no paper, can be tied to it."
        )
    return "None of its awards has a linked publication (see each award's reason below)."
