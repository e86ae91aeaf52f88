"""The embedded backend: a LadybugDB (Kùzu-dialect) database folder in the workspace, no server to run.

Why COPY for relationships: LadybugDB creates relationships through ``UNWIND ... CREATE`` at ten thousand or
so per second, bulk-copies a CSV at 30-45k and a pyarrow table at 100-130k (``/tmp`` micro-benchmark of 100k
MENTIONS rows, 2 cores), so relationship rows are handed over as an Arrow table with the schema's column
types, inside the open transaction (a rollback undoes the copy too).  Nodes are few and need MERGE semantics
(upsert on the key), so they go through ``UNWIND ... MERGE`` with explicit casts: a batch whose values are
all null would otherwise be typed as strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa

from graph.cypher_store import CypherStore
from graph.schema import NODES, RELATIONSHIPS
from graph.store import Row

_NODE_CHUNK = 5000
_ARROW_TYPES = {"STRING": pa.string(), "INT64": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_()}


class EmbeddedStore(CypherStore):
    """A :class:`~graph.store.GraphStore` on a LadybugDB folder."""

    backend = "embedded"
    rewrite_share = 0.25  # COPY re-creates a whole type faster than UNWIND ... MATCH ... SET updates a quarter of it

    def __init__(self, path: Path, *, read_only: bool = False, threads: int = 2) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = ladybug.Database(str(self.path), read_only=read_only, max_num_threads=threads)
        self._threads = threads
        self._conn = ladybug.Connection(self._db, num_threads=threads)
        self._column_order: dict[str, list[str]] = {}
        self._in_transaction = False
        #: Run once the database is closed (a staged load publishes its copy here; see graph.staging).
        self.after_close: Callable[[], None] | None = None

    def checkpoint(self) -> None:
        """Relationships bulk-copied by COPY are durable only once checkpointed: LadybugDB 0.22 replays node
        updates of committed transactions from its write-ahead log after a crash, but not COPY data."""
        self._drain("CHECKPOINT")

    def close(self) -> None:
        self._conn.close()
        self._db.close()
        finish, self.after_close = self.after_close, None
        if finish is not None:
            finish()

    def _run(self, cypher: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
        try:
            result = self._conn.execute(cypher, params or {})
        except RuntimeError:
            # LadybugDB caches a statement prepared for the failed values (a negative LIMIT, say) and fails every
            # later run of it on this connection; a fresh connection forgets it.  Inside a transaction the
            # connection holds the work, and the transaction's rollback is what follows.
            if not self._in_transaction:
                self._conn.close()
                self._conn = ladybug.Connection(self._db, num_threads=self._threads)
            raise
        assert not isinstance(result, list)  # one statement per call
        columns = result.get_column_names()
        # sum() of INT64 is INT128 here, which Python receives as Decimal; Neo4j gives int, and JSON needs it too
        wide = [i for i, t in enumerate(result.get_column_data_types()) if t == "INT128"]
        try:
            while result.has_next():
                values: list[Any] = list(result.get_next())
                for i in wide:
                    if values[i] is not None:
                        values[i] = int(values[i])
                yield dict(zip(columns, values, strict=True))
        finally:
            result.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._drain("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            try:
                yield
            except BaseException:
                self._drain("ROLLBACK")
                raise
            self._drain("COMMIT")
        finally:
            self._in_transaction = False

    def ensure_schema(self) -> None:
        """Create missing tables, and add columns a newer schema has to tables of an older graph."""
        for spec in NODES.values():
            cols = ", ".join(f"{name} {type_}" for name, type_ in spec.props.items())
            self._drain(f"CREATE NODE TABLE IF NOT EXISTS {spec.label}({cols}, PRIMARY KEY({spec.key}))")
            self._add_columns(spec.label, spec.props)
        for rel in RELATIONSHIPS.values():
            cols = "".join(f", {name} {type_}" for name, type_ in rel.props.items())
            self._drain(f"CREATE REL TABLE IF NOT EXISTS {rel.type}(FROM {rel.src} TO {rel.dst}{cols})")
            self._add_columns(rel.type, rel.props)

    def _add_columns(self, table: str, props: dict[str, str]) -> None:
        have = set(self._columns(table))
        for name, type_ in props.items():
            if name not in have:
                self._drain(f"ALTER TABLE {table} ADD {name} {type_}")
        self._column_order.pop(table, None)

    def _columns(self, table: str) -> list[str]:
        """The table's property columns in storage order: COPY maps an Arrow table's columns by position."""
        if table not in self._column_order:
            info = f"CALL table_info('{table}') RETURN name"  # table names come from the schema, never from data
            self._column_order[table] = [r["name"] for r in self._run(info)]
        return self._column_order[table]

    def _upsert_nodes(self, label: str, rows: list[Row], *, only_new: bool = False) -> None:
        """Nodes not in the table yet are bulk-copied (an Arrow table, like relationships); existing ones are
        matched on their key and updated (unless ``only_new``)."""
        spec = NODES[label]
        key = spec.key
        existing = self._existing_keys(label, [r[key] for r in rows])
        fresh: dict[Any, Row] = {}
        for row in rows:
            if row[key] not in existing:
                fresh.setdefault(row[key], row)
        if fresh:
            columns = {
                p: pa.array([r.get(p) for r in fresh.values()], _arrow_type(spec.props[p]))
                for p in self._columns(label)
            }
            self._drain(f"COPY {label} FROM $rows", {"rows": pa.table(columns)})
        stale = [r for r in rows if r[key] in existing]
        if only_new or not stale:
            return
        props = [p for p in stale[0] if p != key]
        if not props:
            return
        sets = ", ".join(f"n.{p} = CAST(r.{p} AS {spec.props[p]})" for p in props)
        cypher = f"UNWIND $rows AS r MATCH (n:{label} {{{key}: r.{key}}}) SET {sets}"
        # one shape for every row (the same keys in the same order): a list parameter is one typed list of structs
        stale = [{p: r.get(p) for p in (key, *props)} for r in stale]
        for start in range(0, len(stale), _NODE_CHUNK):
            self._drain(cypher, {"rows": stale[start : start + _NODE_CHUNK]})

    def _param(self, type_: str, prop: str) -> str:
        # typed explicitly: a chunk whose values are all null would otherwise be read as strings
        return f"CAST(r.{prop} AS {RELATIONSHIPS[type_].props[prop]})"

    def _create_rels(self, type_: str, rows: list[Row]) -> None:
        spec = RELATIONSHIPS[type_]
        columns = {
            "from": pa.array([r["src"] for r in rows], pa.string()),
            "to": pa.array([r["dst"] for r in rows], pa.string()),
            **{p: pa.array([r.get(p) for r in rows], _arrow_type(spec.props[p])) for p in self._columns(type_)},
        }
        self._drain(f"COPY {type_} FROM $rows", {"rows": pa.table(columns)})


def _arrow_type(column_type: str) -> pa.DataType:
    """The Arrow type of a LadybugDB column type of the schema (``STRING[]``: a list of strings)."""
    if column_type.endswith("[]"):
        return pa.list_(_ARROW_TYPES[column_type[:-2]])
    return _ARROW_TYPES[column_type]
