"""Widgets every page shares: tables and figures that the Export page can offer, year filters, PubMed links, and
:func:`md`, through which every piece of stored text reaches a Streamlit element that reads Markdown.

Why a registry: the Export page offers "any table" and "any figure" the user has looked at, so each page shows
its tables and figures through :func:`table` and :func:`figure`, which also keep them in ``st.session_state``.

Why :func:`md`: ``st.markdown``, ``st.caption``, ``st.subheader``, ``st.info`` and widget labels (expanders,
metrics) read GitHub Markdown plus HTML (when allowed), KaTeX (``$x$``), emoji and icon shortcodes
(``:smile:``, ``:material/home:``), colour directives (``:red[...]``) and bare URLs, which become links.  A
title or abstract is data, so each of those is defused: every ASCII punctuation character is backslash-escaped
(CommonMark shows an escaped character as itself), and an invisible word joiner (U+2060) goes where a bare URL
or e-mail address would start (``http``/``www`` before ``:``/``.``, before ``@``), which the autolinker needs
to be contiguous.  Control characters and bidirectional overrides are written out (``core.output.visible``).
Plotly labels get the same treatment for Plotly's own markup in :func:`explorer.figures.plain`.
"""

from __future__ import annotations

import re
import string
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.output import visible
from explorer.figures import pubmed_url

_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|www)(?=[:.])|\b(?:mailto|xmpp)(?=:)|(?=@)")
WORD_JOINER = "\u2060"
_WHITESPACE = re.compile(r"\s+")

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
            shown[column] = [pubmed_url(p) if str(p).isdigit() else None for p in shown[column]]
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


def md(value: Any) -> str:
    """Stored text as Markdown that shows exactly that text, on one line (see the module docstring)."""
    text = visible(_WHITESPACE.sub(" ", str(value)))
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return _PUNCTUATION.sub(lambda m: "\\" + m.group(0), text)


def pubmed_link(pmid: Any, text: str) -> str:
    """Markdown ``text`` (already safe: from :func:`md` or :func:`highlight`) linked to the PMID's PubMed page; a
    PMID that is not all digits gets no link, so stored text never chooses where a link goes."""
    return f"[{text}]({pubmed_url(pmid)})" if str(pmid).isdigit() else text


def pmid_links(pmids: list[str] | tuple[str, ...]) -> str:
    """PMIDs as Markdown links to PubMed, comma separated."""
    return ", ".join(pubmed_link(p, md(p)) for p in pmids) or "—"


def highlight(text: str, term: str, width: int = 260) -> str:
    """A Markdown snippet of ``text`` around the first match of ``term``, every match in ``<mark>`` (the only
    HTML in it: the text itself goes through :func:`md`; show it with ``unsafe_allow_html=True``)."""
    if not text:
        return ""
    found = text.lower().find(term.lower()) if term else -1
    start = max(0, found - width // 3) if found >= 0 else 0
    if start:  # begin at a word
        start = min(text.find(" ", start) + 1 or start, found if found >= 0 else start)
    piece = text[start : start + width]
    parts = re.split(f"({re.escape(term)})", piece, flags=re.I) if term else [piece]
    marked = "".join(f"<mark>{md(p)}</mark>" if i % 2 else md(p) for i, p in enumerate(parts))
    return ("…" if start > 0 else "") + marked + ("…" if start + width < len(text) else "")
