"""The layering DEVELOPERS.md promises, read from the code: imports point the way the data flows.

``core`` is the base every stage may use; ``ingest`` and ``nlp`` know nothing of ``graph``, the analytics, the
explorer or the CLI; ``graph`` knows the records but not the app; the CLI (``gapmap``) and the app sit on top.
The test parses every module's imports (also those inside functions) rather than trusting a diagram.
"""

from __future__ import annotations

import ast
import re
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


def test_graph_reads_the_nlp_output_not_its_lexicons() -> None:
    """Loading the graph needs what the NLP stage stored (mentions, concepts, study contexts, MeSH ids), never the
    lexicons and their shared data files; the one exception, for now, is the concept hierarchy of the roll-up
    (graph/hierarchy.py reads the ontologies' parents), which belongs in the NLP stage's output next."""
    used: dict[str, set[str]] = {}
    for path in (ROOT / "graph").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("nlp"):
                used.setdefault(path.name, set()).add(str(node.module))
            elif isinstance(node, ast.Import):
                used.setdefault(path.name, set()).update(a.name for a in node.names if a.name.startswith("nlp"))
    outputs = {"nlp.mention_store", "nlp.records", "nlp.study_context", "nlp.usage"}
    assert set().union(*(m for name, m in used.items() if name != "hierarchy.py")) == outputs
    assert {m for m in used["hierarchy.py"] if m not in outputs} <= {
        "nlp.lexicons",
        "nlp.lexicons.mesh",
        "nlp.lexicons.curated",
    }


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


# -- settings: read in one place, documented in one table -------------------------------------------------------

#: Modules allowed to look at the environment themselves, and why.
ENVIRONMENT_READERS = {
    "core/settings.py": "the one place gapmap's settings are read",
    "core/blas.py": "OpenBLAS's own OPENBLAS_CORETYPE, set before NumPy loads (not a gapmap setting)",
}


def environment_reads(path: Path) -> list[int]:
    """Lines of ``path`` that read a variable from the environment (``os.environ[...]``, ``.get``, ``in``,
    ``os.getenv``); passing the whole environment on to a subprocess (``{**os.environ, ...}``) is no read."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    passed_on = {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for k, value in zip(node.keys, node.values, strict=True)
        if k is None
    }
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
        and (node.attr == "getenv" or (node.attr == "environ" and id(node) not in passed_on))
    )


def project_modules() -> list[Path]:
    files = [ROOT / "app.py", *(ROOT / "bench").rglob("*.py")]
    for package in LAYERS:
        if package != "app":
            files += (ROOT / package).rglob("*.py")
    return sorted(files)


def test_only_core_settings_reads_the_environment() -> None:
    readers = {
        f"{p.relative_to(ROOT)}:{line}"
        for p in project_modules()
        if str(p.relative_to(ROOT)) not in ENVIRONMENT_READERS
        for line in environment_reads(p)
    }
    assert not readers, f"read settings through core.settings.settings(), not the environment: {sorted(readers)}"


def test_the_environment_check_sees_reads_but_not_pass_through(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n"
        "a = os.environ.get('GAPMAP_HOME')\n"
        "b = os.getenv('X')\n"
        "c = 'Y' in os.environ\n"
        "env = {**os.environ, 'GAPMAP_HOME': '/tmp'}\n"
    )
    assert environment_reads(module) == [2, 3, 4]


def documented_variables(text: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, text, flags=re.M))


def test_readme_has_one_table_of_every_setting() -> None:
    source = (ROOT / "core" / "settings.py").read_text(encoding="utf-8")
    body = source[source.index("def settings(") : source.index("def _number(")]
    read = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', body))
    docstring = documented_variables(source.split('"""')[1], r"^``([A-Z][A-Z0-9_]+)``")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Settings\n") :]
    section = section[: section.index("\n## ")]
    table = documented_variables(section, r"^\| `([A-Z][A-Z0-9_]+)` \|")
    assert len(read) >= 16
    assert read == docstring == table, (read ^ table, read ^ docstring)
    # ... and no other page keeps a table of its own (a variable as the first cell of a table row)
    for page in sorted((ROOT / "docs").glob("*.md")):
        rows = documented_variables(page.read_text(encoding="utf-8"), r"^\| `([A-Z][A-Z0-9_]+)` \|")
        assert not rows & read, f"{page.name} keeps its own table of {sorted(rows & read)}: link the README's"
