"""The ``gapmap`` command: one CLI that drives every stage.

Each stage's commands live in :mod:`gapmap.commands`; this module only wires them together and sets the
workspace.  :func:`main` runs it through :func:`gapmap.runtime.serve`, the one place output leaves the
program: everything written is redacted, every error is one line plus a hint.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from core.workspace import Workspace
from gapmap.commands import analytics, apps, demo, extract, graph, ingest, neo4j, nlp, stats
from gapmap.runtime import Program, State, serve

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
    """Entry point (``gapmap`` and ``python -m gapmap``): the one place output leaves the program
    (:func:`gapmap.runtime.serve`: redacted, every error one line plus a hint); exits with the run's code."""
    sys.exit(serve(lambda: app(standalone_mode=False)))
