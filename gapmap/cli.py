"""The ``gapmap`` command: one CLI that drives every stage.

Each stage's commands live in :mod:`gapmap.commands`; this module only wires them together, sets the
workspace, and turns :class:`~core.errors.GapmapError` into one readable line plus a hint.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import GapmapError
from core.workspace import Workspace
from gapmap.commands import analytics, apps, demo, extract, graph, ingest, neo4j, nlp, stats
from gapmap.runtime import State, console

app = typer.Typer(
    name="gapmap",
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
    """Entry point: click handles usage errors and exit codes; GapmapError becomes one line plus a hint."""
    try:
        app()
    except GapmapError as exc:
        console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        if exc.hint:
            console.print(f"[yellow]hint:[/] {exc.hint}", highlight=False, soft_wrap=True)
        sys.exit(2)
