"""`gapmap nlp train` and `gapmap nlp eval` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Entity extraction model: train and evaluate.", no_args_is_help=True)

