"""`gapmap analytics ...` end to end on the embedded graph loaded from real multi-year records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import streamlit as st
from conftest import loaded_workspace
from typer.testing import CliRunner, Result

from analytics.relations import PATH_KINDS
from analytics.results import GapQuery
from core.workspace import Workspace
from gapmap.cli import app
from graph import open_store


@pytest.fixture(scope="module")
def ws(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return loaded_workspace(shared, tmp_path_factory.mktemp("analytics"), batch_size=500)


def invoke(ws: Workspace, *args: str) -> Result:
    result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", *args])
    assert result.exit_code == 0, result.output
    return result


def run(ws: Workspace, *args: str) -> str:
    return invoke(ws, *args).stdout


def test_evaluate_json_through_the_graph_store(ws: Workspace) -> None:
    data = json.loads(run(ws, "evaluate", "--cutoff", "2012", "--json", "--backend", "embedded"))
    assert set(data) == {"cutoff", "train_edges", "test_edges", "scorers", "relations"}
    assert data["cutoff"] == 2012 and data["test_edges"] > 0
    assert data["scorers"]["random"]["auc"] == 0.5
    unsupervised = ("adamic_adar", "jaccard", "linking_terms", "resource_allocation", "preferential_attachment")
    for name in (*unsupervised, "cosine_paths"):
        assert set(data["scorers"][name]) == {"auc", "recall_at_50", "recall_at_500"}
        assert data["scorers"][name]["auc"] > 0.6, name
    assert data["scorers"]["supervised"]["auc"] > 0.75


def test_evaluate_reports_auc_with_and_without_relations(ws: Workspace) -> None:
    """Each scorer beside its relation-aware variant, both scored on the same pairs; the typed edges counted are
    the graph's relations stated up to the cutoff between entities of the training graph."""
    data = json.loads(run(ws, "evaluate", "--cutoff", "2012", "--json"))
    relations, scorers = data["relations"], data["scorers"]
    store = open_store("embedded", ws, read_only=True)
    try:
        edges = store.query("relation_edges")
        stated = {
            frozenset((e["a"], e["b"])) for e in edges if any(0 < y <= 2012 for y in e["years"]) and e["a"] != e["b"]
        }
        train = {r["id"] for r in store.query("paper_entities", {"max_year": 2012}) if r["year"]}
    finally:
        store.close()
    assert relations["typed_edges"] == sum(pair <= train for pair in stated) > 0
    sides = {r["scorer"]: r for r in relations["side_by_side"]}
    assert set(sides) == {"cosine_paths", "supervised"}
    for name, row in sides.items():
        variant = row["with_relations"]
        assert variant in {"relation_cosine_paths", "supervised_relations"}
        assert row["auc"] == scorers[name]["auc"] and row["auc_with_relations"] == scorers[variant]["auc"]
        assert row["recall_at_500_with_relations"] == scorers[variant]["recall_at_500"]
        assert 0.6 < row["auc_with_relations"] <= 1, name
    assert 0.5 < scorers["relation_paths"]["auc"] < scorers["cosine_paths"]["auc"]  # few pairs have typed paths
    table = run(ws, "evaluate", "--cutoff", "2012")
    assert "without and with typed relations" in table and "auc_with_relations" in table


def test_relation_model_learns_only_relations_stated_before_its_cutoff(ws: Workspace) -> None:
    from analytics.incidence import Incidence
    from analytics.relations import Relations
    from analytics.scorers import RELATION_FEATURES, train_supervised
    from analytics.source import from_graph

    store = open_store("embedded", ws, read_only=True)
    try:
        corpus = from_graph(store)
        past = from_graph(store, max_year=2012)
    finally:
        store.close()
    inc = Incidence.from_rows(corpus.rows)
    every, before = Relations(corpus.relations), Relations(past.relations)
    assert len(before) < len(every) and all(e.papers_between(max_year=2012) for e in before.edges)
    with_future = train_supervised(inc, 2012, relations=every)
    without = train_supervised(inc.years_between(max_year=2012), 2012, relations=before)
    assert with_future is not None and without is not None
    assert set(RELATION_FEATURES) <= set(with_future.weights())
    assert with_future.coef == pytest.approx(without.coef)


