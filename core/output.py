"""What leaves the program, made boring: secrets redacted, stored text shown as inert text, CSV cells defused.

Why here, in the base layer: the CLI (``gapmap.runtime``) and the explorer both send text out, and each of these
rules must exist once.  ``redact`` is applied by the CLI to every byte it writes (errors, warnings, progress,
tables, library messages), so no call site has to remember it; ``visible`` and ``csv_cell`` are applied to data
by every renderer that shows or exports it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from core.settings import settings

MASK = "***"
#: Shorter secrets are not masked on their own (masking every "ab" would wreck the output and protect nothing).
MIN_SECRET = 4

#: ``api_key=...`` and its relatives in URLs, query strings and messages (``%3D`` when the URL was quoted again).
_KEY_VALUE = re.compile(
    r"(?i)\b((?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|password|passwd|pwd|secret)"
    r"\s*(?:=|%3D)\s*)([^\s&'\"<>,;)\]]+)"
)
#: Credentials in a URL: ``scheme://user:password@host`` keeps the user and masks the password.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"<>]*:)([^\s@/?#'\"<>]+)(@)")
#: Characters a terminal or a browser would act on rather than show: C0/C1 controls (escape sequences, carriage
#: return, backspace), DEL, and the bidirectional overrides and marks that reorder what follows them.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
#: A cell a spreadsheet would run as a formula (OWASP: =, +, -, @, tab, carriage return); plain numbers are data.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def secret_values(raw: Iterable[str]) -> tuple[str, ...]:
    """The strings to mask for the secrets ``raw``: each secret as written and as a URL would quote it; for a
    URL (``NEO4J_URI``) only its password, so that the host stays readable in "cannot reach ..." messages."""
    found: set[str] = set()
    for secret in raw:
        if "://" in secret:
            try:
                password = urlsplit(secret).password or ""
            except ValueError:  # not parseable: mask it whole
                password = secret
            secret = password
        for form in (secret, quote(secret, safe=""), quote_plus(secret)):
            if len(form) >= MIN_SECRET:
                found.add(form)
    return tuple(sorted(found, key=len, reverse=True))


@lru_cache(maxsize=8)
def _literal_pattern(values: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(map(re.escape, values))) if values else None


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every secret of the environment (``settings().secrets()``, or ``secrets``), every
    ``api_key=...``-like value and every password in a URL replaced by ``***``."""
    values = secret_values(settings().secrets() if secrets is None else secrets)
    literal = _literal_pattern(values)
    if literal is not None:
        text = literal.sub(MASK, text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + MASK, text)
    return _URL_USERINFO.sub(lambda m: m.group(1) + MASK + m.group(3), text)


def visible(text: str) -> str:
    """``text`` with the characters a terminal or browser would interpret (escape sequences, carriage returns,
    bidirectional overrides) written out as ``\\x1b`` / ``\\u202e``: shown, never acted on."""
    return _INVISIBLE.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` on one line (newlines and tabs become spaces), its controls made visible: an error message
    built from stored text or a library's answer must not start a second line or move the cursor."""
    return visible(" ".join(text.split()))


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows instead of running: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` (plain numbers such as ``-0.5`` stay as they are); controls are made
    visible.  Non-text values are returned unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return visible(value)


def to_json(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that keeps non-ASCII text readable (``ensure_ascii=False``) but writes the characters
    :func:`visible` escapes as ``\\uXXXX``: the JSON decodes to the exact stored text, and a terminal shows it
    inert.  (They can only occur inside JSON strings, where ``\\uXXXX`` is the same character.)"""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def is_text(value: str) -> bool:
    """Whether ``value`` can leave the program as UTF-8 (no lone surrogates, as ``surrogateescape`` makes of
    bytes that are not UTF-8 in a command line)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
