"""Inputs are recognised by their content, and a file with nothing to ingest says so (issue 14, class 7).

``gapmap ingest files <(zcat …)`` hands gapmap ``/dev/fd/63``: no name to go by, and a pipe cannot be
opened twice (the gzip probe used to open it once, then again to read, missing the first bytes: "unrecognised
format").  An XML file holding no PubMed records (an SVG, PubMed XML put in a namespace) used to pass with
exit 0 and "0 rejected".
"""

from __future__ import annotations

import gzip
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import need
from typer.testing import CliRunner

from gapmap.cli import app
from ingest.store import ArticleStore

GAPMAP = Path(sys.executable).with_name("gapmap")
_PMIDS = (
    r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>",
    r"^PMID- (\d+)",
    r'^\{"pmid": "(\d+)"',
)


def pmids_in(*paths: Path) -> set[str]:
    found: set[str] = set()
    for path in paths:
        data = path.read_bytes()
        text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")
        found |= {p for pattern in _PMIDS for p in re.findall(pattern, text, re.M)}
    return found


def test_process_substitution_pipes_are_read_by_content(shared: Path, tmp_path: Path) -> None:
    need(shutil.which("bash") is not None, "bash is needed for <(…) process substitution")
    gregory = shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"
    xml_gz = shared / "pubmed_xml_samples" / "ncbiutils" / "multiple.xml.gz"
    medline = shared / "pubmed_xml_samples" / "ncbiutils" / "medlines.txt"
    pipes = f"<(zcat {shlex.quote(str(gregory))}) <(cat {shlex.quote(str(xml_gz))}) <(cat {shlex.quote(str(medline))})"
    home = tmp_path / "home"
    command = f"{shlex.quote(str(GAPMAP))} --home {shlex.quote(str(home))} ingest files {pipes}"

    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=600, check=False)

    assert done.returncode == 0, done.stderr
    assert "0 rejected" in done.stderr and "unrecognised" not in done.stderr
    with ArticleStore(home / "articles.sqlite") as store:
        assert store.pmids() == pmids_in(gregory, xml_gz, medline)


def test_xml_without_pubmed_records_is_one_rejection(shared: Path, tmp_path: Path) -> None:
    real = gzip.decompress((shared / "pubmed_xml_samples" / "ncbiutils" / "multiple.xml.gz").read_bytes()).decode()
    folder = tmp_path / "in"
    folder.mkdir()
    svg = folder / "figure.xml"  # named .xml, as an exported figure might be
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9"><rect width="9" height="9"/></svg>\n')
    namespaced = folder / "namespaced.xml"  # real records, but every element in a namespace
    namespaced.write_text(real.replace("<PubmedArticleSet>", '<PubmedArticleSet xmlns="urn:example:pubmed">', 1))
    empty = folder / "empty.xml"
    empty.write_text('<?xml version="1.0"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n')
    good = shared / "pubmed_xml_samples" / "biopython" / "pubmed2.xml"

    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "ingest", "files", str(folder), str(good)])

    assert result.exit_code == 1, result.output
    out = "".join(result.output.split())  # rich wraps long lines, even inside a path
    assert "3rejected" in out
    for path in (svg, namespaced, empty):
        assert "".join(f"rejected {path}: no PubMed records found in {path} (read as XML".split()) in out
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == pmids_in(good)
