"""`gapmap ingest funding [PORTFOLIO] [--relink]`: store a funder's programmes and awards, link papers to them.

A portfolio is CSV or YAML (docs/funding.md).  Bad rows are reported (file + row) and the rest is stored.
PMIDs the portfolio lists but the store lacks are fetched from PubMed first (``--no-fetch`` to skip); when
PubMed is unreachable they stay pending, and ``gapmap ingest funding --relink`` (or any later run) links
them once they are stored.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from core.errors import GapmapError
from gapmap.commands.ingest_pubmed import pubmed_fetcher
from gapmap.runtime import console, say, workspace
from ingest.funding import Portfolio, link_awards, pending_publications, read_portfolio
from ingest.store import ArticleStore

app = typer.Typer()

SHIPPED = Path(__file__).resolve().parents[2] / "ingest" / "portfolios"


def _read(path: Path) -> Portfolio:
    if not path.is_file() and (SHIPPED / path.name).is_file() and path.parent == Path("."):
        path = SHIPPED / path.name  # `gapmap ingest funding ipmsa.yaml` finds the shipped portfolio
    if not path.is_file():
        raise GapmapError(f"portfolio not found: {path}", hint=f"give a .csv or .yaml file (shipped: {SHIPPED})")
    try:
        return read_portfolio(path)
    except (ValueError, OSError) as exc:
        raise GapmapError(str(exc), hint="see docs/funding.md for the portfolio columns") from None


def _fetch_listed(ctx: typer.Context, store: ArticleStore) -> None:
    """Fetch listed PMIDs the store lacks; if PubMed is unreachable, say so and leave them pending."""
    missing = pending_publications(store).pmids
    if not missing:
        return
    console.print(f"fetching {len(missing)} listed PMIDs not in the store from PubMed")
    with pubmed_fetcher(ctx, store) as fetcher:
        try:
            fetcher.fetch_pmids(missing)
        except GapmapError as exc:
            say("warning:", f"{exc.message}; the links stay pending")
        store.log_run("ingest funding (pmids)", fetcher.report.result.stored, len(fetcher.report.rejected))
    for rej in fetcher.report.rejected:
        say("  not linked", str(rej))


@app.command("funding")
def ingest_funding(
    ctx: typer.Context,
    portfolio: Annotated[
        Path | None, typer.Argument(help="Portfolio file (.csv or .yaml); omit with --relink.")
    ] = None,
    relink: Annotated[
        bool, typer.Option("--relink", help="Link stored articles to the stored awards again (no portfolio needed).")
    ] = False,
    fetch: Annotated[
        bool, typer.Option("--fetch/--no-fetch", help="Fetch listed PMIDs missing from the store from PubMed.")
    ] = True,
) -> None:
    """Store a funding portfolio (programmes, awards) and link stored publications to its awards."""
    if portfolio is None and not relink:
        raise GapmapError("give a portfolio file, or --relink", hint="e.g. gapmap ingest funding ipmsa.yaml")
    read = _read(portfolio) if portfolio is not None else None
    with ArticleStore(workspace(ctx).article_store) as store:
        if read is not None:
            n_prog, n_awards = store.write_portfolio(read.programmes, read.awards)
            say("ingest funding", f"{portfolio}: {n_prog} programmes, {n_awards} awards stored", "bold")
            if read.ignored_columns:
                console.print(f"  ignored columns: {', '.join(read.ignored_columns)}", highlight=False)
        if fetch:
            _fetch_listed(ctx, store)
        new = link_awards(store)
        by_kind = Counter(link.provenance for link in store.funding_links())
        pending = pending_publications(store)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(by_kind.items())) or "none"
    console.print(f"links: {new} new; stored by provenance: {kinds}")
    if pending.pmids or pending.dois:
        console.print(
            f"pending: {len(pending.pmids)} listed PMIDs and {len(pending.dois)} DOIs not in the store yet "
            "(ingest them, then `gapmap ingest funding --relink`)"
        )
    if read is not None and read.rejected:
        for rej in read.rejected:
            say("  rejected", str(rej), "red")
        raise typer.Exit(1)
