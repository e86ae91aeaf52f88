"""Updates apply in file order: the last event for a PMID wins, whatever ``--batch-size`` (issue 14, class 2).

PubMed's update files delete records (``DeleteCitation``) and later files add them back.  A batch once
wrote its upserts before its deletions, so a re-add that shared a batch with the deletion was deleted, and
the result depended on the batch size.  The expected store is computed here by replaying the files' events
with plain regexes, independently of the parser and the store.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gapmap.cli import app
from ingest.store import ArticleStore

_RECORD = re.compile(r"<PubmedArticle>.*?</PubmedArticle>", re.S)
_EVENT = re.compile(r"<PubmedArticle>.*?</PubmedArticle>|<DeleteCitation>.*?</DeleteCitation>", re.S)
_PMID = re.compile(r"<PMID[^>]*>(\d+)</PMID>")


def xml_file(path: Path, *parts: str) -> Path:
    path.write_text("<PubmedArticleSet>\n" + "\n".join(parts) + "\n</PubmedArticleSet>\n", encoding="utf-8")
    return path


def delete(*records: str) -> str:
    pmids = "".join(f'<PMID Version="1">{pmid_of(r)}</PMID>' for r in records)
    return f"<DeleteCitation>{pmids}</DeleteCitation>"


def pmid_of(record: str) -> str:
    found = _PMID.search(record)
    assert found
    return found[1]


def replay(files: list[Path]) -> set[str]:
    """PMIDs left after applying every file's records and deletions in order (last event wins)."""
    stored: set[str] = set()
    for path in files:
        data = path.read_bytes()
        text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
        for event in _EVENT.finditer(text):
            if event[0].startswith("<DeleteCitation>"):
                stored -= set(_PMID.findall(event[0]))
            else:
                stored.add(pmid_of(event[0]))
    return stored


@pytest.fixture(scope="module")
def update_run(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A base file, then updates that delete records and add some back, in one file and across files.

    The re-adds include the last PMID of each ``DeleteCitation``: the one a batch used to hold back and
    apply after the upserts that followed it.
    """
    samples = shared / "pubmed_xml_samples" / "ncbiutils"
    r = _RECORD.findall(gzip.decompress((samples / "multiple.xml.gz").read_bytes()).decode("utf-8"))
    folder = tmp_path_factory.mktemp("updates")
    files = [
        xml_file(folder / "a_base.xml", *r[:20]),
        xml_file(folder / "b_delete_then_readd.xml", delete(*r[:10]), *r[5:10]),  # one file: delete, re-add
        xml_file(folder / "c_delete.xml", delete(*r[10:15])),
        xml_file(folder / "d_readd.xml", *r[13:15]),  # two files: the re-add comes in the next file
        xml_file(folder / "e_add_then_delete.xml", *r[20:25], delete(*r[22:25])),
    ]
    real_update = folder / "f_pubmed22n1313.xml.gz"  # a real update file, its own records and DeleteCitation
    real_update.write_bytes((samples / "pubmed22n1313.xml.gz").read_bytes())
    return [*files, real_update]


def ingest_all(home: Path, files: list[Path], batch_size: int) -> str:
    """The run's summary line: "N new, N updated, … N rejected"."""
    result = CliRunner().invoke(
        app, ["--home", str(home), "ingest", "files", *map(str, files), "--batch-size", str(batch_size)]
    )
    assert result.exit_code == 0, result.output
    summary = re.search(r"\d+ new, .* rejected", " ".join(result.output.split()))
    assert summary, result.output
    return summary[0]


def test_last_event_wins_whatever_the_batch_size(update_run: list[Path], tmp_path: Path) -> None:
    expected = replay(update_run)
    readded = {
        pmid_of(r) for r in _RECORD.findall(update_run[1].read_text()) + _RECORD.findall(update_run[3].read_text())
    }
    assert readded and readded <= expected
    summaries, contents = {}, {}
    for batch_size in (1, 2, 7, 500):
        home = tmp_path / f"batch-{batch_size}"
        summaries[batch_size] = ingest_all(home, update_run, batch_size)
        with ArticleStore(home / "articles.sqlite") as store:
            assert store.pmids() == expected, f"--batch-size {batch_size}"
            contents[batch_size] = [a.to_dict() for a in store.iter_articles()]
            fts = store.connection.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
            assert fts == len(expected)  # the search index follows every deletion and re-add
    assert len(set(summaries.values())) == 1, summaries
    assert all(c == contents[1] for c in contents.values())


def test_rerun_of_the_same_updates_ends_in_the_same_store(update_run: list[Path], tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest_all(home, update_run, 500)
    with ArticleStore(home / "articles.sqlite") as store:
        first = [a.to_dict() for a in store.iter_articles()]
    ingest_all(home, update_run, 3)  # replays the deletions and re-adds, cut into other batches
    with ArticleStore(home / "articles.sqlite") as store:
        assert store.pmids() == replay(update_run)
        assert [a.to_dict() for a in store.iter_articles()] == first
