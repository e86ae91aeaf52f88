"""The ``gapmap`` command: one CLI that drives every stage.

Each stage's commands live in :mod:`gapmap.commands`; this module only wires them together and sets the
workspace.  The root group is :class:`gapmap.runtime.Program`, the one place output leaves the program: every
error is one redacted line plus a hint, whether the CLI runs from ``main`` or from a test's ``CliRunner``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.workspace import Workspace
from gapmap.commands import analytics, apps, demo, extract, graph, ingest, neo4j, nlp, stats
from gapmap.runtime import Program, State

app = typer.Typer(
    name="gapmap",
    cls=Program,
    help="Knowledge graph of progressive-MS research: ingest, extract, load, query, explore.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Workspace folder (default: $GAPMAP_HOME or ./gapmap-data)."),
    ] = None,
) -> None:
    ctx.obj = State(Workspace.resolve(home))


# Every command module has one ``app``: a named group (``gapmap ingest files``) or top-level commands.
for group, name in ((ingest, "ingest"), (nlp, "nlp"), (neo4j, "neo4j"), (analytics, "analytics")):
    app.add_typer(group.app, name=name)
for commands in (stats, extract, graph, apps, demo):
    app.add_typer(commands.app)


def main() -> None:
    """Entry point (``gapmap`` and ``python -m gapmap``): :class:`~gapmap.runtime.Program` reports every error as
    one line plus a hint and exits with the run's code."""
    app()
