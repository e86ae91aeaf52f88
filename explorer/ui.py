"""Widgets every page shares: tables with a download button, figures that the Export page can offer, year
filters with an honest note on the corpus's years, PubMed links, evidence text with highlighted words, and
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

Why HTML built here: evidence sentences, titles and snippets shown whole with highlighted words are data too.
Every piece of text is HTML-escaped first (:func:`marked`); only the ``<mark>`` tags and links this module adds
are markup, and the result is shown with ``st.html`` (no Markdown pass over it).
"""

from __future__ import annotations

import functools
import html
import re
import string
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.output import visible
from explorer.exports import csv_bytes
from explorer.figures import papers, pubmed_url

_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|www)(?=[:.])|\b(?:mailto|xmpp)(?=:)|(?=@)")
WORD_JOINER = "\u2060"
_WHITESPACE = re.compile(r"\s+")

TABLES = "export_tables"
FIGURES = "export_figures"
SUBGRAPH = "export_subgraph"
#: Share of all dated papers in one year above which trends and bursts mostly show how the corpus was collected.
CONCENTRATED = 0.5
#: Fewer distinct years than this is too few for trends and bursts.
FEW_YEARS = 6


def table(
    name: str,
    frame: pd.DataFrame,
    pmid_columns: tuple[str, ...] = ("pmid",),
    columns: dict[str, Any] | None = None,
    *,
    full: Callable[[], pd.DataFrame] | None = None,
    key: str | None = None,
    select: bool = False,
) -> Any:
    """Show a table (PMID columns as PubMed links, ``columns`` as further column configs) with a CSV download
    button beside it, and remember it for the Export page.  ``full`` gives every row when the table shows one page
    of them (called only on download).  ``select``: clicking a row reruns the page; returns the selection state."""
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
    left, right = st.columns([10, 2], vertical_alignment="bottom")
    right.download_button(
        "CSV",
        functools.partial(_csv_of, full) if full is not None else functools.partial(csv_bytes, frame),
        f"{name}.csv",
        "text/csv",
        key=f"download_{key or name}",
        icon=":material/download:",
        help=f"Download {name}.csv" + (" (every row, not only this page)" if full is not None else ""),
        width="stretch",
    )
    rows = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
    left.caption(rows if full is None else f"{rows} on this page")
    if select:
        return st.dataframe(
            shown,
            column_config=config,
            hide_index=True,
            width="stretch",
            key=f"table_{key or name}",
            on_select="rerun",
            selection_mode="single-row",
        )
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch")
    return None


def _csv_of(full: Callable[[], pd.DataFrame]) -> bytes:
    return csv_bytes(full())


def figure(name: str, fig: go.Figure, key: str | None = None, select: bool = False) -> Any:
    """Show a plotly figure (clicks rerun the page when ``select``) and remember it for the Export page."""
    st.session_state.setdefault(FIGURES, {})[name] = fig
    if select:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), width="stretch")
    return st.plotly_chart(fig, key=key, width="stretch")


def clicked(event: Any) -> list[Any]:
    """The points a plotly selection event carries (each with ``customdata``, ``x``, ``y``)."""
    if not event:
        return []
    points = event.get("selection", {}).get("points", []) if isinstance(event, dict) else event.selection.points
    return list(points)


def year_range(first: int, last: int, key: str) -> tuple[int, int]:
    """A year-range slider over the corpus's years (whole years)."""
    if first >= last:
        st.caption(f"All papers are from {first}.")
        return first, last
    low, high = st.slider("Years", first, last, (first, last), step=1, format="%d", key=key)
    return int(low), int(high)


def years_note(per_year: pd.Series, purpose: str = "Trends and bursts") -> str | None:
    """A plain warning when the corpus's years cannot carry trends: too few distinct years, or most papers from
    one year (a collection artefact, not research activity).  ``per_year``: papers by year (undated left out)."""
    dated = per_year[per_year.index > 0]
    total = int(dated.sum())
    if total == 0:
        return f"No paper has a publication year: {purpose.lower()} cannot be shown."
    top_year, top = int(dated.idxmax()), int(dated.max())
    span = f"{int(dated.index.min())}–{int(dated.index.max())}"
    if len(dated) < FEW_YEARS:
        return (
            f"The corpus spans only {len(dated)} year{'s' if len(dated) != 1 else ''} ({span}): "
            f"{purpose.lower()} need more years to mean anything."
        )
    if top / total > CONCENTRATED:
        return (
            f"{top / total:.0%} of the corpus's {total:,} dated papers are from {top_year} ({span} in all): "
            f"{purpose.lower()} mostly show how the corpus was collected, not how research moved."
        )
    return None


def pmid_html(pmids: Iterable[str]) -> str:
    """PMIDs as HTML links to PubMed, comma separated."""
    links = [f'<a href="{pubmed_url(p)}" target="_blank">{p}</a>' for p in pmids if str(p).isdigit()]
    return ", ".join(links) or "—"


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


