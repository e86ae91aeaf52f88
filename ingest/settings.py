"""NCBI E-utilities settings, read from the environment only.

Why the environment: the API key is a secret and must never sit in a config file, a command line (shell
history, ``ps``) or a log.  The other values travel with it so that one ``export`` block configures a run.

* ``NCBI_API_KEY``   personal key: raises the allowed rate from 3 to 10 requests per second;
* ``NCBI_EMAIL``     contact address NCBI asks every client to send;
* ``NCBI_TOOL``      client name sent with every request (default ``gapmap``);
* ``GAPMAP_EUTILS_URL``  base URL of the E-utilities (default NCBI's); a mirror, a proxy, or a test server;
* ``GAPMAP_EUTILS_TRIES`` (default 5) and ``GAPMAP_EUTILS_BACKOFF`` (seconds before the first retry, doubling;
  default 2): how long to keep trying when NCBI answers 429/5xx or the network fails.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from core.errors import GapmapError

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_TOOL = "gapmap"
# NCBI's limits are 3 requests/s without a key and 10 with one; Bio.Entrez pads them to 0.37 s / 0.1 s
# because exactly 1/3 s still draws 429s, and so do we.
INTERVAL_WITHOUT_KEY = 0.37
INTERVAL_WITH_KEY = 0.1

_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s'\"]*")


@dataclass(frozen=True)
class NcbiSettings:
    """Who we are to NCBI, where the E-utilities live, and how politely to call them."""

    api_key: str = ""
    email: str = ""
    tool: str = DEFAULT_TOOL
    base_url: str = DEFAULT_EUTILS_URL
    max_tries: int = 5
    backoff: float = 2.0

    @classmethod
    def from_env(cls) -> NcbiSettings:
        base = os.environ.get("GAPMAP_EUTILS_URL", "").strip() or DEFAULT_EUTILS_URL
        return cls(
            api_key=os.environ.get("NCBI_API_KEY", "").strip(),
            email=os.environ.get("NCBI_EMAIL", "").strip(),
            tool=os.environ.get("NCBI_TOOL", "").strip() or DEFAULT_TOOL,
            base_url=base if base.endswith("/") else base + "/",
            max_tries=max(1, int(_number("GAPMAP_EUTILS_TRIES", 5))),
            backoff=max(0.0, _number("GAPMAP_EUTILS_BACKOFF", 2.0)),
        )

    @property
    def min_interval(self) -> float:
        """Seconds between two requests that NCBI's rate limit allows."""
        return INTERVAL_WITH_KEY if self.api_key else INTERVAL_WITHOUT_KEY

    def redact(self, text: str) -> str:
        """``text`` with the API key removed, for anything that is printed, logged or raised."""
        text = _KEY_IN_TEXT.sub(r"\1***", text)
        return text.replace(self.api_key, "***") if self.api_key else text

    def __repr__(self) -> str:  # the dataclass repr would print the key
        key = "***" if self.api_key else ""
        return f"NcbiSettings(api_key={key!r}, email={self.email!r}, tool={self.tool!r}, base_url={self.base_url!r})"


def _number(name: str, default: float) -> float:
    """A numeric setting; a malformed value is an error that names the variable (never silently ignored)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise GapmapError(f"{name}={raw!r} is not a number", hint=f"unset {name} or give a number") from None
