"""The explorer's pages on a real corpus: every page renders, and searching, filtering and selecting show the
entities and PMIDs the graph holds.

The corpus is built once per session by the real CLI stages (ingest files → extract → load) on the shared
oligodendrocyte/dementia MEDLINE set; what a page should show is read from the same graph with ``gapmap query``
before any page opens it, so the pages are checked against the named queries, not against hard-coded values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import REPO, SEARCH_WORD, built_corpus, rows
from streamlit.testing.v1 import AppTest

from explorer import ui
from explorer.exports import graphml_bytes


@dataclass
class Expected:
    """What the graph holds, read with the CLI before the app opens it."""

    home: Path
    publications: int
    top: dict[str, Any]  # most-mentioned entity
    neighbour: dict[str, Any]  # its most co-mentioned neighbour
    pair_pmids: list[str]  # papers mentioning both
    cells: list[dict[str, Any]]  # Mechanism × Compound cells, densest first
    search_pmids: list[str]


@pytest.fixture(scope="session")
def expected(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Expected:
    home = built_corpus(tmp_path_factory.getbasetemp(), shared)
    top = rows(home, "top_entities", limit=1)[0]
    neighbour = rows(home, "entity_neighbourhood", id=top["id"], limit=1)[0]
    return Expected(
        home,
        rows(home, "overview_counts")[0]["publications"],
        top,
        neighbour,
        [str(r["pmid"]) for r in rows(home, "pair_evidence", a=top["id"], b=neighbour["id"])],
        rows(home, "landscape_matrix", limit=400),
        [str(r["pmid"]) for r in rows(home, "search_publications", q=SEARCH_WORD, limit=5000)],
    )


@pytest.fixture
def app(expected: Expected, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("GAPMAP_HOME", str(expected.home))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    yield at


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"explorer/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, name: str) -> Any:
    """A table a page registered for export (what it shows, before PMIDs become links)."""
    return at.session_state[ui.TABLES][name]


def test_overview_shows_corpus_size_and_top_entities(app: AppTest, expected: Expected) -> None:
    assert not app.exception, [e.value for e in app.exception]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Publications"] == f"{expected.publications:,}"
    assert "Funded share" in metrics
    assert expected.top["name"] in set(frame(app, "top_entities")["name"])


def test_explore_search_select_node_and_link(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="explore_q").input(expected.top["name"]).run()
    assert app.selectbox(key="explore_focus").value == expected.top["id"]
    assert app.get("plotly_chart"), "no neighbourhood graph"
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    assert expected.neighbour["id"] in sub and sub.has_edge(expected.top["id"], expected.neighbour["id"])

    app.selectbox(key="explore_pick").set_value(f"edge|{expected.top['id']}|{expected.neighbour['id']}").run()
    assert not app.exception
    assert set(frame(app, "link_papers")["pmid"]) == set(expected.pair_pmids)
    shown = " ".join(str(v) for v in app.dataframe[-1].value["pmid"])
    assert f"https://pubmed.ncbi.nlm.nih.gov/{expected.pair_pmids[0]}/" in shown

    app.selectbox(key="explore_pick").set_value(f"node|{expected.neighbour['id']}").run()
    papers = frame(app, "node_papers")
    assert len(papers) > 0 and papers["pmid"].str.fullmatch(r"\d+").all()


def test_explore_filters_by_type_and_funding(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="explore_q").input(expected.top["id"]).run()
    app.multiselect(key="explore_types").set_value(["CellType"]).run()
    assert not app.exception
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    neighbours = [n for n in sub if n != expected.top["id"]]
    assert neighbours and all(sub.nodes[n]["type"] == "CellType" for n in neighbours)
    app.checkbox(key="explore_funded").check().run()
    assert not app.exception  # a graph of funded papers, or an explanation that there is none


def test_gap_map_cell_opens_its_papers(app: AppTest, expected: Expected) -> None:
    page(app, "gap_map")
    assert len(app.get("plotly_chart")) == 1
    for view in ("Observed papers", "Expected papers", "Gap score"):
        app.radio(key="gap_view").set_value(view).run()
        assert not app.exception and len(app.get("plotly_chart")) == 1
    gaps = frame(app, "top_gaps")  # may be empty: then the page says why (cells per status)
    assert len(gaps) > 0 or any("No cell passes as a gap" in i.value for i in app.info)
    assert all(gaps["status"] == "gap") if len(gaps) else True
    row = app.selectbox(key="gap_cell_row")
    col = app.selectbox(key="gap_cell_col")
    # the densest cell among the most-studied entities the page offers (the densest overall may involve a rarer one)
    cell = next(c for c in expected.cells if c["row_name"] in row.options and c["col_name"] in col.options)
    row.set_value(cell["row_name"])
    col.set_value(cell["col_name"])
    app.run()
    assert not app.exception
    evidence = rows(expected.home, "pair_evidence", a=cell["row"], b=cell["col"])
    assert evidence and set(frame(app, "cell_papers")["pmid"]) == {str(r["pmid"]) for r in evidence}


def test_trends_and_emerging_topics(app: AppTest, expected: Expected) -> None:
    page(app, "trends")
    assert expected.top["name"] in " ".join(frame(app, "trend_series")["series"])
    app.radio(key="trends_mode").set_value("Research areas").run()
    assert not app.exception
    assert frame(app, "trend_series")["series"].str.startswith("Area ").all()


def test_hypotheses_ranked_with_evidence_and_auc(app: AppTest) -> None:
    page(app, "hypotheses")
    table = frame(app, "hypotheses")
    assert len(table) > 0 and (table["score"].diff().dropna() <= 0).all()
    assert any("papers with" in m.value for m in app.markdown)  # linking terms with their counts
    auc = [m for m in app.metric if m.label.startswith("AUC")]
    assert auc and "cutoff" in auc[0].label and 0.0 <= float(auc[0].value) <= 1.0
    app.selectbox(key="hyp_scorer").set_value("jaccard").run()
    assert not app.exception
    assert "jaccard" in frame(app, "scorer_evaluation")["scorer"].tolist()


def test_search_finds_papers_and_facets_narrow_them(app: AppTest, expected: Expected) -> None:
    page(app, "search")
    app.text_input(key="search_q").input(SEARCH_WORD).run()
    assert not app.exception
    found = frame(app, "search_results")
    assert set(found["pmid"]) == set(expected.search_pmids)
    text = " ".join(m.value for m in app.markdown)
    assert f"https://pubmed.ncbi.nlm.nih.gov/{expected.search_pmids[0]}/" in text and "<mark>" in text
    entity = app.selectbox(key="search_entity")
    label = entity.options[1]  # the entity most often mentioned in the matches: "name · type (papers)"
    entity.select_index(1).run()
    narrowed = frame(app, "search_results")
    assert len(narrowed) == int(re.search(r"\((\d+)\)$", label).group(1))  # type: ignore[union-attr]
    assert set(narrowed["pmid"]) <= set(found["pmid"])
    app.checkbox(key="search_funded").check().run()
    assert not app.exception and set(frame(app, "search_results")["pmid"]) <= set(narrowed["pmid"])


def test_portfolio_coverage(app: AppTest) -> None:
    page(app, "portfolio")
    areas = frame(app, "area_coverage")
    assert len(areas) > 0 and {"covered", "funded_share", "risk_reward"} <= set(areas.columns)
    assert len(frame(app, "entity_coverage")) > 0


def test_export_offers_tables_subgraph_and_figures(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="explore_q").input(expected.top["name"]).run()
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    page(app, "export")
    labels = [getattr(b, "label", "") for b in app.get("download_button")]
    assert "Download subgraph.graphml" in labels and "neighbourhood.html" in labels
    assert any(label.startswith("node_papers.csv") for label in labels)
    back = nx.read_graphml(BytesIO(graphml_bytes(sub)))
    assert set(back.nodes) == set(sub.nodes) and back.number_of_edges() == sub.number_of_edges()


@pytest.mark.parametrize("name", ["overview", "explore", "gap_map", "trends", "hypotheses", "search", "portfolio"])
def test_without_a_graph_pages_say_what_to_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPMAP_HOME", str(tmp_path))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    page(at, name)
    assert any("gapmap demo --corpus PATH" in i.value and "gapmap load" in i.value for i in at.info)
