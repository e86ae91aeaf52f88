"""Panels several pages show: the papers of an entity or of a pair (paged, every evidence sentence in full with
the entities highlighted) and the people, institutions and countries behind an entity."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer import data, state, ui
from explorer.figures import papers

#: Papers per page of an evidence list.
PER_PAGE = 20


def terms_of(entity_id: str) -> list[str]:
    """The words that name an entity in text: its name and synonyms (what evidence sentences highlight)."""
    detail = data.rows("entity_detail", id=entity_id)
    if detail.empty:
        return []
    head = detail.iloc[0]
    names = [str(head["name"]), *(head["synonyms"] if isinstance(head["synonyms"], list) else [])]
    # "Sclerosis, Multiple" is an index form, never written so in a sentence
    return [n for n in names if n and not re.search(r"\w, \w", n)]


def entity_papers(entity_id: str, total: int, key: str) -> None:
    """Every paper mentioning the entity, newest first, a page at a time, each with its evidence sentence."""
    offset = ui.pager(total, PER_PAGE, key=f"{key}_page_{entity_id}")
    page = data.rows("entity_publications", id=entity_id, skip=offset, limit=PER_PAGE)
    st.caption(
        f"{papers(total)}, newest first — {offset + 1}–{offset + len(page)} shown; each with the sentence that "
        "mentions the entity, its names highlighted."
        if total
        else "No paper mentions it."
    )
    terms = terms_of(entity_id)
    ui.show_html(
        ui.paper_html(r.pmid, r.title, r.year, r.journal, [r.sentence], terms) for r in page.itertuples(index=False)
    )
    ui.table(
        "node_papers",
        page.rename(columns={"sentence": "evidence"})[["pmid", "year", "title", "journal", "evidence"]],
        full=functools.partial(data.all_rows, "entity_publications", total, id=entity_id),
        key=f"{key}_table",
    )


def pair_papers(a: str, b: str, total: int, key: str, table_name: str) -> None:
    """Every paper mentioning both ``a`` and ``b`` (same-sentence evidence first), a page at a time, with the
    sentence backing each side in full and both entities' names highlighted."""
    offset = ui.pager(total, PER_PAGE, key=f"{key}_page_{a}_{b}")
    page = data.rows("pair_evidence", a=a, b=b, skip=offset, limit=PER_PAGE)
    st.caption(
        f"{papers(total)} {'mentions' if total == 1 else 'mention'} both — {offset + 1}–{offset + len(page)} shown, "
        "same-sentence evidence first."
        if total
        else "No paper mentions both."
    )
    terms = [*terms_of(a), *terms_of(b)]
    ui.show_html(
        ui.paper_html(
            r.pmid,
            r.title,
            r.year,
            None,
            [r.sentence] if r.same_sentence or r.sentence == r.other_sentence else [r.sentence, r.other_sentence],
            terms,
        )
        for r in page.itertuples(index=False)
    )
    ui.table(table_name, page, full=functools.partial(data.all_rows, "pair_evidence", total, a=a, b=b), key=key)


def people(entity_id: str, min_year: int, max_year: int, key: str) -> None:
    """Who works on an entity: the most prolific authors, their institutions and countries, in the year range."""
    years = {"min_year": min_year, "max_year": max_year}
    coverage = data.rows("entity_byline_coverage", id=entity_id, **years).iloc[0]
    total, named = int(coverage["papers"] or 0), int(coverage["with_authors"] or 0)
    if total and named < total:
        st.caption(
            f"{named:,} of the {papers(total)} on it in these years name their authors "
            "(records without a byline, such as the RSS-feed abstracts of the demo corpus, count for nobody)."
        )
    if not named:
        st.info("No paper on it in these years names its authors, so there is nobody to show.")
        return
    authors = data.rows("entity_people", id=entity_id, limit=50, **years)
    institutions = data.rows("entity_institutions", id=entity_id, limit=50, **years)
    countries = data.rows("entity_countries", id=entity_id, **years)
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Authors**")
        ui.table("people_authors", authors[["name", "papers", "last_year", "id"]], key=f"{key}_authors")
    with middle:
        st.markdown("**Institutions**")
        ui.table("people_institutions", institutions[["name", "country", "papers", "id"]], key=f"{key}_institutions")
    with right:
        st.markdown("**Countries**")
        if not countries.empty:
            ui.figure("people_countries", countries_figure(countries), key=f"{key}_countries_chart")
        ui.table("people_countries", countries, key=f"{key}_countries")


def countries_figure(countries: pd.DataFrame) -> go.Figure:
    top = countries.head(15).iloc[::-1]
    fig = go.Figure(go.Bar(x=top["papers"], y=top["country"], orientation="h", marker={"color": "#4c78a8"}))
    fig.update_layout(
        height=max(220, 22 * len(top) + 60),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis={"title": "papers", "tickformat": ",d"},
    )
    return fig


def choose_entity(text: str, on_change: Callable[[], None] | None = None, limit: int = 50) -> pd.Series:
    """The entities matching ``text`` in a select box (key and URL parameter ``entity``), the entity a link named
    first when it is not among them; the chosen one's row (id, name, type, papers).  Stops the page with a hint
    when nothing matches."""
    hits = data.rows("entity_search", q=text.strip(), limit=limit)
    state.seed("entity")
    linked = st.session_state.get("entity")
    if linked and linked not in set(hits["id"]):  # opened from a link: the entity need not be among the hits
        extra = data.rows("entity_detail", id=linked)
        if not extra.empty:
            hits = pd.concat([extra[["id", "name", "type", "papers"]], hits], ignore_index=True)
    if hits.empty:
        st.info(f"No entity matches “{ui.plain(text)}”. Try a shorter name or a synonym.")
        st.stop()
    labels = {r.id: f"{r.name} · {r.type} · {papers(r.papers)}" for r in hits.itertuples()}
    chosen = st.selectbox("Entity", list(labels), format_func=labels.__getitem__, key="entity", on_change=on_change)
    state.publish("entity")
    return hits[hits["id"] == chosen].iloc[0]


def explore_link(entity_id: str, name: str, **extra: Any) -> None:
    """A link that opens the entity on the Explore page (and can be shared)."""
    st.page_link("explorer/pages/explore.py", label=name, query_params={"entity": entity_id, **extra})
