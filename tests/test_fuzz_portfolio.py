"""Fuzz the funding-portfolio reader (CSV and YAML) with mutated real awards.

The awards are the International Progressive MS Alliance's, built from ``../shared/data/ipmsa_awards_from_pages``
by ``ingest.portfolios.build_ipmsa``; they list real PMIDs and DOIs of the Gregory file, whose articles are
stored, so every stored award must link to them.  Each row is kept or given hostile text (stored), or a bad
amount, date, PMID (beyond 64 bits too), DOI, no award id, a repeated one, a list or mapping where text belongs,
an undeclared programme or no funder (rejected at its line or ``awards[i]``).  A YAML file may also have
``awards`` or ``programmes`` that are no list, or a programme with a bad year (rejected, with the awards that
need it).  Invariant: no exception escapes, every valid award stored exactly once (and linked), every invalid
row one rejection naming the file and its position.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fuzzing import BIG, hostile_text, lines_of
from hypothesis import given
from hypothesis import strategies as st

from ingest.funding import link_awards, read_portfolio
from ingest.jsonl import iter_jsonl
from ingest.pipeline import store_events
from ingest.portfolios.build_ipmsa import build
from ingest.records import Article
from ingest.store import ArticleStore

Row = dict[str, Any]
CSV_COLUMNS = ("funder", "programme", "programme_id", "award_id", "title", "pis", "institutions", "countries",
               "start", "end", "amount", "currency", "pmids", "dois", "source")  # fmt: skip
TEXT = hostile_text()


@dataclass
class Real:
    """The real portfolio document and the real articles (PMID, DOI) its awards are made to list."""

    doc: dict[str, Any]
    articles: dict[str, Article] = field(default_factory=dict)
    by_doi: dict[str, str] = field(default_factory=dict)


@functools.cache
def real(shared: Path) -> Real:
    doc = build(json.loads((shared / "ipmsa_awards_from_pages" / "awards.json").read_text(encoding="utf-8")))
    found = Real(doc)
    lines = lines_of(shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz")[:60]
    for event in iter_jsonl(io.BytesIO("\n".join(lines).encode()), "gregory.jsonl"):
        assert isinstance(event, Article)
        found.articles[event.pmid] = event
        if event.doi.startswith("10.") and "/" in event.doi and event.doi.lower() not in found.by_doi:
            found.by_doi[event.doi.lower()] = event.pmid
    return found


@dataclass
class Case:
    """A portfolio under construction: its rows, and what each must become (award id, or None: rejected)."""

    fmt: str
    rows: list[Row] = field(default_factory=list)
    outcome: list[str | None] = field(default_factory=list)


Mutation = Callable[[st.DrawFn, Row, Case], bool]  # True: the row stays valid


def keep(draw: st.DrawFn, row: Row, case: Case) -> bool:
    return True


def hostile_values(draw: st.DrawFn, row: Row, case: Case) -> bool:
    key = draw(st.sampled_from(["title", "pis", "institutions", "countries", "currency"]))
    row[key] = draw(TEXT) if key in ("title", "currency") else draw(st.lists(TEXT, min_size=1, max_size=3))
    return True


def bad_amount(draw: st.DrawFn, row: Row, case: Case) -> bool:
    letters = st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=1, max_size=8)
    row["amount"] = draw(st.one_of(letters, st.sampled_from(["nan", "inf", "-inf", "1e999", float("nan")])))
    return False


def bad_date(draw: st.DrawFn, row: Row, case: Case) -> bool:
    key = draw(st.sampled_from(["start", "end"]))
    row[key] = draw(st.sampled_from(["2021-13", "2021-00", "2021-1-32", "abcd", "20210", "٢٠٢١", "2021/02/3x"]))
    return False


def bad_pmid(draw: st.DrawFn, row: Row, case: Case) -> bool:
    bad = draw(st.one_of(BIG.map(str), BIG, st.sampled_from(["12x", "0", "٣٤", "-5", "1.5"])))
    row["pmids"] = [*row.get("pmids", []), bad]
    return False


def bad_doi(draw: st.DrawFn, row: Row, case: Case) -> bool:
    row["dois"] = [*row.get("dois", []), draw(st.sampled_from(["11.1000/x", "doi", "10.1000", "https://x.org/1"]))]
    return False


def no_award_id(draw: st.DrawFn, row: Row, case: Case) -> bool:
    row["award_id"] = draw(st.sampled_from(["", "  ", None]))
    return False


def repeated_award_id(draw: st.DrawFn, row: Row, case: Case) -> bool:
    earlier = [award for award in case.outcome if award is not None]
    if not earlier:
        return True
    row["award_id"] = draw(st.sampled_from(earlier))
    return False


def not_text(draw: st.DrawFn, row: Row, case: Case) -> bool:
    if case.fmt == "csv":  # every CSV cell is text
        return True
    row[draw(st.sampled_from(["title", "award_id", "currency", "amount"]))] = draw(
        st.one_of(st.lists(st.integers(), min_size=1, max_size=2), st.dictionaries(TEXT, st.integers(), min_size=1))
    )
    return False


def undeclared_programme(draw: st.DrawFn, row: Row, case: Case) -> bool:
    row["programme_id"], row["programme"] = f"not-declared-{draw(st.integers(0, 9))}", ""
    return False


def no_funder(draw: st.DrawFn, row: Row, case: Case) -> bool:
    if case.fmt == "yaml":  # a YAML award takes the file's funder
        return True
    row["funder"] = ""
    return False


MUTATIONS: list[Mutation] = [
    keep, hostile_values, bad_amount, bad_date, bad_pmid, bad_doi, no_award_id, repeated_award_id, not_text,
    undeclared_programme, no_funder,
]  # fmt: skip


def csv_text(rows: list[Row]) -> tuple[str, list[str]]:
    """The CSV file, and each row's position as csv reports it (the line the row ends on)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = [row.get(c) for c in CSV_COLUMNS]
        writer.writerow(["" if v is None else ";".join(map(str, v)) if isinstance(v, list) else str(v) for v in cells])
    reader = csv.reader(io.StringIO(out.getvalue(), newline=""))
    next(reader)
    return out.getvalue(), [f"line {reader.line_num}" for _ in reader]


