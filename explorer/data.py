"""Cached data access of the explorer: the graph store, named queries, and the analytics built on them.

Why here and nowhere else: every page reaches data through these functions only, so the import rule (the app
talks to ``graph``'s store interface and ``analytics``, never to ``ingest``/``nlp``/SQLite) is kept in one
place, and so is caching.  The store is one shared resource per (backend, workspace) with a lock around each
query, because Streamlit runs every browser session in its own thread and an embedded connection is not meant
to be used by two threads at once.  Query results are cached as DataFrames (keyed by query name and
parameters); analytics objects (incidence, rankers, areas) are cached as resources, since copying them per
rerun would cost more than computing them.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
import streamlit as st

import graph
from analytics.areas import Area
from analytics.evaluate import Evaluation, evaluate
from analytics.hypotheses import Hypothesis, HypothesisRanker
from analytics.landscape import Landscape, columns_of_type
from analytics.results import Analysis, GapCell, GapQuery, HypothesisResult, RiskResults
from analytics.source import from_graph
from core.errors import GapmapError
from core.output import redact
from core.workspace import Workspace
from explorer.portfolio import Lexicon, Named
from explorer.ui import md

#: How long cached query results live: a reload of the graph shows up within this many seconds.
TTL_SECONDS = 600
#: Years after the default evaluation cutoff: enough for new pairs to appear, with the graph before it still large.
HOLDOUT_YEARS = 3


@dataclass(frozen=True)
class Source:
    """Which graph the app shows: backend and workspace, from ``GAPMAP_BACKEND`` / ``GAPMAP_HOME``, and which
    load of it (``version``, the published embedded file's identity): a new ``gapmap load`` is a new Source, so
    every cache keyed by it is refilled from the new graph at the next page view."""

    backend: str
    home: str
    version: str = ""

    @classmethod
    def from_env(cls) -> Source:
        backend, workspace = graph.resolve_backend(None), Workspace.resolve()
        return cls(backend, str(workspace.root), graph.graph_version(backend, workspace))


class LockedStore:
    """A graph store whose queries run one at a time (sessions are threads; see the module docstring)."""

    def __init__(self, store: graph.GraphStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self.backend = store.backend

    def query(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return self._store.query(name, params)

    def stream(self, name: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """All rows fetched at once under the lock, then iterated (a live cursor would hold the lock)."""
        return iter(self.query(name, params))

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return self._store.counts()

    def close(self) -> None:
        with self._lock:
            self._store.close()


@st.cache_resource(show_spinner="opening the graph", max_entries=2)
def _open(source: Source) -> LockedStore:
    """The store of ``source``; a GapmapError (no graph yet) is not cached, so a later load is picked up.

    Read-only: the explorer never writes the graph, so any number of explorers and ``gapmap query`` runs share
    it, and ``gapmap load`` publishes a new version beside it (graph.staging) that the next Source opens.  The
    store of the previous version is dropped from this cache (two entries: the current and the one before)."""
    workspace = Workspace.resolve(source.home)
    return LockedStore(graph.open_store(source.backend, workspace, read_only=True))


def store() -> LockedStore:
    """The app's graph store, or an explanation of what to run (and the page stops) when there is none."""
    source = Source.from_env()
    try:
        opened = _open(source)
    except GapmapError as exc:
        st.info(
            f"No graph to show yet ({md(redact(exc.message))}). Load a corpus first: `gapmap demo --corpus PATH`, "
            f"or run `gapmap ingest files PATH`, `gapmap extract` and `gapmap load` with --home {md(source.home)}."
        )
        st.stop()
    return opened


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _rows(source: Source, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    from graph import queries

    rows = _open(source).query(name, dict(params))
    return pd.DataFrame(rows, columns=list(queries.get(name).returns))


def rows(name: str, **params: Any) -> pd.DataFrame:
    """The rows of named query ``name`` (a file in ``queries/``) as a DataFrame with its declared columns."""
    store()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _rows(Source.from_env(), name, frozen).copy()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _counts(source: Source) -> dict[str, dict[str, int]]:
    return _open(source).counts()


def counts() -> dict[str, dict[str, int]]:
    """Nodes by label and relationships by type (cached: a count per label and type is a query each)."""
    store()
    return _counts(Source.from_env())


def loaded_at() -> datetime | None:
    """When the embedded graph was last written (its folder's modification time); None for Neo4j."""
    source = Source.from_env()
    path = Workspace.resolve(source.home).embedded_graph
    if source.backend != "embedded" or not path.exists():
        return None
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


# -- analytics ----------------------------------------------------------------------------------------
#
# Every number comes from one :class:`analytics.results.Analysis` per (graph, concept level), the same object the
# CLI builds; pages show its records' ``to_row()``, so a cell has the same score here and in `gapmap analytics`.


@st.cache_resource(show_spinner="reading the corpus", ttl=TTL_SECONDS)
def _analysis(source: Source, levels: int = 0) -> Analysis:
    return Analysis(from_graph(_open(source)), levels)


def analytics(levels: int = 0) -> Analysis:
    """The corpus as the analytics see it (``levels`` > 0: rolled up that many concept levels); the page stops
    with an explanation when it has no mentions."""
    store()
    result = _analysis(Source.from_env(), levels)
    if result.inc.n_papers == 0:
        st.info("The graph has no paper–entity links yet: run `gapmap extract` and then `gapmap load`.")
        st.stop()
    return result


def ranker() -> HypothesisRanker:
    """The hypothesis ranker of the whole corpus (trains the supervised scorer once)."""
    return analytics().ranker


def matrices(query: GapQuery, limit: int) -> Landscape:
    """The query's landscape over every entity with ``min_papers`` papers, cut to each side's ``limit`` most
    studied for display (the numbers are those of the full matrix, as in the CLI)."""
    q = query
    return analytics(q.levels).landscape(q.row_type, q.col_type, q.min_papers, q.min_expected, q.max_p).head(limit)


def areas() -> tuple[list[Area], sp.csr_matrix]:
    """Research areas (Louvain communities) with their papers × areas membership matrix."""
    found, membership = _areas(Source.from_env())
    return [a.area for a in found], membership


@st.cache_resource(show_spinner="finding research areas", ttl=TTL_SECONDS)
def _areas(source: Source) -> tuple[list[Any], sp.csr_matrix]:
    return _analysis(source).areas()


@st.cache_resource(show_spinner="scoring research areas", ttl=TTL_SECONDS)
def _area_risk(source: Source) -> RiskResults:
    return _analysis(source).risk_of_areas()


def area_risk() -> RiskResults:
    """High-risk/high-reward of every research area (keys "area N"), with the spread of the scores."""
    analytics()
    return _area_risk(Source.from_env())


@st.cache_resource(show_spinner="evaluating the scorers on a time slice", ttl=TTL_SECONDS)
def _evaluation(source: Source, cutoff: int) -> Evaluation:
    analysis = _analysis(source)
    return evaluate(analysis.inc, cutoff, relations=analysis.relations)


def evaluation(cutoff: int) -> Evaluation:
    """Time-sliced evaluation of every scorer at ``cutoff``, with and without typed relations (the slowest
    analytics; computed once per cutoff)."""
    analytics()
    return _evaluation(Source.from_env(), cutoff)


@st.cache_resource(show_spinner="projecting the graph", ttl=TTL_SECONDS)
def _cooccurrence(source: Source, min_year: int, max_year: int) -> nx.Graph:
    first, last = _analysis(source).years
    if (min_year, max_year) == (first, last):
        return graph.to_networkx(_open(source))
    return graph.to_networkx(_open(source), min_year=min_year, max_year=max_year)


def cooccurrence_graph(min_year: int, max_year: int) -> nx.Graph:
    """The entity co-occurrence graph of papers in the year range (all years: the stored CO_OCCURS links)."""
    analytics()
    return _cooccurrence(Source.from_env(), min_year, max_year)


def entity_pmids(entity_id: str, limit: int = 20) -> list[str]:
    """The newest ``limit`` PMIDs mentioning an entity (from the incidence)."""
    data = analytics()
    col = data.column(entity_id)
    if col is None:
        return []
    papers = np.asarray(data.inc.matrix[:, col].tocoo().row)
    newest = papers[np.argsort(-data.inc.years[papers], kind="stable")][:limit]
    return [data.inc.pmids[i] for i in newest]


@st.cache_resource(show_spinner="scoring gaps", ttl=TTL_SECONDS)
def _gaps(source: Source, q: GapQuery, top: int) -> list[GapCell]:
    return _analysis(source, q.levels).gaps(q.row_type, q.col_type, q.min_papers, top, q.min_expected, q.max_p)


def gap_cells(query: GapQuery, top: int = 20) -> list[GapCell]:
    """The top gap cells (records: statistics, reasons, context evidence, risk/reward)."""
    analytics(query.levels)
    return _gaps(Source.from_env(), query, top)


def gaps(query: GapQuery, top: int = 20) -> pd.DataFrame:
    """The top gap cells as a table: each record's ``to_row()``, the row form `gapmap analytics gaps` prints."""
    return pd.DataFrame([g.to_row() for g in gap_cells(query, top)])


def cell(query: GapQuery, a_id: str, b_id: str) -> GapCell | None:
    """One cell of the full landscape with its linking terms and context evidence (None: not in the matrix)."""
    q = query
    an = analytics(q.levels)
    land = an.landscape(q.row_type, q.col_type, q.min_papers, q.min_expected, q.max_p)
    a, b = an.column(a_id), an.column(b_id)
    at = land.cell(a, b) if a is not None and b is not None else None
    return an.cell(land, *at) if at else None


@st.cache_resource(show_spinner="looking across diseases", ttl=TTL_SECONDS)
def _cross_disease(source: Source, q: GapQuery, top: int) -> pd.DataFrame:
    found = _analysis(source, q.levels).cross_disease(q.row_type, q.col_type, q.min_papers, top=top)
    return pd.DataFrame([g.to_row() for g in found])


def cross_disease(query: GapQuery, top: int = 20) -> pd.DataFrame:
    """Pairs evidenced in another neurodegenerative or demyelinating disease and never in progressive MS."""
    analytics(query.levels)
    return _cross_disease(Source.from_env(), query, top).copy()


@st.cache_resource(show_spinner="detecting bursts", ttl=TTL_SECONDS)
def _entity_trends(source: Source) -> pd.DataFrame:
    return pd.DataFrame([t.to_row() for t in _analysis(source).trends()])


def entity_trends() -> pd.DataFrame:
    """Every entity's trend: papers, recent papers, growth of its share, Kleinberg bursts, emerging flag."""
    analytics()
    return _entity_trends(Source.from_env()).copy()


@st.cache_resource(show_spinner="ranking hypotheses", ttl=TTL_SECONDS)
def _hypotheses(
    source: Source, a_type: str, b_type: str, min_papers: int, scorer: str, top: int
) -> list[HypothesisResult]:
    return _analysis(source).hypotheses(a_type, b_type, min_papers, scorer, top)


def hypotheses(a_type: str, b_type: str, min_papers: int, scorer: str, top: int) -> list[HypothesisResult]:
    """Open ``a_type × b_type`` pairs ranked by ``scorer``, each with its linking terms and their PMIDs."""
    analytics()
    return _hypotheses(Source.from_env(), a_type, b_type, min_papers, scorer, top)


def default_cutoff(first: int, last: int) -> int | None:
    """The evaluation cutoff the Hypotheses page starts with; None when the corpus spans too few years."""
    return last - HOLDOUT_YEARS if last - first >= 2 * HOLDOUT_YEARS else None


#: Progress of each graph version's warm-up: (steps done, steps, what runs now, seconds since it started).
_WARMING: dict[Source, tuple[int, int, str, float]] = {}


#: The gaps the Gap map opens with (rows, columns, min papers per entity), and how many of each side it shows.
DEFAULT_GAPS = GapQuery("Mechanism", "Compound", 3)
DEFAULT_LIMIT = 20


def _warm_steps(source: Source) -> list[tuple[str, Any]]:
    """The slow, shared analytics, in the order pages need them: (what it is, how to compute it)."""
    steps: list[tuple[str, Any]] = [
        ("reading the corpus", lambda: _analysis(source)),
        ("projecting the co-occurrence graph", lambda: _cooccurrence(source, *_analysis(source).years)),
        ("scoring the default gap map", lambda: _gaps(source, DEFAULT_GAPS, 20)),
        ("training the hypothesis ranker", lambda: _analysis(source).ranker),
        ("detecting trends and bursts", lambda: _entity_trends(source)),
        ("finding research areas", lambda: (_area_risk(source), _lexicon(source))),
    ]
    cutoff = default_cutoff(*_analysis(source).years)
    if cutoff is not None:
        steps.append(("evaluating the scorers", lambda: _evaluation(source, cutoff)))
    return steps


def _warm(source: Source) -> None:
    """Compute the slow, shared analytics once, so that the first visit of a page does not wait for them; say
    how far it got (sidebar and terminal), since the first start on a new graph takes a while."""
    started = time.monotonic()
    try:
        steps = _warm_steps(source)
        for done, (label, step) in enumerate(steps):
            _WARMING[source] = (done, len(steps), label, time.monotonic() - started)
            print(f"explorer: preparing the analytics, step {done + 1}/{len(steps)}: {label}…", file=sys.stderr)
            step()
        _WARMING[source] = (len(steps), len(steps), "ready", time.monotonic() - started)
        print(f"explorer: analytics ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    except GapmapError:
        _WARMING.pop(source, None)  # no graph yet: the pages say what to run


@st.cache_resource(show_spinner=False)
def _warm_up(source: Source) -> threading.Thread:
    # the cached functions' spinners have no page to show in from this thread; Streamlit warns about each
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    thread = threading.Thread(target=_warm, args=(source,), name="gapmap-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up() -> None:
    """Start computing the shared analytics in the background, once per server and graph."""
    source = Source.from_env()
    _WARMING.setdefault(source, (0, 0, "reading the corpus", 0.0))  # 0 steps: not counted yet
    _warm_up(source)


def warm_up_progress() -> tuple[int, int, str, float] | None:
    """How far the warm-up of the current graph is: (steps done, steps, what runs now, seconds); None when it
    has not started or there is no graph."""
    return _WARMING.get(Source.from_env())


# -- what the reading pages need: specificity counts, full text, paged lists --------------------------


@st.cache_resource(show_spinner=False, ttl=TTL_SECONDS, max_entries=16)
def _papers_per_entity(source: Source, min_year: int, max_year: int, funded_only: bool) -> tuple[pd.Series, int]:
    inc = _analysis(source).inc
    mask = (inc.years >= min_year) & (inc.years <= max_year)
    if funded_only:
        funded = _analysis(source).corpus.funded
        mask &= np.fromiter((p in funded for p in inc.pmids), bool, len(inc.pmids))
    counts = np.asarray(inc.matrix[mask].sum(axis=0)).ravel()
    return pd.Series(counts, index=inc.entity_ids), int(mask.sum())


def papers_per_entity(min_year: int, max_year: int, funded_only: bool = False) -> tuple[pd.Series, int]:
    """Papers mentioning each entity (by id) among the papers of the year range (funded ones only if asked), and
    how many papers that is: the margins that lift and NPMI compare shared papers with."""
    analytics()
    return _papers_per_entity(Source.from_env(), min_year, max_year, funded_only)


def papers_per_year() -> pd.Series:
    """Publications per publication year; undated ones under year 0."""
    frame = rows("publications_per_year")
    return pd.Series(frame["papers"].astype(int).to_numpy(), index=frame["year"].astype(int).to_numpy())


def fulltext() -> graph.FullText:
    """Full-text search over the workspace's article store (SQLite FTS5, opened read-only per search)."""
    return graph.FullText(Workspace.resolve(Source.from_env().home).article_store)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=256)
def _search(source: Source, text: str, min_year: int, max_year: int) -> pd.DataFrame:
    from graph.fulltext import parse

    found = graph.FullText(Workspace.resolve(source.home).article_store).search(
        parse(text), min_year=min_year, max_year=max_year, limit=-1
    )
    return pd.DataFrame(
        [(h.pmid, h.title, h.year, round(h.score, 3), h.snippet) for h in found],
        columns=["pmid", "title", "year", "score", "snippet"],
    )


def search(text: str, min_year: int = 0, max_year: int = 9999) -> pd.DataFrame:
    """Every article matching ``text`` (FTS5 syntax built by :func:`graph.fulltext.parse`), most relevant first:
    pmid, title, year, score (bm25, higher is better), snippet (matches between the fulltext marks)."""
    return _search(Source.from_env(), text, min_year, max_year).copy()


def all_rows(name: str, total: int, **params: Any) -> pd.DataFrame:
    """Every row of a paged named query (``skip``/``limit``), for a download: ``total`` rows at most."""
    return rows(name, skip=0, limit=max(int(total), 1), **params)


@st.cache_resource(show_spinner="ranking the pairs with that name", ttl=TTL_SECONDS, max_entries=32)
def _hypotheses_named(
    source: Source, a_type: str, b_type: str, min_papers: int, scorer: str, top: int, text: str
) -> list[HypothesisResult]:
    analysis = _analysis(source)
    inc, ranker = analysis.inc, analysis.ranker
    rows, cols = columns_of_type(inc, a_type, min_papers), columns_of_type(inc, b_type, min_papers)

    def named(columns: np.ndarray) -> np.ndarray:
        return columns[[text in inc.names[i].lower() for i in columns]] if columns.size else columns

    found: dict[frozenset[str], Hypothesis] = {}
    for a_side, b_side in ((named(rows), cols), (rows, named(cols))):
        if a_side.size and b_side.size:
            for h in ranker.rank(a_side, b_side, scorer, top):
                found.setdefault(frozenset((h.a_id, h.b_id)), h)
    best = sorted(found.values(), key=lambda h: (-h.score, h.a_id, h.b_id))[:top]
    return [HypothesisResult(h, scorer) for h in best]


def hypotheses_named(
    a_type: str, b_type: str, min_papers: int, scorer: str, top: int, text: str
) -> list[HypothesisResult]:
    """The best ``top`` open pairs with ``text`` in the name of either side, ranked among every open pair of the
    types (not only among the best ones overall)."""
    analytics()
    return _hypotheses_named(Source.from_env(), a_type, b_type, min_papers, scorer, top, text.strip().lower())


@st.cache_resource(show_spinner=False, ttl=TTL_SECONDS)
def _lexicon(source: Source) -> Lexicon:
    return Lexicon(_rows(source, "entity_lexicon", (("min_papers", 2),)))


def named_in(text: str) -> list[Named]:
    """The entities (with 2+ papers) whose name or synonym ``text`` contains as whole words."""
    store()
    return _lexicon(Source.from_env()).named(text)


def area_coverage() -> pd.DataFrame:
    """Research areas with their papers, funded papers, growth and high-risk/high-reward score."""
    found, _membership = areas()
    risk = {f"Area {k.removeprefix('area ')}": s.score for k, s in area_risk().by_key().items()}
    return pd.DataFrame(
        [
            {
                "area": f"Area {a.area_id}",
                "top_members": ", ".join(a.top_members),
                "entities": a.size,
                "papers": a.papers,
                "funded_papers": a.funded,
                "funded_share": round(a.funded_share, 3),
                "covered": a.funded > 0,
                "growth": a.trend.growth,
                "emerging": a.trend.emerging,
                "risk_reward": round(risk.get(f"Area {a.area_id}", float("nan")), 3),
            }
            for a in found
        ],
        columns=[
            "area", "top_members", "entities", "papers", "funded_papers", "funded_share", "covered", "growth",
            "emerging", "risk_reward",
        ],
    )  # fmt: skip
