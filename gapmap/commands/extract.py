"""`gapmap extract` (placeholder until implemented)."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add ``gapmap extract``."""
