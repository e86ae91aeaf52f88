"""People: who works on an entity — the most prolific authors, their institutions and countries — in a year range.

The entity lives in the URL (``?entity=ID``), so a link opens the same view; Explore shows the same panel.
"""

from __future__ import annotations

import streamlit as st

from explorer import data, panels, ui

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
chosen = panels.choose_entity(text)
entity, name = str(chosen["id"]), str(chosen["name"])
low, high = ui.year_range(*an.years, key="people_years")
st.subheader(ui.md(name))
panels.explore_link(entity, f"Open {ui.md(name)} in Explore")
panels.people(entity, low, high, key="people")
