"""The graph stage: load the article store and its mentions into a graph store, answer named queries.

``open_store(backend, workspace)`` is the one way in for the CLI, analytics and the explorer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import GapmapError
from core.settings import settings
from core.workspace import Workspace
from graph.cypher_store import CypherStore
from graph.fulltext import FullText
from graph.networkx_projection import to_networkx
from graph.store import GraphStore, Row

BACKENDS = ("embedded", "neo4j")

__all__ = [
    "BACKENDS",
    "FullText",
    "GraphStore",
    "Row",
    "graph_stats",
    "graph_version",
    "open_store",
    "resolve_backend",
    "to_networkx",
]


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
    ``create`` opens the embedded graph for a load: a staged copy, published whole when the store is closed
    (:mod:`graph.staging`), so that readers never see it half-written and only one load runs at a time.
    ``read_only`` (embedded) never writes the file, so any number of readers (the explorer, ``gapmap query``,
    ``gapmap analytics``) can share it while a load prepares the next version.
    """
    if resolve_backend(backend) == "neo4j":
        from graph.neo4j_backend import Neo4jSettings, Neo4jStore

        return Neo4jStore(Neo4jSettings.from_env())
    from graph.embedded import EmbeddedStore

    path = workspace.embedded_graph
    if create:
        return _open_staged(path)
    if not path.exists():
        raise GapmapError(f"no embedded graph at {path}", hint="run `gapmap load` first")
    try:
        return EmbeddedStore(path, read_only=read_only)
    except RuntimeError as exc:
        if "recovery is pending" in str(exc):
            raise GapmapError(
                f"the embedded graph at {path} was left mid-write by an interrupted writer",
                hint="run `gapmap load`: it finishes the graph and publishes it whole",
            ) from exc
        raise GapmapError(f"cannot open the embedded graph at {path}: {exc}", hint="is a load running?") from exc


def _open_staged(path: Path) -> CypherStore:
    """The store a load writes: the staged copy of ``path``, under the writer lock, published on close."""
    from graph.embedded import EmbeddedStore
    from graph.staging import WriterLock, prepare, publish

    lock = WriterLock(path)
    try:
        staged = prepare(path)
        store = EmbeddedStore(staged)
    except BaseException as exc:
        lock.release()
        if isinstance(exc, RuntimeError):
            raise GapmapError(f"cannot open the embedded graph at {path}: {exc}", hint="is a load running?") from exc
        raise

    def finish() -> None:
        try:
            publish(staged, path)
        finally:
            lock.release()

    try:
        store.ensure_schema()
    except BaseException:
        store.after_close = lock.release  # nothing written worth publishing
        store.close()
        raise
    store.after_close = finish
    return store


def graph_version(backend: str | None, workspace: Workspace) -> str:
    """Which load of the embedded graph is published now (changes with every ``gapmap load``); "" for Neo4j,
    whose data changes in place."""
    from graph.staging import identity

    return identity(workspace.embedded_graph) if resolve_backend(backend) == "embedded" else ""


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
