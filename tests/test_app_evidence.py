"""Evidence level in the explorer, on the real test corpus of ``test_app_pages`` (ingest → extract → load of the
oligodendrocyte/dementia MEDLINE set, whose MeSH and publication types give each paper's design): the badge on
paper lists, the evidence filters on an entity's and a link's papers, the entity's evidence pyramid, and the
Translational gaps page.  What each should show is read first with ``gapmap query`` / ``gapmap analytics``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import REPO, frame, page, pages_of, rows

from explorer import ui
from explorer.panels import PER_PAGE

HUMAN = ["rct", "other_trial", "observational"]


def preclinical_entity(app_home: Path) -> dict[str, Any]:
    """The most-mentioned entity with both animal and human papers (so every filter has something to show)."""
    for entity in rows(app_home, "top_entities", limit=20):
        levels = {r["level"]: r["papers"] for r in rows(app_home, "entity_evidence", id=entity["id"])}
        if levels.get("preclinical_in_vivo") and levels.get("observational"):
            return {**entity, "levels": levels}
    raise AssertionError("no top entity has both animal and observational papers")


def pyramid_totals(fig: Any) -> dict[str, int]:
    """Papers per bar of a pyramid figure (its stacked segments summed)."""
    totals: dict[str, int] = {}
    for trace in fig.data:
        for x, y in zip(trace.x, trace.y, strict=True):
            totals[y] = totals.get(y, 0) + int(x)
    return totals


def test_entity_pyramid_and_evidence_filters(app: AppTest, app_home: Path) -> None:
    entity = preclinical_entity(app_home)
    page(app, "explore")
    app.text_input(key="find").input(entity["id"]).run()
    app.selectbox(key="pick").set_value(f"node|{entity['id']}").run()
    assert not app.exception, [e.value for e in app.exception]
    totals = pyramid_totals(app.session_state[ui.FIGURES]["node_papers_pyramid"])
    names = {"rct": "RCT", "observational": "observational", "preclinical_in_vivo": "preclinical in vivo"}
    names |= {"in_vitro": "in vitro", "review": "review"}
    for level, label in names.items():
        assert totals[label] == entity["levels"].get(level, 0), level

    shown = frame(app, "node_papers")
    assert list(shown.columns[:2]) == ["pmid", "level"] and shown["level"].str.len().gt(0).all()
    human = {"RCT", "other trial", "observational", "case report"}
    for choice, levels, wanted in (("Animal model", ["preclinical_in_vivo"], {"animal"}), ("Human only", HUMAN, human)):
        app.radio(key="explore_node_level").set_value(choice).run()
        assert not app.exception
        papers = frame(app, "node_papers")
        expected = rows(app_home, "entity_publications_by_level", id=entity["id"], levels=",".join(levels), limit=10**6)
        assert list(papers["pmid"]) == [r["pmid"] for r in expected][:PER_PAGE] and len(papers) > 0
        assert all(set(badge) & wanted for badge in papers["level"]), choice
        every = pages_of(app, f"explore_node_page_{entity['id']}", "node_papers")  # all of them, page by page
        assert every == [r["pmid"] for r in expected]


def test_link_papers_filter_by_evidence(app: AppTest, app_home: Path) -> None:
    entity = preclinical_entity(app_home)
    neighbour = rows(app_home, "entity_neighbourhood", id=entity["id"], limit=1)[0]
    page(app, "explore")
    app.text_input(key="find").input(entity["id"]).run()
    app.selectbox(key="pick").set_value(f"edge|{entity['id']}|{neighbour['id']}").run()
    everything = frame(app, "link_papers")
    assert "level" in everything and len(everything) == min(PER_PAGE, neighbour["papers"])
    app.radio(key="explore_link_level").set_value("Animal model").run()
    animal = frame(app, "link_papers")
    assert all("animal" in b for b in animal["level"])
    shown = pages_of(app, "explore_link_page", "link_papers")  # every page of them
    expected = rows(
        app_home,
        "pair_publications_by_level",
        a=entity["id"],
        b=neighbour["id"],
        levels="preclinical_in_vivo",
        limit=10**6,
    )
    every = {r["pmid"] for r in rows(app_home, "pair_evidence", a=entity["id"], b=neighbour["id"], limit=10**6)}
    assert sorted(shown) == sorted(r["pmid"] for r in expected) and set(shown) <= every


def analytics(app_home: Path, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(app_home), "analytics", "translational", *args, "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_translational_page_lists_gaps_with_pyramid(app: AppTest, app_home: Path) -> None:
    expected = analytics(
        app_home, "--rows", "Compound", "--cols", "Mechanism", "--kind", "preclinical_only", "--top", "20"
    )
    assert expected, "the test corpus should have preclinical-only pairs"
    page(app, "translational")
    table = frame(app, "translational_gaps")
    assert list(zip(table["a_id"], table["b_id"], table["support"], strict=True)) == [
        (g["a_id"], g["b_id"], g["support"]) for g in expected
    ]
    totals = pyramid_totals(app.session_state[ui.FIGURES]["translational_pyramid"])
    assert totals["preclinical in vivo"] == expected[0]["pyramid"]["counts"]["preclinical_in_vivo"]
    assert any(expected[0]["reason"] in m.value for m in app.markdown)
    papers = frame(app, "translational_papers")
    assert set(papers["pmid"]) == {p for pmids in expected[0]["pyramid"]["pmids"].values() for p in pmids}
    left_out = analytics(app_home, "--rows", "Compound", "--cols", "Mechanism", "--excluded")  # and why: as the CLI
    shown = frame(app, "translational_excluded")
    assert left_out and list(zip(shown["id"], shown["reason"], strict=True)) == [
        (e["id"], e["reason"]) for e in left_out
    ]

    app.radio(key="tr_kind").set_value("no_trial").run()
    assert not app.exception
    no_trial = analytics(app_home, "--kind", "no_trial", "--top", "20")
    assert no_trial and list(frame(app, "translational_gaps")["b_id"]) == [g["b_id"] for g in no_trial]


def test_badges_on_search_and_gap_cell_papers(app: AppTest, app_home: Path) -> None:
    page(app, "search")
    app.text_input(key="q").input("remyelination").run()
    results = frame(app, "search_results")
    contexts = {r["pmid"]: r for r in rows(app_home, "publication_contexts", pmids=",".join(results["pmid"][:25]))}
    assert "level" in results and any("-badge[" in m.value for m in app.markdown)
    for pmid, level in zip(results["pmid"][:25], results["level"][:25], strict=True):
        assert ("animal" in level) == ("preclinical_in_vivo" in contexts[pmid]["evidence_levels"])
    page(app, "gap_map")
    row, col = app.selectbox(key="row"), app.selectbox(key="col")
    cells = rows(app_home, "landscape_matrix", limit=400)
    cell = next(c for c in cells if c["row_name"] in row.options and c["col_name"] in col.options)
    row.set_value(cell["row"])
    col.set_value(cell["col"])
    app.run()
    papers = frame(app, "cell_papers")
    contexts = {r["pmid"]: r for r in rows(app_home, "publication_contexts", pmids=",".join(papers["pmid"]))}
    assert len(papers) == min(PER_PAGE, cell["papers"]) and set(papers["pmid"]) == set(contexts)
    assert all(level and level != ["not classified"] for level in papers["level"])


def test_translational_page_without_a_graph_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPMAP_HOME", str(tmp_path))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    page(at, "translational")
    assert any("gapmap demo --corpus PATH" in i.value and "gapmap load" in i.value for i in at.info)
