"""`gapmap ingest ...`: files, pubmed, pmids, funding (one module per source)."""

from __future__ import annotations

import typer

from gapmap.commands import ingest_files, ingest_funding, ingest_pubmed

app = typer.Typer(help="Bring articles and funding portfolios into the article store.", no_args_is_help=True)
for source in (ingest_files, ingest_pubmed, ingest_funding):
    app.add_typer(source.app)
