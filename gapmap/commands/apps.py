"""`gapmap app` and `gapmap demo` commands."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add top-level commands (``gapmap app``, ``gapmap demo``)."""
