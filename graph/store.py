"""The one store interface every consumer of the graph uses (CLI, analytics, the explorer).

Two backends implement it: the embedded LadybugDB store (default, no server) and Neo4j 5.  Consumers never
build Cypher from user input: they call :meth:`GraphStore.query` with the name of a file in ``queries/`` and
a dict of parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

Row = dict[str, Any]


class GraphStore(Protocol):
    """A loaded knowledge graph that answers named queries."""

    backend: str  # "embedded" | "neo4j"

    def query(self, name: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Run the named query from ``queries/`` (per-backend variant when one exists) with parameters."""
        ...

    def stream(self, name: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
        """Like :meth:`query`, but yields rows as they arrive (for large projections)."""
        ...

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}``."""
        ...

    def close(self) -> None: ...


class GraphWriter(Protocol):
    """What :func:`graph.load.load` writes through: both backends, and the neo4j-admin CSV export."""

    def ensure_schema(self) -> None: ...

    def load_keys(self) -> dict[str, str]:
        """pmid → load key of every publication fully written."""
        ...

    def write_portfolio(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None: ...

    def write_publications(self, pmids: list[str], nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None: ...

    def delete_publications(self, pmids: list[str]) -> None: ...

    def write_corpus(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> int:
        """Make the corpus-wide rows exactly these; returns the number of relationships created."""
        ...

    def checkpoint(self) -> None:
        """Called once at the end of a load."""
        ...
