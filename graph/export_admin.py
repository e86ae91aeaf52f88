"""``gapmap export neo4j-admin DIR``: node and relationship CSVs for ``neo4j-admin database import full``.

Why: for a first load of a big corpus, the offline importer writes a Neo4j store far faster than
transactional UNWIND batches.  The rows are exactly those :func:`graph.load.load` writes (the export is a
:class:`~graph.store.GraphWriter` that keeps them instead), so an imported database answers the named
queries like a loaded one.  Lists use ``|`` as array delimiter (a ``|`` inside an element becomes ``/``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import GapmapError
from graph.load import load
from graph.schema import NODES, RELATIONSHIPS
from graph.store import Row
from ingest.store import ArticleStore

ARRAY_DELIMITER = "|"
_TYPES = {
    "STRING": "string",
    "INT64": "long",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "STRING[]": "string[]",
    "INT64[]": "long[]",
}


@dataclass
class AdminExport:
    """The files written and the import command that reads them."""

    directory: Path
    nodes: int
    relationships: int
    args: list[str]  # ``neo4j-admin`` and its arguments

    @property
    def command(self) -> str:
        return shlex.join(self.args)


class _Collector:
    """A GraphWriter holding the graph in memory (an export always starts from an empty graph)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Row]] = {label: {} for label in NODES}
        self.rels: dict[str, list[Row]] = {type_: [] for type_ in RELATIONSHIPS}

    def ensure_schema(self) -> None:
        return None

    def load_keys(self) -> dict[str, str]:
        return {}

    def _upsert(self, nodes: dict[str, list[Row]]) -> None:
        for label, rows in nodes.items():
            key = NODES[label].key
            for row in rows:
                self.nodes[label].setdefault(row[key], {}).update(row)

    def write_portfolio(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        self._upsert(nodes)
        for type_, rows in rels.items():
            self.rels[type_].extend(rows)

    def write_publications(self, pmids: list[str], nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        self.write_portfolio(nodes, rels)

    def delete_publications(self, pmids: list[str]) -> None:
        return None  # nothing was loaded before

    def write_corpus(self, nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> int:
        self.write_portfolio(nodes, rels)
        return sum(len(rows) for rows in rels.values())

    def checkpoint(self) -> None:
        return None


def _value(value: Any, type_: str) -> Any:
    """Null stays an empty unquoted field (no property); strings are quoted, so "" stays an empty string."""
    if value is None:
        return _NULL
    if type_ == "STRING[]":
        return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, "/") for v in value)
    if type_ == "INT64[]":
        return _Bare(ARRAY_DELIMITER.join(str(int(v)) for v in value))
    if type_ == "BOOLEAN":
        return _Bare("true" if value else "false")
    return value if type_ == "STRING" else _Bare(str(value))


class _Bare(str):
    """A field written without quotes."""


_NULL = _Bare("")


def _line(values: list[Any]) -> str:
    return ",".join(v if isinstance(v, _Bare) else '"' + str(v).replace('"', '""') + '"' for v in values) + "\n"


def export_admin(articles: ArticleStore, directory: Path, *, database: str = "neo4j") -> AdminExport:
    """Write ``<Label>.csv`` and ``<TYPE>.csv`` files with typed headers into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    collector = _Collector()
    load(articles, collector)
    args = [
        "neo4j-admin",
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        f"--array-delimiter={ARRAY_DELIMITER}",
        "--multiline-fields=true",
        f"--report-file={directory / 'import.report'}",
    ]
    n_nodes = n_rels = 0
    for label, spec in NODES.items():
        path = directory / f"{label}.csv"
        with path.open("w", encoding="utf-8") as f:
            header = [f"{p}:ID({label})" if p == spec.key else f"{p}:{_TYPES[t]}" for p, t in spec.props.items()]
            f.write(",".join([*header, ":LABEL"]) + "\n")
            for row in collector.nodes[label].values():
                labels = ARRAY_DELIMITER.join(("Entity", row["type"])) if label == "Entity" else label
                f.write(_line([*(_value(row.get(p), t) for p, t in spec.props.items()), labels]))
                n_nodes += 1
        args.append(f"--nodes={path.resolve()}")
    for type_, rel in RELATIONSHIPS.items():
        path = directory / f"{type_}.csv"
        with path.open("w", encoding="utf-8") as f:
            header = [
                f":START_ID({rel.src})",
                f":END_ID({rel.dst})",
                *(f"{p}:{_TYPES[t]}" for p, t in rel.props.items()),
            ]
            f.write(",".join([*header, ":TYPE"]) + "\n")
            for row in collector.rels[type_]:
                f.write(_line([row["src"], row["dst"], *(_value(row.get(p), t) for p, t in rel.props.items()), type_]))
                n_rels += 1
        args.append(f"--relationships={path.resolve()}")
    export = AdminExport(directory, n_nodes, n_rels, args)
    (directory / "import.sh").write_text(f"#!/bin/sh\n# run with the Neo4j server stopped\n{export.command}\n")
    return export


def run_import(export: AdminExport, home: Path, *, heap: str = "1g") -> str:
    """Run the import into the stopped (or never started) gapmap-managed Neo4j server at ``home``.

    gapmap's server runs from Neo4j's jars (no tarball, so no ``bin/neo4j-admin`` script): the admin tool is
    started from the same jars, with the server's home and config.  Community edition imports into the
    default ``neo4j`` database of a stopped server, overwriting it.  Returns the tool's output.
    """
    from graph.neo4j_server import process
    from graph.neo4j_server.config import ServerLayout, ServerSettings, free_port, write_config
    from graph.neo4j_server.fetch import ensure, find_java

    if process.status(home) is not None:
        raise GapmapError(f"the Neo4j server of {home} is running", hint="stop it first: `gapmap neo4j stop`")
    layout = ServerLayout(home)
    if not (layout.conf_dir / "neo4j.conf").exists():
        write_config(layout, ServerSettings(free_port()))
    distribution = ensure()
    command = [
        str(find_java()),
        f"-Xmx{heap}",
        "-cp",
        os.pathsep.join(str(jar) for jar in distribution.classpath),
        "org.neo4j.cli.AdminTool",
        *export.args[1:],
    ]
    env = {**os.environ, "NEO4J_HOME": str(layout.root), "NEO4J_CONF": str(layout.conf_dir)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise GapmapError(f"neo4j-admin import failed: {last[0]}", hint=f"see the exported files in {export.directory}")
    return done.stdout
