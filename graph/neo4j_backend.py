"""The Neo4j 5 backend, through the official driver.

Writes go in ``UNWIND $rows`` batches of a few thousand rows inside one managed transaction per load step,
so a failed batch leaves nothing behind.  Entities get their type as a second label (``:Entity:Gene``);
the named queries only use ``:Entity`` and ``e.type``, which keeps them portable to the embedded backend.
Connection settings come from the environment (``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE``) and are never logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

from core.errors import GapmapError
from core.output import redact
from core.settings import settings
from graph.cypher_store import CypherStore
from graph.schema import ENTITY_LABELS, NODES, RELATIONSHIPS
from graph.store import Row

_CHUNK = 10_000


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str = "neo4j"

    @classmethod
    def from_env(cls) -> Neo4jSettings:
        env = settings()
        if not env.neo4j_uri:
            raise GapmapError(
                "NEO4J_URI is not set", hint='start a server with `eval "$(gapmap neo4j start --print-env)"`'
            )
        return cls(env.neo4j_uri.reveal(), env.neo4j_user, env.neo4j_password.reveal(), env.neo4j_database)


class Neo4jStore(CypherStore):
    """A :class:`~graph.store.GraphStore` on a Neo4j 5 database."""

    backend = "neo4j"

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        # the URI may hold a password (bolt://user:password@host): messages name it redacted
        shown = redact(settings.uri, [settings.uri, settings.password])
        try:
            self._driver = neo4j.GraphDatabase.driver(
                settings.uri, auth=(settings.user, settings.password), notifications_min_severity="OFF"
            )
        except (ConfigurationError, ValueError, TypeError) as exc:  # a malformed URI, before any connection
            raise GapmapError(
                f"NEO4J_URI {shown!r} is not a Neo4j URI: {redact(str(exc), [settings.uri, settings.password])}",
                hint="write it as bolt://HOST:7687 or neo4j://HOST:7687, the user and password in NEO4J_USER and "
                "NEO4J_PASSWORD",
            ) from exc
        try:
            self._driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError) as exc:
            self._driver.close()
            raise GapmapError(
                f"cannot reach Neo4j at {shown}: {type(exc).__name__}",
                hint="is the server running (`gapmap neo4j start`) and are NEO4J_USER/NEO4J_PASSWORD right?",
            ) from exc
        self._tx: neo4j.Transaction | None = None
        self._session: neo4j.Session | None = None

    def close(self) -> None:
        self._driver.close()

    def delete_everything(self) -> None:
        """Empty the database (benchmarks and tests start from nothing), relationships first and in batches:
        deleting 10,000 nodes with their relationships at once exceeds the transaction memory pool when some
        of them are hubs with a million MENTIONS."""
        self._drain("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 50000 ROWS")
        self._drain("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")

    def _run(self, cypher: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
        if self._tx is not None:
            yield from (r.data() for r in self._tx.run(cypher, params or {}))
            return
        with self._driver.session(database=self.settings.database) as session:
            for record in session.run(cypher, params or {}):
                yield record.data()

    def _table(self, match: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        # one record holding a list: ~5x faster than streaming 100k records through the driver
        rows = self._run(f"{match} RETURN collect([{', '.join(columns)}]) AS rows")
        for row in next(iter(rows))["rows"]:
            yield tuple(row)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._driver.session(database=self.settings.database) as session, session.begin_transaction() as tx:
            self._tx = tx
            try:
                yield
                tx.commit()
            finally:
                self._tx = None

    def ensure_schema(self) -> None:
        for spec in NODES.values():
            self._drain(
                f"CREATE CONSTRAINT {spec.label.lower()}_key IF NOT EXISTS "
                f"FOR (n:{spec.label}) REQUIRE n.{spec.key} IS UNIQUE"
            )
            for prop in spec.indexed:
                self._drain(
                    f"CREATE INDEX {spec.label.lower()}_{prop} IF NOT EXISTS FOR (n:{spec.label}) ON (n.{prop})"
                )
        for prop in ("papers", "first_year", "last_year"):
            self._drain(f"CREATE INDEX co_occurs_{prop} IF NOT EXISTS FOR ()-[r:CO_OCCURS]-() ON (r.{prop})")
        # trigram text index: serves search_publications' CONTAINS on the lower-cased title + abstract
        self._drain("CREATE TEXT INDEX publication_search_text IF NOT EXISTS FOR (n:Publication) ON (n.search_text)")

    def _upsert_nodes(self, label: str, rows: list[Row], *, only_new: bool = False) -> None:
        """New nodes by ``CREATE`` (their keys looked up first: cheaper than MERGE, loads are single-writer),
        existing ones matched on their key and updated unless ``only_new``.  An entity's type label is written
        in the same statement, and on update its other type labels removed; labels come from the fixed type
        list, never from data."""
        spec = NODES[label]
        existing = self._existing_keys(label, [r[spec.key] for r in rows])
        fresh: dict[Any, Row] = {}
        for row in rows:
            if row[spec.key] not in existing:
                fresh.setdefault(row[spec.key], row)
        stale = [] if only_new else [r for r in rows if r[spec.key] in existing]
        entity = label == "Entity" and "type" in rows[0]
        for type_ in ENTITY_LABELS if entity else ("",):
            created = [r for r in fresh.values() if not entity or r["type"] == type_]
            labels = f"{label}:{type_}" if entity else label
            self._chunks(f"UNWIND $rows AS r CREATE (n:{labels}) SET n = r", created)
            updated = [r for r in stale if not entity or r["type"] == type_]
            sets = [f"n.{p} = r.{p}" for p in rows[0] if p != spec.key] + ([f"n:{type_}"] if entity else [])
            if updated and sets:
                others = ":".join(o for o in ENTITY_LABELS if o != type_)
                remove = f" REMOVE n:{others}" if entity else ""
                match = f"UNWIND $rows AS r MATCH (n:{label} {{{spec.key}: r.{spec.key}}})"
                self._chunks(f"{match} SET {', '.join(sets)}{remove}", updated)

    def _chunks(self, cypher: str, rows: list[Row]) -> None:
        for start in range(0, len(rows), _CHUNK):
            self._drain(cypher, {"rows": rows[start : start + _CHUNK]})

    def _create_rels(self, type_: str, rows: list[Row]) -> None:
        """``CREATE`` the relationships, grouped by the endpoint with fewer distinct keys.

        Why grouped: each group's shared endpoint is looked up once instead of once per relationship (a paper's
        dozen MENTIONS, an author list's AUTHORED), which cuts a third of the index seeks of a publication load.
        """
        spec = RELATIONSHIPS[type_]
        src_key, dst_key = NODES[spec.src].key, NODES[spec.dst].key
        by_src = len({r["src"] for r in rows}) <= len({r["dst"] for r in rows})
        shared = "src" if by_src else "dst"
        groups: dict[Any, list[Row]] = {}
        for row in rows:
            groups.setdefault(row[shared], []).append({k: v for k, v in row.items() if k != shared})
        props = ", ".join(f"{p}: r.{p}" for p in spec.props)
        a = f"(a:{spec.src} {{{src_key}: {'g.k' if by_src else 'r.src'}}})"
        b = f"(b:{spec.dst} {{{dst_key}: {'r.dst' if by_src else 'g.k'}}})"
        first, second = (a, b) if by_src else (b, a)
        cypher = (
            f"UNWIND $rows AS g MATCH {first} UNWIND g.rows AS r MATCH {second} CREATE (a)-[:{type_} {{{props}}}]->(b)"
        )
        batch: list[Row] = []
        size = 0
        for key, members in groups.items():
            batch.append({"k": key, "rows": members})
            size += len(members)
            if size >= _CHUNK:
                self._drain(cypher, {"rows": batch})
                batch, size = [], 0
        if batch:
            self._drain(cypher, {"rows": batch})
