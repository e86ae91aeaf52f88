"""A loopback E-utilities server that answers esearch/efetch from real PubMed records.

Why: the fetch client must be tested against HTTP (GET and POST, JSON and XML, history server, 429s,
5xx, date filters), not against a mock of its own functions, and CI has no internet.  The records served
are real: every ``<PubmedArticle>`` of the given files, byte for byte (bare ``<MedlineCitation>`` records of
old citation sets are served wrapped in ``<PubmedArticle>``, as efetch does).

What it imitates, and what it does not:

* ``esearch.fcgi`` (``retmode=json``): every query term matches every loaded record (the server does not
  evaluate PubMed query syntax); ``mindate``/``maxdate`` with ``datetype=pdat`` filter on each record's
  journal issue date (read here from the XML, independently of the client's parser); ids come newest first;
  ``usehistory=y`` stores the result set under a WebEnv and query key, as NCBI's history server does.
* ``efetch.fcgi`` (``retmode=xml``): ``id=`` lists (GET or POST), or ``WebEnv`` + ``query_key`` with
  ``retstart``/``retmax``.  Unknown ids are left out, as NCBI does.
* ``script``: per utility, a list of HTTP status codes to answer the next requests with instead of data
  (``None`` = answer normally), to prove retries and failures.

Every request is recorded (utility, method, parameters, monotonic time) for the tests to assert on.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

_RECORD = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>|<MedlineCitation[ >].*?</MedlineCitation>", re.S)
_PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")
_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
    b' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
)


@dataclass
class ServedRecord:
    pmid: str
    xml: bytes
    pub_date: dt.date


@dataclass
class Seen:
    """One request as the server received it."""

    utility: str
    method: str
    params: dict[str, str]
    at: float
    served: list[str] = field(default_factory=list)  # PMIDs of the records an efetch answer carried

    @property
    def ids(self) -> list[str]:
        return [i for i in self.params.get("id", "").split(",") if i]


def _pub_date(xml: bytes) -> dt.date:
    """Journal issue date of a record (first day of a partial date), read straight from the XML."""
    pub = ET.fromstring(xml).find(".//JournalIssue/PubDate")
    year, month, day = 1900, 1, 1
    if pub is not None:
        medline = pub.findtext("MedlineDate") or ""
        found = re.search(r"\d{4}", medline)
        year = int(pub.findtext("Year") or (found.group() if found else 1900))
        token = (pub.findtext("Month") or "").strip().lower()[:3]
        month = int(token) if token.isdigit() else _MONTHS.get(token, 1)
        day = int(pub.findtext("Day") or 1)
    return dt.date(year, month, day)


def load_records(paths: Iterable[Path]) -> dict[str, ServedRecord]:
    """Every record of the files (first occurrence of a PMID wins), keyed by PMID."""
    records: dict[str, ServedRecord] = {}
    for path in paths:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for match in _RECORD.finditer(raw):
            xml = match.group()
            if xml.startswith(b"<MedlineCitation"):
                xml = b"<PubmedArticle>" + xml + b"</PubmedArticle>"
            pmid_match = _PMID.search(xml)
            if pmid_match:
                pmid = pmid_match.group(1).decode()
                records.setdefault(pmid, ServedRecord(pmid, xml, _pub_date(xml)))
    return records


@dataclass
class EutilsReplay:
    """The server; use as a context manager, then point the client at :attr:`base_url`."""

    records: dict[str, ServedRecord]
    script: dict[str, list[int | None]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    histories: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/entrez/eutils/"

    def __enter__(self) -> EutilsReplay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests(self, utility: str) -> list[Seen]:
        return [s for s in self.seen if s.utility == utility]

    # -- answers ---------------------------------------------------------------------------------

    def answer(self, utility: str, method: str, params: dict[str, str]) -> tuple[int, str, bytes]:
        seen = Seen(utility, method, params, time.monotonic())
        with self._lock:
            self.seen.append(seen)
            planned = self.script.get(utility)
            status = planned.pop(0) if planned else None
        if status == 429:
            body = json.dumps({"error": "API rate limit exceeded", "count": "4", "limit": "3"}).encode()
            return 429, "application/json", body
        if status is not None:
            return status, "text/html", b"<html><body><h1>Service unavailable</h1></body></html>"
        if utility == "esearch.fcgi":
            return 200, "application/json", self._esearch(params)
        if utility == "efetch.fcgi":
            return 200, "text/xml; charset=UTF-8", self._efetch(params, seen)
        return 404, "text/plain", b"unknown utility"

    def _esearch(self, params: dict[str, str]) -> bytes:
        chosen = list(self.records.values())
        if params.get("datetype") == "pdat" and (params.get("mindate") or params.get("maxdate")):
            lo = dt.datetime.strptime(params["mindate"], "%Y/%m/%d").date()
            hi = dt.datetime.strptime(params["maxdate"], "%Y/%m/%d").date()
            chosen = [r for r in chosen if lo <= r.pub_date <= hi]
        chosen.sort(key=lambda r: (r.pub_date, int(r.pmid)), reverse=True)
        ids = [r.pmid for r in chosen]
        retstart, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        result: dict[str, object] = {
            "count": str(len(ids)),
            "retmax": str(len(ids[retstart : retstart + retmax])),
            "retstart": str(retstart),
            "idlist": ids[retstart : retstart + retmax],
            "translationset": [],
            "querytranslation": params.get("term", ""),
        }
        if params.get("usehistory") == "y":
            with self._lock:
                webenv = f"MCID_{len(self.histories) + 1:024d}"
                self.histories[(webenv, "1")] = ids
            result.update(webenv=webenv, querykey="1")
        return json.dumps({"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}).encode()

    def _efetch(self, params: dict[str, str], seen: Seen) -> bytes:
        if "WebEnv" in params:
            ids = self.histories.get((params["WebEnv"], params.get("query_key", "")), [])
            start = int(params.get("retstart", 0))
            ids = ids[start : start + int(params.get("retmax", 20))]
        else:
            ids = [i for i in params.get("id", "").split(",") if i]
        seen.served = [i for i in ids if i in self.records]
        body = b"\n".join(self.records[i].xml for i in seen.served)
        return _EFETCH_HEAD + body + b"\n</PubmedArticleSet>\n"


def _handler_for(replay: EutilsReplay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str, query: str) -> None:
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
            status, ctype, body = replay.answer(parts.path.rsplit("/", 1)[-1], method, params)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._reply("GET", urlsplit(self.path).query)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            self._reply("POST", self.rfile.read(length).decode("utf-8"))

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    return Handler
