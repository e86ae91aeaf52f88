"""One hostile record costs only itself: it becomes one rejection naming file, position and reason, and the
rest of its file and batch is stored (issue 14, class 1).

The records are real (the Gregory JSONL file, the PubMed XML and MEDLINE samples), each made hostile in
one of the ways that used to end the run with a traceback and lose the batch in flight.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gapmap.cli import app
from ingest.store import ArticleStore

BAD_LINE = 1201
TOO_BIG = "9" * 25  # beyond 64 bits: SQLite INTEGER cannot hold it


def flat(text: str) -> str:
    """``text`` without whitespace, so a line rich wrapped at the terminal width still matches."""
    return "".join(text.split())


def ingest(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--home", str(home), "ingest", "files", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def gregory_lines(shared: Path) -> list[str]:
    path = shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def _authors_5(record: dict[str, Any]) -> str:
    record["authors"] = 5
    return "field 'authors' must be a list, not int 5"


def _abstract_5(record: dict[str, Any]) -> str:
    record["abstract"] = 5
    return "field 'abstract' must be a list, not int 5"


def _mesh_qualifiers_3(record: dict[str, Any]) -> str:
    record["mesh"] = [{"descriptor_name": "Multiple Sclerosis", "qualifiers": 3}]
    return "field 'qualifiers' must be a list, not int 3"


def _title_object(record: dict[str, Any]) -> str:
    record["title"] = {"text": record["title"]}
    return "field 'title' must be text, not dict"


def _pmid_beyond_64_bits(record: dict[str, Any]) -> str:
    record["pmid"] = TOO_BIG
    return f"PMID {TOO_BIG} is beyond 64 bits"


def _version_beyond_64_bits(record: dict[str, Any]) -> str:
    record["pmid"] = f"{record['pmid']}.{TOO_BIG}"
    return f"PMID version {TOO_BIG} is beyond 64 bits"


@pytest.mark.parametrize(
    "make_hostile",
    [_authors_5, _abstract_5, _mesh_qualifiers_3, _title_object, _pmid_beyond_64_bits, _version_beyond_64_bits],
)
def test_one_bad_jsonl_line_costs_only_itself(make_hostile: Any, shared: Path, tmp_path: Path) -> None:
    lines = gregory_lines(shared)
    assert len(lines) == 3031
    record = json.loads(lines[BAD_LINE - 1])
    reason = make_hostile(record)
    lines[BAD_LINE - 1] = json.dumps(record)
    path = tmp_path / "gregory.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out = ingest(tmp_path / "home", str(path))

    assert code == 1, out
    assert "3030 new" in out and "1 rejected" in out, out
    assert flat(f"{path} (line {BAD_LINE}):") in flat(out) and flat(reason) in flat(out), out
    expected = {json.loads(line)["pmid"] for i, line in enumerate(lines, 1) if i != BAD_LINE}
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == expected


def test_xml_and_medline_pmids_beyond_64_bits_cost_only_their_record(shared: Path, tmp_path: Path) -> None:
    samples = shared / "pubmed_xml_samples"
    xml = gzip.decompress((samples / "ncbiutils" / "multiple.xml.gz").read_bytes()).decode("utf-8")
    xml_pmids = re.findall(r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", xml)
    pmid_tag = re.compile(r'(<MedlineCitation[^>]*>\s*<PMID Version=")1(">)(\d+)(</PMID>)')
    # record 3: a PMID beyond 64 bits; record 7: a version beyond 64 bits (the store once raised OverflowError)
    tags = list(pmid_tag.finditer(xml))
    for index, (version, pmid) in sorted({6: (TOO_BIG, tags[6][3]), 2: ("1", TOO_BIG)}.items(), reverse=True):
        tag = tags[index]
        xml = xml[: tag.start()] + f"{tag[1]}{version}{tag[2]}{pmid}{tag[4]}" + xml[tag.end() :]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xml").write_text(xml, encoding="utf-8")

    medline = (samples / "ncbiutils" / "medlines.txt").read_text(encoding="utf-8")
    medline_pmids = re.findall(r"^PMID- (\d+)", medline, re.M)
    (folder / "b.txt").write_text(medline.replace(f"PMID- {medline_pmids[1]}", f"PMID- {TOO_BIG}"), encoding="utf-8")
    bad_line = medline.splitlines().index(f"PMID- {medline_pmids[1]}") + 1

    code, out = ingest(tmp_path / "home", str(folder), "--batch-size", "1000")

    assert code == 1 and "3 rejected" in out, out
    for rejection in [
        f"{folder / 'a.xml'} (record 3): PMID {TOO_BIG}: PMID {TOO_BIG} is beyond 64 bits",
        f"{folder / 'a.xml'} (record 7): PMID {xml_pmids[6]}: PMID version {TOO_BIG} is beyond 64 bits",
        f"{folder / 'b.txt'} (record 2, line {bad_line}): PMID {TOO_BIG}: PMID {TOO_BIG} is beyond 64 bits",
    ]:
        assert flat(rejection) in flat(out), out
    expected = (set(xml_pmids) - {xml_pmids[2], xml_pmids[6]}) | (set(medline_pmids) - {medline_pmids[1]})
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == expected


@pytest.mark.parametrize(
    ("entry", "reason"),
    [(TOO_BIG, f"PMID {TOO_BIG} is beyond 64 bits"), ("PMC12345", "not a PMID: 'PMC12345'")],
)
def test_delete_citation_entry_that_is_no_pmid_is_rejected_alone(
    entry: str, reason: str, shared: Path, tmp_path: Path
) -> None:
    path = shared / "pubmed_xml_samples" / "ncbiutils" / "pubmed22n1313.xml.gz"
    xml = gzip.decompress(path.read_bytes()).decode("utf-8")
    block = re.search(r"<DeleteCitation>.*?</DeleteCitation>", xml, re.S)
    assert block
    deleted = re.findall(r"<PMID[^>]*>(\d+)</PMID>", block[0])
    hostile = block[0].replace("</DeleteCitation>", f'<PMID Version="1">{entry}</PMID></DeleteCitation>')
    update = tmp_path / "update.xml"
    update.write_text(xml.replace(block[0], hostile), encoding="utf-8")
    kept = re.findall(r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", xml)

    code, out = ingest(tmp_path / "home", str(update))

    assert code == 1 and "1 rejected" in out, out
    assert flat(f"{update} (DeleteCitation after record {len(kept)}): {reason}") in flat(out)
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == set(kept) - set(deleted)
        assert store.stats()["deleted"] == len(deleted)


def test_record_tags_inside_a_title_are_text_not_records(shared: Path, tmp_path: Path) -> None:
    """A <DeleteCitation> in one record's title once deleted another record and cut the title short."""
    xml = gzip.decompress((shared / "pubmed_xml_samples" / "ncbiutils" / "multiple.xml.gz").read_bytes()).decode()
    pmids = re.findall(r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", xml)
    title = re.search(r"<ArticleTitle>(.*?)</ArticleTitle>", xml, re.S)
    assert title
    nested = f"<DeleteCitation><PMID>{pmids[0]}</PMID></DeleteCitation><PubmedArticle>x</PubmedArticle>"
    path = tmp_path / "nested.xml"
    path.write_text(xml.replace(title[0], f"<ArticleTitle>{nested} {title[1]}</ArticleTitle>", 1), encoding="utf-8")

    code, out = ingest(tmp_path / "home", str(path))

    assert code == 0 and "0 deleted, 0 rejected" in " ".join(out.split()), out
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == set(pmids)
        stored = store.get(pmids[0])
        assert stored is not None and stored.title == " ".join(f"{pmids[0]}x {title[1]}".split())


def test_unreadable_date_parts_keep_the_record(shared: Path, tmp_path: Path) -> None:
    """A superscript "²" is a digit to str.isdigit() but not to int(): the month raised and lost the record."""
    xml = (shared / "pubmed_xml_samples" / "biopython" / "pubmed6.xml").read_text(encoding="utf-8")
    pub_date = re.search(r"<PubDate>\s*<Year>(\d{4})</Year>.*?</PubDate>", xml, re.S)
    assert pub_date
    hostile = f"<PubDate><Year>{pub_date[1]}</Year><Month>\u00b2</Month><Day>{'9' * 5000}</Day></PubDate>"
    path = tmp_path / "date.xml"
    path.write_text(xml.replace(pub_date[0], hostile), encoding="utf-8")

    code, out = ingest(tmp_path / "home", str(path))

    assert code == 0, out
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        (pmid,) = store.pmids()
        stored = store.get(pmid)
        assert stored is not None and stored.pub_date == pub_date[1]


def test_exports_that_start_with_a_byte_order_mark(shared: Path, tmp_path: Path) -> None:
    """Windows tools write a UTF-8 BOM: it hid the first JSON line's "{" and the first "PMID-" tag."""
    jsonl = "\n".join(gregory_lines(shared)[:5]) + "\n"
    medline = (shared / "pubmed_xml_samples" / "ncbiutils" / "medlines.txt").read_text(encoding="utf-8")
    (tmp_path / "bom.jsonl").write_text("\ufeff" + jsonl, encoding="utf-8")
    (tmp_path / "bom.txt").write_text("\ufeff" + medline.lstrip(), encoding="utf-8")

    code, out = ingest(tmp_path / "home", str(tmp_path / "bom.jsonl"), str(tmp_path / "bom.txt"))

    assert code == 0 and "0 rejected" in out, out
    expected = {json.loads(line)["pmid"] for line in jsonl.splitlines()} | set(
        re.findall(r"^PMID- (\d+)", medline, re.M)
    )
    with ArticleStore(tmp_path / "home" / "articles.sqlite") as store:
        assert store.pmids() == expected
