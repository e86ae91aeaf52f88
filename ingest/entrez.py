"""Live PubMed through NCBI's E-utilities (esearch → efetch), with Biopython's ``Bio.Entrez`` building requests.

What Bio.Entrez gives us and what it does not (Biopython 1.8x, ``Bio/Entrez/__init__.py``):

* ``_build_request`` encodes the parameters NCBI wants on every call (``tool``, ``email``, ``api_key``,
  None values dropped, id lists joined) and switches to HTTP POST when a request carries ≥ 200 ids or its
  query string would exceed 1,000 characters.  We use it, passing the CGI URL ourselves: ``Entrez.esearch``
  and friends hard-code ``https://eutils.ncbi.nlm.nih.gov/...`` in each function body (there is no base-URL
  constant to change), and building the request from ``base_url + "esearch.fcgi"`` is the one place where
  another base URL (``GAPMAP_EUTILS_URL``: a mirror, a proxy, the offline test server) fits without patching
  the module.  Its module globals (``Entrez.email`` …) are never touched: every value is passed per call.
* ``_open`` does rate limiting and ``max_tries`` retries, but retries 429/5xx at once (it only sleeps
  ``sleep_between_tries`` after network errors), has no timeout (a stalled read hangs forever), and its
  delay is fixed.  So sending is done here: :class:`EntrezClient` spaces requests by the NCBI limit (the
  same 0.37 s / 0.1 s as Bio.Entrez), retries 429, 5xx, timeouts and dropped connections with exponential
  backoff, and turns a service that stays down into one :class:`GapmapError` with a hint.

PubMed's esearch returns at most 10,000 ids per query.  :class:`PubmedFetcher` therefore bisects the
publication-date range until each slice fits the window, fetches the slices newest first, and skips every
PMID the store already has, so a re-run (or a run interrupted by a network failure) fetches only what is
missing.  The slice plan is kept in the workspace's fetch folder, so a re-run does not repeat the bisection.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import http.client
import io
import json
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from Bio import Entrez

from core import atomic
from core.errors import GapmapError
from ingest.pipeline import Event, IngestReport, store_events
from ingest.pubmed_xml import iter_pubmed_xml
from ingest.records import Article, Rejected
from ingest.settings import NcbiSettings
from ingest.store import ArticleStore

ESEARCH_WINDOW = 9_999  # esearch cannot page past record 10,000 of a query
EARLIEST = dt.date(1781, 1, 1)  # oldest publication date in PubMed
SOURCE_FORMAT = "entrez"
_DATE = re.compile(r"^(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?$")
_TRANSIENT_HTTP = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class FetchPolicy:
    """How hard and how fast to fetch; the defaults follow NCBI's guidance, tests shrink them."""

    window: int = ESEARCH_WINDOW  # largest result set one esearch may page through
    batch_size: int = 250  # ids per efetch (Bio.Entrez POSTs from 200 ids on)
    max_tries: int = 5
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    max_backoff: float = 60.0
    timeout: float = 120.0  # seconds for one HTTP exchange
    min_interval: float | None = None  # seconds between requests; None → NCBI's limit for the settings


@dataclass
class SearchResult:
    """One esearch answer: the full count, the ids returned, and the history-server handle."""

    count: int
    ids: list[str]
    webenv: str = ""
    query_key: str = ""


