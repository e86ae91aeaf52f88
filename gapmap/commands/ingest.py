"""`gapmap ingest ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Bring articles and funding portfolios into the article store.", no_args_is_help=True)
