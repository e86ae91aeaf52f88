"""`gapmap analytics ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="analytics commands.", no_args_is_help=True)
