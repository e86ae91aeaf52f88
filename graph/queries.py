"""Named, parameterised Cypher queries from ``queries/*.cypher``.

Each file starts with a header of ``//`` comments::

    // name: entity_search
    // description: Entities whose name, synonym or id matches q.
    // param q: string = ""
    // param limit: int = 25
    // returns: id, name, type, papers

A per-backend variant (``NAME.embedded.cypher`` / ``NAME.neo4j.cypher``) replaces the portable file on that
backend where the dialects differ.  Parameters are declared with a type and a default, so callers (the CLI
passes strings) get values coerced to the declared type, unknown names are refused, and user input only
ever reaches the database as a bound parameter.

Every value is checked against its declared type *before* the database sees it, so that a bad value is one
:class:`~core.errors.GapmapError` and never a driver error: integers fit in 64 bits, floats are finite,
strings are valid UTF-8, lists hold strings, and a parameter used as ``LIMIT $x`` or ``SKIP $x`` in the query
is not negative.  (LadybugDB caches a statement prepared with a negative LIMIT and then fails every later run
of that query on the same connection, so refusing it up front also keeps the connection usable.)  ``None``
means "not given": the declared default.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from core.errors import GapmapError
from core.output import is_text

#: The ``queries`` package's folder, wherever gapmap is installed (a checkout, or a wheel in site-packages).
QUERY_DIR = Path(str(resources.files("queries")))
BACKENDS = ("embedded", "neo4j")
_PARAM = re.compile(r"^(\w+)\s*:\s*(string|int|float|bool|list)\s*(?:=\s*(.*))?$")
#: Parameters a query uses as a row count: ``LIMIT $limit``, ``SKIP $offset``.
_COUNT = re.compile(r"(?i)\b(?:LIMIT|SKIP)\s+\$(\w+)")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
_HINTS = {
    "string": "give text",
    "int": "give a whole number that fits in 64 bits",
    "float": "give a finite number",
    "bool": "give true or false",
    "list": "give comma-separated values",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    minimum: int | None = None  # set for row counts (LIMIT/SKIP): 0

    def describe(self) -> str:
        """``name: type = default`` (``int >= 0`` for a row count), as ``gapmap query list`` shows it."""
        bound = f" >= {self.minimum}" if self.minimum is not None else ""
        return f"{self.name}: {self.type}{bound} = {json.dumps(self.default)}"

    def coerce(self, value: Any) -> Any:
        """``value`` as the declared type; strings (from the CLI) are parsed; anything else is a GapmapError."""
        if value is None:
            return self.default
        try:
            if not isinstance(value, str | bytes) and callable(getattr(value, "tolist", None)):
                value = value.tolist()  # NumPy scalars and arrays (np.int64 is no int): their Python values
            coerced = _COERCE[self.type](value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise GapmapError(
                f"parameter {self.name}: {_shown(value)} is not a {self.type}", hint=_HINTS[self.type]
            ) from exc
        if self.minimum is not None and coerced < self.minimum:
            raise GapmapError(
                f"parameter {self.name}: {coerced} is below {self.minimum}",
                hint=f"{self.name} is a number of rows: give {self.minimum} or more",
            )
        return coerced


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(type(value).__name__)
    text = str(value)
    if not is_text(text):
        raise ValueError("not UTF-8 text")
    return text


def _int(value: Any) -> int:
    if isinstance(value, str):
        number = int(value.strip())
    elif isinstance(value, float):
        if not value.is_integer():  # nan and inf too
            raise ValueError(value)
        number = int(value)
    elif isinstance(value, int):
        number = int(value)
    else:
        raise TypeError(type(value).__name__)
    if not INT64_MIN <= number <= INT64_MAX:
        raise OverflowError("beyond 64 bits")
    return number


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(type(value).__name__)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(value)


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in _text(value).split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    raise TypeError(type(value).__name__)


_COERCE: dict[str, Callable[[Any], Any]] = {"string": _text, "int": _int, "float": _float, "bool": _bool, "list": _list}


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    params: dict[str, Param]
    returns: tuple[str, ...]
    text: dict[str, str] = field(default_factory=dict)  # backend -> Cypher

    def cypher(self, backend: str) -> str:
        return self.text[backend]

    def bind(self, params: dict[str, Any] | None) -> dict[str, Any]:
        """Declared defaults overlaid with ``params`` coerced to their types; unknown names are an error."""
        params = params or {}
        unknown = sorted(map(str, set(params) - set(self.params)))
        if unknown:
            raise GapmapError(
                f"query {self.name} has no parameter {', '.join(map(_shown, unknown))}",
                hint=f"parameters: {', '.join(self.params) or '(none)'}",
            )
        return {n: p.coerce(params[n]) if n in params else p.default for n, p in self.params.items()}


def _parse(path: Path) -> tuple[dict[str, Any], str]:
    header: dict[str, Any] = {"params": {}}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not body and stripped.startswith("//"):
            key, _, value = stripped[2:].strip().partition(":")
            key, value = key.strip(), value.strip()
            if key.startswith("param "):
                m = _PARAM.match(f"{key[6:]}:{value}")
                if not m:
                    raise GapmapError(f"{path.name}: bad parameter line {stripped!r}")
                name, type_, default = m.group(1), m.group(2), m.group(3)
                header["params"][name] = Param(name, type_, json.loads(default) if default else None)
            elif key in {"name", "description", "returns"}:
                header[key] = value
        elif stripped or body:
            body.append(line)
    return header, "\n".join(body).strip()


@cache
def catalogue(directory: Path = QUERY_DIR) -> dict[str, Query]:
    """All queries of ``directory`` by name."""
    portable: dict[str, tuple[dict[str, Any], str]] = {}
    variants: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.cypher")):
        parts = path.name.split(".")
        header, text = _parse(path)
        if len(parts) == 3 and parts[1] in BACKENDS:
            variants[(parts[0], parts[1])] = text
        else:
            portable[parts[0]] = (header, text)
    queries = {}
    for name, (header, text) in portable.items():
        if header.get("name", name) != name:
            raise GapmapError(f"{name}.cypher: header names it {header['name']!r}")
        returns = tuple(c.strip() for c in header.get("returns", "").split(",") if c.strip())
        texts = {b: variants.get((name, b), text) for b in BACKENDS}
        counts = {m for t in texts.values() for m in _COUNT.findall(t)}
        params = {n: replace(p, minimum=0) if n in counts else p for n, p in header["params"].items()}
        queries[name] = Query(name, header.get("description", ""), params, returns, texts)
    return queries


def get(name: str) -> Query:
    queries = catalogue()
    if name not in queries:
        raise GapmapError(f"no query named {name!r}", hint=f"known queries: {', '.join(sorted(queries))}")
    return queries[name]
