"""Faults around the article store end in one readable line, never a traceback (issue 14, class 5 of the probe).

Run as a user would: the installed ``gapmap`` in subprocesses (started together, to keep the test short),
on real records: two ingests on one workspace at once, a damaged ``articles.sqlite``, a ``--home`` that is
a file or cannot be created.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from ingest.files import iter_paths

GAPMAP = Path(sys.executable).with_name("gapmap")


def run_together(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start every ``gapmap`` command at once, then wait for all of them."""
    procs = [
        subprocess.Popen([str(GAPMAP), *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands
    ]
    done = []
    for proc, command in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
    return done


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The ``error:`` line of a command that failed cleanly: exit 2, no traceback, one error line + a hint."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert [line.split(":")[0] for line in lines] == ["error", "hint"], done.stderr
    return lines[0]


def expected_pmids(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in iter_paths(paths):
        data = path.read_bytes()
        text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")
        found |= set(re.findall(r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", text))
        found |= set(re.findall(r'^\{"pmid": "(\d+)"', text, re.M))
        found |= set(re.findall(r"^PMID- (\d+)", text, re.M))
        deleted = re.findall(r"<DeleteCitation>(.*?)</DeleteCitation>", text, re.S)
        found -= {p for block in deleted for p in re.findall(r"<PMID[^>]*>(\d+)</PMID>", block)}
    return found


def test_two_ingests_on_one_workspace_take_turns(shared: Path, tmp_path: Path) -> None:
    """They once crossed inside a batch (read, then write) and one died of an IntegrityError."""
    gregory = shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"
    samples = shared / "pubmed_xml_samples"
    home = str(tmp_path / "home")
    first, second = run_together(  # opposite orders and small batches: the runs meet on the same PMIDs
        ["--home", home, "ingest", "files", str(gregory), str(samples), "--batch-size", "5"],
        ["--home", home, "ingest", "files", str(samples), str(gregory), "--batch-size", "7"],
    )
    for done in (first, second):
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    expected = expected_pmids([gregory, samples])
    with sqlite3.connect(tmp_path / "home" / "articles.sqlite") as conn:
        assert {str(p) for (p,) in conn.execute("SELECT pmid FROM articles")} == expected
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == len(expected)
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")  # raises if not
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = conn.execute("SELECT stored, rejected FROM ingest_runs").fetchall()
    assert runs == [(len(expected), 0)] * 2  # each run stored (or found unchanged) every record


def test_damaged_store_is_one_line_and_left_as_it_was(shared: Path, tmp_path: Path) -> None:
    sample = shared / "pubmed_xml_samples" / "biopython" / "pubmed1.xml"
    real = tmp_path / "real"
    done = run_together(["--home", str(real), "ingest", "files", str(sample)])[0]
    assert done.returncode == 0, done.stderr
    store = (real / "articles.sqlite").read_bytes()
    damaged, foreign = tmp_path / "damaged", tmp_path / "foreign"
    damaged.mkdir()
    foreign.mkdir()
    # a real store with its pages after the header overwritten, and a file that is no database at all
    (damaged / "articles.sqlite").write_bytes(store[:100] + bytes(len(store) - 100))
    (foreign / "articles.sqlite").write_bytes(sample.read_bytes())
    before = {home: (home / "articles.sqlite").read_bytes() for home in (damaged, foreign)}

    results = run_together(
        ["--home", str(damaged), "ingest", "files", str(sample)],
        ["--home", str(damaged), "stats"],
        ["--home", str(foreign), "ingest", "files", str(sample)],
        ["--home", str(foreign), "stats"],
    )

    for done in results[:2]:
        assert f"article store {damaged / 'articles.sqlite'}:" in one_line_error(done)
    for done in results[2:]:
        assert "the file is not an SQLite database" in one_line_error(done)
    assert {home: (home / "articles.sqlite").read_bytes() for home in before} == before


def test_home_that_is_a_file_or_cannot_be_created(shared: Path, tmp_path: Path) -> None:
    sample = shared / "pubmed_xml_samples" / "biopython" / "pubmed1.xml"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    is_file, under_file = run_together(
        ["--home", str(a_file), "ingest", "files", str(sample)],
        ["--home", str(a_file / "sub"), "stats"],
    )
    assert one_line_error(is_file) == f"error: cannot use {a_file} as the workspace: it is a file"
    assert one_line_error(under_file).startswith(f"error: cannot use {a_file / 'sub'} as the workspace: ")
    assert a_file.read_text(encoding="utf-8") == "not a folder"
