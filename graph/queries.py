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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from core.errors import GapmapError

#: The ``queries`` package's folder, wherever gapmap is installed (a checkout, or a wheel in site-packages).
QUERY_DIR = Path(str(resources.files("queries")))
BACKENDS = ("embedded", "neo4j")
_PARAM = re.compile(r"^(\w+)\s*:\s*(string|int|float|bool|list)\s*(?:=\s*(.*))?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any

    def coerce(self, value: Any) -> Any:
        """``value`` as the declared type; strings (from the CLI) are parsed."""
        if value is None:
            return None
        try:
            if self.type == "string":
                return str(value)
            if self.type == "int":
                return int(value)
            if self.type == "float":
                return float(value)
            if self.type == "bool":
                if isinstance(value, str):
                    if value.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                        raise ValueError(value)
                    return value.lower() in {"true", "1", "yes"}
                return bool(value)
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            return [str(v) for v in value]
        except (TypeError, ValueError) as exc:
            raise GapmapError(f"parameter {self.name}: {value!r} is not a {self.type}") from exc


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
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise GapmapError(
                f"query {self.name} has no parameter {', '.join(unknown)}",
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
        queries[name] = Query(name, header.get("description", ""), header["params"], returns, texts)
    return queries


def get(name: str) -> Query:
    queries = catalogue()
    if name not in queries:
        raise GapmapError(f"no query named {name!r}", hint=f"known queries: {', '.join(sorted(queries))}")
    return queries[name]
