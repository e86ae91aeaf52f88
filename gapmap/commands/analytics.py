"""`gapmap analytics ...`: gaps, trends, areas, hypotheses, risk and time-sliced evaluation, for scripts and reports.

Every command reads the loaded graph through the graph store's named queries (either backend), computes on the
sparse incidence (:mod:`analytics`), and prints a table, ``--json`` or ``--csv`` on stdout (progress and
messages go to stderr).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from core.errors import GapmapError
from gapmap.runtime import console, data_table, progress, say, stdout_console, workspace, write_csv, write_json

app = typer.Typer(help="Gap analytics: significance, landscape, trends, areas, hypotheses, risk.", no_args_is_help=True)

Backend = Annotated[
    str | None, typer.Option("--backend", help="Graph backend: embedded or neo4j (default $GAPMAP_BACKEND).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
MinYear = Annotated[int | None, typer.Option("--min-year", min=0, max=9999, help="Only papers from this year on.")]
MaxYear = Annotated[int | None, typer.Option("--max-year", min=0, max=9999, help="Only papers up to this year.")]
Top = Annotated[int, typer.Option("--top", min=1, help="How many rows to show.")]
MinPapers = Annotated[int, typer.Option("--min-papers", min=0, help="Both sides need this many papers.")]
#: Seeds feed NumPy generators, which take 32-bit seeds.
Seed = Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Random seed.")]


Rows = Annotated[str, typer.Option("--rows", help="Row entity type.")]
Cols = Annotated[str, typer.Option("--cols", help="Column entity type.")]
RollUp = Annotated[
    int,
    typer.Option(
        "--roll-up",
        min=0,
        help="Concept level: 0 = the concepts papers name; N = each also counts its narrower concepts up to N "
        "steps below (progressive MS with PPMS and SPMS; lymphocyte activation with T and B cell activation).",
    ),
]
MinExpected = Annotated[
    float,
    typer.Option(
        "--min-expected", min=0.0, help="Cells expecting fewer co-mentions are 'too little evidence', not gaps."
    ),
]
MaxP = Annotated[
    float,
    typer.Option(
        "--max-p", min=0.0, max=1.0, help="A gap's co-mentions must be this unlikely (hypergeometric lower tail)."
    ),
]


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


def _analysis(
    ctx: typer.Context, backend: str | None, min_year: int | None = None, max_year: int | None = None, levels: int = 0
) -> Any:
    """The analytics of the workspace's corpus (:class:`analytics.results.Analysis`), at the chosen concept level."""
    from analytics.results import Analysis

    return Analysis(_corpus(ctx, backend, min_year, max_year), levels)