def test_relation_features_by_lookup_equal_row_wise_and_by_hand(ws: Workspace) -> None:
    from analytics.incidence import Incidence
    from analytics.relations import Relations
    from analytics.scorers import NeighbourGraph, TwoHop
    from analytics.source import from_graph

    store = open_store("embedded", ws, read_only=True)
    try:
        corpus = from_graph(store)
    finally:
        store.close()
    inc = Incidence.from_rows(corpus.rows)
    relations = Relations(corpus.relations)
    graph = NeighbourGraph.from_incidence(inc, typed=relations.adjacency(inc))
    assert graph.typed is not None and graph.typed.nnz > 0
    a, b, feats = TwoHop.of(graph).open_pairs()
    rows = graph.pairs(a, b)
    for name in ("typed_paths", "relation_paths", "relation_cosine_paths"):
        assert feats[name] == pytest.approx(rows[name]), name
    assert feats["relation_cosine_paths"] == pytest.approx(feats["cosine_paths"] + feats["relation_paths"])
    index, ids = inc.index(), inc.entity_ids
    typed_pairs = {frozenset((e.subject, e.object)) for e in relations.edges}
    for k in np.flatnonzero(feats["typed_paths"])[:50]:  # typed paths counted from the edges themselves
        x, y = ids[a[k]], ids[b[k]]
        through = [z for z in ids if frozenset((x, z)) in typed_pairs and frozenset((z, y)) in typed_pairs]
        assert feats["typed_paths"][k] == len(through) > 0
        assert all(graph.adj[index[x], index[z]] and graph.adj[index[z], index[y]] for z in through)


def relation_pairs(ws: Workspace) -> dict[frozenset[str], list[dict[str, Any]]]:
    """The graph's typed relations by entity pair, read with the named query."""
    store = open_store("embedded", ws, read_only=True)
    try:
        found: dict[frozenset[str], list[dict[str, Any]]] = {}
        for e in store.query("relation_edges"):
            found.setdefault(frozenset((e["a"], e["b"])), []).append(e)
        return found
    finally:
        store.close()


def check_paths(row: dict[str, Any], typed: dict[frozenset[str], list[dict[str, Any]]]) -> list[str]:
    """A gap or hypothesis row's linking terms say typed or co-mention exactly where the graph has relations;
    returns the kinds of its paths."""
    kinds = []
    for term in row["linking_terms"]:
        for side, key, near in (("a_id", "relations_with_a", row["a"]), ("b_id", "relations_with_b", term["name"])):
            stated = typed.get(frozenset((row[side], term["id"])), [])
            assert sorted(r["relation"] for r in term[key]) == sorted(e["relation"] for e in stated), term["name"]
            for r in term[key]:  # what it says, read along the path (subject first when directed)
                assert f" {r['verb']} " in r["text"] and (r["directed"] or r["text"].startswith(near))
        kinds.append(PATH_KINDS[bool(term["relations_with_a"]) + bool(term["relations_with_b"])])
        assert term["path"] == kinds[-1]
    assert row["typed_paths"] == kinds.count("typed")
    if kinds and set(kinds) == {"typed"}:
        assert row["linking_paths"] == "typed relations"
    elif kinds and set(kinds) == {"co-mention"}:
        assert row["linking_paths"] == "co-mentions only"
    elif kinds:
        assert row["linking_paths"].startswith("mixed: ")
    return kinds


def test_gaps_and_hypotheses_say_whether_their_paths_are_typed_relations(ws: Workspace) -> None:
    typed = relation_pairs(ws)
    kinds: list[str] = []
    gaps = json.loads(run(ws, "gaps", "--rows", "Mechanism", "--cols", "Compound", "--top", "10", *LOOSE, "--json"))
    hyps = json.loads(run(ws, "hypotheses", "--a-type", "Compound", "--b-type", "Mechanism", "--top", "10", "--json"))
    assert gaps and hyps
    for row in (*gaps, *hyps):
        kinds += check_paths(row, typed)
        reasons = row.get("reasons", ["linking paths: "])
        assert any(r.startswith("linking paths: ") for r in reasons)
    assert {"typed", "co-mention"} <= set(kinds) or {"half typed", "co-mention"} <= set(kinds), kinds
    # CSV and the table say the same, the linking terms flattened with what each typed link states
    flat = list(csv.DictReader(io.StringIO(run(ws, "hypotheses", "--a-type", "Compound", "--b-type", "Mechanism",
                                                "--top", "10", "--csv"))))  # fmt: skip
    assert [(r["linking_paths"], int(r["typed_paths"])) for r in flat] == [
        (h["linking_paths"], h["typed_paths"]) for h in hyps
    ]
    for r, h in zip(flat, hyps, strict=True):
        for text, term in zip(json.loads(r["linking_terms"]), h["linking_terms"], strict=True):
            said = [x["text"] for x in (*term["relations_with_a"][:1], *term["relations_with_b"][:1])]
            assert text.startswith(term["name"]) and all(s in text for s in said)
    for scorer in ("relation_paths", "relation_cosine_paths", "supervised_relations"):
        ranked = json.loads(run(ws, "hypotheses", "--scorer", scorer, "--top", "5", "--json"))
        assert ranked and [h["score"] for h in ranked] == sorted((h["score"] for h in ranked), reverse=True)
        assert all(h["scorer"] == scorer and h["score"] == h[scorer] for h in ranked), scorer


