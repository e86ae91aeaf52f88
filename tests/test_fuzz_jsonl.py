"""Fuzz the JSON Lines reader with mutated real records (Gregory and oligodendrocyte exports).

Each line is kept, given hostile text (stored), given a field of the wrong shape, a PMID or version beyond
64 bits, no PMID, cut short or turned into a non-object (rejected at its line), or garbled by random bytes
outside its PMID (either).  The invariant is checked by :func:`fuzzing.check_ingest`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fuzzing import BIG, Outcome, check_ingest, expect, hostile_text, lines_of, no_digits
from hypothesis import given
from hypothesis import strategies as st

Record = dict[str, Any]
Mutation = Callable[[st.DrawFn, Record], tuple[str | None, Outcome]]

ANY_CHAR = st.characters(exclude_categories=())  # lone surrogates too: JSON can escape them
NOT_A_LIST = st.one_of(
    st.integers(), st.floats(), st.booleans(), st.dictionaries(st.text(max_size=5), st.integers(), min_size=1)
)
NOT_TEXT = st.one_of(
    st.lists(st.integers(), min_size=1), st.dictionaries(st.text(max_size=5), st.text(max_size=5), min_size=1)
)
LIST_FIELDS = ("authors", "mesh", "keywords", "chemicals", "grants", "references", "pub_types")
TEXT_FIELDS = ("title", "doi", "journal", "journal_citation", "language", "pmcid", "pub_date", "date_revised")


@functools.cache
def real_records(shared: Path) -> list[Record]:
    """Real records with distinct PMIDs: Gregory (text fields) and the oligodendrocyte set (list fields too)."""
    records: dict[str, Record] = {}
    for path in (
        shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz",
        shared / "pubmed_medline_oligodendrocyte_dementia" / "oligodendrocyte_records.jsonl.gz",
    ):
        for line in lines_of(path):
            record = json.loads(line)
            records.setdefault(record["pmid"], record)
    return list(records.values())


def keep(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    return None, Outcome.STORED


def hostile_fields(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    field = draw(st.sampled_from(TEXT_FIELDS + ("abstract",)))
    record[field] = draw(hostile_text(ANY_CHAR))
    if field == "abstract" and draw(st.booleans()):  # the list forms of an abstract
        record[field] = [draw(hostile_text(ANY_CHAR)), {"label": draw(hostile_text()), "text": record[field]}]
    return None, Outcome.STORED


def list_field_not_a_list(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    record[draw(st.sampled_from(LIST_FIELDS))] = draw(NOT_A_LIST)
    return None, Outcome.REJECTED


def text_field_not_text(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    record[draw(st.sampled_from(TEXT_FIELDS))] = draw(NOT_TEXT)
    return None, Outcome.REJECTED


def nested_wrong_shape(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    """A list item of the wrong shape: an author that is a list, a qualifier list that is a number, …"""
    field, make_item = draw(
        st.sampled_from(
            [
                ("authors", lambda: {"last_name": draw(NOT_TEXT)}),
                ("authors", lambda: {"last_name": "Doe", "affiliations": draw(NOT_A_LIST)}),
                ("authors", lambda: draw(st.lists(st.integers(), min_size=1))),  # (any object is an author)
                ("mesh", lambda: {"descriptor_name": "Multiple Sclerosis", "qualifiers": draw(NOT_A_LIST)}),
                ("abstract", lambda: {"label": "BACKGROUND", "text": draw(NOT_TEXT)}),
                ("chemicals", lambda: {"name": draw(NOT_TEXT)}),
                ("grants", lambda: {"grant_id": draw(NOT_TEXT)}),
            ]
        )
    )
    existing = record.get(field)
    record[field] = [*(existing if isinstance(existing, list) else []), make_item()]
    return None, Outcome.REJECTED


def pmid_beyond_64_bits(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    big = draw(BIG)
    record["pmid"] = draw(st.sampled_from([str(big), big, f"{record['pmid']}.{big}"]))  # PMID, or its version
    return None, Outcome.REJECTED


def no_pmid(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    if draw(st.booleans()):
        del record["pmid"]
    else:
        record["pmid"] = no_digits(draw(hostile_text()))
    return None, Outcome.REJECTED


def pmid_as_number(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    record["pmid"] = int(record["pmid"])
    return None, Outcome.STORED


def cut_short(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    line = json.dumps(record)
    return line[: draw(st.integers(1, len(line) - 1))], Outcome.REJECTED


def not_an_object(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    value = draw(st.one_of(st.lists(st.integers(), max_size=3), st.integers(), st.text(max_size=20), st.none()))
    return json.dumps(value), Outcome.REJECTED


def garbled(draw: st.DrawFn, record: Record) -> tuple[str | None, Outcome]:
    """Random bytes anywhere but the first byte and the PMID; never a line break (one line stays one line)."""
    line = bytearray(json.dumps(record).encode("utf-8"))
    span = re.search(rb'"pmid": "\d+"', line)
    assert span
    free = [i for i in range(1, len(line)) if not span.start() <= i < span.end()]
    for index in draw(st.lists(st.sampled_from(free), min_size=1, max_size=8)):
        line[index] = draw(st.integers(0, 255).filter(lambda b: b not in b"\r\n"))
    return bytes(line).decode("utf-8", "surrogateescape"), Outcome.EITHER


MUTATIONS: list[Mutation] = [
    keep, hostile_fields, list_field_not_a_list, text_field_not_text, nested_wrong_shape, pmid_beyond_64_bits,
    no_pmid, pmid_as_number, cut_short, not_an_object, garbled,
]  # fmt: skip


@given(data=st.data())
def test_fuzz_jsonl(shared: Path, data: st.DataObject) -> None:
    pool = real_records(shared)
    picks = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=6, unique=True), label="records")
    newline = data.draw(st.sampled_from(["\n", "\r\n"]), label="newline")
    ascii_only = data.draw(st.booleans(), label="ensure_ascii")
    lines: list[str] = [data.draw(st.sampled_from(["", "\ufeff"]), label="bom")]
    expected = []
    for pick in picks:
        record = json.loads(json.dumps(pool[pick]))  # a private copy to mutate
        pmid = record["pmid"]
        mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        line, outcome = mutation(data.draw, record)
        lines.extend(data.draw(st.lists(st.sampled_from(["", " \t"]), max_size=2), label="blank lines"))
        lines.append(line if line is not None else json.dumps(record, ensure_ascii=ascii_only))
        where = f"line {len(lines) - 1}"  # lines[0] is the BOM, glued to the first line below
        expected.append(expect(outcome, pmid, where))
    text = lines[0] + newline.join(lines[1:]) + newline
    check_ingest(
        "case.jsonl",
        text.encode("utf-8", "surrogatepass" if not ascii_only else "surrogateescape"),
        expected,
        data.draw,
    )
