"""Explore: find an entity, see its neighbourhood, and read the papers and sentences behind a node or a link.

The search box, the entity, the relation-type filter and the selected node or link live in the URL
(``?find=…&entity=…&relations=…&pick=…``), so a link to this page opens the same view.  A new search focuses its
best match and shows that entity's details; choosing another entity shows its details too (the selection never
outlives the entity it belongs to).

Links that are typed relations (:mod:`explorer.relations`) are drawn in blue with what they state, an arrow from
the acting entity where the text gives a direction; the relation-type filter keeps only the neighbours and links
related by the chosen types.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from explorer import data, panels, relations, state, ui
from explorer.figures import network_figure, papers
from explorer.neighbours import MIN_SHARED, RANKINGS, ranked, specificity
from nlp.records import ENTITY_TYPES

#: Links between two neighbours need at least this many papers to be drawn, and only the strongest (twice as many
#: as there are neighbours) are, which keeps the picture readable.
MIN_SIDE_PAPERS = 2
#: Neighbours read before ranking by specificity (the most co-mentioned ones).
CANDIDATES = 2000
HITS = 50


def neighbourhood(
    focus: pd.Series, nbrs: pd.DataFrame, whole: nx.Graph, typed: set[frozenset[str]] | None = None
) -> nx.Graph:
    """The focus, its neighbours (edges weighted by filtered co-mentions) and the strong links among them; with
    ``typed`` (a relation-type filter's pairs), the links among neighbours that are typed relations instead."""
    g = nx.Graph()
    g.add_node(focus["id"], name=focus["name"], type=focus["type"], papers=int(focus["papers"] or 0))
    for row in nbrs.itertuples():
        total = whole.nodes[row.id].get("papers", row.papers) if row.id in whole else row.papers
        g.add_node(row.id, name=row.name, type=row.type, papers=int(total or 0))
        g.add_edge(focus["id"], row.id, papers=int(row.papers))
    side = whole.subgraph(set(nbrs["id"])).edges(data=True)
    if typed is None:
        kept = [e for e in side if e[2].get("papers", 0) >= MIN_SIDE_PAPERS]
    else:
        kept = [e for e in side if frozenset(e[:2]) in typed]
    for a, b, attrs in sorted(kept, key=lambda e: -e[2]["papers"])[: 2 * len(nbrs)]:
        g.add_edge(a, b, papers=int(attrs["papers"]))
    return g


def search_hits(text: str) -> pd.DataFrame:
    return data.rows("entity_search", q=text.strip(), limit=HITS)


def on_new_search() -> None:
    """A new search focuses its best match, and the details show that entity (not what was picked before)."""
    hits = search_hits(st.session_state.get("find", ""))
    if not hits.empty:
        st.session_state["entity"] = hits.iloc[0]["id"]
        st.session_state["pick"] = f"node|{hits.iloc[0]['id']}"


def on_new_entity() -> None:
    st.session_state["pick"] = f"node|{st.session_state['entity']}"


def refocus(entity_id: str) -> None:
    """Make a neighbour the focus (its network, its details)."""
    st.session_state["find"] = ""
    st.session_state["entity"] = entity_id
    st.session_state["pick"] = f"node|{entity_id}"


st.title("Explore")
an = data.analytics()
query = st.text_input(
    "Find an entity by name, synonym or id",
    key="find",
    placeholder="e.g. myelin, MESH:D009103",
    on_change=on_new_search,
    bind="query-params",
)
focus = panels.choose_entity(query, on_change=on_new_entity, limit=HITS)
focus_id = str(focus["id"])

c1, c2, c3, c4, c5 = st.columns([3, 3, 2, 1.5, 2])
with c1:
    types = st.multiselect("Neighbour types", list(ENTITY_TYPES), key="explore_types")
with c2:
    low, high = ui.year_range(*an.years, key="explore_years")
with c3:
    rank_label = st.selectbox(
        "Rank neighbours by",
        list(RANKINGS),
        key="rank",
        bind="query-params",
        help=f"NPMI and lift favour neighbours specific to this entity over hubs; they need ≥ {MIN_SHARED} "
        "papers together.",
    )
with c4:
    funded_only = st.checkbox("Funded only", key="explore_funded", help="Only papers linked to an award")
with c5:
    size = st.slider("Neighbours shown", 5, 60, 25, key="explore_size")
offered = relations.type_options()
state.seed("explore_relations", offered, param="relations", many=True)
chosen = st.multiselect(
    "Relation types",
    offered,
    format_func=relations.type_label,
    key="explore_relations",
    placeholder="any link: co-mentions and typed relations",
    help="Keep only the neighbours and links that the literature states a relation of these types for "
    "(e.g. 'decreases': one entity lowers the other).",
)
state.publish("explore_relations", param="relations")
relation_years = None if (low, high) == an.years else (low, high)  # all years: undated papers count too

candidates = data.rows(
    "entity_neighbourhood",
    id=focus_id,
    types=types,
    min_year=low,
    max_year=high,
    funded_only=funded_only,
    limit=CANDIDATES,
)
if chosen:  # neighbours the focus has a relation of the chosen types with
    candidates = candidates[candidates["id"].isin(relations.partners(focus_id, chosen, relation_years))]
if candidates.empty:
    st.info(
        "No co-mentioned entity with these filters: widen the years, clear the types, untick funded only"
        + (" or choose other relation types." if chosen else ".")
    )
    st.stop()
per_entity, total = data.papers_per_entity(low, high, funded_only)
scored = specificity(candidates, int(per_entity.get(focus_id, 0)), per_entity, total)
nbrs = ranked(scored, RANKINGS[rank_label], size)
if nbrs.empty:
    st.info(f"No neighbour shares {MIN_SHARED}+ papers with it: rank by papers together instead.")
    st.stop()
drawn = [focus_id, *nbrs["id"]]
typed_links = relations.links(drawn, chosen, relation_years)
sub = neighbourhood(
    focus, nbrs, data.cooccurrence_graph(low, high), relations.typed_pairs(typed_links) if chosen else None
)
relations.annotate(sub, typed_links)
st.session_state[ui.SUBGRAPH] = sub
typed_count = sum(bool(d["relation"]) for *_, d in sub.edges(data=True))
between = "that are relations of the chosen types" if chosen else f"with ≥ {MIN_SIDE_PAPERS} papers"
st.caption(
    f"{sub.number_of_nodes()} entities, {sub.number_of_edges()} links ({typed_count} typed relations), ranked by "
    f"{rank_label}; link width = papers mentioning both ({low}–{high}{', funded only' if funded_only else ''} for "
    f"links to {ui.md(focus['name'])}; links between neighbours {between}, the strongest only). Blue links are "
    "typed relations (hover for what the papers state; an arrow points from the entity acting), grey ones "
    "co-mentions only. Click a node or the middle of a link, or pick one below."
)
event = ui.figure("neighbourhood", network_figure(sub, focus=focus_id), key="explore_chart", select=True)

options = [f"node|{n}" for n in sub.nodes] + [f"edge|{a}|{b}" for a, b in sub.edges]
click = next((str(p.get("customdata")) for p in ui.clicked(event) if p.get("customdata")), None)
if click and click != st.session_state.get("explore_last_click"):
    st.session_state["explore_last_click"] = click
    picked = f"edge|{click}" if "|" in click else f"node|{click}"
    if picked in options:
        st.session_state["pick"] = picked
state.seed("pick", options)
if st.session_state.get("pick") not in options:
    st.session_state["pick"] = f"node|{focus_id}"


def describe(option: str) -> str:
    kind, *ids = option.split("|")
    names = [sub.nodes[i].get("name", i) for i in ids]
    if kind == "node":
        return f"{names[0]} · {sub.nodes[ids[0]].get('type', '')}"
    verbs = sub.edges[ids[0], ids[1]].get("verbs", "")
    return f"{names[0]} — {names[1]}" + (f" ({verbs})" if verbs else "")


with st.expander("Neighbours as a table", expanded=False):
    ui.table(
        "neighbours",
        nbrs[["name", "type", "papers", "npmi", "lift", "id"]].rename(columns={"papers": "papers_together"}),
        key="explore_neighbours",
    )

pick = st.selectbox("Selected node or link", options, format_func=describe, key="pick")
state.publish("pick")
kind, *ids = pick.split("|")
if kind == "node":
    detail = data.rows("entity_detail", id=ids[0]).iloc[0]
    synonyms = ui.md(", ".join(detail["synonyms"] or [])) or "—"
    st.subheader(f"{ui.md(detail['name'])} · {detail['type']}")
    years = f"{detail['first_year']}–{detail['last_year']}" if pd.notna(detail["first_year"]) else "no dated paper"
    st.markdown(f"{papers(detail['papers'])}, {years} · synonyms: {synonyms} · id {ui.md(detail['id'])}")
    if ids[0] != focus_id:
        label = f"Centre the network on {ui.md(detail['name'])}"
        st.button(label, key="explore_refocus", on_click=refocus, args=(ids[0],))
    shown = st.segmented_control(  # only the panel chosen is drawn (tabs would draw both on every rerun)
        "Show", ["Papers and evidence", "People, institutions, countries"], default="Papers and evidence",
        key="explore_panel", label_visibility="collapsed",
    )  # fmt: skip
    if shown == "People, institutions, countries":
        st.page_link("explorer/pages/people.py", label="Open on the People page", query_params={"entity": ids[0]})
        panels.people(ids[0], low, high, key="explore_people")
    else:
        panels.entity_papers(ids[0], str(detail["name"]), key="explore_node")
else:
    a, b = ids
    st.subheader(f"{ui.md(sub.nodes[a]['name'])} — {ui.md(sub.nodes[b]['name'])}")
    panels.pair_relations(a, b, key="explore_link_relations", table_name="link_relations")
    title = f"{sub.nodes[a]['name']} — {sub.nodes[b]['name']}"
    panels.pair_papers(a, b, key="explore_link", table_name="link_papers", title=title)
