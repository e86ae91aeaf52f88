"""gapmap works as an installed wheel, not only from a checkout: queries, model, portfolio and app are package data.

The wheel is built from this checkout and installed with pip into a fresh virtual environment, without the
editable install. Its third-party dependencies come from the test run's own environment through a path entry
(installing spaCy and friends again would take minutes), which adds their folder to ``sys.path`` without running
that folder's ``.pth`` files: the checkout's editable finder is never installed, so every gapmap module and data
file the commands use must come from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The environment of every command here, without a PYTHONPATH that could put the checkout back on the path.
CLEAN_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "COLUMNS": "250"}


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built gapmap wheel; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
        env=CLEAN_ENV,
    )
    (wheel,) = (work / "dist").glob("gapmap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "app.py",
        "queries/top_entities.cypher",
        "nlp/model/config.cfg",
        "nlp/relation_model/weights.npz",  # the relation model's weights too, not only its model.json
        "ingest/portfolios/ipmsa.yaml",
    ):
        assert shipped in names, f"{shipped} missing from {wheel.name}"
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=CLEAN_ENV)
    subprocess.run(
        [venv / "bin" / "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        cwd=work,
        env=CLEAN_ENV,
    )
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _gapmap(bin_dir: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Run from an empty folder, so nothing of the checkout is importable from the current directory.
    return subprocess.run(
        [bin_dir / "gapmap", "--home", str(home), *args],
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=600,
        env=CLEAN_ENV,
    )


def test_wheel_runs_named_queries_on_a_small_workspace(wheel_env: Path, shared: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [wheel_env / "python", "-c", "import graph.queries, gapmap; print(graph.queries.QUERY_DIR, gapmap.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env=CLEAN_ENV,
    ).stdout
    assert str(ROOT) not in where and "site-packages" in where

    home = tmp_path / "ws"
    records = shared / "pubmed_xml_samples" / "ncbiutils" / "pubmed.xml.gz"
    assert _gapmap(wheel_env, home, "ingest", "files", str(records)).returncode == 0
    loaded = _gapmap(wheel_env, home, "load")
    assert loaded.returncode == 0, loaded.stderr

    listed = _gapmap(wheel_env, home, "query", "list")
    catalogue = listed.stdout + listed.stderr  # the table goes to the console (stderr)
    assert listed.returncode == 0 and "top_entities" in catalogue and "search_publications" in catalogue
    counts = _gapmap(wheel_env, home, "query", "overview_counts", "--json")
    assert counts.returncode == 0, counts.stderr
    (row,) = json.loads(counts.stdout)
    assert row["publications"] > 0
