"""Benchmark: one record with a huge abstract, the same content as MEDLINE text, PubMed XML and JSON Lines.

Why: the MEDLINE reader once joined continuation lines by repeated string concatenation, so its time grew
with the square of a field's size (a 5 MB abstract took 89 s, a 50 MB one did not finish in 300 s).  The
target is time linear in record size, within 2x the XML parser on the same content.

Input: PMID 35196497, a real record that ``ncbiutils/pubmed.xml.gz`` and ``ncbiutils/medlines.txt`` both
hold.  Its own abstract is repeated until the abstract reaches each ``--mb`` size, then written in each
format the way PubMed writes it (MEDLINE wraps values at 80 columns with 6-space continuation lines).
Each parser reads each file ``--repeat`` times, interleaved, in this process; the fastest run is kept.

Run:  .venv/bin/python bench/ingest/long_record.py [--mb 1 5 50] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from core.settings import settings  # noqa: E402
from ingest.jsonl import iter_jsonl  # noqa: E402
from ingest.medline import iter_medline  # noqa: E402
from ingest.pubmed_xml import iter_pubmed_xml  # noqa: E402
from ingest.records import Article  # noqa: E402

SHARED = settings().shared_data
SAMPLES = SHARED / "pubmed_xml_samples" / "ncbiutils"
PMID = "35196497"
Parser = Callable[[BinaryIO, str], Iterator[Any]]


def _real_record() -> tuple[bytes, bytes]:
    """The record as PubMed XML (one ``PubmedArticleSet``) and as its MEDLINE text block."""
    xml = gzip.decompress((SAMPLES / "pubmed.xml.gz").read_bytes())
    record = re.search(
        rb"<PubmedArticle>(?:(?!</PubmedArticle>).)*?<PMID[^>]*>" + PMID.encode() + rb"<.*?</PubmedArticle>", xml, re.S
    )
    medline = (SAMPLES / "medlines.txt").read_bytes()
    block = re.search(rb"^PMID- " + PMID.encode() + rb"\r?\n.*?(?=\r?\n\r?\n|\Z)", medline, re.S | re.M)
    assert record and block, f"PMID {PMID} not found in {SAMPLES}"
    return b"<PubmedArticleSet>" + record.group(0) + b"</PubmedArticleSet>\n", block.group(0) + b"\n"


def build(mb: float) -> dict[str, bytes]:
    """The same record in three formats, its abstract grown to ``mb`` megabytes of its own sentences."""
    xml, medline = _real_record()
    abstract = re.search(rb"<AbstractText[^>]*>(.*?)</AbstractText>", xml, re.S)
    assert abstract
    seed = abstract.group(1).decode()
    text = (seed + " ") * (int(mb * 2**20) // (len(seed) + 1) + 1)
    big_xml = xml.replace(abstract.group(0), b"<AbstractText>" + text.encode() + b"</AbstractText>", 1)
    wrapped = "\n      ".join(textwrap.wrap(text, 74, break_long_words=False, break_on_hyphens=False))
    big_medline = re.sub(
        rb"^AB  - .*?(?=^[A-Z]{2,4} *- )", lambda _: f"AB  - {wrapped}\n".encode(), medline, count=1, flags=re.S | re.M
    )
    title = re.search(rb"<ArticleTitle>(.*?)</ArticleTitle>", xml, re.S)
    line = {"pmid": PMID, "title": title.group(1).decode() if title else "", "abstract": text}
    return {"pubmed-xml": big_xml, "medline": big_medline, "jsonl": (json.dumps(line) + "\n").encode()}


PARSERS: dict[str, Parser] = {"pubmed-xml": iter_pubmed_xml, "medline": iter_medline, "jsonl": iter_jsonl}


def parse_seconds(parser: Parser, data: bytes) -> tuple[float, int]:
    """Seconds to parse ``data``, and the abstract length parsed (to check all formats read the same text)."""
    start = time.perf_counter()
    (article,) = list(parser(io.BytesIO(data), "bench"))
    seconds = time.perf_counter() - start
    assert isinstance(article, Article), article
    return seconds, len(article.abstract_text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 5, 50], help="abstract sizes in MB")
    ap.add_argument("--repeat", type=int, default=3, help="runs per parser and size (the fastest is kept)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    rows = []
    for mb in args.mb:
        files = build(mb)
        best: dict[str, float] = {}
        lengths: dict[str, int] = {}
        for _ in range(args.repeat):  # interleaved, so that load from elsewhere hits every parser alike
            for name, parser in PARSERS.items():
                seconds, lengths[name] = parse_seconds(parser, files[name])
                best[name] = min(seconds, best.get(name, seconds))
        row = {"mb": mb, **{f"{k}_s": round(v, 3) for k, v in best.items()}, "abstract_chars": lengths,
               "medline_vs_xml": round(best["medline"] / best["pubmed-xml"], 2)}  # fmt: skip
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print("| abstract | PubMed XML s | MEDLINE s | JSONL s | MEDLINE / XML |")
    print("|---|---|---|---|---|")
    for row in rows:
        times = " | ".join(str(row[f"{name}_s"]) for name in PARSERS)
        print(f"| {row['mb']} MB | {times} | {row['medline_vs_xml']}× |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
