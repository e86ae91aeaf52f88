"""``gapmap extract``: annotate every stored article the current pipeline has not annotated yet.

Incremental: :meth:`MentionStore.pending` compares each article's text hash and the pipeline version with what
was last annotated, so a re-run annotates nothing, a changed text is re-annotated, and a new pipeline version
(model, lexicon or code) re-annotates everything.  Articles deleted from the store lose their mentions.

Parallel: ``workers`` > 1 forks worker processes after the pipeline is loaded, so they share the compiled
gazetteer and the model copy-on-write instead of loading them again.  At PubMed scale (millions of abstracts)
a :class:`nlp.dask_cluster.DaskAnnotator` runs the chunks on a Dask cluster, each worker loading the pipeline
once; see docs/nlp.md.  Whichever runs the NLP, this process writes every chunk's results in one transaction.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from threadpoolctl import threadpool_limits

from ingest.records import Article
from ingest.store import ArticleStore, text_hash
from nlp.mention_store import Annotation, MentionStore
from nlp.pipeline import Annotated, Pipeline

_WORKER_PIPELINE: Pipeline | None = None  # set in the parent before forking; inherited by the workers


class ChunkAnnotator(Protocol):
    """Runs the NLP somewhere else (a Dask cluster) and hands back each chunk's results."""

    def annotate(self, chunks: Iterator[list[Article]], version: str) -> Iterator[list[Annotated]]: ...


@dataclass
class ExtractReport:
    """What one ``gapmap extract`` run did."""

    pending: int = 0
    annotated: int = 0
    mentions: int = 0
    forgotten: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (pmid, error)


def _one_blas_thread() -> None:
    """Pool initializer: each worker's matrix products on one thread, so N workers use N cores, not N x BLAS's."""
    threadpool_limits(1, user_api="blas")


def _annotate_chunk(articles: list[Article]) -> list[Annotated]:
    assert _WORKER_PIPELINE is not None, "worker started without a pipeline"
    return list(_WORKER_PIPELINE.annotate_many(articles))


def _chunks(store: ArticleStore, pmids: list[str], size: int) -> Iterator[list[Article]]:
    for i in range(0, len(pmids), size):
        yield list(store.iter_articles(pmids[i : i + size]))


def _windows(chunks: Iterator[list[Article]], size: int) -> Iterator[list[list[Article]]]:
    window: list[list[Article]] = []
    for chunk in chunks:
        window.append(chunk)
        if len(window) == size:
            yield window
            window = []
    if window:
        yield window


def extract(
    store: ArticleStore,
    pipeline: Pipeline,
    *,
    workers: int = 1,
    batch_size: int = 64,
    annotator: ChunkAnnotator | None = None,
    on_start: Callable[[int], None] = lambda _: None,
    on_done: Callable[[int], None] = lambda _: None,
    on_error: Callable[[str, str], None] = lambda _p, _e: None,
) -> ExtractReport:
    """Annotate pending articles, write mentions and concepts batch by batch (each batch one transaction).

    The NLP runs here, in ``workers`` forked processes, or through ``annotator`` (a Dask cluster).
    """
    mentions = MentionStore(store.connection)
    report = ExtractReport()
    gone = set(mentions.annotated_hashes()) - store.pmids()
    mentions.forget(sorted(gone))
    report.forgotten = len(gone)
    pending = mentions.pending(store.text_hashes(), pipeline.version)
    report.pending = len(pending)
    on_start(len(pending))
    chunks = _chunks(store, pending, batch_size)
    if annotator is not None:
        batches = annotator.annotate(chunks, pipeline.version)
    elif workers > 1 and len(pending) > batch_size:
        batches = _forked(pipeline, chunks, workers)
    else:
        batches = (list(pipeline.annotate_many(chunk)) for chunk in chunks)
    for results in batches:
        _write(mentions, pipeline, results, report, on_error)
        on_done(len(results))
    return report


def _forked(pipeline: Pipeline, chunks: Iterator[list[Article]], workers: int) -> Iterator[list[Annotated]]:
    """Each chunk's results from a pool of forked workers that share the loaded pipeline copy-on-write."""
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = pipeline
    try:
        with multiprocessing.get_context("fork").Pool(workers, _one_blas_thread) as pool:
            # Articles are read here, in the main thread (the store's SQLite connection belongs to it), a
            # window of chunks at a time, so memory stays bounded however many articles are pending.
            for window in _windows(chunks, workers * 2):
                yield from pool.imap(_annotate_chunk, window)
    finally:
        _WORKER_PIPELINE = None


def _write(
    store: MentionStore,
    pipeline: Pipeline,
    results: list[Annotated],
    report: ExtractReport,
    on_error: Callable[[str, str], None],
) -> None:
    good = [r for r in results if not r.error]
    for r in results:
        if r.error:
            report.failed.append((r.article.pmid, r.error))
            on_error(r.article.pmid, r.error)
    store.upsert_concepts(pipeline.concepts(m for r in good for m in r.mentions))
    report.mentions += store.write(
        (
            Annotation(r.article.pmid, text_hash(r.article), r.mentions, r.context, r.mesh_uis, r.relations)
            for r in good
        ),
        pipeline.version,
    )
    report.annotated += len(good)
