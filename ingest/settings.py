"""NCBI E-utilities settings: the part of :mod:`core.settings` that talks to PubMed.

Why the environment: the API key is a secret and must never sit in a config file, a command line (shell
history, ``ps``) or a log.  The other values travel with it so that one ``export`` block configures a run
(``NCBI_API_KEY``, ``NCBI_EMAIL``, ``NCBI_TOOL``, ``GAPMAP_EUTILS_URL``, ``GAPMAP_EUTILS_TRIES``,
``GAPMAP_EUTILS_BACKOFF``; the README's settings table says what each means).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.settings import DEFAULT_EUTILS_URL, settings

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
    tool: str = "gapmap"
    base_url: str = DEFAULT_EUTILS_URL
    max_tries: int = 5
    backoff: float = 2.0

    @classmethod
    def from_env(cls) -> NcbiSettings:
        env = settings()
        return cls(
            api_key=env.ncbi_api_key.reveal(),
            email=env.ncbi_email,
            tool=env.ncbi_tool,
            base_url=env.eutils_url,
            max_tries=env.eutils_tries,
            backoff=env.eutils_backoff,
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
