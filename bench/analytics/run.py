"""Benchmark: gap analytics on a scaled incidence built by replicating real rows (default ~1M mentions).

The real multi-year records (oligodendrocyte MEDLINE set + PubMed XML samples, ~5.3k paper–entity rows) are
replicated until the target size: replica ``k`` gets fresh PMIDs, and its entity ids are suffixed with
``k % variants`` so the entity universe grows too (``variants`` copies of the real co-occurrence structure
instead of one ever-denser graph).  Every analytics step is timed; the baseline run side by side is the
obvious pure-Python co-occurrence count (``itertools.combinations`` per paper into a ``Counter``), reported as a
ratio against the sparse ``AᵀA`` product.  The permutation test is timed as ``gapmap analytics significance`` runs
it (``--workers`` chains, ``--stop-after`` sequential stopping, a fresh cache then a cached repeat), next to the
single-chain full-sampling run it replaced, and the tested-pair null count of one sample is timed against the full
``AᵀA`` of the same permuted matrix.

    .venv/bin/python bench/analytics/run.py [--mentions 1000000] [--variants 10] [--permutations 20] [--json]
        [--workers N] [--stop-after H]   # the significance command's chains and sequential stopping
    .venv/bin/python bench/analytics/run.py --home /tmp/h6ms --mentions 0   # a loaded workspace's graph as is

With ``--home`` the rows are read from that workspace's loaded graph (``analytics.source.from_graph``) instead
of the records; ``--mentions 0`` keeps them unscaled.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analytics.areas import find_areas  # noqa: E402
from analytics.cooccurrence import NullCache, pair_stats, upper_pairs  # noqa: E402
from analytics.evaluate import evaluate  # noqa: E402
from analytics.hypotheses import HypothesisRanker  # noqa: E402
from analytics.incidence import Corpus, Incidence, PaperEntity  # noqa: E402
from analytics.nullmodel import PairCounter, chain  # noqa: E402
from analytics.results import Analysis  # noqa: E402
from analytics.source import articles_in, from_articles, from_graph  # noqa: E402
from analytics.trends import trends, yearly_counts  # noqa: E402
from core.settings import settings  # noqa: E402

SHARED = settings().shared_data


def real_rows() -> list[PaperEntity]:
    files = [
        SHARED / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz",
        *sorted((SHARED / "pubmed_xml_samples").rglob("*.xml*")),
    ]
    return from_articles(articles_in(files)).rows


def graph_rows(home: str, backend: str | None) -> list[PaperEntity]:
    """The paper–entity rows of a workspace's loaded graph (read-only)."""
    from core.workspace import Workspace
    from graph import open_store

    store = open_store(backend, Workspace.resolve(home), read_only=True)
    try:
        return from_graph(store).rows
    finally:
        store.close()


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


def gaps(inc: Incidence) -> Any:
    """What ``gapmap analytics gaps`` computes: the landscape (statistics, specificity, contexts) and the top 20
    cells with their reasons and risk/reward (the rows' concept hierarchy is left out: it comes from the graph)."""
    rows = [
        PaperEntity(inc.pmids[p], int(inc.years[p]), inc.entity_ids[e], inc.types[e], inc.names[e])
        for p, e in zip(*inc.matrix.nonzero(), strict=True)
    ]
    return Analysis(Corpus(rows)).gaps("Mechanism", "Compound", top=20)


def null_count_timings(inc: Incidence, results: dict[str, float]) -> None:
    """One permuted matrix: the tested pairs' null counts (what a sample costs now) against the full ``AᵀA``."""
    co = inc.cooccurrence()
    a, b, observed = upper_pairs(co)
    keep = observed >= 2
    a, b = a[keep], b[keep]
    sample = next(chain(inc.matrix, 1, seed=0)).matrix
    counter = PairCounter(a, b, inc.n_entities)
    counter.counts(sample[:2])  # the first call loads (or compiles) the kernel: not part of a sample's cost
    counts = timed(results, "one sample: tested-pair counts", lambda: counter.counts(sample))
    full = timed(results, "one sample: full AᵀA (baseline)", lambda: (sample.T @ sample).tocsr())
    assert (counts == full[a, b].A1).all(), "tested-pair counts and the full product disagree"


