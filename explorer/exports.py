"""File formats of the Export page: CSV tables, GraphML subgraphs (Gephi/Cytoscape), standalone HTML figures."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from core.output import csv_cell


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV, every text cell and column name defused for spreadsheets (``core.output.csv_cell``:
    a title starting with ``=`` or ``@`` is shown, not run as a formula)."""
    safe = frame.rename(columns=lambda c: csv_cell(str(c))).map(csv_cell)
    return safe.to_csv(index=False).encode("utf-8")


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML of ``graph``; attributes without a value are left out, as GraphML has no null."""
    clean = nx.Graph()
    clean.add_nodes_from((n, {k: v for k, v in d.items() if v is not None}) for n, d in graph.nodes(data=True))
    clean.add_edges_from((a, b, {k: v for k, v in d.items() if v is not None}) for a, b, d in graph.edges(data=True))
    out = BytesIO()
    nx.write_graphml(clean, out)
    return out.getvalue()


def html_bytes(fig: go.Figure | Callable[[], go.Figure]) -> bytes:
    """A standalone page (plotly.js inlined, so it opens offline); ``fig`` may be a function that draws it (a
    figure the page did not show is only drawn when downloaded)."""
    figure = fig if isinstance(fig, go.Figure) else fig()
    return figure.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
