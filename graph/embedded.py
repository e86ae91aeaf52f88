"""The embedded backend: a LadybugDB (Kùzu-dialect) database folder in the workspace, no server to run.

Why COPY for relationships: LadybugDB creates relationships through ``UNWIND ... CREATE`` at a few thousand
per second but bulk-copies a CSV at over a hundred thousand, so relationship rows go through a temporary CSV
file inside the open transaction (a rollback undoes the copy too).  Nodes are few and need MERGE semantics
(upsert on the key), so they go through ``UNWIND ... MERGE`` with explicit casts: a batch whose values are
all null would otherwise be typed as strings.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug

from graph.cypher_store import CypherStore
from graph.schema import NODES, RELATIONSHIPS
from graph.store import Row

_NODE_CHUNK = 5000


class EmbeddedStore(CypherStore):
    """A :class:`~graph.store.GraphStore` on a LadybugDB folder."""

    backend = "embedded"

    def __init__(self, path: Path, *, read_only: bool = False, threads: int = 2) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = ladybug.Database(str(self.path), read_only=read_only, max_num_threads=threads)
        self._conn = ladybug.Connection(self._db, num_threads=threads)
        self._tmp = tempfile.TemporaryDirectory(prefix="gapmap-lbug-")
        self._files = 0

    def checkpoint(self) -> None:
        """Relationships bulk-copied by COPY are durable only once checkpointed: LadybugDB 0.22 replays node
        updates of committed transactions from its write-ahead log after a crash, but not COPY data."""
        self._drain("CHECKPOINT")

    def close(self) -> None:
        self._conn.close()
        self._db.close()
        self._tmp.cleanup()

    def _run(self, cypher: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
        result = self._conn.execute(cypher, params or {})
        assert not isinstance(result, list)  # one statement per call
        columns = result.get_column_names()
        try:
            while result.has_next():
                yield dict(zip(columns, result.get_next(), strict=True))
        finally:
            result.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._drain("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._drain("ROLLBACK")
            raise
        self._drain("COMMIT")

    def ensure_schema(self) -> None:
        for spec in NODES.values():
            cols = ", ".join(f"{name} {type_}" for name, type_ in spec.props.items())
            self._drain(f"CREATE NODE TABLE IF NOT EXISTS {spec.label}({cols}, PRIMARY KEY({spec.key}))")
        for rel in RELATIONSHIPS.values():
            cols = "".join(f", {name} {type_}" for name, type_ in rel.props.items())
            self._drain(f"CREATE REL TABLE IF NOT EXISTS {rel.type}(FROM {rel.src} TO {rel.dst}{cols})")

    def _upsert_nodes(self, label: str, rows: list[Row]) -> None:
        spec = NODES[label]
        props = [p for p in rows[0] if p != spec.key]
        sets = ", ".join(f"n.{p} = CAST(r.{p} AS {spec.props[p]})" for p in props)
        cypher = f"UNWIND $rows AS r MERGE (n:{label} {{{spec.key}: r.{spec.key}}})" + (f" SET {sets}" if sets else "")
        for start in range(0, len(rows), _NODE_CHUNK):
            self._drain(cypher, {"rows": rows[start : start + _NODE_CHUNK]})

    def _create_rels(self, type_: str, rows: list[Row]) -> None:
        props = list(RELATIONSHIPS[type_].props)
        self._files += 1
        path = Path(self._tmp.name) / f"{type_}-{self._files}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            # strings quoted (an empty string stays ""), None unquoted-empty (null), numbers bare
            writer = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC)
            writer.writerow(["from", "to", *props])
            writer.writerows([r["src"], r["dst"], *(_csv_value(r.get(p)) for p in props)] for r in rows)
        try:
            self._drain(f"COPY {type_} FROM '{path.as_posix()}' (HEADER=true)")
        finally:
            path.unlink()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
