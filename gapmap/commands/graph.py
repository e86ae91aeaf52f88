"""`gapmap load`, `gapmap query`, `gapmap export ...` commands."""

from __future__ import annotations

import typer

export_app = typer.Typer(help="Export the graph for bulk import elsewhere.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add top-level commands (``gapmap load``, ``gapmap query``)."""
