"""`gapmap ingest pubmed QUERY` and `gapmap ingest pmids PMID|FILE...`: live PubMed through the E-utilities.

Both store every efetch answer before asking for the next, skip PMIDs the store already has, and keep the
query's date-slice plan in the workspace's fetch folder: re-running the same command fetches only what is
missing.  NCBI settings come from the environment (``NCBI_API_KEY``, ``NCBI_EMAIL``, ``NCBI_TOOL``,
``GAPMAP_EUTILS_URL``; see docs/pubmed.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from core.errors import GapmapError
from gapmap.commands.ingest_report import finish, link_new_articles
from gapmap.runtime import progress, say, workspace
from ingest.entrez import EntrezClient, FetchPolicy, Progress, PubmedFetcher, parse_date_bound
from ingest.pipeline import IngestReport
from ingest.records import Rejected
from ingest.settings import NcbiSettings
from ingest.store import ArticleStore

app = typer.Typer()


@contextmanager
def pubmed_fetcher(ctx: typer.Context, store: ArticleStore, *, batch_size: int = 250) -> Iterator[PubmedFetcher]:
    """A fetcher into ``store`` with a progress bar, configured from the environment (shared with funding)."""
    settings = NcbiSettings.from_env()
    if not settings.email:
        say("note:", "NCBI_EMAIL is not set; NCBI asks every client for a contact address")
    policy = FetchPolicy(batch_size=batch_size, max_tries=settings.max_tries, backoff=settings.backoff)
    client = EntrezClient(settings, policy)
    with progress() as bar:
        task = bar.add_task("PubMed records", total=0)
        total = [0]

        def add_total(n: int) -> None:
            total[0] += n
            bar.update(task, total=total[0])

        hooks = Progress(add_total=add_total, advance=lambda n: bar.advance(task, n))
        yield PubmedFetcher(client, store, state_dir=workspace(ctx).fetch_state, progress=hooks)


def run_fetch(store: ArticleStore, fetcher: PubmedFetcher, command: str, fetch: Callable[[], IngestReport]) -> None:
    """Run ``fetch``; on a network failure say how much was kept, then re-raise.  New articles are linked to
    stored awards (their GrantList, or a portfolio listing them) whether the run completed or not."""
    try:
        fetch()
    except GapmapError as exc:
        kept = fetcher.report.result.stored
        raise GapmapError(f"{exc.message} ({kept} records stored before the failure are kept)", exc.hint) from None
    finally:
        store.log_run(command, stored=fetcher.report.result.stored, rejected=len(fetcher.report.rejected))
        link_new_articles(store, fetcher.report)


@app.command("pubmed")
def ingest_pubmed(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='PubMed query in PubMed syntax, e.g. "progressive multiple sclerosis".')],
    max_records: Annotated[
        int | None, typer.Option("--max", min=1, help="Only the first N results of the query.")
    ] = None,
    mindate: Annotated[
        str | None, typer.Option("--mindate", help="Published on/after YYYY, YYYY/MM or YYYY/MM/DD.")
    ] = None,
    maxdate: Annotated[
        str | None, typer.Option("--maxdate", help="Published on/before YYYY, YYYY/MM or YYYY/MM/DD.")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000, help="Records per efetch.")] = 250,
) -> None:
    """Search PubMed and store every matching record the store does not hold yet."""
    lo = parse_date_bound(mindate, end=False) if mindate else None
    hi = parse_date_bound(maxdate, end=True) if maxdate else None
    if lo and hi and lo > hi:
        raise GapmapError(f"--mindate {mindate} is after --maxdate {maxdate}", hint="swap the two dates")
    with ArticleStore(workspace(ctx).article_store) as store, pubmed_fetcher(ctx, store, batch_size=batch_size) as f:
        run_fetch(
            store, f, "ingest pubmed", lambda: f.fetch_query(query, mindate=lo, maxdate=hi, max_records=max_records)
        )
    finish(f.report, f"ingest pubmed {query!r}")


def read_pmid_arguments(items: list[str]) -> tuple[list[str], list[Rejected]]:
    """PMIDs given as arguments or as files with one PMID per line ('#' comments and blank lines allowed)."""
    pmids: list[str] = []
    rejected: list[Rejected] = []
    for item in items:
        if item.strip().isdigit():
            pmids.append(str(int(item)))
            continue
        path = Path(item)
        if not path.is_file():
            rejected.append(Rejected(item, "neither a PMID nor a readable file"))
            continue
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            rejected.append(Rejected(item, f"cannot read file: {exc.strerror or exc}"))
            continue
        for number, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if text.isdigit() and int(text) > 0:
                pmids.append(str(int(text)))
            elif text:
                rejected.append(Rejected(item, f"not a PMID: {text[:40]!r}", position=f"line {number}"))
    return pmids, rejected


@app.command("pmids")
def ingest_pmids(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(help="PMIDs, or files with one PMID per line.")],
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000, help="Records per efetch.")] = 250,
) -> None:
    """Fetch the given PMIDs from PubMed (those the store does not hold yet)."""
    pmids, bad = read_pmid_arguments(items)
    if not pmids and bad:
        raise GapmapError(f"no PMIDs to fetch: {bad[0]}", hint="give PMIDs (digits) or files with one PMID per line")
    with ArticleStore(workspace(ctx).article_store) as store, pubmed_fetcher(ctx, store, batch_size=batch_size) as f:
        f.report.rejected.extend(bad)
        run_fetch(store, f, "ingest pmids", lambda: f.fetch_pmids(pmids))
    finish(f.report, f"ingest pmids ({len(set(pmids))} PMIDs)")
