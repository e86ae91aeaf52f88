"""Export: CSV of the tables, GraphML of the Explore subgraph, standalone HTML of the figures seen this session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
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


def downloads(kind: str, items: dict[str, Any], to_bytes: Callable[[Any], bytes], suffix: str, mime: str) -> None:
    """One download button per item seen this session (``kind`` names them when there is none yet)."""
    if not items:
        st.info(f"No {kind} seen yet.")
    for name, item in sorted(items.items()):
        rows = f" ({len(item)} rows)" if isinstance(item, pd.DataFrame) else ""
        st.download_button(
            f"{name}.{suffix}{rows}",
            functools.partial(to_bytes, item),
            f"{name}.{suffix}",
            mime,
            key=f"export_{suffix}_{name}",
        )


st.subheader("Tables (CSV)")
downloads("table", st.session_state.get(ui.TABLES, {}), csv_bytes, "csv", "text/csv")

st.subheader("Figures (HTML)")
st.caption("For a PNG, use the camera button in the figure's own toolbar (top right of every chart).")
downloads("figure", st.session_state.get(ui.FIGURES, {}), html_bytes, "html", "text/html")
