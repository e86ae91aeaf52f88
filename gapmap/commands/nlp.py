"""`gapmap nlp ...` and `gapmap extract` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Entity extraction model: train and evaluate.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add top-level commands (``gapmap extract``)."""