#: Looser than the defaults (expected ≥ 3, P ≤ 0.05), so that these 1,300 records have gap cells to check.
LOOSE = ("--min-expected", "1", "--max-p", "0.5")


def test_gaps_carry_reasons_and_csv_parses(ws: Workspace) -> None:
    gaps = json.loads(run(ws, "gaps", "--rows", "Mechanism", "--cols", "Compound", "--top", "5", *LOOSE, "--json"))
    assert gaps, "no gap found"
    for g in gaps:
        assert g["status"] == "gap" and g["observed"] < g["expected"] and g["expected"] >= 1
        assert 0 < g["p_value"] <= 0.5 and g["score"] > 0 and 0 < g["plausibility"] <= 1
        assert g["linking_terms"] and all(t["pmids_a"] and t["pmids_b"] for t in g["linking_terms"])
        assert set(g["progressive_ms"]) == {"both", "a", "b"} and g["reasons"]
        assert 0 <= g["risk_reward"] <= 1
    assert [g["score"] for g in gaps] == sorted((g["score"] for g in gaps), reverse=True)
    rows = list(
        csv.DictReader(io.StringIO(run(ws, "gaps", "--rows", "Mechanism", "--cols", "Compound", *LOOSE, "--csv")))
    )
    assert rows[0]["a"] == gaps[0]["a"] and float(rows[0]["score"]) == gaps[0]["score"]
    strict = json.loads(run(ws, "gaps", "--rows", "Mechanism", "--cols", "Compound", "--json"))
    assert all(g["expected"] >= 3 and g["p_value"] <= 0.05 for g in strict)


def test_landscape_cells_match_gaps(ws: Workspace) -> None:
    cells = json.loads(run(ws, "landscape", "--rows", "Mechanism", "--cols", "Compound", "--limit", "40", "--json"))
    assert len({c["a"] for c in cells}) * len({c["b"] for c in cells}) == len(cells)
    by_pair = {(c["a_id"], c["b_id"]): c for c in cells}
    statuses = {c["status"] for c in cells}
    assert statuses <= {"gap", "not surprising", "studied", "too little evidence", "same concept", "not specific"}
    assert all(c["expected"] < 3 for c in cells if c["status"] == "too little evidence")
    assert all(c["score"] == 0 for c in cells if c["status"] != "gap")
    # the landscape shows the 40 most studied per side of the same full matrix the gaps are ranked in
    # (landscape cells are scored with the default thresholds: compare the statistics, not the loose status)
    gaps = json.loads(run(ws, "gaps", "--rows", "Mechanism", "--cols", "Compound", "--top", "5", *LOOSE, "--json"))
    matched = [(g, by_pair[(g["a_id"], g["b_id"])]) for g in gaps if (g["a_id"], g["b_id"]) in by_pair]
    assert matched, "no gap among the 40 most studied per side"
    for g, cell in matched:
        numbers = ("observed", "expected", "p_value", "plausibility", "a_papers", "b_papers")
        assert {k: cell[k] for k in numbers} == {k: g[k] for k in numbers}


