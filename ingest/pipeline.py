"""Store a stream of parsed events (articles, deletions, rejections) in batches.

Every source (files, E-utilities) yields the same three event kinds, so batching, transactions and the
summary live here once.  Each batch is one transaction: a crash loses at most the batch in flight, and
because upserts are idempotent a re-run completes the rest.
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

    @property
    def ok(self) -> bool:
        return not self.rejected


def store_events(
    events: Iterable[Event],
    store: ArticleStore,
    *,
    batch_size: int = 500,
    on_record: Callable[[Event], None] | None = None,
) -> IngestReport:
    """Write ``events`` to ``store`` in transactional batches and return the report."""
    report = IngestReport()
    articles: list[Article] = []
    deletions: list[str] = []

    def flush() -> None:
        if articles or deletions:
            report.result += store.write_batch(articles, deletions)
            articles.clear()
            deletions.clear()

    for event in events:
        if isinstance(event, Article):
            articles.append(event)
            report.seen_pmids.add(event.pmid)
        elif isinstance(event, Deletion):
            # a deletion must not overtake an earlier upsert of the same PMID in this batch
            flush()
            deletions.append(event.pmid)
        else:
            report.rejected.append(event)
        if on_record is not None:
            on_record(event)
        if len(articles) + len(deletions) >= batch_size:
            flush()
    flush()
    return report
