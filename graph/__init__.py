"""The graph stage: load the article store and its mentions into a graph store, answer named queries.

``open_store(backend, workspace)`` is the one way in for the CLI, analytics and the explorer.
"""

from __future__ import annotations

from typing import Any

from core.errors import GapmapError
from core.settings import settings
from core.workspace import Workspace
from graph.cypher_store import CypherStore
from graph.networkx_projection import to_networkx
from graph.store import GraphStore, Row

BACKENDS = ("embedded", "neo4j")

__all__ = ["BACKENDS", "GraphStore", "Row", "graph_stats", "open_store", "resolve_backend", "to_networkx"]


def resolve_backend(backend: str | None) -> str:
    """``backend``, else ``GAPMAP_BACKEND``, else ``embedded``."""
    chosen = (backend or settings().backend).lower()
    if chosen not in BACKENDS:
        raise GapmapError(f"unknown graph backend {chosen!r}", hint="use embedded or neo4j")
    return chosen


def open_store(
    backend: str | None, workspace: Workspace, *, create: bool = False, read_only: bool = False
) -> CypherStore:
    """The graph store of ``workspace`` (embedded: ``Workspace.embedded_graph``; neo4j: from NEO4J_* env).

    Without ``create``, a missing embedded graph is an error telling the user to run ``gapmap load``.
    ``read_only`` (embedded) lets several readers, e.g. the explorer and ``gapmap query``, share the file.
    """
    if resolve_backend(backend) == "neo4j":
        from graph.neo4j_backend import Neo4jSettings, Neo4jStore

        return Neo4jStore(Neo4jSettings.from_env())
    from graph.embedded import EmbeddedStore

    path = workspace.embedded_graph
    if not create and not path.exists():
        raise GapmapError(f"no embedded graph at {path}", hint="run `gapmap load` first")
    try:
        try:
            store = EmbeddedStore(path, read_only=read_only and not create)
        except RuntimeError as exc:
            if "recovery is pending" not in str(exc):
                raise
            EmbeddedStore(path).close()  # a killed writer left recovery to do: a read-write open does it
            store = EmbeddedStore(path, read_only=read_only and not create)
    except RuntimeError as exc:  # e.g. the folder is locked by another process writing it
        raise GapmapError(f"cannot open the embedded graph at {path}: {exc}", hint="is a load running?") from exc
    if create:
        store.ensure_schema()
    return store


def graph_stats(workspace: Workspace, backend: str | None = None) -> dict[str, Any]:
    """The graph part of ``gapmap stats --json``: backend, nodes by label, relationships by type."""
    chosen = resolve_backend(backend)
    if chosen == "embedded" and not workspace.embedded_graph.exists():
        return {"backend": chosen, "nodes": {}, "relationships": {}}  # nothing loaded yet
    store = open_store(chosen, workspace, read_only=True)
    try:
        return {"backend": chosen, **store.counts()}
    finally:
        store.close()
