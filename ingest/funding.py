"""Funding portfolios (CSV or YAML) → programmes and awards, and the links from publications to awards.

A funder knows its awards, rarely the papers they produced.  Papers name their funding in PubMed's
``GrantList`` (grant number + agency), and a portfolio may list PMIDs or DOIs outright.  So links are made
three ways, each recorded with its provenance so a reader can judge it:

* ``pmid-list``  the portfolio lists the PMID;
* ``doi-list``   the portfolio lists a DOI that a stored article carries;
* ``grantlist``  a stored article's ``GrantList`` names one of the award's grant numbers (compared without
  case, spaces or dashes; an NIH-style year/amendment suffix such as ``-01A1`` is ignored) from an agency
  that matches the award's funder (one name's words contain the other's, e.g. "NIH" ⊂ "NINDS NIH HHS").

:func:`link_awards` recomputes all of them from what is stored, so it is idempotent and can run again
whenever new articles arrive; listed PMIDs/DOIs that are not stored yet simply stay pending until then.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest.records import Award, FundingLink, Programme, RecordError, Rejected, clip, stored_int, text_field
from ingest.store import ArticleStore

LIST_SEPARATOR = ";"
_KEY_ALIASES = {
    "funder": "funder", "funding_agency": "funder", "agency": "funder",
    "programme": "programme", "program": "programme", "round": "programme", "programme_round": "programme",
    "programme_id": "programme_id", "program_id": "programme_id", "round_id": "programme_id",
    "award_id": "award_id", "award": "award_id", "id": "award_id",
    "title": "title",
    "pis": "pis", "pi": "pis", "principal_investigators": "pis", "principal_investigator": "pis",
    "institutions": "institutions", "institution": "institutions",
    "countries": "countries", "country": "countries",
    "start": "start", "start_date": "start", "end": "end", "end_date": "end",
    "amount": "amount", "currency": "currency",
    "pmids": "pmids", "pmid": "pmids",
    "dois": "dois", "doi": "dois",
    "grant_numbers": "grant_numbers", "grant_number": "grant_numbers", "grants": "grant_numbers",
    "acknowledgements": "acknowledgements", "acknowledgement": "acknowledgements",
    "acknowledgement_strings": "acknowledgements", "acknowledgments": "acknowledgements",
    "source": "source", "source_url": "source", "source_urls": "source",
}  # fmt: skip
_LIST_FIELDS = {"pis", "institutions", "countries", "pmids", "dois", "grant_numbers", "acknowledgements"}
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$", re.ASCII)
_YEAR = re.compile(r"^\d{4}$", re.ASCII)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_GRANT_NOISE = re.compile(r"[\s\-‐‑‒–—]+")
_NIH_SUFFIX = re.compile(r"(\d{4})\s*-\s*\d{2}(?:[AS]\d+)?\s*$", re.I)  # "…008549-01A1": a year/amendment
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Portfolio:
    """What a portfolio file holds, plus every row that could not be read (with where and why)."""

    programmes: list[Programme] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------------------


def read_portfolio(path: Path) -> Portfolio:
    """Read a CSV (one award per row) or YAML (``funder``, ``programmes``, ``awards``) portfolio."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _read_yaml(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    raise ValueError(f"{path}: a portfolio is a .csv or .yaml file")


def _canonical(key: str) -> str:
    return re.sub(r"[\s\-/]+", "_", key.strip().lower())


def _read_csv(path: Path) -> Portfolio:
    portfolio = Portfolio()
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:  # a stray byte costs a character
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            raise ValueError(f"{path}: unreadable CSV header: {exc}") from None
        columns = {name: _KEY_ALIASES.get(_canonical(name)) for name in header}
        portfolio.ignored_columns = [name for name, key in columns.items() if key is None]
        if "award_id" not in columns.values():
            raise ValueError(f"{path}: no award id column (have: {clip(', '.join(columns)) or 'nothing'})")
        known = {name: key for name, key in columns.items() if key is not None}
        rows = _csv_rows(reader, known, portfolio, str(path))
        _collect(portfolio, rows, default_funder="", source=str(path), programmes={})
    return portfolio


def _csv_rows(
    reader: csv.DictReader[str], known: dict[str, str], portfolio: Portfolio, source: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(position, known fields) per row; a row csv cannot read (a cell over its size limit) is rejected alone."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            portfolio.rejected.append(
                Rejected(source, f"unreadable CSV row: {exc}", position=f"line {reader.line_num}")
            )
            continue
        yield f"line {reader.line_num}", {known[k]: v for k, v in row.items() if k in known}


