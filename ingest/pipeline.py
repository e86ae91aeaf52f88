"""Store a stream of parsed events (articles, deletions, rejections) in batches.

Every source (files, E-utilities) yields the same three event kinds, so batching, transactions and the
summary live here once.  Each batch is one transaction: a crash loses at most the batch in flight, and
because upserts are idempotent a re-run completes the rest.  Upserts and deletions keep their stream
order inside a batch, so the last event for a PMID wins whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ingest.records import Article, Deletion, Rejected
from ingest.store import ArticleStore, UpsertResult

Event = Article | Deletion | Rejected


@dataclass
class IngestReport:
    """What one ingest run did: counts written, and every rejection with where and why."""

    result: UpsertResult = field(default_factory=UpsertResult)
    rejected: list[Rejected] = field(default_factory=list)
    seen_pmids: set[str] = field(default_factory=set)


def store_events(
    events: Iterable[Event],
    store: ArticleStore,
    *,
    batch_size: int = 500,
    on_record: Callable[[Event], None] | None = None,
) -> IngestReport:
    """Write ``events`` to ``store`` in transactional batches and return the report."""
    report = IngestReport()
    batch: list[Article | Deletion] = []

    def flush() -> None:
        if batch:
            report.result += store.write_batch(batch)
            batch.clear()

    for event in events:
        if isinstance(event, Rejected):
            report.rejected.append(event)
        else:
            batch.append(event)  # in stream order: a deletion and a later re-add keep their order
            if isinstance(event, Article):
                report.seen_pmids.add(event.pmid)
        if on_record is not None:
            on_record(event)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report
