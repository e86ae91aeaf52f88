"""`gapmap analytics ...`: gaps, trends, areas, hypotheses, risk and time-sliced evaluation, for scripts and reports.

Every command reads the loaded graph through the graph store's named queries (either backend), computes on the
sparse incidence (:mod:`analytics`), and prints a table, ``--json`` or ``--csv`` on stdout (progress and
messages go to stderr).
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
from typing import Annotated, Any

import typer

from core.errors import GapmapError
from gapmap.runtime import console, progress, workspace

app = typer.Typer(help="Gap analytics: significance, landscape, trends, areas, hypotheses, risk.", no_args_is_help=True)

Backend = Annotated[
    str | None, typer.Option("--backend", help="Graph backend: embedded or neo4j (default $GAPMAP_BACKEND).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
MinYear = Annotated[int | None, typer.Option("--min-year", help="Only papers from this year on.")]
MaxYear = Annotated[int | None, typer.Option("--max-year", help="Only papers up to this year.")]
Top = Annotated[int, typer.Option("--top", min=1, help="How many rows to show.")]


def _corpus(ctx: typer.Context, backend: str | None, min_year: int | None = None, max_year: int | None = None) -> Any:
    """The corpus of the workspace's graph; a clear error when no graph has been loaded."""
    from analytics.source import from_graph
    from graph import open_store

    store = open_store(backend, workspace(ctx), read_only=True)  # a reader: never rewrites graph.lbug
    try:
        with console.status("reading the graph"):
            corpus = from_graph(store, min_year, max_year)
    finally:
        store.close()
    if not corpus.rows:
        raise GapmapError("the graph has no paper–entity links", "run `gapmap extract` and `gapmap load` first")
    return corpus


def _incidence(corpus: Any) -> Any:
    from analytics.incidence import Incidence

    return Incidence.from_rows(corpus.rows)


def _clean(value: Any) -> Any:
    """JSON-safe values, recursively: inf/nan become null, floats are rounded for reading."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _emit(rows: list[dict[str, Any]], as_json: bool, as_csv: bool, title: str) -> None:
    """Rows as a JSON list, CSV (nested values JSON-encoded) or a rich table (ids left to JSON/CSV)."""
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in r.items()} for r in rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    keys = [k for k in (rows[0] if rows else {}) if k != "id" and not k.endswith("_id")]
    for key in keys:
        table.add_column(key, overflow="fold")
    for r in rows:
        table.add_row(*("; ".join(map(str, r[k])) if isinstance(r[k], list) else str(r[k]) for k in keys))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _linking(terms: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": t.entity_id,
            "name": t.name,
            "type": t.type,
            "papers_with_a": t.with_a,
            "papers_with_c": t.with_b,
            "strength": t.strength,
            "pmids_a": list(t.pmids_a),
            "pmids_c": list(t.pmids_b),
        }
        for t in terms
    ]


def _types(*names: str | None) -> None:
    """Refuse an unknown entity type with the list of known ones (instead of an empty answer)."""
    from nlp.records import ENTITY_TYPES

    for name in names:
        if name is not None and name not in ENTITY_TYPES:
            raise GapmapError(f"unknown entity type {name!r}", f"choose one of: {', '.join(ENTITY_TYPES)}")


def _resolve(inc: Any, ref: str) -> int:
    """An entity column by id or (case-insensitive) name."""
    index = inc.index()
    if ref in index:
        return int(index[ref])
    by_name = {n.lower(): i for i, n in enumerate(inc.names)}
    if ref.lower() in by_name:
        return by_name[ref.lower()]
    raise GapmapError(f"no entity {ref!r} in the graph", "give an id like MESH:D009189 or an exact entity name")


@app.command("gaps")
def gaps_command(
    ctx: typer.Context,
    rows: Annotated[str, typer.Option("--rows", help="Row entity type.")] = "Mechanism",
    cols: Annotated[str, typer.Option("--cols", help="Column entity type.")] = "Compound",
    min_papers: Annotated[int, typer.Option("--min-papers", help="Both sides need this many papers.")] = 3,
    top: Top = 20,
    min_year: MinYear = None,
    max_year: MaxYear = None,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Landscape gaps: plausible (linked through shared neighbours) but rarely co-studied type × type cells."""
    from analytics.explain import Explainer
    from analytics.landscape import landscape, top_gaps
    from analytics.scorers import NeighbourGraph

    _types(rows, cols)
    corpus = _corpus(ctx, backend, min_year, max_year)
    inc = _incidence(corpus)
    graph = NeighbourGraph.from_incidence(inc)
    found = top_gaps(
        inc, landscape(inc, rows, cols, min_papers, graph=graph), top, explainer=Explainer(inc, graph.cooc)
    )
    out = [
        {
            "a": g.a_name,
            "a_id": g.a_id,
            "c": g.b_name,
            "c_id": g.b_id,
            "gap_score": g.score,
            "plausibility": g.plausibility,
            "deficit": g.deficit,
            "observed": g.observed,
            "expected": g.expected,
            "a_papers": g.a_papers,
            "c_papers": g.b_papers,
            "linking_terms": _linking(g.linking)
            if as_json
            else [f"{t.name} ({t.with_a}/{t.with_b})" for t in g.linking],
        }
        for g in found
    ]
    _emit(_clean(out), as_json, as_csv, f"{rows} × {cols} gaps")