class EntrezClient:
    """E-utilities over HTTP: rate-limited, retried, with the API key kept out of every message."""

    def __init__(self, settings: NcbiSettings, policy: FetchPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or FetchPolicy()
        self._interval = self.policy.min_interval if self.policy.min_interval is not None else settings.min_interval
        self._last_request = 0.0
        self._lock = threading.Lock()

    # -- transport -------------------------------------------------------------------------------

    def _build(self, utility: str, params: dict[str, Any]) -> Request:
        params = {
            **params,
            "tool": self.settings.tool,
            "email": self.settings.email or None,
            "api_key": self.settings.api_key or None,
        }
        with warnings.catch_warnings():
            # Bio.Entrez warns on every call without an email; the CLI says it once instead
            warnings.filterwarnings("ignore", message=r"\s*Email address is not specified")
            request: Request = Entrez._build_request(self.settings.base_url + utility, params)
        return request

    def _pace(self) -> None:
        """Sleep until NCBI's per-second limit allows the next request (shared by retries)."""
        with self._lock:
            wait = self._last_request + self._interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request = time.monotonic()

    def request(self, utility: str, params: dict[str, Any]) -> bytes:
        """The body of one E-utility call, after retries; GapmapError when the service stays unusable."""
        request = self._build(utility, params)
        where = self.settings.redact(f"{self.settings.base_url}{utility}")
        problem = ""
        for attempt in range(1, self.policy.max_tries + 1):
            self._pace()
            retry_after = 0.0
            try:
                with urlopen(request, timeout=self.policy.timeout) as response:
                    body: bytes = response.read()
                    return body
            except HTTPError as exc:
                if exc.code not in _TRANSIENT_HTTP:
                    raise GapmapError(
                        f"PubMed {utility} refused the request: HTTP {exc.code} {exc.reason}{self._error_detail(exc)}",
                        hint="check the query, and NCBI_API_KEY if it is set (an invalid key is refused)",
                    ) from None
                problem = f"HTTP {exc.code} {exc.reason}"
                retry_after = _seconds(exc.headers.get("Retry-After") if exc.headers else None)
            except (URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                problem = str(getattr(exc, "reason", "") or exc) or type(exc).__name__
            if attempt < self.policy.max_tries:
                delay = min(self.policy.max_backoff, self.policy.backoff * 2 ** (attempt - 1))
                time.sleep(max(delay, min(retry_after, self.policy.max_backoff)))
        raise GapmapError(
            f"PubMed E-utilities unreachable at {where}: {self.settings.redact(problem)} "
            f"(after {self.policy.max_tries} tries)",
            hint="check the network or GAPMAP_EUTILS_URL; what was fetched so far is stored, "
            "re-run the same command to fetch the rest",
        )

    def _error_detail(self, exc: HTTPError) -> str:
        try:
            text = exc.read().decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException):
            return ""
        return f": {self.settings.redact(' '.join(text.split()))[:200]}" if text else ""

    # -- utilities -------------------------------------------------------------------------------

    def esearch(
        self, term: str, *, mindate: dt.date | None = None, maxdate: dt.date | None = None, retmax: int = 0
    ) -> SearchResult:
        """Search PubMed (history server on): count, the first ``retmax`` ids, WebEnv and query key."""
        params: dict[str, Any] = {
            "db": "pubmed",
            "term": term,
            "retmode": "json",
            "retmax": retmax,
            "usehistory": "y",
        }
        if mindate or maxdate:
            params.update(
                datetype="pdat",
                mindate=_ncbi_date(mindate or EARLIEST),
                maxdate=_ncbi_date(maxdate or _latest()),
            )
        body = self.request("esearch.fcgi", params)
        try:
            result = json.loads(body)["esearchresult"]
        except (ValueError, KeyError, TypeError):
            raise GapmapError(
                f"PubMed esearch answered something that is not an esearch result: {body[:120]!r}",
                hint="check GAPMAP_EUTILS_URL points at the E-utilities",
            ) from None
        if "ERROR" in result:
            raise GapmapError(f"PubMed esearch error for {term!r}: {result['ERROR']}", hint="check the query syntax")
        return SearchResult(
            count=int(result.get("count", 0)),
            ids=[str(i) for i in result.get("idlist", [])],
            webenv=str(result.get("webenv", "")),
            query_key=str(result.get("querykey", "")),
        )

    def efetch_ids(self, pmids: Sequence[str]) -> bytes:
        """PubMed XML of ``pmids`` (POSTed by Bio.Entrez when there are 200 or more)."""
        return self.request("efetch.fcgi", {"db": "pubmed", "retmode": "xml", "id": list(pmids)})

    def efetch_history(self, search: SearchResult, retstart: int, retmax: int) -> bytes:
        """PubMed XML of records ``retstart … retstart+retmax`` of a search kept on the history server."""
        return self.request(
            "efetch.fcgi",
            {
                "db": "pubmed",
                "retmode": "xml",
                "WebEnv": search.webenv,
                "query_key": search.query_key,
                "retstart": retstart,
                "retmax": retmax,
            },
        )


# -- dates -----------------------------------------------------------------------------------------


def parse_date_bound(text: str, *, end: bool) -> dt.date:
    """``YYYY[/MM[/DD]]`` → the first (or, with ``end``, the last) day it covers; GapmapError if malformed."""
    m = _DATE.match(text.strip())
    try:
        if not m:
            raise ValueError(text)
        year, month, day = int(m[1]), int(m[2] or (12 if end else 1)), m[3]
        if day is None:
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return dt.date(year, month, int(day))
    except ValueError:
        raise GapmapError(f"not a date: {text!r}", hint="write dates as YYYY, YYYY/MM or YYYY/MM/DD") from None


def _ncbi_date(day: dt.date) -> str:
    return day.strftime("%Y/%m/%d")


def _latest() -> dt.date:
    """Upper bound of an open date range: PubMed holds records dated ahead (issues not yet out)."""
    return dt.date(dt.date.today().year + 5, 12, 31)


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0


# -- fetching into the store -----------------------------------------------------------------------


@dataclass
class Slice:
    """A publication-date range whose result set fits in one esearch window (None bounds: no date filter)."""

    mindate: dt.date | None
    maxdate: dt.date | None
    count: int

    def to_json(self) -> list[Any]:
        return [_iso(self.mindate), _iso(self.maxdate), self.count]

    @classmethod
    def from_json(cls, row: list[Any]) -> Slice:
        return cls(_from_iso(row[0]), _from_iso(row[1]), int(row[2]))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _from_iso(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass
class Progress:
    """Callbacks the CLI turns into a progress bar: more work discovered, work done."""

    add_total: Callable[[int], None] = lambda n: None
    advance: Callable[[int], None] = lambda n: None


@dataclass
class PubmedFetcher:
    """Fetch PubMed records into the article store, skipping what it already holds.

    Every efetch answer is stored (one transaction) before the next request is sent, so a failure part-way
    keeps everything fetched until then and a re-run continues where this one stopped.
    """

    client: EntrezClient
    store: ArticleStore
    state_dir: Path | None = None
    progress: Progress = field(default_factory=Progress)
    report: IngestReport = field(default_factory=IngestReport)

    def __post_init__(self) -> None:
        self._known = self.store.pmids()

    # -- PMID lists ------------------------------------------------------------------------------

    def fetch_pmids(self, pmids: Iterable[str]) -> IngestReport:
        """Fetch the listed PMIDs the store lacks; PMIDs PubMed does not return are reported."""
        wanted = list(dict.fromkeys(str(int(p)) for p in pmids))
        missing = [p for p in wanted if p not in self._known]
        self.progress.add_total(len(missing))
        self._fetch_by_id(missing)
        return self.report

    def _fetch_by_id(self, missing: Sequence[str]) -> None:
        size = self.client.policy.batch_size
        for start in range(0, len(missing), size):
            batch = missing[start : start + size]
            self._store(self.client.efetch_ids(batch), f"efetch PMIDs {batch[0]}…{batch[-1]}")
        for pmid in missing:
            if pmid not in self._known:
                self.report.rejected.append(
                    Rejected("PubMed efetch", "not returned by PubMed (unknown or deleted PMID)", pmid=pmid)
                )

    def _store(self, body: bytes, source: str) -> None:
        events: list[Event] = []
        for event in iter_pubmed_xml(io.BytesIO(body), source):
            if isinstance(event, Article):
                event.source_format = SOURCE_FORMAT
            events.append(event)
        part = store_events(events, self.store)
        self.report.result += part.result
        self.report.rejected.extend(part.rejected)
        self.report.seen_pmids |= part.seen_pmids
        self._known |= part.seen_pmids
        self.progress.advance(len(part.seen_pmids) + len(part.rejected))

    # -- queries ---------------------------------------------------------------------------------

    def fetch_query(
        self,
        term: str,
        *,
        mindate: dt.date | None = None,
        maxdate: dt.date | None = None,
        max_records: int | None = None,
    ) -> IngestReport:
        """Fetch every record of ``term`` (or its ``max_records`` newest) that the store lacks."""
        window = self.client.policy.window
        top = self.client.esearch(term, mindate=mindate, maxdate=maxdate, retmax=min(window, max_records or window))
        budget = top.count if max_records is None else min(top.count, max_records)
        if top.count <= window or budget <= window:
            self._fetch_slice(top, budget)
            return self.report
        lo, hi = mindate or EARLIEST, maxdate or _latest()
        saved = self._load_plan(term, mindate, maxdate)
        plan: list[Slice] = []
        covered = 0
        for leaf, search in self._slices(term, lo, hi, saved):
            take = min(leaf.count, window, budget - covered)
            if leaf.count > window:
                self.report.rejected.append(
                    Rejected(
                        "PubMed esearch",
                        f"{leaf.count - window} records published on {leaf.mindate} lie beyond the {window}-record "
                        "search window and were not fetched; narrow the query",
                    )
                )
            self._fetch_slice(search, take)
            covered += leaf.count
            plan.append(leaf)
            self._save_plan(term, mindate, maxdate, plan)
            if covered >= budget:
                break
        if max_records is None and covered < top.count:
            self.report.rejected.append(
                Rejected(
                    "PubMed esearch",
                    f"the date slices hold {covered} records but the query has {top.count}; records without a "
                    "usable publication date were not fetched",
                )
            )
        return self.report

    def _slices(self, term: str, lo: dt.date, hi: dt.date, saved: list[Slice]) -> Iterator[tuple[Slice, SearchResult]]:
        """Date slices of ``[lo, hi]`` that fit the window, newest first, starting from a saved plan's cuts.

        A saved slice is searched again (records keep arriving) and split further if it has outgrown the
        window; the part of the range no saved slice covers is bisected afresh.
        """
        cut = hi
        for leaf in saved:
            if leaf.maxdate != cut or leaf.mindate is None or leaf.mindate < lo:
                break  # not a plan of this range: ignore the rest
            yield from self._bisect(term, leaf.mindate, leaf.maxdate)
            cut = leaf.mindate - dt.timedelta(days=1)
        if cut >= lo:
            yield from self._bisect(term, lo, cut)

    def _bisect(self, term: str, lo: dt.date, hi: dt.date) -> Iterator[tuple[Slice, SearchResult]]:
        window = self.client.policy.window
        search = self.client.esearch(term, mindate=lo, maxdate=hi, retmax=window)
        if search.count <= window or lo == hi:
            yield Slice(lo, hi, search.count), search
            return
        mid = lo + (hi - lo) // 2
        yield from self._bisect(term, mid + dt.timedelta(days=1), hi)
        yield from self._bisect(term, lo, mid)

    def _fetch_slice(self, search: SearchResult, take: int) -> None:
        """Fetch the first ``take`` ids of a search: from the history server when none is stored yet."""
        ids = search.ids[:take]
        missing = [p for p in ids if p not in self._known]
        self.progress.add_total(len(missing))
        size = self.client.policy.batch_size
        if missing and len(missing) == len(ids) and search.webenv and search.query_key:
            for start in range(0, len(ids), size):
                body = self.client.efetch_history(search, start, min(size, len(ids) - start))
                self._store(body, f"efetch records {start + 1}…{min(start + size, len(ids))} of {search.count}")
            missing = [p for p in ids if p not in self._known]
        self._fetch_by_id(missing)

    # -- resumable plan --------------------------------------------------------------------------

    def _plan_path(self, term: str, mindate: dt.date | None, maxdate: dt.date | None) -> Path | None:
        if self.state_dir is None:
            return None
        key = json.dumps([term, _iso(mindate), _iso(maxdate), self.client.policy.window])
        return self.state_dir / f"query-{hashlib.sha1(key.encode()).hexdigest()[:16]}.json"

    def _load_plan(self, term: str, mindate: dt.date | None, maxdate: dt.date | None) -> list[Slice]:
        path = self._plan_path(term, mindate, maxdate)
        if path is None or not path.is_file():
            return []
        try:
            return [Slice.from_json(row) for row in json.loads(path.read_text())["slices"]]
        except (ValueError, KeyError, TypeError, IndexError):
            return []  # a damaged plan only costs the bisection searches again

    def _save_plan(self, term: str, mindate: dt.date | None, maxdate: dt.date | None, slices: list[Slice]) -> None:
        path = self._plan_path(term, mindate, maxdate)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "term": term,
            "mindate": _iso(mindate),
            "maxdate": _iso(maxdate),
            "slices": [s.to_json() for s in slices],
            "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        atomic.write_text(path, json.dumps(payload, indent=1))
