"""``to_networkx``: the entity co-occurrence graph of either backend as a networkx graph, for analytics.

Without a year range, edges are the stored CO_OCCURS links (all-time counts and NPMI).  With one, counts
must be those of the publications in the range, so edges and NPMI are recomputed from the streamed
(publication, entity) pairs of ``paper_entities`` -- the same arithmetic the loader uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations, groupby
from typing import TYPE_CHECKING

import networkx as nx

from graph.build import stored_npmi

if TYPE_CHECKING:
    from graph.store import GraphStore


def to_networkx(
    store: GraphStore,
    types: Iterable[str] | None = None,
    min_year: int | None = None,
    max_year: int | None = None,
    min_papers: int = 1,
) -> nx.Graph:
    """Entities as nodes (``type``, ``name``, ``papers``), co-occurrence as edges (``papers``, ``npmi``,
    ``first_year``), keeping edges backed by at least ``min_papers`` publications."""
    type_list = sorted(types or [])
    graph = nx.Graph()
    if min_year is None and max_year is None:
        for row in store.stream("entity_nodes", {"types": type_list}):
            graph.add_node(row["id"], type=row["type"], name=row["name"], papers=row["papers"])
        for row in store.stream("co_occurrence_edges", {"types": type_list, "min_papers": min_papers}):
            graph.add_edge(row["a"], row["b"], papers=row["papers"], npmi=row["npmi"], first_year=row["first_year"])
        return graph
    params = {"types": type_list, "min_year": min_year or 0, "max_year": 9999 if max_year is None else max_year}
    papers: dict[str, int] = {}
    pairs: dict[tuple[str, str], list[int]] = {}  # (a, b) -> [papers, first year]
    total = 0
    rows = store.stream("paper_entities", params)
    for _pmid, group in groupby(rows, key=lambda r: r["pmid"]):
        members = list(group)
        total += 1
        year = members[0]["year"] if members[0]["year"] is not None else 0
        for row in members:
            papers[row["id"]] = papers.get(row["id"], 0) + 1
            if row["id"] not in graph:
                graph.add_node(row["id"], type=row["type"], name=row["name"])
        for a, b in combinations(sorted({r["id"] for r in members}), 2):
            entry = pairs.setdefault((a, b), [0, year])
            entry[0] += 1
            entry[1] = min(entry[1], year)
    nx.set_node_attributes(graph, papers, "papers")
    kept = [(a, b, n, first) for (a, b), (n, first) in pairs.items() if n >= min_papers]
    scores = stored_npmi([k[2] for k in kept], [papers[k[0]] for k in kept], [papers[k[1]] for k in kept], total)
    for (a, b, n, first), score in zip(kept, scores, strict=True):
        graph.add_edge(a, b, papers=n, npmi=score, first_year=first)
    return graph
