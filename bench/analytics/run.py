"""Benchmark: gap analytics on a scaled incidence built by replicating real rows (default ~1M mentions).

The real multi-year records (oligodendrocyte MEDLINE set + PubMed XML samples, ~5.3k paper–entity rows) are
replicated until the target size: replica ``k`` gets fresh PMIDs, and its entity ids are suffixed with
``k % variants`` so the entity universe grows too (``variants`` copies of the real co-occurrence structure
instead of one ever-denser graph).  Every analytics step is timed; the baseline run side by side is the
obvious pure-Python co-occurrence count (``itertools.combinations`` per paper into a ``Counter``), reported as a
ratio against the sparse ``AᵀA`` product.

    .venv/bin/python bench/analytics/run.py [--mentions 1000000] [--variants 10] [--permutations 5] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analytics.areas import find_areas  # noqa: E402
from analytics.cooccurrence import pair_stats  # noqa: E402
from analytics.evaluate import evaluate  # noqa: E402
from analytics.hypotheses import HypothesisRanker  # noqa: E402
from analytics.incidence import Incidence, PaperEntity  # noqa: E402
from analytics.landscape import landscape, top_gaps  # noqa: E402
from analytics.source import articles_in, from_articles  # noqa: E402
from analytics.trends import trends, yearly_counts  # noqa: E402

SHARED = Path(os.environ.get("GAPMAP_SHARED_DATA", ROOT.parent / "shared" / "data"))


def real_rows() -> list[PaperEntity]:
    files = [
        SHARED / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz",
        *sorted((SHARED / "pubmed_xml_samples").rglob("*.xml*")),
    ]
    return from_articles(articles_in(files)).rows


def scaled(rows: list[PaperEntity], mentions: int, variants: int) -> list[PaperEntity]:
    """Replicas of ``rows`` up to ``mentions`` incidences, with fresh PMIDs and ``variants`` entity copies."""
    out: list[PaperEntity] = []
    for k in itertools.count():
        suffix = f"~{k % variants}" if variants > 1 else ""
        for r in rows:
            out.append(PaperEntity(f"{r.pmid}r{k}", r.year, r.entity_id + suffix, r.type, r.name + suffix))
            if len(out) >= mentions:
                return out
    return out


def python_cooccurrence(inc: Incidence) -> Counter[tuple[int, int]]:
    """The baseline: count pairs paper by paper in pure Python."""
    counts: Counter[tuple[int, int]] = Counter()
    m = inc.matrix
    for p in range(inc.n_papers):
        terms = sorted(m.indices[m.indptr[p] : m.indptr[p + 1]])
        counts.update(itertools.combinations(terms, 2))
    return counts


def timed(results: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = fn()
    results[name] = round(time.perf_counter() - start, 3)
    print(f"{name:<32} {results[name]:>8.3f} s", file=sys.stderr)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--variants", type=int, default=10)
    parser.add_argument("--permutations", type=int, default=5)
    parser.add_argument("--cutoff", type=int, default=2012)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    t: dict[str, float] = {}
    base = timed(t, "read real records", real_rows)
    rows = scaled(base, args.mentions, args.variants) if args.mentions > 0 else base
    inc = timed(t, "incidence from rows", lambda: Incidence.from_rows(rows))
    co = timed(t, "co-occurrence (sparse AᵀA)", inc.cooccurrence)
    py = timed(t, "co-occurrence (python baseline)", lambda: python_cooccurrence(inc))
    assert len(py) == co.nnz // 2, "baseline and sparse counts disagree"
    timed(t, "pair stats (obs/exp/NPMI/lift)", lambda: pair_stats(inc))
    if args.permutations:
        timed(t, f"pair stats + {args.permutations} curveball perms", lambda: pair_stats(inc, args.permutations))
    timed(t, "landscape Mechanism×Compound+gaps", lambda: top_gaps(inc, landscape(inc, "Mechanism", "Compound")))
    timed(t, "trends + Kleinberg bursts", lambda: trends(yearly_counts(inc)))
    timed(t, "areas (Louvain)", lambda: find_areas(inc))
    ranker = timed(t, "hypotheses: graph + supervised fit", lambda: HypothesisRanker(inc))
    timed(t, "hypotheses Compound→Mechanism", lambda: ranker.pairs("Compound", "Mechanism", scorer="supervised"))
    ev = timed(t, f"evaluate --cutoff {args.cutoff}", lambda: evaluate(inc, args.cutoff))
    report = {
        "mentions": inc.matrix.nnz,
        "papers": inc.n_papers,
        "entities": inc.n_entities,
        "pairs": co.nnz // 2,
        "seconds": t,
        "baseline_ratio_cooccurrence": round(
            t["co-occurrence (python baseline)"] / max(t["co-occurrence (sparse AᵀA)"], 1e-9), 1
        ),
        "evaluate": ev.to_dict(),
    }
    print(json.dumps(report, indent=2) if args.json else json.dumps(report["seconds"], indent=2))
    if not args.json:
        print(
            f"mentions {report['mentions']}, papers {report['papers']}, entities {report['entities']}, "
            f"pairs {report['pairs']}; sparse co-occurrence is {report['baseline_ratio_cooccurrence']}× "
            "faster than the python baseline"
        )


if __name__ == "__main__":
    main()
