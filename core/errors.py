"""Errors a user can act on: one readable line plus a hint, never a traceback."""

from __future__ import annotations


class GapmapError(Exception):
    """An error the CLI prints as ``error: <message>`` and ``hint: <hint>`` and exits non-zero."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