def test_trends_areas_hypotheses_risk_answer(ws: Workspace) -> None:
    trends = json.loads(run(ws, "trends", "--top", "5", "--json"))
    assert trends and all(sum(t["per_year"].values()) == t["papers"] for t in trends)
    areas = json.loads(run(ws, "areas", "--json"))
    assert areas and all(0 <= a["funded_share"] <= 1 and a["top_members"] for a in areas)
    hyps = json.loads(run(ws, "hypotheses", "--a-type", "Compound", "--b-type", "CellType", "--top", "3", "--json"))
    assert hyps and all(h["linking_terms"] and h["linking_terms"][0]["pmids_a"] for h in hyps)
    risk = json.loads(run(ws, "risk", "--json"))
    units = risk["units"]
    assert units == sorted(units, key=lambda r: -r["score"])
    components = ("evidence", "groups", "funded_share", "growth", "recency", "adjacency")
    assert all(set(components) | {f"{k}_pct" for k in components} <= set(u) for u in units)
    # the scores separate the areas: percentiles of the varying components, spread reported
    spread = risk["spread"]
    assert spread["min"] <= spread["q1"] <= spread["median"] <= spread["q3"] <= spread["max"]
    assert spread["iqr"] > 0.05 and spread["std"] > 0.05, spread
    assert set(risk["constant_components"]) <= set(components)


def test_unknown_entity_is_one_clear_error(ws: Workspace) -> None:
    result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "hypotheses", "--source", "no such thing"])
    assert result.exit_code != 0
    assert "no entity 'no such thing'" in str(result.exception)


def test_unknown_type_is_refused_before_reading_the_graph(ws: Workspace) -> None:
    result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "gaps", "--rows", "Pathway"])
    assert result.exit_code != 0
    assert "unknown entity type 'Pathway'" in str(result.exception)


def test_significance_is_cached_and_stops_early(ws: Workspace) -> None:
    args = ("significance", "--permutations", "30", "--workers", "2", "--top", "100000", "--json")
    cached = ws.root / "cache" / "significance"
    assert not list(cached.glob("null-*.npz"))
    computed = invoke(ws, *args)
    first = json.loads(computed.stdout)
    assert first and all(0 < r["p_value"] <= 1 for r in first)
    assert any(r["null_samples"] < 30 for r in first), "sequential stopping never stopped a clearly null pair"
    assert list((ws.root / "cache" / "significance").glob("null-*.npz")), "no cached null model in the workspace"
    again = json.loads(run(ws, *args))
    assert [{k: v for k, v in r.items() if k != "cached"} for r in again] == [
        {k: v for k, v in r.items() if k != "cached"} for r in first
    ]


def test_cross_disease_pairs_are_absent_in_progressive_ms(ws: Workspace) -> None:
    found = json.loads(run(ws, "gaps", "--cross-disease", "--rows", "Mechanism", "--cols", "Compound", "--json"))
    assert found, "no pair evidenced in another disease"
    for g in found:
        assert g["progressive_ms"] == 0 and g["disease_papers"] >= 2
        assert g["other_diseases"][0]["papers"] == g["disease_papers"]


@pytest.fixture
def explorer_data(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The explorer's data module on the same workspace (closed afterwards, so the CLI can open it again)."""
    monkeypatch.setenv("GAPMAP_HOME", str(ws.root))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    from explorer import data

    yield data
    data._open(data.Source.from_env()).close()
    st.cache_resource.clear()


def test_cli_and_explorer_give_the_same_numbers_for_the_same_cell(ws: Workspace, explorer_data: Any) -> None:
    args = ("--rows", "Mechanism", "--cols", "Compound", "--top", "10", *LOOSE)
    cli = json.loads(run(ws, "gaps", *args, "--json"))
    table = run(ws, "landscape", "--rows", "Mechanism", "--cols", "Compound", "--limit", "15", "--json")
    landscape = {(c["a_id"], c["b_id"]): c for c in json.loads(table)}
    assert cli, "no gap to compare"
    query = GapQuery("Mechanism", "Compound", 3, min_expected=1.0, max_p=0.5)
    app = explorer_data.gaps(query, top=10)
    numbers = ("a_id", "b_id", "status", "score", "p_value", "plausibility", "observed", "expected", "risk_reward")
    assert [{k: g[k] for k in numbers} for g in cli] == app[list(numbers)].to_dict("records")
    # the heatmap's matrices and the cell panel: the same numbers as the CLI's landscape rows
    land = explorer_data.matrices(GapQuery("Mechanism", "Compound", 3), 15)
    an = explorer_data.analytics()
    for (r, c), score in np.ndenumerate(land.score):
        row = landscape[(an.inc.entity_ids[land.rows[r]], an.inc.entity_ids[land.cols[c]])]
        assert (round(float(score), 4), round(float(land.p_value[r, c]), 4)) == (row["score"], row["p_value"])
    top = cli[0]
    record = explorer_data.cell(query, top["a_id"], top["b_id"])
    assert record.to_row(detail=True)["score"] == top["score"]
