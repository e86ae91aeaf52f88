"""Typed relations in the explorer, on the real test corpus of ``test_app_pages`` (ingest → extract → load of the
oligodendrocyte/dementia MEDLINE set, whose abstracts the relation extractor read): Explore's links say what they
state and can be filtered by relation type, a link's evidence names the relation each paper states, and the
Hypotheses page says which paths are typed and reports the scorers with and without relations.  What each should
show is read first with ``gapmap query``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
from streamlit.testing.v1 import AppTest
from test_app_pages import REPO, frame, page, rows

from explorer import ui
from explorer.figures import LINK_COLOURS, network_figure


def related_entity(app_home: Path) -> tuple[dict[str, Any], str]:
    """A much-mentioned entity related to its neighbours by two or more relation types, and its rarest type
    (so that filtering by it leaves some neighbours out)."""
    for entity in rows(app_home, "top_entities", limit=30):
        found = rows(app_home, "entity_relations", id=entity["id"], limit=10**6)
        types = Counter(r["relation"] for r in found)
        if len(types) >= 2 and len({r["id"] for r in found}) >= 5:
            return entity, min(types, key=lambda t: (types[t], t))
    raise AssertionError("no top entity has relations of two types")


def partners(app_home: Path, entity_id: str, relation: str) -> set[str]:
    return {r["id"] for r in rows(app_home, "entity_relations", id=entity_id, relation_types=relation, limit=10**6)}


def neighbours(sub: nx.Graph, focus: str) -> set[str]:
    return set(sub) - {focus}


def test_links_show_their_relations_and_the_filter_keeps_that_type(app: AppTest, app_home: Path) -> None:
    entity, relation = related_entity(app_home)
    focus = entity["id"]
    page(app, "explore")
    app.text_input(key="find").input(focus).run()
    every: nx.Graph = app.session_state[ui.SUBGRAPH]
    typed = [(a, b, d) for a, b, d in every.edges(data=True) if d["relation"]]
    assert typed and len(typed) < every.number_of_edges()  # typed relations and bare co-mentions side by side
    for a, b, d in typed:  # each typed link says what the graph's relations between the two say
        stated = rows(app_home, "relation_links", ids=f"{a},{b}")
        assert d["relation_types"].split("; ") == list(dict.fromkeys(r["relation"] for r in stated))
        assert all(f" {r['verb']} " in d["relation"] for r in stated)
        assert d["subject"] in {"", *(r["a"] for r in stated if r["directed"])}
    figure = app.session_state[ui.FIGURES]["neighbourhood"]
    assert len(figure.layout.annotations) == sum(bool(d["subject"]) for *_, d in every.edges(data=True))
    assert {t.line.color for t in figure.data if t.mode == "lines"} == set(LINK_COLOURS.values())

    app.multiselect(key="explore_relations").set_value([relation]).run()
    assert not app.exception, [e.value for e in app.exception]
    kept: nx.Graph = app.session_state[ui.SUBGRAPH]
    assert neighbours(kept, focus) and neighbours(kept, focus) <= partners(app_home, focus, relation)
    assert neighbours(kept, focus) != neighbours(every, focus)
    assert all(relation in d["relation_types"].split("; ") for *_, d in kept.edges(data=True))
    assert app.query_params["relations"] == relation

    # a link with the filter opens the same view
    linked = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    linked.query_params.update({"entity": focus, "relations": relation})
    linked.run()
    page(linked, "explore")
    assert linked.multiselect(key="explore_relations").value == [relation]
    assert set(linked.session_state[ui.SUBGRAPH]) == set(kept)


def test_link_evidence_names_the_relation_each_paper_states(app: AppTest, app_home: Path) -> None:
    entity, _ = related_entity(app_home)
    focus = entity["id"]
    page(app, "explore")
    app.text_input(key="find").input(focus).run()
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    a, b, _ = max(
        ((a, b, d) for a, b, d in sub.edges(data=True) if d["relation"] and focus in (a, b)),
        key=lambda e: (e[2]["papers"], e[0], e[1]),
    )
    app.selectbox(key="pick").set_value(f"edge|{a}|{b}").run()
    assert not app.exception, [e.value for e in app.exception]
    names = {a: sub.nodes[a]["name"], b: sub.nodes[b]["name"]}

    summary = frame(app, "link_relations")  # the link's relations, each in words with its best sentence
    stated = rows(app_home, "relation_links", ids=f"{a},{b}")
    assert list(summary["relation"]) == [f"{names[r['a']]} {r['verb']} {names[r['b']]}" for r in stated]
    assert list(summary["pmid"]) == [r["pmid"] for r in stated]
    assert any(m.value.startswith("**Typed relations:**") for m in app.markdown)

    papers = frame(app, "link_papers")  # every paper of the link, with what it states about the pair
    evidence = rows(app_home, "relation_evidence", a=a, b=b, limit=10**6)
    by_paper: dict[str, list[str]] = {}
    for r in evidence:
        by_paper.setdefault(str(r["pmid"]), []).append(f"{names[r['subject']]} {r['verb']} {names[r['object']]}")
    stating = [str(p) in by_paper for p in papers["pmid"]]
    assert any(stating) and stating == sorted(stating, reverse=True)  # the papers stating a relation come first
    for pmid, said in zip(papers["pmid"], papers["relation"], strict=True):
        assert said == "; ".join(by_paper.get(str(pmid), []))
    shown = " ".join(h.value for h in app.get("html"))
    first = next(r for r in evidence if str(r["pmid"]) in set(papers["pmid"]))
    assert f"<b>{html.escape(first['verb'])}</b>" in shown  # the relation named, its verb in bold
    block = shown[shown.index(f"pubmed.ncbi.nlm.nih.gov/{first['pmid']}/") :].split('class="gm-paper"')[0]
    assert html.escape(first["sentence"]) in re.sub("</?mark>", "", block)  # the sentence that states it, whole
    assert block.count("<mark>") >= 2  # both arguments highlighted


def test_relation_text_is_escaped_never_markup() -> None:
    """Names and verbs are stored text: in evidence HTML, network hovers and link labels they stay text."""
    hostile = ('<img src=x onerror="alert(1)">', "*decreases*", "$x$ [MS](javascript:x)")
    shown = ui.paper_html("1", "t", 2020, None, ["a sentence"], [], relations=[hostile])
    assert "<img" not in shown and "&lt;img src=x" in shown and "<b>*decreases*</b>" in shown
    g = nx.Graph()
    g.add_node("A", name=hostile[0], type="Compound", papers=3)
    g.add_node("B", name=hostile[2], type="Mechanism", papers=2)
    g.add_edge("A", "B", papers=2, relation=f"{hostile[0]} decreases {hostile[2]} (2 papers)", subject="A")
    fig = network_figure(g, focus="A")
    hover = " ".join(str(t.text) for t in fig.data if t.name == "co-occurrence")
    assert "<img" not in hover and "&lt;img" in hover and "&#36;x&#36;" in hover
    (arrow,) = fig.layout.annotations  # from the acting entity (the focus, in the middle) to the other
    assert (arrow.ax, arrow.ay) == (0.0, 0.0) and (arrow.x, arrow.y) != (0.0, 0.0)
    assert ui.md(hostile[1]) == r"\*decreases\*"


def test_hypotheses_say_which_paths_are_typed_and_compare_with_relations(app: AppTest) -> None:
    page(app, "hypotheses")
    table = frame(app, "hypotheses")
    assert {"linking_paths", "typed_paths"} <= set(table.columns)
    assert all(p in {"typed relations", "co-mentions only"} or p.startswith("mixed: ") for p in table["linking_paths"])
    shown = " ".join(h.value for h in app.get("html"))
    assert " path: " in shown or "co-mentions only" in shown
    compared = frame(app, "scorer_relations")
    assert list(compared["scorer"]) == ["cosine_paths", "supervised"]
    assert compared[["auc", "auc_with_relations"]].map(lambda v: 0 <= v <= 1).all().all()
    app.selectbox(key="hyp_scorer").set_value("supervised_relations").run()
    assert not app.exception, [e.value for e in app.exception]
    assert (frame(app, "hypotheses")["scorer"] == "supervised_relations").all()
