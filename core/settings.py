"""Every setting gapmap reads from the environment, read in this one place.

A plain frozen dataclass rather than pydantic-settings: a dozen strings and paths need no new dependency, and
reading ``os.environ`` on each call keeps ``--home`` and test overrides simple. Secrets are :class:`Secret`
values, whose ``str``/``repr`` never show the value, so a settings object can be printed, logged or put into an
exception message without leaking a key or password.

The README's settings table lists the same variables for users (``tests/test_architecture.py`` keeps the two,
and the names :func:`settings` reads, equal).

=========================  =================================================================================
variable                   meaning (default)
=========================  =================================================================================
``GAPMAP_HOME``            the workspace folder (``./gapmap-data``); ``--home`` overrides it
``GAPMAP_BACKEND``         graph backend, ``embedded`` or ``neo4j`` (``embedded``); ``--backend`` overrides it
``GAPMAP_CACHE``           caches shared by every workspace: linker index, matchers, Neo4j jars
                           (``~/.cache/gapmap``)
``GAPMAP_SHARED_DATA``     the shared real-data folder: corpora, lexicons (``../shared/data`` beside the project)
``GAPMAP_DEBUG``           ``1``: errors print their traceback too (off)
``GAPMAP_EUTILS_URL``      base URL of NCBI's E-utilities (NCBI's); a mirror or a test server
``GAPMAP_EUTILS_TRIES``    attempts per E-utilities request on 429/5xx/network errors (5)
``GAPMAP_EUTILS_BACKOFF``  seconds before the first retry, doubling (2)
``NCBI_API_KEY``           secret: NCBI key, 10 instead of 3 requests/s (none)
``NCBI_EMAIL``             contact address NCBI asks clients to send (none)
``NCBI_TOOL``              client name sent to NCBI (``gapmap``)
``NEO4J_URI``              Bolt URI of the Neo4j server; may hold credentials, so secret (none)
``NEO4J_USER``             Neo4j user (``neo4j``)
``NEO4J_PASSWORD``         secret: Neo4j password (none; ``gapmap neo4j start`` generates one)
``NEO4J_DATABASE``         Neo4j database (``neo4j``)
``JAVA_HOME``              the Java that runs the Neo4j server gapmap starts (``java`` on PATH)
=========================  =================================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError

DEFAULT_HOME = "gapmap-data"
DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: The project folder when gapmap runs from a checkout (``../shared`` sits beside it).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Secret:
    """A value that must never be printed: ``str`` and ``repr`` give ``***`` (or ``''`` when unset)."""

    value: str = ""

    def reveal(self) -> str:
        """The value itself, for the one call that needs it (an HTTP parameter, a driver's auth)."""
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __str__(self) -> str:
        return "***" if self.value else ""

    __repr__ = __str__


@dataclass(frozen=True)
class Settings:
    """What the environment says, typed; :func:`settings` builds one."""

    home: Path
    backend: str
    cache: Path
    shared_data: Path
    debug: bool
    eutils_url: str
    eutils_tries: int
    eutils_backoff: float
    ncbi_api_key: Secret
    ncbi_email: str
    ncbi_tool: str
    neo4j_uri: Secret
    neo4j_user: str
    neo4j_password: Secret
    neo4j_database: str
    java_home: Path | None

    def secrets(self) -> list[str]:
        """The secret values set, for redaction of anything that leaves the program."""
        return [s.value for s in (self.ncbi_api_key, self.neo4j_uri, self.neo4j_password) if s.value]


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of the environment now (read on each call: cheap, and overrides take effect at once)."""
    env = os.environ if environ is None else environ

    def text(name: str, default: str = "") -> str:
        return env.get(name, "").strip() or default

    base = text("GAPMAP_EUTILS_URL", DEFAULT_EUTILS_URL)
    return Settings(
        home=Path(text("GAPMAP_HOME", DEFAULT_HOME)).expanduser(),
        backend=text("GAPMAP_BACKEND", "embedded").lower(),
        cache=Path(text("GAPMAP_CACHE", "~/.cache/gapmap")).expanduser(),
        shared_data=Path(text("GAPMAP_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data").expanduser(),
        debug=text("GAPMAP_DEBUG").lower() in _TRUE,
        eutils_url=base if base.endswith("/") else base + "/",
        eutils_tries=max(1, int(_number(env, "GAPMAP_EUTILS_TRIES", 5))),
        eutils_backoff=max(0.0, _number(env, "GAPMAP_EUTILS_BACKOFF", 2.0)),
        ncbi_api_key=Secret(text("NCBI_API_KEY")),
        ncbi_email=text("NCBI_EMAIL"),
        ncbi_tool=text("NCBI_TOOL", "gapmap"),
        neo4j_uri=Secret(text("NEO4J_URI")),
        neo4j_user=text("NEO4J_USER", "neo4j"),
        neo4j_password=Secret(env.get("NEO4J_PASSWORD", "")),
        neo4j_database=text("NEO4J_DATABASE", "neo4j"),
        java_home=Path(text("JAVA_HOME")) if text("JAVA_HOME") else None,
    )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    """A numeric setting; a malformed value is an error that names the variable (never silently ignored)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise GapmapError(f"{name}={raw!r} is not a number", hint=f"unset {name} or give a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise GapmapError(f"{name}={raw!r} is not a finite number", hint=f"unset {name} or give a number")
    return value
