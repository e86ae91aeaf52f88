"""`gapmap ingest files PATH...`: load PubMed XML, MEDLINE text and JSON Lines files into the article store.

Paths may be files or folders (walked recursively); gzip is read transparently.  Records stream from the
parsers straight into transactional batches, so memory stays flat however many files are given, and a bad
file is reported (file + position) while every other record is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from core.errors import GapmapError
from gapmap.commands.ingest_report import finish, link_new_articles
from gapmap.runtime import console, progress, workspace
from ingest.files import SUFFIXES, iter_file_events, iter_paths
from ingest.pipeline import Event, store_events
from ingest.records import Article, Deletion
from ingest.store import ArticleStore

app = typer.Typer()


class RunDeduplicator:
    """Let through only the first copy of each PMID revision met in one run.

    The same record often arrives twice in one run (as XML and as MEDLINE text, or in two exports).  The
    store keeps the last copy it is given, so without this a re-run would swap the copies back and forth
    and report them "updated" (and the NLP stage would re-annotate them).  A later copy still goes through
    when it is a newer revision (higher PMID version or later ``date_revised``), and a deletion resets it.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, str]] = {}
        self.skipped = 0

    def __call__(self, events: Iterator[Event]) -> Iterator[Event]:
        for event in events:
            if isinstance(event, Article):
                key = (event.pmid_version, event.date_revised)
                seen = self._seen.get(event.pmid)
                if seen is not None and key <= seen:
                    self.skipped += 1
                    continue
                self._seen[event.pmid] = key
            elif isinstance(event, Deletion):
                self._seen.pop(event.pmid, None)
            yield event


def _files_to_read(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise GapmapError(
            f"not found: {', '.join(missing)}", hint="give existing files or folders of PubMed XML/MEDLINE/JSONL"
        )
    files = list(iter_paths(paths))
    if not files:
        raise GapmapError(
            f"no PubMed files under {', '.join(str(p) for p in paths)}",
            hint=f"folders are searched for names ending in {', '.join(SUFFIXES)} (optionally .gz)",
        )
    return files


@app.command("files")
def ingest_files(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Records per transaction.")] = 500,
) -> None:
    """Ingest PubMed XML (efetch, baseline/update), MEDLINE text and JSON Lines files, .gz or not."""
    files = _files_to_read(paths)
    with ArticleStore(workspace(ctx).article_store) as store, progress() as bar:
        files_task = bar.add_task("files", total=len(files))
        records_task = bar.add_task("records", total=None)

        def events() -> Iterator[Event]:
            for path in files:
                bar.update(files_task, description=f"files ({path.name})")
                yield from iter_file_events(path)
                bar.advance(files_task)

        def count(event: Event) -> None:
            if isinstance(event, Article):
                bar.advance(records_task)

        dedupe = RunDeduplicator()
        report = store_events(dedupe(events()), store, batch_size=batch_size, on_record=count)
        store.log_run("ingest files", stored=report.result.stored, rejected=len(report.rejected))
        link_new_articles(store, report)
    if dedupe.skipped:
        console.print(f"{dedupe.skipped} repeated records skipped (same PMID and revision met earlier in this run)")
    finish(report, f"ingest files ({len(files)} files)")
