"""People: who works on an entity — the most prolific authors, their institutions and countries — in a year range.

The entity lives in the URL (``?entity=ID``), so a link opens the same view; Explore shows the same panel.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import data, panels, state, ui
from explorer.figures import papers

st.title("People")
st.caption("Who studies an entity: authors by papers, the institutions and countries of their affiliations.")
an = data.analytics()


def on_new_search() -> None:
    """A new search shows its best match (not the entity shown before)."""
    found = data.rows("entity_search", q=st.session_state.get("people_find", "").strip(), limit=50)
    if not found.empty:
        st.session_state["entity"] = found.iloc[0]["id"]


text = st.text_input(
    "Find an entity by name, synonym or id", key="people_find", placeholder="e.g. microglia", on_change=on_new_search
)
hits = data.rows("entity_search", q=text.strip(), limit=50)
state.seed("entity")
linked = st.session_state.get("entity")
if linked and linked not in set(hits["id"]):
    extra = data.rows("entity_detail", id=linked)
    if not extra.empty:
        hits = pd.concat([extra[["id", "name", "type", "papers"]], hits], ignore_index=True)
if hits.empty:
    st.info(f"No entity matches “{text}”. Try a shorter name or a synonym.")
    st.stop()
labels = {r.id: f"{r.name} · {r.type} · {papers(r.papers)}" for r in hits.itertuples()}
entity = st.selectbox("Entity", list(labels), format_func=labels.__getitem__, key="entity")
state.publish("entity")
low, high = ui.year_range(*an.years, key="people_years")
name = hits[hits["id"] == entity].iloc[0]["name"]
st.subheader(ui.plain(name))
panels.explore_link(entity, f"Open {ui.plain(name)} in Explore")
panels.people(entity, low, high, key="people")
