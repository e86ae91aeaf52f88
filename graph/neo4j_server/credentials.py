"""The password of the workspace's Neo4j user ``neo4j``, and the settings a client needs to connect.

``NEO4J_PASSWORD`` wins when set; otherwise a random password is generated once and kept in the workspace
with mode 0600, so ``gapmap neo4j start --print-env`` can hand it to later shells without it ever being
logged or passed on a command line.
"""

from __future__ import annotations

import os
import secrets
import shlex
from dataclasses import dataclass

from core.errors import GapmapError
from core.settings import settings
from graph.neo4j_server.config import ServerLayout

USER = "neo4j"
DATABASE = "neo4j"
DEFAULT_PASSWORD = "neo4j"  # what a fresh Neo4j accepts once, only to change it
MIN_LENGTH = 8  # Neo4j's dbms.security.auth_minimum_password_length


@dataclass(frozen=True)
class BoltSettings:
    """How a client reaches the server: the ``NEO4J_*`` variables the graph backend and tests read."""

    uri: str
    user: str
    password: str
    database: str

    def exports(self) -> list[str]:
        """``export NAME=value`` lines for ``eval`` in a POSIX shell."""
        values = {
            "NEO4J_URI": self.uri,
            "NEO4J_USER": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }
        return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def password(layout: ServerLayout) -> str:
    """``NEO4J_PASSWORD``, else the workspace's stored password, generated on first use."""
    chosen = settings().neo4j_password.reveal()
    if chosen:
        if len(chosen) < MIN_LENGTH or chosen == DEFAULT_PASSWORD:
            raise GapmapError(
                f"NEO4J_PASSWORD must have at least {MIN_LENGTH} characters and not be '{DEFAULT_PASSWORD}'",
                "choose a longer password, or unset NEO4J_PASSWORD to have one generated",
            )
        return chosen
    path = layout.password_file
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(24)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(generated + "\n")
    return generated
