"""Readers of the embedded graph never write it, and readers and a load never corrupt or block each other.

The explorer, ``gapmap query``, ``gapmap analytics`` and ``gapmap stats`` open ``graph.lbug`` read-only, so the
file is byte-for-byte the same after them.  ``gapmap load`` writes a staged copy and publishes it whole
(graph.staging): a reader opened before the load keeps reading the complete old graph while it runs and after,
a reader opened after it sees the new one, two loads at once end in one clear message, and the explorer shows a
new load at its next page view, without a restart.

The corpus is the one the app tests build with the real CLI (shared oligodendrocyte/dementia MEDLINE set); the
change a load publishes is a portfolio that links two of its papers to an award, so no NLP has to run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, built_corpus, gapmap, rows
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore

FUNDED = "overview_counts"


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory, shared: Path, tmp_path: Path) -> Path:
    """A private copy of the loaded test corpus."""
    copy = tmp_path / "home"
    shutil.copytree(built_corpus(tmp_path_factory.getbasetemp(), shared), copy)
    return copy


def link_two_papers(home: Path) -> list[str]:
    """Store a portfolio whose award lists two papers of the corpus (the next load links them)."""
    pmids = [str(r["pmid"]) for r in rows(home, "search_publications", q="myelin", limit=2)]
    portfolio = home / "portfolio.yaml"
    portfolio.write_text(
        "funder: Reader Test Fund\nprogrammes:\n- id: rt-1\n  name: Reader test round\n  year: 2020\n"
        f"awards:\n- award_id: rt-award\n  programme_id: rt-1\n  title: myelin repair\n  pmids: [{', '.join(pmids)}]\n"
    )
    gapmap(home, "ingest", "funding", str(portfolio))
    return pmids


def test_readers_leave_the_graph_file_untouched(home: Path) -> None:
    graph_file = home / "graph.lbug"
    before = fingerprint(graph_file)
    gapmap(home, "analytics", "gaps", "--top", "3", "--backend", "embedded")
    gapmap(home, "query", "overview_counts", "--backend", "embedded")
    gapmap(home, "stats")
    assert fingerprint(graph_file) == before
    assert {p.name for p in home.glob("graph.lbug*")} <= {"graph.lbug", "graph.lbug.lock"}  # no log, no staged copy


def test_a_load_publishes_whole_while_readers_read(home: Path) -> None:
    graph_file = home / "graph.lbug"
    old = rows(home, FUNDED)[0]
    pmids = link_two_papers(home)
    reader = EmbeddedStore(graph_file, read_only=True)  # a long-lived reader, like the explorer's
    try:
        load = subprocess.Popen(
            [sys.executable, "-m", "gapmap", "--home", str(home), "load", "--backend", "embedded"],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen = set()
        while load.poll() is None:  # during the load: the published graph is the old one, whole
            assert reader.query(FUNDED)[0] == old
            seen.add(json.dumps(rows(home, FUNDED)[0], sort_keys=True))
            time.sleep(0.2)
        assert load.returncode == 0, load.stderr.read() if load.stderr else ""
        assert reader.query(FUNDED)[0] == old  # the old reader still reads the old, complete file
    finally:
        reader.close()
    new = rows(home, FUNDED)[0]
    assert new["funded_publications"] == old["funded_publications"] + len(pmids)
    # every fresh reader saw either the old graph or the new one, nothing in between
    assert seen <= {json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True)}
    assert sorted(p.name for p in home.glob("graph.lbug*")) == ["graph.lbug", "graph.lbug.lock"]


def test_two_loads_at_once_end_in_one_clear_message(home: Path) -> None:
    link_two_papers(home)
    command = [sys.executable, "-m", "gapmap", "--home", str(home), "load", "--backend", "embedded"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while not (home / "graph.lbug.next").exists() and first.poll() is None:
        time.sleep(0.05)
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    _, first_err = first.communicate()
    assert first.returncode == 0, first_err
    assert second.returncode == 2
    assert f"being written by gapmap load (PID {first.pid})" in second.stderr and "hint:" in second.stderr
    assert rows(home, FUNDED)[0]["funded_publications"] > 0


def test_the_explorer_shows_a_new_load_without_a_restart(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPMAP_HOME", str(home))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    first = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    second = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)  # a second user of the same server
    first.run()
    second.run()
    old = rows(home, FUNDED)[0]
    for at in (first, second):
        assert {m.label: m.value for m in at.metric}[
            "Funded share"
        ] == f"{old['funded_publications'] / old['publications']:.1%}"
    link_two_papers(home)
    gapmap(home, "load", "--backend", "embedded")  # while both sessions hold the graph open
    new = rows(home, FUNDED)[0]
    assert new["funded_publications"] > old["funded_publications"]
    for at in (first, second):
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = {m.label: m.value for m in at.metric}["Funded share"]
        assert shown == f"{new['funded_publications'] / new['publications']:.1%}"


def test_a_reader_of_a_missing_graph_gets_a_hint(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(tmp_path), "analytics", "gaps", "--backend", "embedded"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert done.returncode == 2 and "gapmap load" in done.stderr
    assert not (tmp_path / "graph.lbug").exists()
