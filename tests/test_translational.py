"""Translational gaps on a real loaded graph: the Gregory MS feed (trials, cohorts, reviews, animal studies read
from the text) plus MEDLINE and PubMed XML records whose MeSH and publication types give their designs, run
through `gapmap extract` and loaded into the embedded graph.

Every gap is checked against the graph itself through the named queries (``pair_publications_by_level`` per
level), and the whole candidate set against a plain set-based recount of ``paper_entities`` and
``publication_contexts`` rows, so the sparse counting is never its own reference.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from conftest import GRAPH_SOURCES, GREGORY, extract
from typer.testing import CliRunner

from analytics.translational import (
    HUMAN_LEVELS,
    KINDS,
    MODEL_AGENTS,
    PRECLINICAL_LEVELS,
    PROGRESSIVE_FORMS,
    TRIAL_LEVELS,
    EvidenceCorpus,
    PaperContext,
    TranslationalGap,
    find_gaps,
    from_store,
    mesh_classes,
)
from core.workspace import Workspace
from gapmap.cli import app
from graph import open_store
from graph.embedded import EmbeddedStore
from graph.load import load
from ingest.files import iter_file_events
from ingest.pipeline import store_events
from ingest.store import ArticleStore
from nlp.study_context import EVIDENCE_LEVELS

PAIRS = (("Compound", "Mechanism"), ("Compound", "Biomarker"), ("Mechanism", "Biomarker"))
ALL = 10**6


@pytest.fixture(scope="module")
def ws(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("translational")).ensure()
    with ArticleStore(ws.article_store) as articles:
        for source in (*GRAPH_SOURCES, GREGORY):
            store_events(iter_file_events(shared / source), articles)
    extract(ws)
    store = open_store("embedded", ws, create=True)
    with ArticleStore(ws.article_store) as articles:
        load(articles, store)
    store.close()
    return ws


@pytest.fixture(scope="module")
def store(ws: Workspace) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(ws.embedded_graph, read_only=True)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def corpora(store: EmbeddedStore) -> dict[tuple[str, str], EvidenceCorpus]:
    return {pair: from_store(store, pair) for pair in PAIRS}


def at_level(store: EmbeddedStore, gap: TranslationalGap, *levels: str) -> list[dict[str, Any]]:
    """The papers mentioning both entities of a gap at any of ``levels``, read from the graph by Cypher."""
    params = {"a": gap.a_id, "b": gap.b_id, "levels": list(levels), "limit": ALL}
    return store.query("pair_publications_by_level", params)


def test_every_gap_meets_its_definition_in_the_graph(
    store: EmbeddedStore, corpora: dict[tuple[str, str], EvidenceCorpus]
) -> None:
    seen = set()
    for (rows, cols), corpus in corpora.items():
        for gap in find_gaps(corpus, rows, cols, top=8):
            seen.add(gap.kind)
            both = at_level(store, gap)
            assert len(both) == gap.papers > 0
            for level in EVIDENCE_LEVELS:  # the pyramid is the graph's, level by level, with its PMIDs
                assert sorted(gap.pyramid.pmids[level]) == sorted(r["pmid"] for r in at_level(store, gap, level))
            in_vivo = {r["pmid"]: set(r["models"]) for r in at_level(store, gap, "preclinical_in_vivo")}
            for model, pmids in gap.pyramid.in_vivo_models.items():
                assert all(model in in_vivo[p] or (not in_vivo[p] and model == "no_named_model") for p in pmids)
            trials = at_level(store, gap, *TRIAL_LEVELS)
            if gap.kind == "preclinical_only":
                assert not at_level(store, gap, *HUMAN_LEVELS)
                assert len(at_level(store, gap, *PRECLINICAL_LEVELS)) == gap.support
                assert f"{gap.support} preclinical paper" in gap.reason and "no trial or observational" in gap.reason
            elif gap.kind == "no_trial":
                assert not trials
                assert len(at_level(store, gap, "observational")) == gap.support
                assert f"{gap.support} observational stud" in gap.reason and "no trial" in gap.reason
            else:
                assert len(trials) == gap.support > 0
                assert not any(set(r["ms_population"]) & PROGRESSIVE_FORMS for r in trials)
                assert "in progressive MS" in gap.reason
    assert seen == set(KINDS), "the corpus should hold gaps of every kind"


def recount(store: EmbeddedStore, rows: str, cols: str) -> dict[str, dict[tuple[str, str], int]]:
    """Gaps of every kind by plain set arithmetic: pair -> support, hubs and model agents kept (max_df = 1)."""
    contexts = {r["pmid"]: PaperContext.from_row(r) for r in store.query("publication_contexts")}
    entities: dict[str, dict[str, set[str]]] = {}
    for r in store.query("paper_entities", {"types": [rows, cols]}):
        entities.setdefault(r["pmid"], {}).setdefault(r["type"], set()).add(r["id"])
    levels: dict[tuple[str, str], list[PaperContext]] = {}
    for pmid, by_type in entities.items():
        for a, b in product(by_type.get(rows, ()), by_type.get(cols, ())):
            levels.setdefault((a, b), []).append(contexts[pmid])
    found: dict[str, dict[tuple[str, str], int]] = {kind: {} for kind in KINDS}
    for pair, papers in levels.items():

        def n(wanted: tuple[str, ...], progressive: bool = False, papers: list[PaperContext] = papers) -> int:
            return sum(1 for p in papers if p.levels & set(wanted) and (p.progressive or not progressive))

        if n(PRECLINICAL_LEVELS) and not n(HUMAN_LEVELS):
            found["preclinical_only"][pair] = n(PRECLINICAL_LEVELS)
        if n(("observational",)) and not n(TRIAL_LEVELS):
            found["no_trial"][pair] = n(("observational",))
        if n(TRIAL_LEVELS) and not n(TRIAL_LEVELS, progressive=True):
            found["no_progressive_trial"][pair] = n(TRIAL_LEVELS)
    return found


@pytest.mark.parametrize("rows,cols", PAIRS)
def test_candidates_are_exactly_those_a_set_recount_finds(
    store: EmbeddedStore, corpora: dict[tuple[str, str], EvidenceCorpus], rows: str, cols: str
) -> None:
    expected = recount(store, rows, cols)
    gaps = find_gaps(corpora[(rows, cols)], rows, cols, max_df=1.0, top=ALL, exclude=frozenset())
    for kind in KINDS:
        assert {(g.a_id, g.b_id): g.support for g in gaps if g.kind == kind} == expected[kind], kind
    assert expected["preclinical_only"] and expected["no_trial"]


def test_ranking_puts_supported_specific_pairs_first_without_hubs_classes_or_model_agents(
    corpora: dict[tuple[str, str], EvidenceCorpus],
) -> None:
    corpus = corpora[("Compound", "Mechanism")]
    gaps = find_gaps(corpus, "Compound", "Mechanism", top=30)
    for kind in KINDS:
        ranked = [g for g in gaps if g.kind == kind]
        keys = [
            (-g.support, -g.pyramid.count("preclinical_in_vivo") * (kind == KINDS[0]), -g.specificity) for g in ranked
        ]
        assert keys == sorted(keys), kind
    limit = 0.05 * corpus.n_papers
    assert all(g.a_papers <= limit and g.b_papers <= limit for g in gaps)
    everything = find_gaps(corpus, "Compound", "Mechanism", max_df=1.0, top=ALL, exclude=frozenset())
    hubs = {g.b_id for g in everything if g.b_papers > limit}
    assert hubs, "the corpus should have hub mechanisms (mentioned in over 5 % of papers)"
    agents = {g.a_id for g in everything if g.a_id in MODEL_AGENTS}
    assert "MESH:D003471" in agents  # cuprizone: preclinical papers only, the model itself
    classes = mesh_classes(corpus.inc.entity_ids)  # Peptides has 800 narrower descriptors, Vitamin D 9
    assert "MESH:D010455" in classes and "MESH:D014807" in corpus.inc.entity_ids and "MESH:D014807" not in classes
    assert {g.a_id for g in everything} & classes
    kept = find_gaps(corpus, "Compound", "Mechanism", max_df=1.0, top=ALL)
    assert not {g.a_id for g in kept} & (agents | classes) and {g.b_id for g in kept} & hubs


def run(ws: Workspace, *args: str) -> str:
    result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "translational", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_json_csv_and_table(ws: Workspace, corpora: dict[tuple[str, str], EvidenceCorpus]) -> None:
    out = json.loads(run(ws, "--rows", "Compound", "--cols", "Biomarker", "--kind", "no_trial", "--top", "5", "--json"))
    direct = find_gaps(corpora[("Compound", "Biomarker")], "Compound", "Biomarker", ["no_trial"], top=5)
    assert [(g["a_id"], g["b_id"], g["support"]) for g in out] == [(g.a_id, g.b_id, g.support) for g in direct]
    first = out[0]
    assert first["kind"] == "no_trial" and first["reason"] == direct[0].reason
    assert set(first["pyramid"]["counts"]) == set(EVIDENCE_LEVELS)
    assert first["pyramid"]["counts"]["observational"] == len(first["pyramid"]["pmids"]["observational"])
    rows = list(csv.DictReader(io.StringIO(run(ws, "--kind", "preclinical_only", "--top", "3", "--csv"))))
    assert len(rows) == 3 and {"preclinical_in_vivo", "in_vitro", "in_vivo_models", "reason", "pmids"} <= set(rows[0])
    pmids = json.loads(rows[0]["pmids"])["pmids"]
    assert int(rows[0]["preclinical_in_vivo"]) == len(pmids["preclinical_in_vivo"])
    assert "translational gaps" in run(ws, "--rows", "Mechanism", "--cols", "Biomarker", "--top", "2")


def test_cli_refuses_unknown_kind_and_type(ws: Workspace) -> None:
    for args, message in ((["--kind", "animal_only"], "unknown kind"), (["--rows", "Drug"], "unknown entity type")):
        result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "translational", *args])
        assert result.exit_code != 0 and message in str(result.exception)
