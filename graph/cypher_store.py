"""What both backends share: named queries, counts, and the Cypher of the load operations.

A backend supplies how to run one statement (:meth:`CypherStore._run`), how to group statements into one
transaction (:meth:`CypherStore._transaction`), how to upsert nodes and bulk-create relationships; the load
steps themselves (replace a publication's relationships, rewrite the corpus-wide ones) are written once here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from graph import queries
from graph.schema import DEPENDENT_NODES, ENTITY_LABELS, NODES, RELATIONSHIPS, key_of
from graph.store import Row


class CypherStore(ABC):
    """Base of :class:`~graph.embedded.EmbeddedStore` and :class:`~graph.neo4j_backend.Neo4jStore`."""

    backend: str

    # -- backend primitives ------------------------------------------------------------------------

    @abstractmethod
    def _run(self, cypher: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
        """Run one statement (inside the open transaction, if any) and yield its rows."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[None]:
        """Statements run inside commit together or not at all."""

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create tables / constraints and indexes (idempotent)."""

    @abstractmethod
    def _upsert_nodes(self, label: str, rows: list[Row]) -> None:
        """MERGE nodes on their key and set the properties present in the rows."""

    @abstractmethod
    def _create_rels(self, type_: str, rows: list[Row]) -> None:
        """Create relationships from rows with ``src``/``dst`` keys (both ends exist)."""

    @abstractmethod
    def close(self) -> None: ...

    # -- GraphStore --------------------------------------------------------------------------------

    def query(self, name: str, params: dict[str, Any] | None = None) -> list[Row]:
        return list(self.stream(name, params))

    def stream(self, name: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
        q = queries.get(name)
        return self._run(q.cypher(self.backend), q.bind(params))

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes by label (entities also by type label) and relationships by type, zeros included."""
        nodes = {label: self._scalar(f"MATCH (n:{label}) RETURN count(n) AS n") for label in NODES}
        by_type = {r["type"]: r["n"] for r in self._run("MATCH (e:Entity) RETURN e.type AS type, count(e) AS n")}
        nodes.update({t: int(by_type.get(t, 0)) for t in ENTITY_LABELS})
        rels = {t: self._scalar(f"MATCH ()-[r:{t}]->() RETURN count(r) AS n") for t in RELATIONSHIPS}
        return {"nodes": nodes, "relationships": rels}

    def _scalar(self, cypher: str, params: dict[str, Any] | None = None) -> int:
        return int(next(iter(self._run(cypher, params)))["n"])

    # -- load steps (used by graph.load) -----------------------------------------------------------

    def load_keys(self) -> dict[str, str]:
        """pmid → load key of every publication whose rows are fully written."""
        return {
            r["pmid"]: r["k"] or "" for r in self._run("MATCH (p:Publication) RETURN p.pmid AS pmid, p.load_key AS k")
        }

    def write_publications(self, pmids: list[str], nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        """Replace the per-publication relationships of ``pmids`` with ``rels``.

        The load keys are written last, in their own transaction after a checkpoint: a process killed at any
        point leaves these publications without a valid key, so the next load rewrites them whole.
        """
        keys = [{"pmid": r["pmid"], "load_key": r["load_key"]} for r in nodes.get("Publication", [])]
        pending = {**nodes, "Publication": [{**r, "load_key": ""} for r in nodes.get("Publication", [])]}
        with self._transaction():
            for spec in RELATIONSHIPS.values():
                if not spec.per_publication:
                    continue
                pattern = "(p:Publication)-[r:{t}]->()" if spec.src == "Publication" else "()-[r:{t}]->(p:Publication)"
                self._drain(f"MATCH {pattern.format(t=spec.type)} WHERE p.pmid IN $pmids DELETE r", {"pmids": pmids})
            for label, rows in pending.items():
                if rows:
                    self._upsert_nodes(label, rows)
            for type_, rows in rels.items():
                self._create_rels(type_, rows)
        self.checkpoint()
        with self._transaction():
            self._upsert_nodes("Publication", keys)

    def checkpoint(self) -> None:
        """Make everything written so far durable (embedded); a server needs nothing."""
        return None

    def delete_publications(self, pmids: list[str]) -> None:
        with self._transaction():
            self._drain("MATCH (p:Publication) WHERE p.pmid IN $pmids DETACH DELETE p", {"pmids": pmids})

    def write_portfolio(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        """Make funders, programmes and awards exactly ``nodes`` (FUNDED_BY to removed awards goes with them)."""
        with self._transaction():
            for label in ("Award", "Programme", "Funder"):
                keep = [r["id"] for r in nodes.get(label, [])]
                self._drain(f"MATCH (n:{label}) WHERE NOT n.id IN $keep DETACH DELETE n", {"keep": keep})
                if keep:
                    self._upsert_nodes(label, nodes[label])
            for type_ in ("PART_OF", "OFFERS", "FUNDS"):
                self._drain(f"MATCH ()-[r:{type_}]->() DELETE r")
                if rels.get(type_):
                    self._create_rels(type_, rels[type_])

    def write_corpus(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        """Settle shared nodes' properties, rewrite corpus-wide relationships; drop nodes nothing links to."""
        with self._transaction():
            for type_ in rels:
                self._drain(f"MATCH ()-[r:{type_}]->() DELETE r")
            for label in DEPENDENT_NODES:
                self._drain(f"MATCH (n:{label}) WHERE NOT EXISTS {{ MATCH (n)--(:Publication) }} DETACH DELETE n")
            for label, rows in nodes.items():
                if rows:
                    self._upsert_nodes(label, rows)
            for type_, rows in rels.items():
                if rows:
                    self._create_rels(type_, rows)
            # institutions hang off authors, not publications: they go when no affiliation names them
            self._drain("MATCH (n:Institution) WHERE NOT EXISTS { MATCH (n)--() } DELETE n")

    def _drain(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        for _ in self._run(cypher, params):
            pass

    @staticmethod
    def _key(label: str) -> str:
        return key_of(label)
