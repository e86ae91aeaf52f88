"""`gapmap load`, `gapmap query`, `gapmap export ...` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from core.errors import GapmapError
from gapmap.runtime import (
    console,
    data_table,
    ingested_workspace,
    progress,
    stdout_console,
    workspace,
    write_csv,
    write_json,
)

app = typer.Typer()
export_app = typer.Typer(help="Export the graph for bulk import elsewhere.", no_args_is_help=True)
app.add_typer(export_app, name="export")

Backend = Annotated[
    str | None,
    typer.Option("--backend", help="Graph backend: embedded or neo4j (default $GAPMAP_BACKEND, else embedded)."),
]


@export_app.command("neo4j-admin")
def export_neo4j_admin(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder for the node and relationship CSV files.")],
    database: Annotated[str, typer.Option("--database", help="Database name in the import command.")] = "neo4j",
    run: Annotated[
        bool, typer.Option("--run", help="Also import into this workspace's (stopped) gapmap Neo4j server.")
    ] = False,
) -> None:
    """Write CSVs for `neo4j-admin database import full` and print the exact command."""
    from graph.export_admin import export_admin, run_import
    from ingest.store import ArticleStore

    ws = ingested_workspace(ctx)
    with ArticleStore(ws.article_store) as articles:
        result = export_admin(articles, directory, database=database)
    console.print(f"wrote {result.nodes} nodes and {result.relationships} relationships to {directory}")
    typer.echo(result.command)
    if run:
        run_import(result, ws.neo4j_dir)
        console.print(f"imported into {ws.neo4j_dir}; start it with `gapmap neo4j start`")


@app.command("load")
def load_command(
    ctx: typer.Context,
    backend: Backend = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Publications per transaction.")] = 5000,
) -> None:
    """Load articles, mentions and funding into the graph (idempotent; re-run finishes an interrupted load)."""
    from graph import open_store
    from graph.load import load
    from ingest.store import ArticleStore

    ws = ingested_workspace(ctx)
    with ArticleStore(ws.article_store) as articles:
        store = open_store(backend, ws, create=True)
        try:
            with progress() as bar:
                task = bar.add_task(f"loading into {store.backend}", total=articles.count())
                report = load(articles, store, batch_size=batch_size, on_progress=lambda n: bar.advance(task, n))
        finally:
            store.close()
    console.print(
        f"{report.publications} publications: {report.written} written, {report.unchanged} unchanged, "
        f"{report.removed} removed; {report.relationships} relationships in {report.seconds:.1f}s "
        f"({report.rate:,.0f}/s)"
    )


@app.command("query")
def query_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Query name (a file in queries/); `gapmap query list` lists them.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter as name=value (repeatable).")
    ] = None,
    backend: Backend = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as a JSON list of objects.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print rows as CSV (cells a spreadsheet would run defused).")
    ] = False,
) -> None:
    """Run a named query and print its rows (a table, --json or --csv)."""
    from graph import open_store, queries

    if name == "list":
        _print_catalogue(queries.catalogue())
        return
    query = queries.get(name)
    params = query.bind(_parse_params(param or []))
    store = open_store(backend, workspace(ctx), read_only=True)
    try:
        rows = store.query(name, params)
    finally:
        store.close()
    if as_json:
        write_json(rows)
        return
    if as_csv:
        write_csv(rows, query.returns)
        return
    stdout_console().print(data_table(query.returns or list(rows[0] if rows else ()), (list(r.values()) for r in rows)))
    console.print(f"{len(rows)} rows")


def _parse_params(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise GapmapError(f"bad --param {item!r}", hint="write --param name=value")
        params[key.strip()] = value
    return params


def _print_catalogue(catalogue: dict[str, Any]) -> None:
    rows = [
        (q.name, ", ".join(p.describe() for p in q.params.values()), ", ".join(q.returns), q.description)
        for q in catalogue.values()
    ]
    stdout_console().print(data_table(("name", "parameters", "returns", "description"), rows))
