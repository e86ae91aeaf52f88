"""What every `gapmap ingest ...` source prints when it is done, so that they all report the same way.

Counts, then each rejection with where and why, and a non-zero exit if anything failed.
"""

from __future__ import annotations

import typer

from gapmap.runtime import console, say
from ingest.funding import link_awards
from ingest.pipeline import IngestReport
from ingest.store import ArticleStore

MAX_LISTED_REJECTIONS = 50


def link_new_articles(store: ArticleStore, report: IngestReport) -> None:
    """After new articles arrive, link them to the stored awards (GrantList, or a portfolio listing them)."""
    if report.result.stored and (linked := link_awards(store)):
        console.print(f"{linked} new links from publications to funded awards")


def finish(report: IngestReport, label: str) -> None:
    """Print the run's summary and exit non-zero when anything was rejected."""
    r = report.result
    say(
        f"{label}:",
        f"{r.inserted} new, {r.updated} updated, {r.unchanged} unchanged, "
        f"{r.kept_newer} kept (store had newer), {r.deleted} deleted, {len(report.rejected)} rejected",
        "bold",
    )
    for rej in report.rejected[:MAX_LISTED_REJECTIONS]:
        say("  rejected", str(rej), "red")
    if len(report.rejected) > MAX_LISTED_REJECTIONS:
        console.print(f"  … and {len(report.rejected) - MAX_LISTED_REJECTIONS} more")
    if report.rejected:
        raise typer.Exit(1)
