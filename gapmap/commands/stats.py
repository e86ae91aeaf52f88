"""`gapmap stats`: one JSON object describing everything stored in the workspace."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from core.workspace import Workspace
from gapmap.runtime import say, workspace

app = typer.Typer()


def collect(ws: Workspace, backend: str | None) -> dict[str, Any]:
    """Counts from the article store, the mentions, and the graph (when one has been loaded)."""
    from graph import graph_stats
    from ingest.store import ArticleStore
    from nlp.mention_store import MentionStore

    with ArticleStore(ws.article_store) as store:
        stats: dict[str, Any] = store.stats()
        stats.update(MentionStore(store.connection).stats())
    stats["graph"] = graph_stats(ws, backend)
    return stats


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    backend: Annotated[
        str | None, typer.Option("--backend", help="Graph backend: embedded or neo4j (default $GAPMAP_BACKEND).")
    ] = None,
) -> None:
    """Counts of articles, awards, funded links, mentions, entities and graph nodes/relationships."""
    stats = collect(workspace(ctx), backend)
    if as_json:
        typer.echo(json.dumps(stats, indent=2, sort_keys=True))
        return
    for key, value in stats.items():
        say(f"{key}:", str(value), "bold")
