"""Benchmark: the NLP stage's throughput and memory on real MS abstracts, against the spaCy tokenizer floor.

On the same abstracts (the Gregory-MS PubMed set, 3,031 records), in the same process, one after another:

* ``blank``     — ``spacy.blank("en")`` tokenizing the texts: the floor no spaCy pipeline can beat;
* ``gazetteer`` — the compiled gazetteer alone (``Gazetteer.match`` on each text);
* ``ner_model`` — the bare NER model (``nlp/model``: tokenizer, dictionary features, tok2vec, ner, sentencizer),
  when it exists;
* ``full``      — the whole pipeline (``Pipeline.annotate_many``: sentences, abbreviations, gazetteer, the NER
  model and linker when ``nlp/model`` exists, merge rules, relations, record terms, Mention and Relation objects,
  study context);
* ``full_without_relations`` — the same pipeline without its relation step, side by side;
* ``relations`` — the relation extractor alone, on the entities and sentences the pipeline found;
* ``context``   — the study context alone (``ContextClassifier.classify``, part of ``full``); its CPU time as a
  share of ``full``'s is ``context_share_of_full`` (issue 18: under 10 %).

Speed is abstracts per CPU-second of this one process (``time.process_time``), i.e. per core, so other load on
the machine matters less than wall time would; wall time is reported too.  BLAS runs on one thread, as in each
``gapmap extract`` worker: a second BLAS thread shortens wall time but costs more CPU per abstract.

Peak memory is the process's ``ru_maxrss`` after everything, with the linker index loaded (built first if the
cache has none), so it covers the whole pipeline.

The load average (``os.getloadavg``) before and after is recorded: on a shared machine it explains the spread.

With ``--dask-workers 1,2`` the full pipeline also runs on a Dask ``LocalCluster`` of each number of single-threaded
worker processes, through the same :class:`nlp.dask_cluster.DaskAnnotator` as ``gapmap extract --dask-local N``
(chunks of 64 articles, at most two per worker in flight), and the wall-clock abstracts per second of every run are
printed side by side with the in-process run's.  Before the clock starts, the workers load their pipelines (that
start-up is reported apart) and annotate the in-process run's 50 warm-up abstracts; their CPU time is summed, so
each run also gives abstracts per CPU-second.  The workers read the cache folder of the settings (``GAPMAP_CACHE``),
as ``gapmap extract`` does.

Run:  .venv/bin/python bench/nlp/run.py [--limit N] [--cache DIR] [--model DIR | --no-model] [--dask-workers 1,2]
      [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO, cast

import core  # noqa: F401 - first: names the OpenBLAS kernel before NumPy loads (core.blas)

# isort: split
import spacy
from threadpoolctl import threadpool_info, threadpool_limits

from core.settings import settings
from ingest.jsonl import iter_jsonl
from ingest.records import Article
from nlp.gazetteer import shared_gazetteer
from nlp.linker import shared_linker
from nlp.ner_model import MODEL_DIR, load_model
from nlp.pipeline import load_pipeline
from nlp.records import document_text
from nlp.relations import RelationExtractor, load_relation_model

BATCH = 64  # articles per chunk, as `gapmap extract --batch-size`


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _drain(results: Iterable[object]) -> None:
    deque(results, maxlen=0)


def _rates(n: int, wall: float, cpu: float) -> dict[str, float]:
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "abstracts_per_s": round(n / wall, 1),
        "abstracts_per_cpu_s": round(n / cpu, 1),
    }


def _warm_up(articles: list[Article], model: str | None) -> None:
    """Run on each worker: annotate a few articles, as the in-process pipeline does before it is timed."""
    from nlp.dask_cluster import _worker_pipeline

    _drain(_worker_pipeline(model).annotate_many(articles))


def _on_dask(workers: int, articles: list[Article], model_dir: Path | None, version: str) -> dict[str, float]:
    """The full pipeline on a new LocalCluster of ``workers`` processes, as ``gapmap extract --dask-local``."""
    from nlp.dask_cluster import DaskAnnotator, model_argument

    started = time.perf_counter()
    annotator = DaskAnnotator.connect(None, workers, model_dir)
    try:
        annotator.load_pipelines(version)
        startup = time.perf_counter() - started
        annotator.client.run(_warm_up, articles[:50], model_argument(model_dir))  # as the in-process run's warm-up
        cpu_before = sum(annotator.client.run(time.process_time).values())
        chunks = (articles[i : i + BATCH] for i in range(0, len(articles), BATCH))
        wall, _ = _timed(lambda: _drain(annotator.annotate(chunks, version)))
        cpu = sum(annotator.client.run(time.process_time).values()) - cpu_before
    finally:
        annotator.close()
    print(
        f"dask {workers:<5d} {len(articles) / wall:10.1f} abstracts/s wall (start-up {startup:.1f} s)", file=sys.stderr
    )
    return {"workers": workers, "startup_s": round(startup, 1), **_rates(len(articles), wall, cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="use the first N abstracts (default: all)")
    parser.add_argument("--cache", type=Path, default=settings().cache, help="linker index cache folder")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="NER model folder (default: nlp/model)")
    parser.add_argument("--no-model", action="store_true", help="full pipeline without a model (gazetteer only)")
    parser.add_argument(
        "--dask-workers", default="", help="also run the full pipeline on a Dask LocalCluster of each size, e.g. 1,2"
    )
    args = parser.parse_args()
    threadpool_limits(1, user_api="blas")

    path = settings().shared_data / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"
    with gzip.open(path, "rb") as stream:
        articles = [a for a in iter_jsonl(cast(BinaryIO, stream), str(path)) if isinstance(a, Article)]
    articles = articles[: args.limit] if args.limit else articles
    texts = [document_text(a) for a in articles]
    n = len(texts)

    startup: dict[str, float] = {}
    startup["gazetteer_compile_s"], _ = _timed(shared_gazetteer)
    startup["linker_load_s"], _ = _timed(lambda: shared_linker(str(args.cache)))
    model_dir = None if args.no_model else args.model
    startup["pipeline_load_s"], _ = _timed(lambda: load_pipeline(model_dir, args.cache))
    pipeline = load_pipeline(model_dir, args.cache)
    without = load_pipeline(model_dir, args.cache, relation_dir=None)
    relation_docs = list(without.relation_docs(texts))
    extractor = RelationExtractor(load_relation_model())
    blank = spacy.blank("en")
    gazetteer = shared_gazetteer()
    _drain(pipeline.annotate_many(articles[:50]))  # warm-up

    # Each stage's results are dropped as they come (as `gapmap extract` writes and forgets each batch): kept,
    # 3,031 parsed Docs with their tensors would add half a gigabyte of the benchmark's own to the peak memory.
    stages = {
        "blank": lambda: _drain(blank(t) for t in texts),
        "gazetteer": lambda: _drain(gazetteer.match(t) for t in texts),
        "full": lambda: _drain(pipeline.annotate_many(articles)),
        "full_without_relations": lambda: _drain(without.annotate_many(articles)),
        "relations": lambda: _drain(extractor.extract_many(relation_docs[i : i + BATCH]) for i in range(0, n, BATCH)),
        "context": lambda: _drain(pipeline.context.classify(a) for a in articles),
    }
    if model_dir is not None:
        model = load_model(model_dir)
        _drain(model.pipe(texts[:50]))  # warm-up
        stages["ner_model"] = lambda: _drain(model.pipe(texts, batch_size=32))
    results: dict[str, object] = {
        "abstracts": n,
        "characters": sum(map(len, texts)),
        "model": str(model_dir) if "ner" in pipeline.nlp.pipe_names else None,
        "pipeline": pipeline.nlp.pipe_names,
        **startup,
        "blas": [f"{i['internal_api']} {i.get('version')} {i.get('architecture')}" for i in threadpool_info()],
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    for name, run in stages.items():
        wall, cpu = _timed(run)
        results[name] = {**_rates(n, wall, cpu), "ms_per_abstract": round(1000 * cpu / n, 3)}
        print(f"{name:10s} {n / cpu:10.1f} abstracts/s per core  (cpu {cpu:.1f} s, wall {wall:.1f} s)", file=sys.stderr)
    full, context = results["full"], results["context"]
    assert isinstance(full, dict) and isinstance(context, dict)
    results["context_share_of_full"] = round(context["cpu_s"] / full["cpu_s"], 4)
    results["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
    side_by_side = {"in-process": full}
    for workers in (int(w) for w in args.dask_workers.split(",") if w.strip()):
        side_by_side[f"dask {workers}"] = _on_dask(workers, articles, model_dir, pipeline.version)
    results["dask"] = {k: v for k, v in side_by_side.items() if k != "in-process"}
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if len(side_by_side) > 1:
        print(f"full pipeline, {n} abstracts, wall clock:", file=sys.stderr)
        for name, rates in side_by_side.items():
            start = f", workers' start-up {rates['startup_s']} s" if "startup_s" in rates else ""
            print(
                f"  {name:10s} {rates['abstracts_per_s']:8.1f} abstracts/s  ({rates['abstracts_per_cpu_s']:.1f} per"
                f" CPU-second, wall {rates['wall_s']} s{start})",
                file=sys.stderr,
            )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