def _read_yaml(path: Path) -> Portfolio:
    portfolio = Portfolio()
    with path.open(encoding="utf-8", errors="replace") as handle:
        try:
            doc = yaml.safe_load(handle) or {}
        except (yaml.YAMLError, ValueError, RecursionError) as exc:  # ValueError: a date such as 2021-13-01
            raise ValueError(f"{path}: not valid YAML: {clip(' '.join(str(exc).split()))}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected a mapping with 'funder', 'programmes' and 'awards'")
    try:
        funder = _text(doc.get("funder"), "funder")
    except RecordError as exc:
        raise ValueError(f"{path}: {exc}") from None
    programmes: dict[str, Programme] = {}
    for i, item in enumerate(_section(doc, "programmes", portfolio, str(path))):
        try:
            prog = _programme(item, funder)
        except RecordError as exc:
            portfolio.rejected.append(Rejected(str(path), str(exc), position=f"programmes[{i}]"))
            continue
        programmes[prog.programme_id] = prog
        programmes.setdefault(prog.name.casefold(), prog)
    rows: list[tuple[str, dict[str, Any]]] = []
    for i, item in enumerate(_section(doc, "awards", portfolio, str(path))):
        if not isinstance(item, dict):
            portfolio.rejected.append(Rejected(str(path), "an award must be a mapping", position=f"awards[{i}]"))
            continue
        canonical = {_KEY_ALIASES.get(_canonical(str(k))): v for k, v in item.items()}
        unknown = [str(k) for k in item if _KEY_ALIASES.get(_canonical(str(k))) is None]
        portfolio.ignored_columns.extend(k for k in unknown if k not in portfolio.ignored_columns)
        rows.append((f"awards[{i}]", {k: v for k, v in canonical.items() if k}))
    _collect(portfolio, rows, default_funder=funder, source=str(path), programmes=programmes)
    return portfolio


def _section(doc: dict[str, Any], key: str, portfolio: Portfolio, source: str) -> list[Any]:
    """The ``programmes`` or ``awards`` list of a YAML portfolio; anything else there is one rejection."""
    items = doc.get(key)
    if items is None or isinstance(items, list):
        return items or []
    portfolio.rejected.append(Rejected(source, f"'{key}' must be a list, not {type(items).__name__}", position=key))
    return []


def _programme(item: Any, funder: str) -> Programme:
    if not isinstance(item, dict):
        raise RecordError("a programme must be a mapping")
    name = _text(item.get("name"), "name")
    pid = _text(item.get("programme_id") or item.get("id"), "id")
    if not name or not pid:
        raise RecordError("a programme needs 'id' and 'name'")
    year = _text(item.get("year"), "year")
    if year and not _YEAR.match(year):
        raise RecordError(f"programme {pid}: year {clip(year, 40)!r} is not a year")
    return Programme(
        programme_id=pid,
        name=name,
        funder=_text(item.get("funder"), "funder") or funder,
        year=int(year) if year else None,
        description=_text(item.get("description"), "description"),
        source_urls=[_text(u, "source_urls") for u in _as_list(item.get("source_urls"))],
    )


def _collect(
    portfolio: Portfolio,
    rows: Iterable[tuple[str, dict[str, Any]]],
    *,
    default_funder: str,
    source: str,
    programmes: dict[str, Programme],
) -> None:
    """Turn rows into awards (rejecting bad rows), creating programmes named by rows but not declared."""
    seen: set[str] = set()
    for position, row in rows:
        try:
            award = _award(row, default_funder, source)
            if award.award_id in seen:
                raise RecordError(f"award id {award.award_id!r} repeats an earlier row")
            _attach_programme(award, programmes)
        except RecordError as exc:
            label = clip(str(row.get("award_id") or "").strip(), 40)
            reason = f"award {label}: {exc}" if label else str(exc)
            portfolio.rejected.append(Rejected(source, reason, position=position))
            continue
        seen.add(award.award_id)
        portfolio.awards.append(award)
    portfolio.programmes = list({p.programme_id: p for p in programmes.values()}.values())


def _attach_programme(award: Award, programmes: dict[str, Programme]) -> None:
    key = award.programme_id or award.programme
    if not key:
        return
    prog = programmes.get(key) or programmes.get(key.casefold())
    if prog is None:
        if award.programme_id and not award.programme:
            raise RecordError(f"programme {award.programme_id!r} is not declared")
        pid = award.programme_id or _slug(f"{award.funder} {award.programme}")
        prog = Programme(programme_id=pid, name=award.programme or pid, funder=award.funder)
        programmes[pid] = programmes[prog.name.casefold()] = prog
    award.programme_id, award.programme = prog.programme_id, prog.name


def _award(row: dict[str, Any], default_funder: str, source: str) -> Award:
    award_id = _text(row.get("award_id"), "award_id")
    if not award_id:
        raise RecordError("no award id")
    funder = _text(row.get("funder"), "funder") or default_funder
    if not funder:
        raise RecordError("no funder")
    lists = {name: [t for t in (_text(v, name) for v in _as_list(row.get(name))) if t] for name in _LIST_FIELDS}
    return Award(
        award_id=award_id,
        funder=funder,
        programme=_text(row.get("programme"), "programme"),
        programme_id=_text(row.get("programme_id"), "programme_id"),
        title=_text(row.get("title"), "title"),
        pis=lists["pis"],
        institutions=lists["institutions"],
        countries=lists["countries"],
        start=_date(row.get("start"), "start"),
        end=_date(row.get("end"), "end"),
        amount=_amount(row.get("amount")),
        currency=_text(row.get("currency"), "currency").upper(),
        pmids=[_pmid(p) for p in lists["pmids"]],
        dois=[_doi(d) for d in lists["dois"]],
        grant_numbers=lists["grant_numbers"],
        acknowledgements=lists["acknowledgements"],
        source=" ".join(_text(s, "source") for s in _as_list(row.get("source"))) or source,
    )


