"""Fuzz the MEDLINE text reader with mutated real records (oligodendrocyte exports, Biopython and ncbiutils samples).

Each record is kept, given hostile or very long field values and stray lines (stored), given a PMID or
version beyond 64 bits, a PMID that is none, or no PMID line (rejected at "record N, line L"), or garbled
by random characters in its values outside the PMID line (either).  The invariant is checked by
:func:`fuzzing.check_ingest`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from fuzzing import BIG, Outcome, check_ingest, expect, hostile_text, lines_of, no_digits
from hypothesis import given
from hypothesis import strategies as st

Lines = list[str]
Mutation = Callable[[st.DrawFn, Lines], tuple[Lines, Outcome]]

ONE_LINE = st.characters(codec="utf-8", exclude_characters="\r\n")  # a value never holds a line break
TAGS = ("TI", "AB", "JT", "TA", "DP", "LR", "DEP", "AU", "FAU", "AD", "AUID", "CN", "MH", "RN", "OT", "PT", "GR",
        "LID", "AID", "IS", "PMC", "LA")  # fmt: skip
_TAGGED = re.compile(r"[A-Z][A-Z0-9 ]{1,3}- ?")
CONTINUATION = " " * 6


@functools.cache
def real_records(shared: Path) -> list[Lines]:
    """Real MEDLINE records (as lines) with distinct PMIDs."""
    folder = shared / "pubmed_medline_oligodendrocyte_dementia"
    samples = shared / "pubmed_xml_samples"
    records: dict[str, Lines] = {}
    for path in [
        folder / "pubmed-oligodendr-set.txt.gz",
        folder / "pubmed-Oligodendr_ODP-set.txt",
        *sorted((samples / "biopython").glob("*.txt")),
        samples / "ncbiutils" / "medlines.txt",
    ]:
        block: Lines = []
        for line in [*lines_of(path), ""]:
            if line.strip():
                block.append(line)
            elif block:
                if block[0].startswith("PMID- "):
                    records.setdefault(block[0][6:].strip(), block)
                block = []
    return list(records.values())


def field(tag: str, text: str, width: int = 70) -> Lines:
    """A field as PubMed writes it: ``TAG - value``, then 6-space continuation lines (never blank ones)."""
    chunks: Lines = []
    for word in text.split():
        if chunks and len(chunks[-1]) + 1 + len(word) <= width:
            chunks[-1] += " " + word
        else:
            chunks.append(word)
    return [f"{tag:<4}- {chunks[0] if chunks else ''}"] + [CONTINUATION + c for c in chunks[1:]]


def field_span(lines: Lines, tag: str) -> tuple[int, int] | None:
    """(start, end) of the first ``tag`` field with its continuation lines."""
    for start, line in enumerate(lines):
        if line.startswith(f"{tag:<4}- "):
            end = start + 1
            while end < len(lines) and lines[end].startswith(CONTINUATION):
                end += 1
            return start, end
    return None


def keep(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    return lines, Outcome.STORED


def hostile_field(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    tag = draw(st.sampled_from(TAGS))
    new = field(tag, draw(hostile_text(ONE_LINE)))
    span = field_span(lines, tag) if draw(st.booleans()) else None  # replace the field, or add one more
    return (lines[: span[0]] + new + lines[span[1] :] if span else lines + new), Outcome.STORED


def long_abstract(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    span = field_span(lines, "AB")
    text = " ".join(line.strip() for line in lines[span[0] : span[1]])[6:] if span else "no abstract given"
    new = field("AB", " ".join([text] * draw(st.integers(50, 400))))
    return (lines[: span[0]] + new + lines[span[1] :] if span else lines + new), Outcome.STORED


def stray_lines(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    """Untagged text between fields (search headers in some exports): read past, never a field."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(1, len(lines)))
        lines = lines[:at] + [draw(st.sampled_from("abcxyz")) + draw(hostile_text(ONE_LINE))] + lines[at:]
    return lines, Outcome.STORED


def pmid_beyond_64_bits(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    pmid = lines[0][6:].strip()
    return [draw(st.sampled_from([f"PMID- {draw(BIG)}", f"PMID- {pmid}.{draw(BIG)}"]))] + lines[1:], Outcome.REJECTED


def no_pmid(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    if draw(st.booleans()):
        return lines[1:], Outcome.REJECTED
    return [f"PMID- {no_digits(draw(hostile_text(ONE_LINE)))}"] + lines[1:], Outcome.REJECTED


def garbled(draw: st.DrawFn, lines: Lines) -> tuple[Lines, Outcome]:
    """Random printable characters, or undecodable bytes, in field values; never in tags nor the PMID line."""
    lines = list(lines)
    spots = [(i, j) for i, line in enumerate(lines[1:], 1) for j in range(6, len(line))]
    for i, j in draw(st.lists(st.sampled_from(spots), min_size=1, max_size=8)):
        char = draw(st.one_of(st.characters(min_codepoint=0x21, max_codepoint=0x7E), st.just("\udcff")))
        lines[i] = lines[i][:j] + char + lines[i][j + 1 :]
    return lines, Outcome.EITHER


MUTATIONS: list[Mutation] = [keep, hostile_field, long_abstract, stray_lines, pmid_beyond_64_bits, no_pmid, garbled]


@given(data=st.data())
def test_fuzz_medline(shared: Path, data: st.DataObject) -> None:
    pool = real_records(shared)
    picks = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=5, unique=True), label="records")
    out: Lines = data.draw(st.sampled_from([[], [""]]), label="leading blank line")  # PubMed's export has one
    expected = []
    for n, pick in enumerate(picks, 1):
        pmid = pool[pick][0][6:].strip()
        lines, outcome = data.draw(st.sampled_from(MUTATIONS), label="mutation")(data.draw, list(pool[pick]))
        if n > 1:
            out.extend(data.draw(st.lists(st.sampled_from(["", "   "]), min_size=1, max_size=2), label="separator"))
        first = len(out) + 1 + next(i for i, line in enumerate(lines) if _TAGGED.match(line))
        out.extend(lines)
        where = f"record {n}, line {first}"
        expected.append(expect(outcome, pmid, where))
    newline = data.draw(st.sampled_from(["\n", "\r\n"]), label="newline")
    bom = data.draw(st.sampled_from(["", "\ufeff"]), label="bom")
    check_ingest(
        "case.txt",
        (bom + newline.join(out) + newline).encode("utf-8", "surrogateescape"),
        expected,
        data.draw,
    )
