"""`gapmap stats` command."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add ``gapmap stats``."""
