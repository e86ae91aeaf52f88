"""`gapmap neo4j ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="neo4j commands.", no_args_is_help=True)
