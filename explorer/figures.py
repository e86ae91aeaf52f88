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
#: Links that are typed relations (an edge attribute ``relation``, :mod:`explorer.relations`) in this colour,
#: bare co-mentions in grey.
LINK_COLOURS = {True: "#4a7fc1", False: "#cccccc"}
_WHITESPACE = re.compile(r"\s+")


def plain(value: object) -> str:
    """Stored text as a Plotly label that shows exactly that text: ``&``, ``<`` and ``>`` as entities (Plotly
    decodes them for display, so no tag is ever built from data), ``$`` as ``&#36;`` (no LaTeX), whitespace runs
    as one space and control characters written out."""
    text = visible(_WHITESPACE.sub(" ", str(value)))
    return html.escape(text, quote=False).replace("$", "&#36;")


#: Longest node label drawn (the full name is in the hover text).
LABEL_CHARS = 32
#: Vertical pixels per neighbour on each side of the network, so labels never touch.
ROW_PIXELS = 24


def label(name: str, limit: int = LABEL_CHARS) -> str:
    """A node label: the name, cut at a word with an ellipsis when longer than ``limit`` characters."""
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0] if " " in name[: limit - 1] else name[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def layout(graph: nx.Graph, focus: str | None = None, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Node positions.  A neighbourhood is drawn as its focus in the middle and the neighbours, grouped by type,
    down two rounded columns (right side top to bottom, then left side bottom to top): the rows are evenly
    spaced, so labels written outwards (right of the right column, left of the left one) never overlap, even
    at 60 neighbours.  Other graphs get a seeded spring layout with room between the hubs."""
    if not graph.number_of_nodes():
        return {}
    if focus is not None and focus in graph:
        ring = sorted((n for n in graph if n != focus), key=lambda n: (graph.nodes[n].get("type", ""), n))
        pos: dict[str, tuple[float, float]] = {focus: (0.0, 0.0)}
        right = (len(ring) + 1) // 2
        for side, nodes in ((1.0, ring[:right]), (-1.0, ring[right:][::-1])):
            for k, node in enumerate(nodes):
                y = 1.0 - 2.0 * (k + 0.5) / max(len(nodes), 1) if len(nodes) > 1 else 0.0
                pos[node] = (side * (0.45 + 0.55 * (1.0 - y * y) ** 0.5), y)
        return pos
    n = graph.number_of_nodes()
    return dict(nx.spring_layout(graph, seed=seed, weight=None, k=2.0 / n**0.5, iterations=100))


def network_figure(graph: nx.Graph, focus: str | None = None, seed: int = 7) -> go.Figure:
    """Nodes coloured by type and sized by papers; edge width by shared papers; links that are typed relations
    in blue (an arrow from the acting entity when the relation is directed), with what they say on hover.

    Each edge also gets an invisible marker at its midpoint so that clicking it selects the edge (Plotly
    selects points, not lines).  Node and edge markers carry their ids in ``customdata``.
    """
    pos = layout(graph, focus, seed)
    fig = go.Figure()
    max_papers = max((d.get("papers", 1) for _, _, d in graph.edges(data=True)), default=1) or 1
    # one line trace per kind and width step (a trace per edge makes big figures slow to build and to draw)
    strokes: dict[tuple[bool, int], tuple[list[float | None], list[float | None]]] = {}
    mid_x, mid_y, mid_data, mid_text = [], [], [], []
    for a, b, data in graph.edges(data=True):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        typed = bool(data.get("relation"))
        xs, ys = strokes.setdefault((typed, round(EDGE_WIDTHS * data.get("papers", 1) / max_papers)), ([], []))
        xs.extend([x0, x1, None])
        ys.extend([y0, y1, None])
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_data.append(f"{a}|{b}")
        said = f" · {plain(data['relation'])}" if typed else " · co-mentions only"
        mid_text.append(
            f"{plain(graph.nodes[a].get('name', a))} — {plain(graph.nodes[b].get('name', b))}: "
            f"{papers(data.get('papers', 0))}{said}"
        )
        subject = data.get("subject")
        if subject in (a, b):
            (sx, sy), (ox, oy) = (pos[a], pos[b]) if subject == a else (pos[b], pos[a])
            fig.add_annotation(
                x=ox, y=oy, ax=sx, ay=sy, xref="x", yref="y", axref="x", ayref="y", showarrow=True, text="",
                arrowhead=2, arrowsize=1.2, arrowwidth=1.5, arrowcolor=LINK_COLOURS[True], standoff=9,
            )  # fmt: skip
    for (typed, step), (xs, ys) in sorted(strokes.items()):
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line={"width": 1 + step, "color": LINK_COLOURS[typed]}, hoverinfo="skip",
                showlegend=False,
            )
        )  # fmt: skip
    for typed, name in ((True, "typed relation"), (False, "co-mentions only")):  # the link colours in the legend
        if any(kind == typed for kind, _ in strokes):
            fig.add_trace(
                go.Scatter(
                    x=[None], y=[None], mode="lines", line={"width": 3, "color": LINK_COLOURS[typed]}, name=name,
                    hoverinfo="skip",
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
                text=[plain(label(str(graph.nodes[n].get("name", n)))) for n in nodes],
                textposition=[_text_position(pos[n], n == focus) for n in nodes],
                textfont={"size": 12},
                customdata=nodes,
                hovertext=[
                    f"{plain(graph.nodes[n].get('name', n))} ({plain(n)}): {papers(graph.nodes[n].get('papers', 0))}"
                    for n in nodes
                ],
                hoverinfo="text",
                marker={
                    "size": [10 + 18 * graph.nodes[n].get("papers", 1) / max_node for n in nodes],
                    "color": TYPE_COLOURS.get(type_, "#7f7f7f"),
                    "line": {"width": [3 if n == focus else 0 for n in nodes], "color": "black"},
                },
            )
        )
    side = (graph.number_of_nodes() + 1) // 2
    fig.update_layout(
        height=max(560, ROW_PIXELS * side + 120) if focus is not None else 600,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        clickmode="event+select",
        xaxis={"visible": False, "range": [-2.6, 2.6] if focus is not None else None},
        yaxis={"visible": False, "range": [-1.08, 1.08] if focus is not None else None},
        legend={"orientation": "h"},
        hovermode="closest",
    )
    return fig


def _text_position(xy: tuple[float, float], is_focus: bool) -> str:
    """Labels point away from the middle: right of the right column, left of the left one, above the focus."""
    if is_focus:
        return "top center"
    return "middle right" if xy[0] >= 0 else "middle left"


def heatmap(
    matrix: pd.DataFrame,
    title: str,
    colorscale: str = "Blues",
    keys: list[list[str]] | None = None,
    selected: tuple[int, int] | None = None,
) -> go.Figure:
    """A labelled heatmap of a landscape matrix (rows × columns) whose cells can be clicked.

    Plotly selects scatter points, not heatmap cells, so every cell also gets a transparent square marker at
    its centre carrying ``keys[row][column]`` in ``customdata``; with hover distance unlimited, a click anywhere
    in a cell selects its marker.  The ``selected`` cell (row, column) is outlined.
    """
    values = matrix.to_numpy()
    rows, cols = [str(r) for r in matrix.index], [str(c) for c in matrix.columns]
    fig = go.Figure(
        go.Heatmap(
            z=values, x=cols, y=rows, colorscale=colorscale, hoverinfo="skip",
            xgap=1, ygap=1,
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[c for _ in rows for c in cols],
            y=[r for r in rows for _ in cols],
            mode="markers",
            marker={"symbol": "square", "size": 18, "color": "rgba(0,0,0,0)"},
            customdata=[k for row in keys for k in row] if keys is not None else None,
            text=[
                f"{plain(r)} × {plain(c)}: {_number(v)}"
                for r, row in zip(rows, values, strict=True)
                for c, v in zip(cols, row, strict=True)
            ],
            hovertemplate="%{text}<extra>click to open</extra>",
            showlegend=False,
            name="cells",
        )
    )
    if selected is not None:
        r, c = selected
        fig.add_shape(
            type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line={"color": "black", "width": 3},
            xref="x", yref="y",
        )  # fmt: skip
    fig.update_layout(
        title=plain(title),
        height=max(400, 22 * len(rows) + 190),
        margin={"l": 10, "r": 10},
        xaxis={
            "tickangle": -45,
            "type": "category",
            "tickmode": "array",
            "tickvals": cols,
            "ticktext": [plain(c) for c in cols],
        },
        # the first (most-studied) row on top
        yaxis={
            "autorange": "reversed",
            "type": "category",
            "tickmode": "array",
            "tickvals": rows,
            "ticktext": [plain(r) for r in rows],
        },
        hovermode="closest",
        hoverdistance=-1,
        clickmode="event+select",
        dragmode=False,
    )
    return fig


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def timeline(series: pd.DataFrame, x: str, y: str, colour: str, title: str) -> go.Figure:
    """Papers per year, one line per entity or area; the year axis has whole years only."""
    fig = go.Figure()
    for key, part in series.groupby(colour, sort=True):
        fig.add_trace(go.Scatter(x=part[x], y=part[y], mode="lines+markers", name=plain(key)))
    years = pd.to_numeric(series[x], errors="coerce").dropna()
    span = int(years.max() - years.min()) if len(years) else 0
    fig.update_layout(
        title=title,
        height=420,
        xaxis={"title": "year", "tickformat": "d", "dtick": 1 if span <= 12 else None, "type": "linear"},
        yaxis={"title": "papers", "tickformat": ",d", "rangemode": "tozero"},
    )
    return fig


def years_figure(per_year: pd.Series) -> go.Figure:
    """Papers per publication year as bars, on a whole-year axis."""
    fig = go.Figure(go.Bar(x=list(per_year.index), y=list(per_year.values), marker={"color": "#4c78a8"}))
    span = int(per_year.index.max() - per_year.index.min()) if len(per_year) else 0
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis={"title": "year", "tickformat": "d", "dtick": 1 if span <= 12 else None, "type": "linear"},
        yaxis={"title": "papers", "tickformat": ",d"},
        bargap=0.1,
    )
    return fig


def papers(n: int | float | None) -> str:
    """ "1 paper", "2 papers", "1,204 papers"."""
    count = int(n or 0)
    return f"{count:,} paper" + ("" if count == 1 else "s")


def pubmed_url(pmid: str | int) -> str:
    """The paper's page on PubMed."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