def _emit(rows: list[dict[str, Any]], as_json: bool, as_csv: bool, title: str) -> None:
    """Rows as a JSON list, CSV (nested values JSON-encoded, cells defused) or a table (ids left to JSON/CSV);
    names and linking terms are stored text, so the table shows them as text (``gapmap.runtime``)."""
    if as_json:
        write_json(rows)
        return
    if as_csv:
        write_csv(rows)
        return
    keys = [k for k in (rows[0] if rows else {}) if k != "id" and not k.endswith("_id")]
    stdout_console().print(data_table(keys, ([r[k] for k in keys] for r in rows), title=title, sep="; "))


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
    rows: Rows = "Mechanism",
    cols: Cols = "Compound",
    min_papers: MinPapers = 3,
    min_expected: MinExpected = 3.0,
    max_p: MaxP = 0.05,
    top: Top = 20,
    roll_up: RollUp = 0,
    cross: Annotated[
        bool,
        typer.Option(
            "--cross-disease",
            help="Instead: pairs named together in papers on another neurodegenerative or demyelinating disease "
            "(--min-other papers) and never in papers on progressive MS.",
        ),
    ] = False,
    min_other: Annotated[
        int, typer.Option("--min-other", help="With --cross-disease: papers naming both in one other disease.")
    ] = 2,
    min_year: MinYear = None,
    max_year: MaxYear = None,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Gaps: specific concepts whose literatures are alike, yet co-mentioned surprisingly rarely, with reasons
    (or, with --cross-disease, what other diseases' literature suggests trying in progressive MS)."""
    _types(rows, cols)
    an = _analysis(ctx, backend, min_year, max_year, roll_up)
    if cross:
        crossed = an.cross_disease(rows, cols, min_papers, min_other, top)
        _emit([g.to_row(detail=as_json) for g in crossed], as_json, as_csv, f"{rows} × {cols} cross-disease gaps")
        return
    found = an.gaps(rows, cols, min_papers, top, min_expected, max_p)
    counts = an.landscape(rows, cols, min_papers, min_expected, max_p).counts()
    console.print(
        f"{rows} × {cols}: " + ", ".join(f"{n} {status}" for status, n in counts.items()) + " cells", highlight=False
    )
    _emit([g.to_row(detail=as_json) for g in found], as_json, as_csv, f"{rows} × {cols} gaps")


@app.command("landscape")
def landscape_command(
    ctx: typer.Context,
    rows: Rows = "Mechanism",
    cols: Cols = "Compound",
    min_papers: MinPapers = 3,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most-studied entities per side.")] = 30,
    roll_up: RollUp = 0,
    min_year: MinYear = None,
    max_year: MaxYear = None,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """The type × type matrix, one row per cell: observed, expected, tail probability, plausibility, status."""
    _types(rows, cols)
    an = _analysis(ctx, backend, min_year, max_year, roll_up)
    out = [cell.to_row(detail=as_json) for cell in an.cells(rows, cols, min_papers, limit)]
    _emit(out, as_json, as_csv, f"{rows} × {cols} landscape")


@app.command("significance")
def significance_command(
    ctx: typer.Context,
    permutations: Annotated[
        int, typer.Option("--permutations", min=1, max=1_000_000, help="Curveball null-model samples.")
    ] = 100,
    seed: Seed = 0,
    alpha: Annotated[
        float, typer.Option("--alpha", min=0.0, max=1.0, help="Benjamini–Hochberg false-discovery rate.")
    ] = 0.05,
    min_observed: Annotated[
        int, typer.Option("--min-observed", min=1, help="Only pairs sharing this many papers.")
    ] = 2,
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
    from analytics.cooccurrence import NullCache

    an = _analysis(ctx, backend)
    cache = NullCache(workspace(ctx).root / "cache" / "significance") if use_cache else None
    with progress(transient=True) as bar:
        task = bar.add_task(f"permutations ({workers} chains)", total=permutations)
        found, cached = an.significance(
            permutations,
            seed,
            alpha,
            min_observed,
            lambda done, _: bar.update(task, completed=done),
            workers,
            stop_after,
            cache,
            top,
        )
    if cached:
        console.print("null model from the workspace cache (--no-cache recomputes)")
    _emit([p.to_row(detail=as_json) for p in found], as_json, as_csv, "co-occurrence significance")


@app.command("trends")
def trends_command(
    ctx: typer.Context,
    type_: Annotated[str | None, typer.Option("--type", help="Only entities of this type.")] = None,
    emerging: Annotated[bool, typer.Option("--emerging", help="Only entities bursting in the latest years.")] = False,
    window: Annotated[int, typer.Option("--window", min=1, max=100, help="Years compared for growth.")] = 3,
    min_papers: Annotated[int, typer.Option("--min-papers", min=0, help="Only entities with this many papers.")] = 3,
    top: Top = 30,
    roll_up: RollUp = 0,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Papers per entity per year, growth of its share, Kleinberg bursts; sorted by burst weight then growth."""
    _types(type_)
    found = [
        t
        for t in _analysis(ctx, backend, levels=roll_up).trends(type_, window)
        if t.trend.papers >= min_papers and (t.trend.emerging or not emerging)
    ]
    found.sort(
        key=lambda t: (-max((b.weight for b in t.trend.bursts), default=0.0), -(t.trend.growth or 0), t.entity.id)
    )
    _emit([t.to_row(detail=as_json) for t in found[:top]], as_json, as_csv, "trends")


@app.command("areas")
def areas_command(
    ctx: typer.Context,
    min_cooc: Annotated[int, typer.Option("--min-cooc", min=1, help="Papers a pair needs to be an edge.")] = 2,
    resolution: Annotated[
        float, typer.Option("--resolution", min=0.0, help="Louvain resolution (higher: smaller areas).")
    ] = 1.0,
    seed: Seed = 0,
    top: Top = 30,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Research areas (Louvain communities of the entity graph): size, papers, growth, members, funded share."""
    areas, _ = _analysis(ctx, backend).areas(min_cooc, resolution, seed)
    _emit([a.to_row(detail=as_json) for a in areas[:top]], as_json, as_csv, "research areas")


@app.command("hypotheses")
def hypotheses_command(
    ctx: typer.Context,
    a_type: Annotated[str, typer.Option("--a-type", help="Pair mode: type of A.")] = "Compound",
    b_type: Annotated[str, typer.Option("--b-type", "--c-type", help="Type of B (pair and open mode).")] = "Mechanism",
    source: Annotated[
        str | None, typer.Option("--source", help="Open discovery from this entity (id or name).")
    ] = None,
    target: Annotated[str | None, typer.Option("--target", help="With --source: closed discovery A→B.")] = None,
    scorer: Annotated[str, typer.Option("--scorer", help="Ranking scorer.")] = "supervised",
    min_papers: Annotated[int, typer.Option("--min-papers", min=0, help="Both sides need this many papers.")] = 2,
    top: Top = 20,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Literature-based discovery: open pairs ranked by several scorers, with linking terms and PMIDs."""
    from analytics.hypotheses import SCORERS
    from analytics.results import linking_rows

    _types(a_type, b_type)
    if scorer not in SCORERS:
        raise GapmapError(f"unknown scorer {scorer!r}", f"choose one of: {', '.join(SCORERS)}")
    an = _analysis(ctx, backend)
    if an.ranker.fallback(scorer) != scorer:
        say("note:", f"the corpus has no earlier years to train on; ranking by {an.ranker.fallback(scorer)}")
    if source and target:
        terms = an.ranker.closed_discovery(_resolve(an.inc, source), _resolve(an.inc, target), limit=top)
        rows = linking_rows(terms, detail=True)
        _emit(rows, as_json, as_csv, f"linking terms {source} → {target}")
        return
    if source:
        found = an.open_discovery(_resolve(an.inc, source), b_type, min_papers, scorer, top)
    else:
        found = an.hypotheses(a_type, b_type, min_papers, scorer, top)
    _emit([h.to_row(detail=as_json) for h in found], as_json, as_csv, "hypotheses")


@app.command("risk")
def risk_command(
    ctx: typer.Context,
    gaps: Annotated[bool, typer.Option("--gaps", help="Score the top gap cells instead of research areas.")] = False,
    rows: Annotated[str, typer.Option("--rows", help="With --gaps: row entity type.")] = "Mechanism",
    cols: Annotated[str, typer.Option("--cols", help="With --gaps: column entity type.")] = "Compound",
    top: Top = 20,
    roll_up: RollUp = 0,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """High-risk/high-reward score with its six components side by side (raw and percentile), and the spread
    of the scores (JSON: units, spread, constant_components, weights)."""
    _types(rows, cols)
    an = _analysis(ctx, backend, levels=roll_up)
    if gaps:
        results = an.risk_of_cells(an.gaps(rows, cols, top=top, with_risk=False), (rows, cols))
    else:
        results = an.risk_of_areas()
    if as_json:
        write_json(results.to_json(top))
        return
    spread = results.report.spread
    console.print(
        f"score spread over {len(results.report.scores)} units: min {spread['min']:.3f}, IQR {spread['q1']:.3f}–"
        f"{spread['q3']:.3f}, max {spread['max']:.3f}, std {spread['std']:.3f}"
        + (
            f"; equal for every unit (left out): {', '.join(results.report.constant)}"
            if results.report.constant
            else ""
        ),
        highlight=False,
    )
    _emit(results.rows(top), False, as_csv, "high-risk/high-reward")


@app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    cutoff: Annotated[int, typer.Option("--cutoff", min=0, max=9999, help="Last year of the training graph.")],
    horizon: Annotated[
        int, typer.Option("--horizon", min=1, max=100, help="Years before the cutoff the supervised model learns.")
    ] = 3,
    seed: Seed = 0,
    backend: Backend = None,
    as_json: AsJson = False,
) -> None:
    """Time-sliced validation: AUC and recall@k of every scorer on pairs first co-mentioned after the cutoff, and
    each scorer beside its variant that uses the typed relations stated up to the cutoff."""
    from analytics.evaluate import evaluate

    an = _analysis(ctx, backend)
    with progress(transient=True) as bar:
        task = bar.add_task("evaluating", total=4)
        result = evaluate(
            an.inc,
            cutoff,
            horizon=horizon,
            seed=seed,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            relations=an.relations,
        )
    if result.test_edges == 0:
        raise GapmapError(f"no pair is first co-mentioned after {cutoff}", "choose an earlier --cutoff")
    data = result.to_dict()
    if as_json:
        write_json(data)
        return
    console.print(
        f"cutoff {cutoff}: {result.train_edges} train edges ({result.typed_edges} typed relations), "
        f"{result.test_edges} test edges, {result.candidates} candidate pairs",
        highlight=False,
    )
    if not result.typed_edges:
        say("note:", f"the graph has no typed relation stated up to {cutoff}; with and without relations are alike")
    _emit([{"scorer": k, **v} for k, v in data["scorers"].items()], False, False, "time-sliced validation")
    _emit(result.side_by_side(), False, False, "without and with typed relations")


# -- translational gaps (issue 18) ----------------------------------------------------------------------


@app.command("translational")
def translational_command(
    ctx: typer.Context,
    rows: Annotated[str, typer.Option("--rows", help="Row entity type.")] = "Compound",
    cols: Annotated[str, typer.Option("--cols", help="Column entity type.")] = "Mechanism",
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="preclinical_only, no_trial or no_progressive_trial (default: all three)."),
    ] = None,
    max_df: Annotated[
        float,
        typer.Option("--max-df", min=0.0, max=1.0, help="Hubs: leave out entities in more than this share of papers."),
    ] = 0.05,
    min_support: Annotated[
        int, typer.Option("--min-support", min=1, help="Papers at the kind's level a pair needs.")
    ] = 1,
    top: Top = 20,
    all_compounds: Annotated[
        bool,
        typer.Option(
            "--all-compounds",
            help="Keep the compounds the papers measure rather than give (read-outs) as sides of a gap.",
        ),
    ] = False,
    excluded: Annotated[
        bool,
        typer.Option(
            "--excluded",
            help="Instead: the entities of the two types left out of the ranking (hubs, classes, tools, read-outs "
            "...), each with its reason.",
        ),
    ] = False,
    min_year: MinYear = None,
    max_year: MaxYear = None,
    backend: Backend = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """Translational gaps: pairs with preclinical support and no human study, human observational support and no
    trial, or trials none of which is in progressive MS; each with its evidence pyramid, PMIDs and a reason.
    The sides are the entities the gap map finds specific (no hub, class, tool, readout, unlinked name); compounds
    the papers measure rather than give (read-outs) are no side unless --all-compounds.  --excluded says why."""
    from analytics.translational import KINDS, LEVEL_NAMES, exclusions, find_gaps, from_store, summary
    from graph import open_store

    _types(rows, cols)
    if kind is not None and kind not in KINDS:
        raise GapmapError(f"unknown kind {kind!r}", f"choose one of: {', '.join(KINDS)}")
    store = open_store(backend, workspace(ctx), read_only=True)  # a reader: `gapmap app` may hold the graph
    try:
        with console.status("reading the graph"):
            corpus = from_store(store, min_year, max_year)
    finally:
        store.close()
    if not {rows, cols} <= set(corpus.inc.types):
        raise GapmapError(f"the graph has no {rows} or {cols} mentions", "run `gapmap extract` and `gapmap load` first")
    if not any(c.levels for c in corpus.contexts.values()):
        raise GapmapError("no publication has a study context", "run `gapmap extract` and `gapmap load` again")
    left_out = exclusions(corpus, rows, cols, max_df, interventions_only=not all_compounds)
    if excluded:
        _emit([e.to_dict() for e in left_out], as_json, as_csv, f"{rows} × {cols}: left out of the ranking")
        return
    console.print(f"{rows} × {cols} entities: {summary(left_out)} (--excluded lists them)", highlight=False)
    kinds = [kind] if kind else KINDS
    found = find_gaps(corpus, rows, cols, kinds, max_df, min_support, top, interventions_only=not all_compounds)
    if as_json:
        _emit([g.to_dict() for g in found], True, False, "")
        return
    out = []
    for g in found:
        counts = g.pyramid.counts()
        models = "; ".join(f"{m} {len(p)}" for m, p in g.pyramid.in_vivo_models.items())
        row = {k: v for k, v in g.to_dict().items() if k not in ("pyramid", "reason")}
        if as_csv:  # the pyramid's counts as columns, its PMIDs as one JSON column
            out.append({**row, **counts, "in_vivo_models": models, "reason": g.reason, "pmids": g.pyramid.to_dict()})
        else:
            pyramid = " · ".join(f"{LEVEL_NAMES[k]} {n}" for k, n in counts.items() if n)
            out.append({**row, "pyramid": pyramid + (f" (in vivo: {models})" if models else ""), "reason": g.reason})
    _emit(out, False, as_csv, f"{rows} × {cols} translational gaps")
