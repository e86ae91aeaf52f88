"""`gapmap analytics ...` end to end on the embedded graph loaded from real multi-year records."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import loaded_workspace
from typer.testing import CliRunner, Result

from core.workspace import Workspace
from gapmap.cli import app


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
    assert set(data) == {"cutoff", "train_edges", "test_edges", "scorers"}
    assert data["cutoff"] == 2012 and data["test_edges"] > 0
    assert data["scorers"]["random"]["auc"] == 0.5
    unsupervised = ("adamic_adar", "jaccard", "linking_terms", "resource_allocation", "preferential_attachment")
    for name in (*unsupervised, "cosine_paths"):
        assert set(data["scorers"][name]) == {"auc", "recall_at_50", "recall_at_500"}
        assert data["scorers"][name]["auc"] > 0.6, name
    assert data["scorers"]["supervised"]["auc"] > 0.75


def test_gaps_carry_reasons_and_csv_parses(ws: Workspace) -> None:
    gaps = json.loads(run(ws, "gaps", "--rows", "CellType", "--cols", "Compound", "--top", "5", "--json"))
    assert gaps, "no gap found"
    for g in gaps:
        assert g["observed"] < g["expected"] and 0 < g["gap_score"] <= 1
        assert g["linking_terms"] and all(t["pmids_a"] and t["pmids_c"] for t in g["linking_terms"])
    rows = list(csv.DictReader(io.StringIO(run(ws, "gaps", "--rows", "CellType", "--cols", "Compound", "--csv"))))
    assert rows[0]["a"] == gaps[0]["a"] and float(rows[0]["gap_score"]) == gaps[0]["gap_score"]


def test_landscape_cells_match_gaps(ws: Workspace) -> None:
    cells = json.loads(run(ws, "landscape", "--rows", "CellType", "--cols", "Compound", "--limit", "40", "--json"))
    assert len({c["a"] for c in cells}) * len({c["c"] for c in cells}) == len(cells)
    assert all(c["gap_score"] == 0 for c in cells if c["observed"] >= c["expected"])
    # gaps are scored over every entity with enough papers: the landscape without a limit has each of their cells
    whole = json.loads(run(ws, "landscape", "--rows", "CellType", "--cols", "Compound", "--limit", "100000", "--json"))
    by_pair = {(c["a_id"], c["c_id"]): c for c in whole}
    gaps = json.loads(run(ws, "gaps", "--rows", "CellType", "--cols", "Compound", "--top", "3", "--json"))
    assert len(gaps) == 3
    for g in gaps:
        cell = by_pair[(g["a_id"], g["c_id"])]
        assert (cell["observed"], cell["expected"], cell["gap_score"]) == (g["observed"], g["expected"], g["gap_score"])


def test_trends_areas_hypotheses_risk_answer(ws: Workspace) -> None:
    trends = json.loads(run(ws, "trends", "--top", "5", "--json"))
    assert trends and all(sum(t["per_year"].values()) == t["papers"] for t in trends)
    areas = json.loads(run(ws, "areas", "--json"))
    assert areas and all(0 <= a["funded_share"] <= 1 and a["top_members"] for a in areas)
    hyps = json.loads(run(ws, "hypotheses", "--a-type", "Compound", "--c-type", "CellType", "--top", "3", "--json"))
    assert hyps and all(h["linking_terms"] and h["linking_terms"][0]["pmids_a"] for h in hyps)
    risk = json.loads(run(ws, "risk", "--json"))
    assert risk == sorted(risk, key=lambda r: -r["score"])
    assert {"evidence", "groups", "funded_share", "growth", "recency", "adjacency"} <= set(risk[0])


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
    assert "from the workspace cache" not in computed.stderr
    [stored] = cached.glob("null-*.npz")
    written = stored.stat().st_mtime_ns
    # the second run reads the stored null model back: it says so, writes nothing, and gives the same answer
    again = invoke(ws, *args)
    assert "null model from the workspace cache" in again.stderr
    assert list(cached.glob("null-*.npz")) == [stored] and stored.stat().st_mtime_ns == written
    assert json.loads(again.stdout) == first
