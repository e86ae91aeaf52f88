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
from graph.schema import (
    AGGREGATE_NODES,
    DEPENDENT_NODES,
    ENTITY_LABELS,
    NODES,
    RELATIONSHIPS,
    SHARED_NODES,
    key_of,
)
from graph.store import Row

#: Which of ``$pmids`` are loaded already (only those can have relationships to replace).
_KNOWN_PMIDS = "UNWIND $pmids AS k MATCH (p:Publication {pmid: k}) RETURN p.pmid AS pmid"
_CHUNK = 10_000


class CypherStore(ABC):
    """Base of :class:`~graph.embedded.EmbeddedStore` and :class:`~graph.neo4j_backend.Neo4jStore`."""

    backend: str
    #: When more than this share of a corpus-wide relationship type changed, :meth:`write_corpus` deletes the
    #: type and re-creates it instead of updating row by row (None: always update in place).
    rewrite_share: float | None = None

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
    def _upsert_nodes(self, label: str, rows: list[Row], *, only_new: bool = False) -> None:
        """MERGE nodes on their key and set the properties present in the rows (``only_new``: leave nodes that
        already exist as they are)."""

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
        """pmid → load key of every publication (``""`` while its rows are not fully written)."""
        return {
            r["pmid"]: r["k"] or "" for r in self._run("MATCH (p:Publication) RETURN p.pmid AS pmid, p.load_key AS k")
        }

    def write_publications(self, pmids: list[str], nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        """Replace the per-publication relationships of ``pmids`` with ``rels``.

        The load keys are written last, in their own transaction after a checkpoint: a process killed at any
        point leaves these publications without a valid key, so the next load rewrites them whole.  Shared
        nodes (authors, entities, ...) are only created here when new: their properties are settled from all
        publications by :meth:`write_corpus` at the end of every load, so re-setting them per batch is waste.
        """
        keys = [{"pmid": r["pmid"], "load_key": r["load_key"]} for r in nodes.get("Publication", [])]
        pending = {**nodes, "Publication": [{**r, "load_key": ""} for r in nodes.get("Publication", [])]}
        with self._transaction():
            known = [r["pmid"] for r in self._run(_KNOWN_PMIDS, {"pmids": pmids})]
            for spec in RELATIONSHIPS.values():
                if not spec.per_publication or not known:
                    continue
                pattern = "(p)-[r:{t}]->()" if spec.src == "Publication" else "()-[r:{t}]->(p)"
                match = f"UNWIND $pmids AS k MATCH (p:Publication {{pmid: k}}) MATCH {pattern.format(t=spec.type)}"
                self._drain(f"{match} DELETE r", {"pmids": known})
            for label, rows in pending.items():
                if rows:
                    self._upsert_nodes(label, rows, only_new=label in SHARED_NODES)
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

    def write_corpus(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> int:
        """Make corpus-wide relationships, aggregates and shared nodes' properties exactly ``nodes``/``rels``; drop
        nodes nothing links to.

        Only the difference is written: the current rows are read first; relationships that are gone are
        deleted, changed ones updated in place, new ones created; nodes are updated when a property changed.
        A load that changed nothing writes nothing here (deleting and re-creating all of CO_OCCURS and
        CO_OCCURS_IN in one transaction took Neo4j minutes), and the result is the same as a full rewrite,
        in one transaction as before.  Returns the
        number of relationships created.
        """
        with self._transaction():
            self._drop_orphans()
            changes = {type_: self._rel_changes(type_, rows) for type_, rows in rels.items()}
            for type_, (gone, changed, _new) in list(changes.items()):
                if self.rewrite_share is not None and len(gone) + len(changed) > self.rewrite_share * len(rels[type_]):
                    # most rows differ: dropping the type and bulk-creating it beats matching row by row
                    self._drain(f"MATCH ()-[x:{type_}]->() DELETE x")
                    changes[type_] = ([], [], rels[type_])
                    continue
                self._match_rels(type_, gone, "DELETE x")
                if changed:
                    props = [p for p in RELATIONSHIPS[type_].props if p not in RELATIONSHIPS[type_].identity]
                    sets = ", ".join(f"x.{p} = {self._param(type_, p)}" for p in props)
                    self._match_rels(type_, changed, f"SET {sets}")
            for label in AGGREGATE_NODES:
                keep = {r[key_of(label)] for r in nodes.get(label, [])}
                stale = [k for k in self._node_values(label, [key_of(label)]) if k not in keep]
                for start in range(0, len(stale), _CHUNK):
                    cypher = f"UNWIND $keys AS k MATCH (n:{label} {{{key_of(label)}: k}}) DELETE n"
                    self._drain(cypher, {"keys": stale[start : start + _CHUNK]})
            for label, rows in nodes.items():
                differing = self._node_changes(label, rows)
                if differing:
                    self._upsert_nodes(label, differing)
            for type_, (_gone, _changed, new) in changes.items():
                if new:
                    self._create_rels(type_, new)
            # institutions hang off authors, not publications: they go when no affiliation names them
            self._drain("MATCH (n:Institution) WHERE NOT EXISTS { MATCH (n)--() } DELETE n")
            self._drop_orphans()  # class nodes whose narrower concepts all went
        return sum(len(new) for _gone, _changed, new in changes.values())

    def _drop_orphans(self) -> None:
        """Drop dependent nodes no publication links to; an entity that is a broader concept of another stays
        (a class node), until the hierarchy no longer names it."""
        for label in DEPENDENT_NODES:
            keep = " AND NOT EXISTS { MATCH (n)<-[:BROADER]-(:Entity) }" if label == "Entity" else ""
            self._drain(f"MATCH (n:{label}) WHERE NOT EXISTS {{ MATCH (n)--(:Publication) }}{keep} DETACH DELETE n")

    def _existing_keys(self, label: str, keys: list[Any]) -> set[Any]:
        """Which of ``keys`` are keys of ``label`` nodes already."""
        key = key_of(label)
        found: set[Any] = set()
        for start in range(0, len(keys), _CHUNK):
            lookup = f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) RETURN n.{key} AS k"
            found.update(r["k"] for r in self._run(lookup, {"keys": keys[start : start + _CHUNK]}))
        return found

    def _table(self, match: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        """The values of the expressions ``columns`` for every match of the ``MATCH`` clause ``match``, as tuples
        (a bulk read: Neo4j overrides it to fetch them as one list instead of one Bolt record per row)."""
        cols = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns))
        for row in self._run(f"{match} RETURN {cols}"):
            yield tuple(row[f"c{i}"] for i in range(len(columns)))

    def _node_values(self, label: str, props: list[str]) -> dict[Any, tuple[Any, ...]]:
        """key -> values of ``props`` (the key first) of every ``label`` node."""
        return {row[0]: row for row in self._table(f"MATCH (n:{label})", [f"n.{p}" for p in props])}

    def _node_changes(self, label: str, rows: list[Row]) -> list[Row]:
        """The rows whose node is missing or differs in a property the row sets."""
        if not rows:
            return []
        props = [key_of(label), *(p for p in rows[0] if p != key_of(label))]
        current = self._node_values(label, props)
        return [r for r in rows if current.get(r[props[0]]) != tuple(r.get(p) for p in props)]

    def _rel_changes(self, type_: str, rows: list[Row]) -> tuple[list[Row], list[Row], list[Row]]:
        """``rows`` compared with the stored ``type_`` relationships, each told apart by its two ends and the
        spec's identity properties: (stored ones that are gone, ones whose other properties changed, new)."""
        spec = RELATIONSHIPS[type_]
        props = list(spec.props)
        match = f"MATCH (a:{spec.src})-[x:{type_}]->(b:{spec.dst})"
        columns = [f"a.{key_of(spec.src)}", f"b.{key_of(spec.dst)}", *(f"x.{p}" for p in props)]
        ident = [props.index(p) for p in spec.identity]
        current: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for src, dst, *stored in self._table(match, columns):
            current[(src, dst, *(stored[i] for i in ident))] = tuple(stored)
        gone_keys = set(current)
        changed: list[Row] = []
        new: list[Row] = []
        for row in rows:
            values = tuple(row.get(p) for p in props)
            key = (row["src"], row["dst"], *(values[i] for i in ident))
            if key not in current:
                new.append(row)
                continue
            gone_keys.discard(key)
            if current[key] != values:
                changed.append(row)
        gone = [
            {"src": k[0], "dst": k[1], **dict(zip(spec.identity, k[2:], strict=True))}
            for k in sorted(gone_keys, key=repr)
        ]
        return gone, changed, new

    def _match_rels(self, type_: str, rows: list[Row], action: str) -> None:
        """Run ``action`` on the relationship of each row (ends ``src``/``dst`` plus the identity properties)."""
        spec = RELATIONSHIPS[type_]
        where = " AND ".join(f"x.{p} = {self._param(type_, p)}" for p in spec.identity)
        cypher = (
            f"UNWIND $rows AS r MATCH (a:{spec.src} {{{key_of(spec.src)}: r.src}})-[x:{type_}]->"
            f"(b:{spec.dst} {{{key_of(spec.dst)}: r.dst}})" + (f" WHERE {where}" if where else "") + f" {action}"
        )
        for start in range(0, len(rows), _CHUNK):
            self._drain(cypher, {"rows": rows[start : start + _CHUNK]})

    def _param(self, type_: str, prop: str) -> str:
        """How a statement reads property ``prop`` of relationship ``type_`` from an UNWIND row ``r``."""
        return f"r.{prop}"

    def _drain(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        for _ in self._run(cypher, params):
            pass
