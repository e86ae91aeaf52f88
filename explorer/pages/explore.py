"""Explore: find an entity, see its neighbourhood, and read the papers and sentences behind a node or a link."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from explorer import data, evidence, ui
from explorer.figures import network_figure
from nlp.records import ENTITY_TYPES

#: Links between two neighbours need at least this many papers to be drawn, and only the strongest (twice as many
#: as there are neighbours) are, which keeps the picture readable.
MIN_SIDE_PAPERS = 2


def neighbourhood(focus: pd.Series, nbrs: pd.DataFrame, whole: nx.Graph) -> nx.Graph:
    """The focus, its neighbours (edges weighted by filtered co-mentions) and the strong links among them."""
    g = nx.Graph()
    g.add_node(focus["id"], name=focus["name"], type=focus["type"], papers=int(focus["papers"] or 0))
    for row in nbrs.itertuples():
        total = whole.nodes[row.id].get("papers", row.papers) if row.id in whole else row.papers
        g.add_node(row.id, name=row.name, type=row.type, papers=int(total or 0))
        g.add_edge(focus["id"], row.id, papers=int(row.papers))
    side = whole.subgraph(set(nbrs["id"])).edges(data=True)
    strong = sorted((e for e in side if e[2].get("papers", 0) >= MIN_SIDE_PAPERS), key=lambda e: -e[2]["papers"])
    for a, b, attrs in strong[: 2 * len(nbrs)]:
        g.add_edge(a, b, papers=int(attrs["papers"]))
    return g


st.title("Explore")
an = data.analytics()
query = st.text_input("Find an entity by name, synonym or id", key="explore_q", placeholder="e.g. myelin, MESH:D009103")
hits = data.rows("entity_search", q=query.strip(), limit=50)
if hits.empty:
    st.info(f"No entity matches “{ui.md(query)}”. Try a shorter name or a synonym.")
    st.stop()
labels = {r.id: f"{r.name} · {r.type} · {r.papers} papers" for r in hits.itertuples()}
focus_id = st.selectbox("Entity", list(labels), format_func=labels.__getitem__, key="explore_focus")
focus = hits[hits["id"] == focus_id].iloc[0]

c1, c2, c3, c4 = st.columns([3, 3, 1, 2])
with c1:
    types = st.multiselect("Neighbour types", list(ENTITY_TYPES), key="explore_types")
with c2:
    low, high = ui.year_range(*an.years, key="explore_years")
with c3:
    funded_only = st.checkbox("Funded only", key="explore_funded")
with c4:
    size = st.slider("Neighbours shown", 5, 60, 25, key="explore_size")

nbrs = data.rows(
    "entity_neighbourhood", id=focus_id, types=types, min_year=low, max_year=high, funded_only=funded_only, limit=size
)
if nbrs.empty:
    st.info("No co-mentioned entity with these filters: widen the years, clear the types or untick funded only.")
    st.stop()
sub = neighbourhood(focus, nbrs, data.cooccurrence_graph(low, high))
st.session_state[ui.SUBGRAPH] = sub
st.caption(
    f"{sub.number_of_nodes()} entities, {sub.number_of_edges()} links; link width = papers mentioning both "
    f"({low}–{high}{', funded only' if funded_only else ''} for links to {ui.md(focus['name'])}; links between "
    f"neighbours with ≥ {MIN_SIDE_PAPERS} papers, the strongest only). Click a node or the middle of a link, or "
    "pick one below."
)
event = ui.figure("neighbourhood", network_figure(sub, focus=focus_id), key="explore_chart", select=True)

options = [f"node|{n}" for n in sub.nodes] + [f"edge|{a}|{b}" for a, b in sub.edges]
click = next((str(p.get("customdata")) for p in ui.clicked(event) if p.get("customdata")), None)
if click and click != st.session_state.get("explore_last_click"):
    st.session_state["explore_last_click"] = click
    picked = f"edge|{click}" if "|" in click else f"node|{click}"
    if picked in options:
        st.session_state["explore_pick"] = picked


def describe(option: str) -> str:
    kind, *ids = option.split("|")
    names = [sub.nodes[i].get("name", i) for i in ids]
    return f"{names[0]} ({ids[0]})" if kind == "node" else f"{names[0]} — {names[1]}"


pick = st.selectbox("Selected node or link", options, format_func=describe, key="explore_pick")
kind, *ids = pick.split("|")
if kind == "node":
    detail = data.rows("entity_detail", id=ids[0]).iloc[0]
    synonyms = ", ".join(detail["synonyms"] or []) or "—"
    st.subheader(f"{ui.md(detail['name'])} · {ui.md(detail['type'])}")
    st.markdown(
        f"{ui.md(detail['id'])} · {ui.md(detail['papers'])} papers, "
        f"{ui.md(detail['first_year'])}–{ui.md(detail['last_year'])} · synonyms: {ui.md(synonyms)}"
    )
    evidence.show_entity_evidence(ids[0], detail["name"], key="explore_node_level")
else:
    a, b = ids
    st.subheader(f"{ui.md(sub.nodes[a]['name'])} — {ui.md(sub.nodes[b]['name'])}")
    title = f"{ui.md(sub.nodes[a]['name'])} — {ui.md(sub.nodes[b]['name'])}"
    evidence.show_link_evidence(a, b, title, key="explore_link_level", table="link_papers")
