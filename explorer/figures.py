"""Plotly figures of the explorer: the neighbourhood network, heatmaps, time series.

Pure functions from data to figures, so they are testable without a running app.  Every label that comes from
the data (entity names, area members) goes through :func:`plain`: Plotly reads a small HTML subset in labels
and hover texts (``<a href>`` makes a working link, ``<b>``, ``<br>``) and LaTeX in text wrapped in ``$``.
"""

from __future__ import annotations

import html
import re

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from core.output import visible

#: One colour per entity type, used on every page so a type always looks the same.
TYPE_COLOURS: dict[str, str] = {
    "Compound": "#1f77b4",
    "Mechanism": "#d62728",
    "Biomarker": "#2ca02c",
    "Gene": "#9467bd",
    "CellType": "#ff7f0e",
    "Disease": "#8c564b",
}


#: Distinct edge widths drawn (edges are binned by papers relative to the heaviest).
EDGE_WIDTHS = 6
_WHITESPACE = re.compile(r"\s+")


def plain(value: object) -> str:
    """Stored text as a Plotly label that shows exactly that text: ``&``, ``<`` and ``>`` as entities (Plotly
    decodes them for display, so no tag is ever built from data), ``$`` as ``&#36;`` (no LaTeX), whitespace runs
    as one space and control characters written out."""
    text = visible(_WHITESPACE.sub(" ", str(value)))
    return html.escape(text, quote=False).replace("$", "&#36;")


def layout(graph: nx.Graph, focus: str | None = None, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Node positions: a neighbourhood is drawn as its focus in the middle and the neighbours on a ring grouped
    by type (readable at any density); other graphs get a seeded spring layout with room between the hubs."""
    if not graph.number_of_nodes():
        return {}
    if focus is not None and focus in graph:
        ring = sorted((n for n in graph if n != focus), key=lambda n: (graph.nodes[n].get("type", ""), n))
        return nx.shell_layout(graph, nlist=[[focus], ring]) if ring else {focus: (0.0, 0.0)}
    n = graph.number_of_nodes()
    return nx.spring_layout(graph, seed=seed, weight=None, k=2.0 / n**0.5, iterations=100)


def network_figure(graph: nx.Graph, focus: str | None = None, seed: int = 7) -> go.Figure:
    """Nodes coloured by type and sized by papers; edge width by shared papers.

    Each edge also gets an invisible marker at its midpoint so that clicking it selects the edge (Plotly
    selects points, not lines).  Node and edge markers carry their ids in ``customdata``.
    """
    pos = layout(graph, focus, seed)
    fig = go.Figure()
    max_papers = max((d.get("papers", 1) for _, _, d in graph.edges(data=True)), default=1) or 1
    # one line trace per width step (a trace per edge makes big figures slow to build and to draw)
    strokes: dict[int, tuple[list[float | None], list[float | None]]] = {}
    mid_x, mid_y, mid_data, mid_text = [], [], [], []
    for a, b, data in graph.edges(data=True):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        xs, ys = strokes.setdefault(round(EDGE_WIDTHS * data.get("papers", 1) / max_papers), ([], []))
        xs.extend([x0, x1, None])
        ys.extend([y0, y1, None])
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_data.append(f"{a}|{b}")
        mid_text.append(
            f"{plain(graph.nodes[a].get('name', a))} — {plain(graph.nodes[b].get('name', b))}: "
            f"{data.get('papers', 0)} papers"
        )
    for step, (xs, ys) in sorted(strokes.items()):
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line={"width": 1 + step, "color": "#bbbbbb"}, hoverinfo="skip",
                showlegend=False,
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=mid_x,
            y=mid_y,
            mode="markers",
            marker={"size": 8, "color": "rgba(0,0,0,0.05)"},
            customdata=mid_data,
            text=mid_text,
            hoverinfo="text",
            name="co-occurrence",
            showlegend=False,
        )
    )
    by_type: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_type.setdefault(data.get("type", "?"), []).append(node)
    max_node = max((d.get("papers", 1) for _, d in graph.nodes(data=True)), default=1) or 1
    for type_, nodes in sorted(by_type.items()):
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in nodes],
                y=[pos[n][1] for n in nodes],
                mode="markers+text",
                name=type_,
                text=[plain(graph.nodes[n].get("name", n)) for n in nodes],
                textposition="top center",
                customdata=nodes,
                hovertext=[
                    f"{plain(graph.nodes[n].get('name', n))} ({plain(n)}): {graph.nodes[n].get('papers', 0)} papers"
                    for n in nodes
                ],
                hoverinfo="text",
                marker={
                    "size": [12 + 24 * graph.nodes[n].get("papers", 1) / max_node for n in nodes],
                    "color": TYPE_COLOURS.get(type_, "#7f7f7f"),
                    "line": {"width": [3 if n == focus else 0 for n in nodes], "color": "black"},
                },
            )
        )
    fig.update_layout(
        height=600,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        clickmode="event+select",
        xaxis={"visible": False},
        yaxis={"visible": False},
        legend={"orientation": "h"},
    )
    return fig


def heatmap(matrix: pd.DataFrame, title: str, colorscale: str = "Blues") -> go.Figure:
    """A labelled heatmap of a landscape matrix (rows × columns).

    The axes keep the labels themselves as categories (a click reports them), but show them through
    :func:`plain`, and so does the hover text."""
    rows, cols = [str(r) for r in matrix.index], [str(c) for c in matrix.columns]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.values,
            x=cols,
            y=rows,
            customdata=[[f"{plain(r)} × {plain(c)}" for c in cols] for r in rows],
            colorscale=colorscale,
            hovertemplate="%{customdata}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title=plain(title),
        height=max(400, 22 * len(matrix.index) + 150),
        margin={"l": 10, "r": 10},
        xaxis={"tickangle": -45, "tickmode": "array", "tickvals": cols, "ticktext": [plain(c) for c in cols]},
        # the first (most-studied) row on top
        yaxis={"autorange": "reversed", "tickmode": "array", "tickvals": rows, "ticktext": [plain(r) for r in rows]},
    )
    return fig


def timeline(series: pd.DataFrame, x: str, y: str, colour: str, title: str) -> go.Figure:
    """Papers per year, one line per entity or area."""
    fig = go.Figure()
    for key, part in series.groupby(colour, sort=True):
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="lines+markers", name=plain(key)))
    fig.update_layout(title=title, height=420, xaxis_title="year", yaxis_title="papers")
    return fig


def pubmed_url(pmid: str | int) -> str:
    """The paper's page on PubMed."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
