"""Typed relations in the explorer: what a link between two entities says ("ocrelizumab decreases NfL"), the
relation-type filter, and the per-paper statements of a link.

Why a module: the Explore network, its link details and the Gap map's cell papers all show the same relations
the same way — a relation is named by its verb (``nlp.records.VERBS``, as stored on every ``RELATES`` edge),
read subject → object when the text gives a direction, counted over the years the page shows.  Data comes
through :mod:`explorer.data` (named queries ``relation_links``, ``relation_evidence``, ``relation_type_counts``);
every name and verb is stored text, so callers show it through :func:`explorer.ui.md`, :func:`explorer.ui.paper_html`
or :func:`explorer.figures.plain`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
import pandas as pd

from explorer import data
from explorer.figures import papers
from nlp.records import VERBS


def _type_labels() -> dict[str, str]:
    verbs: dict[str, list[str]] = {}
    for (type_, _directed), verb in sorted(VERBS.items(), key=lambda item: not item[0][1]):  # directed verb first
        if verb not in verbs.setdefault(type_, []):
            verbs[type_].append(verb)
    return {type_: " / ".join(found) for type_, found in verbs.items()}


#: Each relation type with the verbs it is read as, for the filter: "decreases / negatively correlated with".
TYPE_LABELS = _type_labels()
#: Rows of a link's relations as they are stored.
LINK_COLUMNS = ["a", "b", "relation", "verb", "directed", "papers", "novel_papers", "sentence", "pmid"]


def type_label(relation: str) -> str:
    """A relation type as users read it ("increases / positively correlated with"); unknown types by name."""
    return TYPE_LABELS.get(relation, relation.replace("_", " ").lower())


def type_options() -> list[str]:
    """The relation types the graph has, most linked pairs first (what the filter offers)."""
    return [str(t) for t in data.rows("relation_type_counts")["relation"]]


def statement(subject: str, verb: str, obj: str) -> str:
    """A relation as a sentence of three parts: "ocrelizumab decreases neurofilament light chain"."""
    return f"{subject} {verb} {obj}"


def _in_years(found: pd.DataFrame, years: tuple[int, int] | None) -> pd.DataFrame:
    """``found`` (rows with ``papers``, ``years`` and ``year_papers``) with ``papers`` counted over the papers of
    ``years`` (first, last) only, rows no paper of them backs left out; None: as stored (every paper)."""
    if years is None or found.empty:
        return found
    low, high = years
    out = found.copy()
    out["papers"] = [
        sum(
            n
            for y, n in zip(ys if ys is not None else (), ns if ns is not None else (), strict=True)
            if y and low <= y <= high
        )
        for ys, ns in zip(found["years"], found["year_papers"], strict=True)
    ]
    return out[out["papers"] > 0]


def partners(entity_id: str, relation_types: list[str], years: tuple[int, int] | None = None) -> set[str]:
    """The entities ``entity_id`` has a typed relation of ``relation_types`` with, stated in the papers of
    ``years`` (``entity_relations``)."""
    found = data.rows("entity_relations", id=entity_id, relation_types=relation_types, limit=1_000_000_000)
    return set(_in_years(found, years)["id"])


def links(ids: list[str], relation_types: list[str], years: tuple[int, int] | None = None) -> pd.DataFrame:
    """The typed relations among ``ids`` (of ``relation_types``, all when empty), one row per entity pair and
    type (:data:`LINK_COLUMNS`), most papers first; ``years`` (first, last): only the papers of those years
    count, and a relation no paper of them states is left out (None: every paper, undated ones too)."""
    found = _in_years(data.rows("relation_links", ids=sorted(set(ids)), relation_types=relation_types), years)
    if found.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    ordered = found.sort_values(["papers", "a", "b", "relation"], ascending=[False, True, True, True])
    return ordered[LINK_COLUMNS].reset_index(drop=True)


def typed_pairs(found: pd.DataFrame) -> set[frozenset[str]]:
    """The entity pairs that ``links`` found a relation for."""
    return {frozenset((a, b)) for a, b in zip(found["a"], found["b"], strict=True)}


def annotate(graph: nx.Graph, found: pd.DataFrame) -> None:
    """Give every edge of ``graph`` its relations (from :func:`links`) as GraphML-safe attributes: ``relation``
    (what they say, "A decreases B (3 papers); A associated with B (1 paper)", "" for co-mentions only),
    ``verbs`` ("decreases; associated with"), ``relation_types`` ("Negative_Correlation; Association") and
    ``subject`` (the entity acting in the best-supported directed relation, "" when none is directed)."""
    by_pair: dict[frozenset[str], list[Any]] = {}
    for r in found.itertuples(index=False):
        by_pair.setdefault(frozenset((r.a, r.b)), []).append(r)

    def name(node: str) -> str:
        return str(graph.nodes[node].get("name", node)) if node in graph else node

    for a, b, attrs in graph.edges(data=True):
        rows = by_pair.get(frozenset((a, b)), [])
        attrs["relation"] = "; ".join(f"{statement(name(r.a), r.verb, name(r.b))} ({papers(r.papers)})" for r in rows)
        attrs["verbs"] = "; ".join(dict.fromkeys(str(r.verb) for r in rows))
        attrs["relation_types"] = "; ".join(dict.fromkeys(str(r.relation) for r in rows))
        attrs["subject"] = next((str(r.a) for r in rows if r.directed), "")


def summary(found: pd.DataFrame, name: Callable[[str], str]) -> pd.DataFrame:
    """A link's relations as a table: what it says, the type, whether directed, papers, novel papers, and the
    best evidence sentence with its PMID."""
    return pd.DataFrame(
        {
            "relation": [statement(name(r.a), r.verb, name(r.b)) for r in found.itertuples(index=False)],
            "type": found["relation"],
            "direction": ["→" if d else "none" for d in found["directed"]],
            "papers": found["papers"],
            "novel_papers": found["novel_papers"],
            "pmid": found["pmid"],
            "evidence": found["sentence"],
        }
    )


def stated(a: str, b: str, name: Callable[[str], str]) -> dict[str, list[tuple[str, str, str, str]]]:
    """What each paper states about the pair ``a``–``b``: PMID → (subject, verb, object, sentence) per relation,
    novel findings first (``relation_evidence``)."""
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in data.rows("relation_evidence", a=a, b=b, limit=1_000_000_000).itertuples(index=False):
        out.setdefault(str(r.pmid), []).append((name(r.subject), str(r.verb), name(r.object), str(r.sentence or "")))
    return out
