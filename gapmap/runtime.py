"""What every CLI command shares: the chosen workspace, the console, progress bars.

Commands receive the ``typer.Context`` and call :func:`workspace` rather than reading the environment
themselves, so ``--home`` and ``GAPMAP_HOME`` mean the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from core.errors import GapmapError
from core.workspace import Workspace

console = Console(stderr=True)


@dataclass
class State:
    """Global options, parsed once by the root callback."""

    workspace: Workspace


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace chosen by ``--home`` / ``GAPMAP_HOME``, created on first use."""
    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, State) else State(Workspace.resolve())
    return state.workspace.ensure()


def ingested_workspace(ctx: typer.Context) -> Workspace:
    """The workspace, for a stage that reads the article store: one clear error when nothing was ingested yet."""
    ws = workspace(ctx)
    if not ws.article_store.is_file():
        raise GapmapError(f"no article store at {ws.article_store}", "run `gapmap ingest ...` first")
    return ws


def progress(*, transient: bool = False) -> Progress:
    """A rich progress bar on stderr (so ``--json`` output on stdout stays clean)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
    )


def print_table(columns: Sequence[str], rows: Iterable[Iterable[Any]], *, title: str | None = None) -> None:
    """Rows as a rich table on the console: a list's items joined with ", ", None an empty cell."""
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)