def _text(value: Any, name: str) -> str:
    """One cell as text, whitespace squashed; a list or mapping where text belongs rejects the row."""
    return " ".join(text_field(value, name).split())


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part for part in value.split(LIST_SEPARATOR)]
    return [value]


def _date(value: Any, name: str) -> str:
    text = _text(value, name)
    if not text:
        return ""
    m = _DATE.match(text)
    if not m or not 1 <= int(m[2] or 1) <= 12 or not 1 <= int(m[3] or 1) <= 31:
        raise RecordError(f"{name} date {clip(text, 40)!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return "-".join(part.zfill(2) if i else part for i, part in enumerate(p for p in m.groups() if p))


def _amount(value: Any) -> float | None:
    text = _text(value, "amount").replace(",", "").replace(" ", "")
    if not text:
        return None
    try:
        amount = float(text)
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount):  # "lots", and also "nan" or "1e999", which float() accepts
        raise RecordError(f"amount {clip(repr(value), 40)} is not a number")
    return amount


def _pmid(text: str) -> str:
    """A listed PMID, checked like the store's keys (stored_int raises beyond 64 bits)."""
    if not (text.isascii() and text.isdecimal()) or not (pmid := stored_int(text, "PMID")):
        raise RecordError(f"PMID {clip(text, 40)!r} is not a PMID")
    return str(pmid)


def _doi(text: str) -> str:
    doi = _DOI_PREFIX.sub("", text).strip().lower()
    if not doi.startswith("10.") or "/" not in doi:
        raise RecordError(f"DOI {clip(text, 40)!r} is not a DOI")
    return doi


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


# -- linking ---------------------------------------------------------------------------------------


def normalise_grant(number: str) -> str:
    """Grant number without case, spaces or dashes: "R01 NS-012345" → "r01ns012345"."""
    return _GRANT_NOISE.sub("", number).casefold()


def grant_keys(number: str) -> set[str]:
    """The forms a grant number is matched under: as written, and without an NIH year/amendment suffix."""
    keys = {normalise_grant(number), normalise_grant(_NIH_SUFFIX.sub(r"\1", number))}
    keys.discard("")
    return keys


def agency_matches(funder: str, agency: str) -> bool:
    """True when one name's words all occur in the other ("NIH" vs "NINDS NIH HHS"); unnamed agency: no."""
    a, b = set(_WORD.findall(funder.casefold())), set(_WORD.findall(agency.casefold()))
    return bool(a and b) and (a <= b or b <= a)


def _grantlist_links(store: ArticleStore, awards: list[Award]) -> Iterator[FundingLink]:
    index: dict[str, list[Award]] = defaultdict(list)
    for award in awards:
        for number in award.grant_numbers:
            for key in grant_keys(number):
                if award not in index[key]:
                    index[key].append(award)
    if not index:
        return
    for article in store.iter_articles():
        for grant in article.grants:
            matched: set[str] = set()
            for key in grant_keys(grant.grant_id):
                for award in index.get(key, []):
                    if award.award_id not in matched and agency_matches(award.funder, grant.agency):
                        matched.add(award.award_id)
                        detail = f"{grant.grant_id} ({grant.agency})" if grant.agency else grant.grant_id
                        yield FundingLink(article.pmid, award.award_id, "grantlist", detail)


def _listed_links(store: ArticleStore, awards: list[Award]) -> Iterator[FundingLink]:
    for award in awards:
        for pmid in award.pmids:
            if store.has(pmid):
                yield FundingLink(pmid, award.award_id, "pmid-list", pmid)
        for doi in award.dois:
            found = store.pmid_for_doi(doi)
            if found:
                yield FundingLink(found, award.award_id, "doi-list", doi)


def link_awards(store: ArticleStore) -> int:
    """Link stored articles to stored awards (listed PMIDs/DOIs, GrantList); returns the number of new links.

    Safe to call after every ingest: links are keyed on (PMID, award, provenance), so repeats add nothing.
    """
    awards = store.awards()
    if not awards:
        return 0
    links = list(_listed_links(store, awards))
    links.extend(_grantlist_links(store, awards))
    return store.write_links(links)


@dataclass
class Pending:
    """Listed publications that cannot be linked yet because the store lacks them."""

    pmids: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)


def pending_publications(store: ArticleStore, awards: Iterable[Award] | None = None) -> Pending:
    """PMIDs and DOIs listed by awards that no stored article carries yet."""
    pending = Pending()
    for award in store.awards() if awards is None else awards:
        pending.pmids.extend(p for p in award.pmids if not store.has(p) and p not in pending.pmids)
        pending.dois.extend(d for d in award.dois if store.pmid_for_doi(d) is None and d not in pending.dois)
    return pending