def significance_timings(inc: Incidence, n: int, workers: int, stop_after: int, results: dict[str, float]) -> Any:
    """The significance command's sampling, fresh and cached, and the single-chain full-sampling baseline."""
    with tempfile.TemporaryDirectory() as folder:
        cache = NullCache(Path(folder))
        label = f"significance {n} perms, {workers} chains, stop {stop_after}"
        stats = timed(
            results,
            label,
            lambda: pair_stats(inc, n, min_observed=2, workers=workers, stop_after=stop_after, cache=cache),
        )
        again = timed(
            results,
            "significance cached repeat",
            lambda: pair_stats(inc, n, min_observed=2, workers=workers, stop_after=stop_after, cache=cache),
        )
        assert again.cached and (again.p_value == stats.p_value).all()
    timed(results, f"significance {n} perms, 1 chain, no stop (baseline)", lambda: pair_stats(inc, n, min_observed=2))
    return {
        "tested_pairs": int(stats.a.size),
        "significant": int(stats.significant.sum()),
        "pairs_stopped_early": int((stats.null_samples < n).sum()),
        "mean_samples_per_pair": round(float(stats.null_samples.mean()), 1) if stats.a.size else 0,
    }


#: CPU seconds of every timed step, this process plus its worker processes: on the shared machine wall time
#: depends on the other jobs' load, CPU time much less (it is what the step costs on an idle core).
CPU: dict[str, float] = {}


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(results: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    start, cpu = time.perf_counter(), _cpu()
    value = fn()
    results[name] = round(time.perf_counter() - start, 3)
    CPU[name] = round(_cpu() - cpu, 3)
    print(f"{name:<32} {results[name]:>8.3f} s  (cpu {CPU[name]:.3f} s)", file=sys.stderr)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--variants", type=int, default=10)
    parser.add_argument("--permutations", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stop-after", type=int, default=10)
    parser.add_argument("--cutoff", type=int, default=2012)
    parser.add_argument("--home", help="Read the rows from this workspace's loaded graph instead of the records.")
    parser.add_argument("--backend", default=None, help="With --home: embedded or neo4j.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    t: dict[str, float] = {}
    base = timed(t, "read rows", lambda: graph_rows(args.home, args.backend) if args.home else real_rows())
    rows = scaled(base, args.mentions, args.variants) if args.mentions > 0 else base
    inc = timed(t, "incidence from rows", lambda: Incidence.from_rows(rows))
    co = timed(t, "co-occurrence (sparse AᵀA)", inc.cooccurrence)
    py = timed(t, "co-occurrence (python baseline)", lambda: python_cooccurrence(inc))
    assert len(py) == co.nnz // 2, "baseline and sparse counts disagree"
    timed(t, "pair stats (obs/exp/NPMI/lift)", lambda: pair_stats(inc))
    null_count_timings(inc, t)
    sig = significance_timings(inc, args.permutations, args.workers, args.stop_after, t) if args.permutations else None
    timed(t, "landscape Mechanism×Compound+gaps", lambda: gaps(inc))
    timed(t, "trends + Kleinberg bursts", lambda: trends(yearly_counts(inc)))
    timed(t, "areas (Louvain)", lambda: find_areas(inc))
    ranker = timed(t, "hypotheses: graph + supervised fit", lambda: HypothesisRanker(inc))
    timed(t, "hypotheses Compound→Mechanism", lambda: ranker.pairs("Compound", "Mechanism", scorer="supervised"))
    history = inc.years_between(max_year=args.cutoff).n_papers and inc.years_between(min_year=args.cutoff + 1).n_papers
    ev = timed(t, f"evaluate --cutoff {args.cutoff}", lambda: evaluate(inc, args.cutoff)) if history else None
    report = {
        "mentions": inc.matrix.nnz,
        "papers": inc.n_papers,
        "entities": inc.n_entities,
        "pairs": co.nnz // 2,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "seconds": t,
        "cpu_seconds": CPU,
        "baseline_ratio_cooccurrence": round(
            t["co-occurrence (python baseline)"] / max(t["co-occurrence (sparse AᵀA)"], 1e-9), 1
        ),
        "significance": sig,
        "evaluate": ev.to_dict() if ev else f"skipped: no papers on both sides of {args.cutoff}",
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
