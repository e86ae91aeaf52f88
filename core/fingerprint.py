"""Which files a stage's output depends on, and one digest of their content.

A stage that caches its output (the NLP stage stores mentions with the version that made them) must notice any
change to the code or data behind it. A hand-kept list of modules falls behind; following the imports does not.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path

#: The project's own top-level packages (third-party imports are versioned by their installs, not hashed).
PROJECT_PACKAGES = ("core", "ingest", "nlp", "graph", "analytics")
DATA_SUFFIXES = (".yaml", ".json", ".tsv", ".cfg", ".gz")


def module_files(module: str) -> list[Path]:
    """The source files of ``module`` and of every project module it imports, directly or not, sorted."""
    seen: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        if name in seen or name.split(".")[0] not in PROJECT_PACKAGES:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # ``from module import function`` names no module
            continue
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        path = Path(spec.origin)
        seen[name] = path
        pending += _imports(path, name, is_package=path.name == "__init__.py")
        pending += [name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)]  # parents' __init__ run first
    return sorted(set(seen.values()))


def package_data_files(folder: Path) -> list[Path]:
    """The data files (lexicons, configs) directly in a package folder."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in DATA_SUFFIXES)


def content_digest(files: Iterable[Path]) -> str:
    """SHA-1 over the files' names and bytes, in the order given."""
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _imports(path: Path, module: str, *, is_package: bool) -> list[str]:
    """Absolute names of the modules ``path`` imports anywhere in its body (also inside functions)."""
    package = module if is_package else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names.append(base)
            names += [f"{base}.{alias.name}" for alias in node.names]  # ``from pkg import module``
    return names
