"""Widgets every page shares: tables and figures that the Export page can offer, year filters, PubMed links.

Why a registry: the Export page offers "any table" and "any figure" the user has looked at, so each page shows
its tables and figures through :func:`table` and :func:`figure`, which also keep them in ``st.session_state``.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer.figures import pubmed_url

TABLES = "export_tables"
FIGURES = "export_figures"
SUBGRAPH = "export_subgraph"


def table(
    name: str, frame: pd.DataFrame, pmid_columns: tuple[str, ...] = ("pmid",), columns: dict[str, Any] | None = None
) -> None:
    """Show a table (PMID columns as PubMed links, ``columns`` as further column configs) and remember it for
    the Export page."""
    st.session_state.setdefault(TABLES, {})[name] = frame
    shown = frame.copy()
    config: dict[str, Any] = {}
    for column in pmid_columns:
        if column in shown:
            shown[column] = [pubmed_url(p) if p else None for p in shown[column]]
            config[column] = st.column_config.LinkColumn(
                column, display_text=r"https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/"
            )
    config.update(columns or {})
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch")


def figure(name: str, fig: go.Figure, key: str | None = None, select: bool = False) -> Any:
    """Show a plotly figure (clicks rerun the page when ``select``) and remember it for the Export page."""
    st.session_state.setdefault(FIGURES, {})[name] = fig
    if select:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), width="stretch")
    return st.plotly_chart(fig, key=key, width="stretch")


def clicked(event: Any) -> list[Any]:
    """``customdata`` (or x/y for heatmaps) of the points a plotly selection event carries."""
    if not event:
        return []
    points = event.get("selection", {}).get("points", []) if isinstance(event, dict) else event.selection.points
    return list(points)


def year_range(first: int, last: int, key: str) -> tuple[int, int]:
    """A year-range slider over the corpus's years."""
    if first >= last:
        st.caption(f"All papers are from {first}.")
        return first, last
    low, high = st.slider("Years", first, last, (first, last), key=key)
    return int(low), int(high)


def pmid_links(pmids: list[str] | tuple[str, ...]) -> str:
    """PMIDs as Markdown links to PubMed, comma separated."""
    return ", ".join(f"[{p}]({pubmed_url(p)})" for p in pmids) or "—"


def highlight(text: str, term: str, width: int = 260) -> str:
    """An HTML snippet of ``text`` around the first match of ``term``, every match marked (text escaped)."""
    if not text:
        return ""
    found = text.lower().find(term.lower()) if term else -1
    start = max(0, found - width // 3) if found >= 0 else 0
    if start:  # begin at a word
        start = min(text.find(" ", start) + 1 or start, found if found >= 0 else start)
    piece = text[start : start + width]
    escaped = html.escape(piece)
    if term:
        escaped = re.sub(re.escape(html.escape(term)), lambda m: f"<mark>{m.group(0)}</mark>", escaped, flags=re.I)
    return ("…" if start > 0 else "") + escaped + ("…" if start + width < len(text) else "")
