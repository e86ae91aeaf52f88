"""`gapmap extract`: entity extraction over every stored article not yet annotated by the current pipeline."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from core.errors import GapmapError
from gapmap.runtime import console, ingested_workspace, progress, say

app = typer.Typer()


@app.command("extract")
def extract(
    ctx: typer.Context,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes (forked).")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Articles per nlp.pipe batch.")] = 64,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run the NLP on this dask.distributed scheduler (tcp://HOST:8786)."),
    ] = None,
    dask_local: Annotated[
        int, typer.Option("--dask-local", min=0, help="Run the NLP on a new local Dask cluster of N processes.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON on stdout.")] = False,
) -> None:
    """Annotate new, changed or previously failed articles with entity mentions (incremental)."""
    from core.settings import settings
    from ingest.store import ArticleStore
    from nlp import extract as extraction
    from nlp.pipeline import load_pipeline, missing_caches

    ws = ingested_workspace(ctx)
    missing = missing_caches()
    what = (
        f"first run on this machine: building {' and '.join(missing)} (a few minutes, once; cached in "
        f"{settings().cache})"
        if missing
        else "loading the NLP pipeline (about 15 s)"
    )
    started = time.monotonic()
    try:
        # The linker index depends only on the lexicons, so every workspace shares the machine-wide cache
        # ($GAPMAP_CACHE, default ~/.cache/gapmap) rather than rebuilding it per workspace.
        with progress(transient=True) as bar:  # a spinner and the time elapsed, so a long first start shows
            bar.add_task(what, total=None)
            pipeline = load_pipeline()
        console.print(f"{what.split(' (')[0]}: done in {time.monotonic() - started:.0f} s")
    except FileNotFoundError as exc:
        raise GapmapError(
            f"lexicon file missing: {exc.filename}", "set GAPMAP_SHARED_DATA to the shared data folder"
        ) from exc
    if scheduler and dask_local:
        raise GapmapError("--scheduler and --dask-local exclude each other", "give one of them")
    annotator = None
    if scheduler or dask_local:
        from nlp.dask_cluster import DaskAnnotator
        from nlp.ner_model import MODEL_DIR

        console.print(f"connecting to Dask ({scheduler or f'{dask_local} local worker processes'})…")
        annotator = DaskAnnotator.connect(scheduler, dask_local, MODEL_DIR)
    try:
        if annotator is not None:
            ready = annotator.load_pipelines(pipeline.version)
            console.print(f"{ready} Dask workers have loaded the pipeline")
        with ArticleStore(ws.article_store) as store, progress() as bar:
            task = bar.add_task("extracting", total=None)
            report = extraction.extract(
                store,
                pipeline,
                workers=workers,
                batch_size=batch_size,
                annotator=annotator,
                on_start=lambda n: bar.update(task, total=n),
                on_done=lambda n: bar.advance(task, n),
                on_error=lambda pmid, err: say(f"PMID {pmid}:", f"not annotated ({err})"),
            )
    finally:
        if annotator is not None:
            annotator.close()
    summary = {
        "pipeline_version": pipeline.version,
        "pending": report.pending,
        "annotated": report.annotated,
        "mentions": report.mentions,
        "forgotten": report.forgotten,
        "failed": [{"pmid": p, "error": e} for p, e in report.failed],
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        console.print(
            f"annotated {report.annotated} of {report.pending} pending articles: {report.mentions} mentions"
            f" (pipeline {pipeline.version}); {report.forgotten} deleted articles forgotten;"
            f" {len(report.failed)} failed"
        )
