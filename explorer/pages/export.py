"""Export: CSV of the tables, GraphML of the Explore subgraph, standalone HTML of the figures seen this session."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer import ui
from explorer.exports import csv_bytes, graphml_bytes, html_bytes

st.title("Export")
st.caption("Everything here is what you looked at in this session; visit a page first to export its tables.")

st.subheader("Subgraph (GraphML)")
sub = st.session_state.get(ui.SUBGRAPH)
if sub is None:
    st.info("Open the Explore page and pick an entity: its neighbourhood graph is exported here.")
else:
    st.markdown(f"Explore subgraph: {sub.number_of_nodes()} entities, {sub.number_of_edges()} links.")
    st.download_button(
        "Download subgraph.graphml",
        functools.partial(graphml_bytes, sub),
        "subgraph.graphml",
        "application/graphml+xml",
        key="export_graphml",
    )

st.subheader("Tables (CSV)")
tables: dict[str, pd.DataFrame] = st.session_state.get(ui.TABLES, {})
if not tables:
    st.info("No table seen yet.")
for name, frame in sorted(tables.items()):
    st.download_button(
        f"{name}.csv ({len(frame)} rows)",
        functools.partial(csv_bytes, frame),
        f"{name}.csv",
        "text/csv",
        key=f"export_csv_{name}",
    )

st.subheader("Figures (HTML)")
st.caption("For a PNG, use the camera button in the figure's own toolbar (top right of every chart).")
figures: dict[str, go.Figure | Callable[[], go.Figure]] = st.session_state.get(ui.FIGURES, {})
if not figures:
    st.info("No figure seen yet.")
for name, fig in sorted(figures.items()):
    st.download_button(
        f"{name}.html", functools.partial(html_bytes, fig), f"{name}.html", "text/html", key=f"export_html_{name}"
    )