@app.command("landscape")
def landscape_command(
    ctx: typer.Context,
    rows: Annotated[str, typer.Option("--rows", help="Row entity type.")] = "Mechanism",
    cols: Annotated[str, typer.Option("--cols", help="Column entity type.")] = "Compound",
    min_papers: Annotated[int, typer.Option("--min-papers", help="Both sides need this many papers.")] = 3,
    limit: Annotated[int, typer.Option("--limit", help="Most-studied entities per side.")] = 30,
    min_year: MinYear = None,
    max_year: MaxYear = None,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The full type × type matrix, one row per cell: observed, expected, plausibility, deficit, gap score."""
    from analytics.landscape import landscape

    _types(rows, cols)
    inc = _incidence(_corpus(ctx, backend, min_year, max_year))
    land = landscape(inc, rows, cols, min_papers, limit)
    out = [
        {
            "a": inc.names[a],
            "a_id": inc.entity_ids[a],
            "c": inc.names[c],
            "c_id": inc.entity_ids[c],
            "observed": int(land.observed[i, j]),
            "expected": float(land.expected[i, j]),
            "plausibility": float(land.plausibility[i, j]),
            "deficit": float(land.deficit[i, j]),
            "gap_score": float(land.gap[i, j]),
        }
        for i, a in enumerate(land.rows)
        for j, c in enumerate(land.cols)
    ]
    _emit(_clean(out), as_json, as_csv, f"{rows} × {cols} landscape")


@app.command("significance")
def significance_command(
    ctx: typer.Context,
    permutations: Annotated[int, typer.Option("--permutations", help="Curveball null-model samples.")] = 100,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    alpha: Annotated[float, typer.Option("--alpha", help="Benjamini–Hochberg false-discovery rate.")] = 0.05,
    min_observed: Annotated[int, typer.Option("--min-observed", help="Only pairs sharing this many papers.")] = 2,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Independent chains, one process each (default: CPU count).")
    ] = os.cpu_count() or 1,
    stop_after: Annotated[
        int,
        typer.Option(
            "--stop-after",
            min=0,
            help="Stop sampling a pair at this many null counts ≥ observed (at least alpha·permutations + 1; "
            "0 = sample every pair every time). Never changes which pairs are significant.",
        ),
    ] = 10,
    use_cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse a null result stored for the same graph and settings.")
    ] = True,
    top: Top = 50,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Co-occurrence significance of entity pairs: observed, expected, NPMI, lift, permutation p and BH q."""
    from analytics.cooccurrence import NullCache, pair_stats

    inc = _incidence(_corpus(ctx, backend))
    cache = NullCache(workspace(ctx).root / "cache" / "significance") if use_cache else None
    with progress(transient=True) as bar:
        task = bar.add_task(f"permutations ({workers} chains)", total=permutations)
        s = pair_stats(
            inc,
            permutations,
            seed,
            alpha,
            min_observed,
            lambda done, _: bar.update(task, completed=done),
            workers=workers,
            stop_after=stop_after,
            cache=cache,
        )
    if s.cached:
        console.print("null model from the workspace cache (--no-cache recomputes)")
    order = sorted(range(s.a.size), key=lambda k: (s.q_value[k], -s.npmi[k]))[:top]
    out = [
        {
            "a": inc.names[s.a[k]],
            "a_type": inc.types[s.a[k]],
            "b": inc.names[s.b[k]],
            "b_type": inc.types[s.b[k]],
            "observed": int(s.observed[k]),
            "expected": float(s.expected[k]),
            "npmi": float(s.npmi[k]),
            "lift": float(s.lift[k]),
            "p_value": float(s.p_value[k]),
            "q_value": float(s.q_value[k]),
            "significant": bool(s.significant[k]),
            "null_samples": int(s.null_samples[k]),
        }
        for k in order
    ]
    _emit(_clean(out), as_json, as_csv, "co-occurrence significance")


@app.command("trends")
def trends_command(
    ctx: typer.Context,
    type_: Annotated[str | None, typer.Option("--type", help="Only entities of this type.")] = None,
    emerging: Annotated[bool, typer.Option("--emerging", help="Only entities bursting in the latest years.")] = False,
    window: Annotated[int, typer.Option("--window", help="Years compared for growth.")] = 3,
    min_papers: Annotated[int, typer.Option("--min-papers")] = 3,
    top: Top = 30,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Papers per entity per year, growth of its share, Kleinberg bursts; sorted by burst weight then growth."""
    from analytics.trends import trends, yearly_counts

    _types(type_)
    inc = _incidence(_corpus(ctx, backend)).of_types([type_] if type_ else None)
    yc = yearly_counts(inc)
    out = []
    for e, t in enumerate(trends(yc, window=window)):
        if t.papers < min_papers or (emerging and not t.emerging):
            continue
        out.append(
            {
                "entity": inc.names[e],
                "id": inc.entity_ids[e],
                "type": inc.types[e],
                "papers": t.papers,
                "recent": t.recent,
                "growth": t.growth,
                "emerging": t.emerging,
                "bursts": [{"start": b.start, "end": b.end, "weight": round(b.weight, 3)} for b in t.bursts],
                "per_year": {int(y): int(c) for y, c in zip(yc.years, yc.counts[e], strict=True) if c},
            }
        )
    out.sort(key=lambda r: (-max((b["weight"] for b in r["bursts"]), default=0.0), -(r["growth"] or 0)))
    _emit(_clean(out[:top]), as_json, as_csv, "trends")


@app.command("areas")
def areas_command(
    ctx: typer.Context,
    min_cooc: Annotated[int, typer.Option("--min-cooc", help="Papers a pair needs to be an edge.")] = 2,
    resolution: Annotated[
        float, typer.Option("--resolution", help="Louvain resolution (higher: smaller areas).")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    top: Top = 30,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Research areas (Louvain communities of the entity graph): size, papers, growth, members, funded share."""
    from analytics.areas import find_areas

    corpus = _corpus(ctx, backend)
    areas, _ = find_areas(_incidence(corpus), corpus.funded, min_cooc, resolution=resolution, seed=seed)
    out = [
        {
            "area": a.area_id,
            "size": a.size,
            "papers": a.papers,
            "recent": a.trend.recent,
            "growth": a.trend.growth,
            "emerging": a.trend.emerging,
            "funded_share": a.funded_share,
            "top_members": a.top_members,
            **({"per_year": a.per_year} if as_json else {}),
        }
        for a in areas[:top]
    ]
    _emit(_clean(out), as_json, as_csv, "research areas")


@app.command("hypotheses")
def hypotheses_command(
    ctx: typer.Context,
    a_type: Annotated[str, typer.Option("--a-type", help="Pair mode: type of A.")] = "Compound",
    c_type: Annotated[str, typer.Option("--c-type", help="Type of C (pair and open mode).")] = "Mechanism",
    source: Annotated[
        str | None, typer.Option("--source", help="Open discovery from this entity (id or name).")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help="With --source: closed discovery A→C.")] = None,
    scorer: Annotated[str, typer.Option("--scorer", help="Ranking scorer.")] = "supervised",
    min_papers: Annotated[int, typer.Option("--min-papers")] = 2,
    top: Top = 20,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Literature-based discovery: open pairs ranked by several scorers, with linking terms and PMIDs."""
    from analytics.hypotheses import FALLBACK, SCORERS, HypothesisRanker

    _types(a_type, c_type)
    if scorer not in SCORERS:
        raise GapmapError(f"unknown scorer {scorer!r}", f"choose one of: {', '.join(SCORERS)}")
    inc = _incidence(_corpus(ctx, backend))
    ranker = HypothesisRanker(inc)
    if scorer == "supervised" and ranker.model is None:
        console.print(f"[yellow]note:[/] the corpus has no earlier years to train on; ranking by {FALLBACK}")
    if source and target:
        terms = ranker.closed_discovery(_resolve(inc, source), _resolve(inc, target), limit=top)
        _emit(_clean(_linking(terms)), as_json, as_csv, f"linking terms {source} → {target}")
        return
    if source:
        found = ranker.open_discovery(_resolve(inc, source), c_type, min_papers, scorer, top)
    else:
        found = ranker.pairs(a_type, c_type, min_papers, scorer, top)
    out = [
        {
            "a": h.a_name,
            "a_id": h.a_id,
            "c": h.c_name,
            "c_id": h.c_id,
            "score": h.score,
            **h.scores,
            "linking_terms": _linking(h.linking)
            if as_json
            else [f"{t.name} ({t.with_a}/{t.with_b})" for t in h.linking],
        }
        for h in found
    ]
    _emit(_clean(out), as_json, as_csv, "hypotheses")


@app.command("risk")
def risk_command(
    ctx: typer.Context,
    gaps: Annotated[bool, typer.Option("--gaps", help="Score the top gap cells instead of research areas.")] = False,
    rows: Annotated[str, typer.Option("--rows", help="With --gaps: row entity type.")] = "Mechanism",
    cols: Annotated[str, typer.Option("--cols", help="With --gaps: column entity type.")] = "Compound",
    top: Top = 20,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """High-risk/high-reward score with its six components side by side (weights in docs/analytics.md)."""
    from analytics.areas import find_areas
    from analytics.explain import Explainer
    from analytics.landscape import landscape, top_gaps
    from analytics.risk import area_units, cell_unit, score_units
    from analytics.scorers import NeighbourGraph

    _types(rows, cols)
    corpus = _corpus(ctx, backend)
    inc = _incidence(corpus)
    graph = NeighbourGraph.from_incidence(inc)
    if gaps:
        index = inc.index()
        found = top_gaps(
            inc, landscape(inc, rows, cols, graph=graph), top, linking=0, explainer=Explainer(inc, graph.cooc)
        )
        units = [cell_unit(inc, index[g.a_id], index[g.b_id], graph.adj, f"{g.a_name} × {g.b_name}") for g in found]
    else:
        areas, membership = find_areas(inc, corpus.funded)
        labels = [f"area {a.area_id}: " + ", ".join(a.top_members[:3]) for a in areas]
        units = area_units(inc, [a.members for a in areas], membership, graph.adj, labels)
    scored = score_units(inc, units, corpus.funded, corpus.institutions)
    out = [
        {"unit": s.label, "score": s.score, **s.raw, **{f"{k}_norm": v for k, v in s.normalised.items()}}
        for s in scored[:top]
    ]
    _emit(_clean(out), as_json, as_csv, "high-risk/high-reward")


@app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    cutoff: Annotated[int, typer.Option("--cutoff", help="Last year of the training graph.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Years before the cutoff the supervised model learns.")] = 3,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    backend: Backend = None,
    as_json: AsJson = False,
) -> None:
    """Time-sliced validation: AUC and recall@k of every scorer on pairs first co-mentioned after the cutoff."""
    from analytics.evaluate import evaluate

    inc = _incidence(_corpus(ctx, backend))
    with progress(transient=True) as bar:
        task = bar.add_task("evaluating", total=4)
        result = evaluate(
            inc,
            cutoff,
            horizon=horizon,
            seed=seed,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if result.test_edges == 0:
        raise GapmapError(f"no pair is first co-mentioned after {cutoff}", "choose an earlier --cutoff")
    data = result.to_dict()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(
        f"cutoff {cutoff}: {result.train_edges} train edges, {result.test_edges} test edges, "
        f"{result.candidates} candidate pairs",
        highlight=False,
    )
    _emit([{"scorer": k, **v} for k, v in data["scorers"].items()], False, False, "time-sliced validation")