def marked(text: str, terms: Iterable[str]) -> str:
    """The whole of ``text``, HTML-escaped, with every whole-word occurrence of any of ``terms`` (case-insensitive)
    wrapped in ``<mark>``.  Longer terms win where two overlap ("myelin sheath" before "myelin")."""
    if not text:
        return ""
    text = visible(text)
    words = sorted({t.strip() for t in terms if t and len(t.strip()) > 1}, key=len, reverse=True)
    if not words:
        return html.escape(text)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def marked_snippet(snippet: str, start: str, end: str) -> str:
    """A full-text snippet whose matches sit between the control characters ``start``/``end``, as escaped HTML
    with ``<mark>`` around the matches."""
    tags = {start: "<mark>", end: "</mark>"}
    parts = re.split(f"({re.escape(start)}|{re.escape(end)})", snippet)
    return "".join(tags.get(part) or html.escape(visible(part)) for part in parts)


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
    marked_parts = "".join(f"<mark>{md(p)}</mark>" if i % 2 else md(p) for i, p in enumerate(parts))
    return ("…" if start > 0 else "") + marked_parts + ("…" if start + width < len(text) else "")


EVIDENCE_CSS = """<style>
.gm-paper{margin:0 0 .9rem 0;line-height:1.45}
.gm-paper .gm-meta{color:#666;font-size:.85rem}
.gm-paper .gm-sentence{margin:.15rem 0 0 0}
.gm-paper mark{background:#ffe58a;padding:0 .1rem}
.gm-badge{border-radius:.6rem;padding:0 .45rem;margin-right:.3rem;font-size:.75rem}
.gm-paper .gm-relation{margin:.15rem 0 0 0;color:#2b5797}
.gm-paper .gm-relation b{background:#dde8f6;border-radius:.3rem;padding:0 .3rem}
</style>"""


def paper_html(
    pmid: str,
    title: str,
    year: Any,
    journal: str | None,
    sentences: Iterable[str],
    terms: Iterable[str],
    badges: Iterable[tuple[str, str]] = (),
    relations: Iterable[tuple[str, str, str]] = (),
) -> str:
    """One paper as escaped HTML: its title linked to PubMed, its evidence badges ((label, colour) pairs of a
    fixed set), year · journal · PMID, the typed relations it states ((subject, verb, object) names, the verb in
    bold: "ocrelizumab **decreases** NfL"), then each evidence sentence in full with ``terms`` marked."""
    words = list(terms)
    pills = "".join(
        f'<span class="gm-badge" style="background:{html.escape(colour, quote=True)};color:{_ink(colour)}">'
        f"{html.escape(label)}</span>"
        for label, colour in badges
    )
    meta = pills + " · ".join(
        html.escape(visible(str(p))) for p in (year if pd.notna(year) else None, journal, f"PMID {pmid}") if p
    )
    stated = "".join(
        f'<div class="gm-relation">{_text(subject)} <b>{_text(verb)}</b> {_text(obj)}</div>'
        for subject, verb, obj in relations
    )
    body = stated + "".join(f'<div class="gm-sentence">{marked(s, words)}</div>' for s in sentences if s)
    link = html.escape(pubmed_url(pmid), quote=True)
    return (
        f'<div class="gm-paper"><a href="{link}" target="_blank">{html.escape(visible(title or "(no title)"))}</a>'
        f'<div class="gm-meta">{meta}</div>{body}</div>'
    )


def _text(value: Any) -> str:
    """Stored text as HTML text (escaped, control characters written out)."""
    return html.escape(visible(str(value)))


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on the ``#rrggbb`` background."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return "#222" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#fff"


def show_html(blocks: Iterable[str]) -> None:
    """Blocks made by :func:`paper_html` (already escaped), in one element."""
    st.html(EVIDENCE_CSS + "".join(blocks))


def pager(total: int, per_page: int, key: str) -> int:
    """Page controls for ``total`` rows; the 0-based offset of the page shown."""
    pages = max(1, -(-total // per_page))
    if pages == 1:
        return 0
    page = st.pagination(pages, key=key, max_visible_pages=9)
    return (int(page) - 1) * per_page


def growth(value: float | None) -> str:
    """A growth ratio in words: "1.8×", "new" (nothing before), "—" (not enough papers to say)."""
    if value is None or pd.isna(value):
        return "—"
    if value == float("inf"):
        return "new"
    return f"{value:.2f}×"


def linking_html(terms: Iterable[Any], a_name: str, c_name: str) -> str:
    """Linking terms of a gap or hypothesis (name, type, papers with each side and a few PMIDs) as an escaped
    list, each saying whether its path is typed relations or co-mentions, and what the typed links state."""

    def hop(links: tuple[Any, ...]) -> str:
        return f"<i>{_text(links[0].text)}</i>" if links else "co-mention"

    def path(t: Any) -> str:
        if t.path == "co-mention":
            return " · co-mentions only"
        return f" · {_text(t.path)} path: {hop(t.relations_a)}; {hop(t.relations_b)}"

    items = "".join(
        f"<li><b>{_text(t.name)}</b> ({_text(t.type)}): {papers(t.with_a)} with {_text(a_name)} "
        f"({pmid_html(t.pmids_a)}), {papers(t.with_b)} with {_text(c_name)} ({pmid_html(t.pmids_b)}){path(t)}</li>"
        for t in terms
    )
    return f"<ul>{items}</ul>"