@given(data=st.data())
def test_fuzz_portfolio(shared: Path, data: st.DataObject) -> None:
    found = real(shared)
    case = Case(data.draw(st.sampled_from(["csv", "yaml"]), label="format"))
    programmes = json.loads(json.dumps(found.doc["programmes"]))
    names = {p["id"]: p["name"] for p in programmes}
    broken_programme = None
    if case.fmt == "yaml" and data.draw(st.booleans(), label="programme with a bad year"):
        broken_programme = data.draw(st.sampled_from(programmes), label="programme")
        broken_programme["year"] = data.draw(st.sampled_from(["20x1", 99999999999999999999, "MMXXI", 2021.5]))
    for n in range(data.draw(st.integers(1, 6), label="rows")):
        row = json.loads(json.dumps(data.draw(st.sampled_from(found.doc["awards"]), label="award")))
        row["award_id"] = f"{row['award_id']}-{n}"
        if case.fmt == "csv":  # CSV names the programme; YAML refers to the declared one by id
            row.update(funder=found.doc["funder"], programme=names[row.pop("programme_id")])
        row["pmids"] = data.draw(st.lists(st.sampled_from(sorted(found.articles)), max_size=2, unique=True))
        row["dois"] = data.draw(st.lists(st.sampled_from(sorted(found.by_doi)), max_size=2, unique=True))
        valid = data.draw(st.sampled_from(MUTATIONS), label="mutation")(data.draw, row, case)
        needs_broken = broken_programme is not None and row.get("programme_id") == broken_programme["id"]
        case.rows.append(row)
        case.outcome.append(row["award_id"] if valid and not needs_broken else None)

    doc_fault = "none"
    if case.fmt == "yaml":
        doc_fault = data.draw(st.sampled_from(["none", "awards", "programmes"]), label="section that is no list")
    not_a_list = data.draw(st.sampled_from([5, "x", {"a": 1}]), label="instead of a list")
    if case.fmt == "csv":
        text, positions = csv_text(case.rows)
        expected = [p for p, award in zip(positions, case.outcome, strict=True) if award is None]
    else:
        doc = {"funder": found.doc["funder"], "programmes": programmes, "awards": case.rows}
        expected = [f"programmes[{programmes.index(broken_programme)}]"] if broken_programme else []
        if doc_fault != "none":
            doc[doc_fault] = not_a_list
            expected = [doc_fault] if doc_fault == "programmes" else [*expected, doc_fault]
        if doc_fault != "awards":  # (with no programmes, every award names an undeclared programme)
            case.outcome = [None] * len(case.rows) if doc_fault == "programmes" else case.outcome
            expected += [f"awards[{i}]" for i, award in enumerate(case.outcome) if award is None]
        else:  # no award is read, so none is rejected on its own
            case.outcome = [None] * len(case.rows)
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)

    with tempfile.TemporaryDirectory(prefix="gapmap-fuzz-") as tmp:
        path = Path(tmp) / f"portfolio.{case.fmt}"
        path.write_text(text, encoding="utf-8", newline="")
        portfolio = read_portfolio(path)  # no exception may escape
        assert [(r.source, r.position) for r in portfolio.rejected] == [(str(path), p) for p in expected]
        assert all(r.reason and "\n" not in str(r) for r in portfolio.rejected)
        stored = {award for award in case.outcome if award is not None}
        with ArticleStore(Path(tmp) / "articles.sqlite") as store:
            store_events(list(found.articles.values()), store)
            store.write_portfolio(portfolio.programmes, portfolio.awards)
            link_awards(store)
            assert [a.award_id for a in store.awards()] == sorted(stored)  # each valid award exactly once
            assert store.awards() == sorted(portfolio.awards, key=lambda a: a.award_id)  # and unchanged
            links = {(link.pmid, link.award_id, link.provenance) for link in store.funding_links()}
        valid = [row for row, award in zip(case.rows, case.outcome, strict=True) if award is not None]
        listed = {(pmid, row["award_id"], "pmid-list") for row in valid for pmid in row["pmids"]}
        listed |= {(found.by_doi[doi], row["award_id"], "doi-list") for row in valid for doi in row["dois"]}
        assert links == listed
