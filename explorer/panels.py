"""Panels several pages show: the papers of an entity or of a pair (paged, every evidence sentence in full with
the entities highlighted) and the people, institutions and countries behind an entity."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer import data, evidence, state, ui
from explorer.figures import papers, plain

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


def at_levels(rows: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """The papers counted under any of ``levels`` (all of them for no level), as the ``*_by_level`` queries do."""
    if not levels or rows.empty:
        return rows
    wanted = set(levels)
    return rows[[bool(wanted & set(found or ())) for found in rows["evidence_levels"]]]


def _badges(row: Any) -> list[tuple[str, str]]:
    """A paper's evidence badge: (label, colour) pairs, labels and colours from the fixed sets of the badge."""
    return [(label, evidence.BADGE_LABELS[label][1]) for label in evidence.badge(row._asdict())]


def entity_papers(entity_id: str, name: str, key: str, table_name: str = "node_papers") -> None:
    """An entity's evidence pyramid, then every paper mentioning it under the chosen evidence filter, newest first,
    a page at a time, each with its evidence badge and the sentence that mentions it, its names highlighted."""
    every = data.rows("entity_publications_by_level", id=entity_id, limit=evidence.ALL)
    pyramid = evidence.pyramid_figure(evidence.pyramid_of(every), f"Evidence pyramid: {plain(name)}")
    ui.figure(f"{table_name}_pyramid", pyramid, key=f"{key}_pyramid")
    levels = evidence.level_filter(f"{key}_level")
    chosen = at_levels(every, levels)
    total = len(chosen)
    offset = ui.pager(total, PER_PAGE, key=f"{key}_page_{entity_id}_{'_'.join(levels)}")
    page = chosen.iloc[offset : offset + PER_PAGE]
    st.caption(
        f"{papers(total)}, newest first — {offset + 1}–{offset + len(page)} shown; each with the sentence that "
        "mentions the entity, its names highlighted."
        if total
        else "No paper mentions it under this filter."
    )
    terms = terms_of(entity_id)
    ui.show_html(
        ui.paper_html(r.pmid, r.title, r.year, None, [r.sentence], terms, _badges(r))
        for r in page.itertuples(index=False)
    )
    ui.table(
        table_name,
        evidence.with_badges(page.rename(columns={"sentence": "evidence"})),
        columns={"level": evidence.BADGE_COLUMN},
        full=lambda: evidence.with_badges(chosen.rename(columns={"sentence": "evidence"})),
        key=f"{key}_table",
    )


def pair_papers(a: str, b: str, key: str, table_name: str, title: str) -> None:
    """A link's evidence pyramid, then every paper mentioning both ``a`` and ``b`` under the chosen evidence filter
    (same-sentence evidence first), a page at a time, with its badge, the sentence backing each side in full and
    both entities' names highlighted."""
    every = data.rows("pair_publications_by_level", a=a, b=b, limit=evidence.ALL)
    pyramid = evidence.pyramid_figure(evidence.pyramid_of(every), f"Evidence pyramid: {plain(title)}")
    ui.figure(f"{table_name}_pyramid", pyramid, key=f"{key}_pyramid")
    levels = evidence.level_filter(f"{key}_level")
    chosen = at_levels(every, levels)
    total = len(chosen)
    offset = ui.pager(total, PER_PAGE, key=f"{key}_page_{a}_{b}_{'_'.join(levels)}")
    page = chosen.iloc[offset : offset + PER_PAGE]
    st.caption(
        f"{papers(total)} {'mentions' if total == 1 else 'mention'} both under this filter — "
        f"{offset + 1}–{offset + len(page)} shown, same-sentence evidence first."
        if total
        else "No paper mentions both under this filter."
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
            _badges(r),
        )
        for r in page.itertuples(index=False)
    )
    ui.table(
        table_name,
        evidence.with_badges(page),
        columns={"level": evidence.BADGE_COLUMN},
        full=lambda: evidence.with_badges(chosen),
        key=key,
    )


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
    names = [plain(c) for c in top["country"]]
    fig = go.Figure(go.Bar(x=top["papers"], y=names, orientation="h", marker={"color": "#4c78a8"}))
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
        st.info(f"No entity matches “{ui.md(text)}”. Try a shorter name or a synonym.")
        st.stop()
    labels = {r.id: f"{r.name} · {r.type} · {papers(r.papers)}" for r in hits.itertuples()}
    chosen = st.selectbox("Entity", list(labels), format_func=labels.__getitem__, key="entity", on_change=on_change)
    state.publish("entity")
    return hits[hits["id"] == chosen].iloc[0]


def explore_link(entity_id: str, name: str, **extra: Any) -> None:
    """A link that opens the entity on the Explore page (and can be shared)."""
    st.page_link("explorer/pages/explore.py", label=name, query_params={"entity": entity_id, **extra})
