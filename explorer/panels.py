"""Panels several pages show: the papers of an entity or of a pair (paged, every evidence sentence in full with
the entities highlighted; for a pair, the typed relations each paper states, named) and the people, institutions
and countries behind an entity."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from explorer import data, evidence, relations, state, ui
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


def name_of(entity_id: str) -> str:
    """An entity's name (its id when the graph does not know it)."""
    detail = data.rows("entity_detail", id=entity_id)
    return entity_id if detail.empty else str(detail.iloc[0]["name"])


def at_levels(rows: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """The papers counted under any of ``levels`` (all of them for no level), as the ``*_by_level`` queries do."""
    if not levels or rows.empty:
        return rows
    wanted = set(levels)
    return rows[[bool(wanted & set(found or ())) for found in rows["evidence_levels"]]]


def _badges(row: Any) -> list[tuple[str, str]]:
    """A paper's evidence badge: (label, colour) pairs, labels and colours from the fixed sets of the badge."""
    return [(label, evidence.BADGE_LABELS[label][1]) for label in evidence.badge(row._asdict())]


def _pyramid_and_page(
    every: pd.DataFrame, title: str, table_name: str, key: str, subject: str
) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """Draw the evidence pyramid of ``every`` paper and the evidence-level filter; returns the papers under the
    filter, the pager's offset and the page shown (the pager restarts when the subject or the filter changes)."""
    pyramid = evidence.pyramid_figure(evidence.pyramid_of(every), f"Evidence pyramid: {plain(title)}")
    ui.figure(f"{table_name}_pyramid", pyramid, key=f"{key}_pyramid")
    levels = evidence.level_filter(f"{key}_level")
    chosen = at_levels(every, levels)
    offset = ui.pager(len(chosen), PER_PAGE, key=f"{key}_page_{subject}_{'_'.join(levels)}")
    return chosen, offset, chosen.iloc[offset : offset + PER_PAGE]


def entity_papers(entity_id: str, name: str, key: str, table_name: str = "node_papers") -> None:
    """An entity's evidence pyramid, then every paper mentioning it under the chosen evidence filter, newest first,
    a page at a time, each with its evidence badge and the sentence that mentions it, its names highlighted."""
    every = data.rows("entity_publications_by_level", id=entity_id, limit=evidence.ALL)
    chosen, offset, page = _pyramid_and_page(every, name, table_name, key, entity_id)
    total = len(chosen)
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


def pair_relations(a: str, b: str, key: str, table_name: str) -> None:
    """What the literature states about the link ``a``–``b``: its typed relations in words with their papers,
    and as a table with the best evidence sentence of each; or that the link is co-mentions only."""
    names = {a: name_of(a), b: name_of(b)}
    found = relations.links([a, b], [])
    if found.empty:
        st.caption("No paper states a typed relation between them: this link is co-mentions only.")
        return
    said = [
        f"{ui.md(relations.statement(names[r.a], r.verb, names[r.b]))} ({papers(r.papers)})"
        for r in found.itertuples(index=False)
    ]
    st.markdown("**Typed relations:** " + "; ".join(said))
    ui.table(table_name, relations.summary(found, names.__getitem__), key=key)


def _with_relations(frame: pd.DataFrame, said: dict[str, list[tuple[str, str, str, str]]]) -> pd.DataFrame:
    """Pair papers with what each states about the pair: ``relation`` ("A decreases B"; "" for a co-mention)
    and the sentence that states it, before the co-mention sentences."""
    if frame.empty:
        return frame
    out = frame.copy()
    at = list(out.columns).index("sentence")
    stated = [said.get(str(p), []) for p in out["pmid"]]
    out.insert(at, "relation", ["; ".join(relations.statement(s, v, o) for s, v, o, _ in found) for found in stated])
    out.insert(at + 1, "relation_sentence", [" ".join(dict.fromkeys(x for *_, x in found)) for found in stated])
    return out


def pair_papers(a: str, b: str, key: str, table_name: str, title: str) -> None:
    """A link's evidence pyramid, then every paper mentioning both ``a`` and ``b`` under the chosen evidence filter
    (papers stating a typed relation between them first, then same-sentence evidence), a page at a time, with its
    badge, the relations it states about the pair (named, with the sentence that states them), the sentence
    backing each side in full and both entities' names highlighted."""
    names = {a: name_of(a), b: name_of(b)}
    said = relations.stated(a, b, lambda i: names.get(i, i))
    every = data.rows("pair_publications_by_level", a=a, b=b, limit=evidence.ALL)
    states = every["pmid"].astype(str).isin(list(said))
    every = pd.concat([every[states], every[~states]], ignore_index=True)  # each part in the query's order
    chosen, offset, page = _pyramid_and_page(every, title, table_name, key, f"{a}_{b}")
    total = len(chosen)
    st.caption(
        f"{papers(total)} {'mentions' if total == 1 else 'mention'} both under this filter — "
        f"{offset + 1}–{offset + len(page)} shown; the {sum(str(p) in said for p in chosen['pmid'])} stating a typed "
        "relation between the two first, then same-sentence evidence."
        if total
        else "No paper mentions both under this filter."
    )
    terms = [*terms_of(a), *terms_of(b)]

    def sentences(r: Any) -> list[str]:
        stated = [x for *_, x in said.get(str(r.pmid), []) if x]
        both = [r.sentence] if r.same_sentence or r.sentence == r.other_sentence else [r.sentence, r.other_sentence]
        return list(dict.fromkeys([*stated, *both]))

    ui.show_html(
        ui.paper_html(
            r.pmid,
            r.title,
            r.year,
            None,
            sentences(r),
            terms,
            _badges(r),
            [(s, v, o) for s, v, o, _ in said.get(str(r.pmid), [])],
        )
        for r in page.itertuples(index=False)
    )
    ui.table(
        table_name,
        evidence.with_badges(_with_relations(page, said)),
        columns={"level": evidence.BADGE_COLUMN},
        full=lambda: evidence.with_badges(_with_relations(chosen, said)),
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
