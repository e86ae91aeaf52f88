"""The layering DEVELOPERS.md promises, read from the code: imports point the way the data flows.

``core`` is the base every stage may use; ``ingest`` and ``nlp`` know nothing of ``graph``, the analytics, the
explorer or the CLI; ``graph`` knows the records but not the app; the CLI (``gapmap``) and the app sit on top.
The test parses every module's imports (also those inside functions) rather than trusting a diagram.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Layer of each top-level package: a module may import its own layer or a lower one, never a higher one.
LAYERS = {"core": 0, "ingest": 1, "nlp": 2, "graph": 3, "analytics": 4, "explorer": 5, "gapmap": 6, "app": 6}


def imported_packages(path: Path) -> set[str]:
    """The project's top-level packages that the module at ``path`` imports (relative imports stay inside)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & LAYERS.keys()


def import_table() -> dict[str, set[str]]:
    """package → the other project packages its modules import."""
    table: dict[str, set[str]] = {}
    for package in LAYERS:
        files = [ROOT / "app.py"] if package == "app" else sorted((ROOT / package).rglob("*.py"))
        table[package] = set().union(*(imported_packages(f) for f in files)) - {package}
    return table


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{package} → {target}"
        for package, targets in import_table().items()
        for target in sorted(targets)
        if LAYERS[target] > LAYERS[package]
    ]
    assert not upward, f"imports against the data flow: {upward}"


def test_import_graph_is_acyclic_and_matches_the_layers() -> None:
    table = import_table()
    # What each layer actually uses; a new arrow is a design decision, so it shows up here first.
    assert table["core"] == set()
    assert table["ingest"] == {"core"}
    assert table["nlp"] <= {"core", "ingest"}
    assert "gapmap" not in set().union(*(table[p] for p in ("core", "ingest", "nlp", "graph", "analytics", "explorer")))
    assert "explorer" not in set().union(*(table[p] for p in ("core", "ingest", "nlp", "graph", "analytics")))


def test_the_layer_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from gapmap.runtime import console\n    import graph.load\n")
    assert imported_packages(module) == {"gapmap", "graph"}


COMMAND_MODULES = sorted(
    f"gapmap.commands.{p.stem}" for p in (ROOT / "gapmap" / "commands").glob("*.py") if p.stem != "__init__"
)


@pytest.mark.parametrize("module", [*COMMAND_MODULES, "gapmap.cli", "explorer.data"])
def test_each_module_imports_on_its_own_in_a_fresh_interpreter(module: str) -> None:
    """No import cycle hides behind an import order that the test run happens to provide."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
