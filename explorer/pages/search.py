"""Search prior findings: full text over titles and abstracts (SQLite FTS5, bm25 relevance), narrowed by entity
facets, with each result's entities as links that open Explore.

Words match whole words (stemmed: "PIRA" finds PIRA, never "respiratory"); every word must appear; "quoted
words" match as a phrase, ``remyelin*`` as a prefix, ``a OR b`` either.  The query is in the URL (``?q=…``).
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core.output import visible
from explorer import data, evidence, ui
from explorer.figures import papers, pubmed_url
from explorer.panels import PER_PAGE
from graph.fulltext import MARK_END, MARK_START, parse
from nlp.records import ENTITY_TYPES

#: Entity links shown under each result.
CHIPS = 8
SYNTAX = 'All words must appear · "exact phrase" · prefix\\* · a OR b · most relevant first'


def set_query(text: str) -> None:
    st.session_state["q"] = text


def suggestions(text: str, low: int, high: int) -> None:
    """Why nothing matched and what would: each word's own count, any-word instead of every word, indexed words
    spelled alike, and entities whose name contains the words."""
    query = parse(text)
    search = data.fulltext()
    terms = query.terms
    counts = {t: search.count(parse(t.fts()), min_year=low, max_year=high) for t in terms}
    st.warning(
        f"No paper matches {ui.md(text)} in {low}–{high}. "
        + (
            "Each part on its own: " + "; ".join(f"{ui.md(t.label())}: {papers(n)}" for t, n in counts.items()) + "."
            if len(terms) > 1
            else ""
        )
    )
    ideas: list[tuple[str, str]] = []
    if len(terms) > 1:
        either = query.any_term()
        n = search.count(either, min_year=low, max_year=high)
        if n:
            ideas.append((" OR ".join(t.label() for t in terms), f"any of the words ({papers(n)})"))
    for term, n in counts.items():
        if n == 0 and not term.phrase:
            for word, docs in search.similar_words(term.text):
                ideas.append((f"{word}*", f"words starting “{word}” ({papers(docs)})"))
    if ideas:
        st.markdown("**Try instead**")
        with st.container(horizontal=True):
            for i, (suggested, why) in enumerate(ideas[:8]):
                st.button(f"{suggested} — {why}", key=f"search_idea_{i}", on_click=set_query, args=(suggested,))
    entities = pd.concat(
        [data.rows("entity_search", q=t.text, limit=8) for t in terms if len(t.text) > 2] or [pd.DataFrame()]
    )
    if not entities.empty:
        st.markdown("**Entities with these words in their name or synonyms** (open them in Explore)")
        with st.container(horizontal=True):
            for row in entities.drop_duplicates("id").head(12).itertuples():
                st.page_link(
                    "explorer/pages/explore.py",
                    label=f"{ui.md(row.name)} · {row.type} · {papers(row.papers)}",
                    query_params={"entity": row.id},
                )


def chips(pmid: str) -> None:
    """The paper's entities as links to Explore (mechanisms first, then compounds, biomarkers…)."""
    row = rows_of.get(pmid)
    if row is None:
        return
    columns = an.inc.matrix[row].indices
    order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    ranked = sorted(columns, key=lambda c: (order.get(an.inc.types[c], 99), -paper_counts[c]))
    with st.container(horizontal=True, gap="small"):
        for c in ranked[:CHIPS]:
            st.page_link(
                "explorer/pages/explore.py",
                label=f"{ui.md(an.inc.names[c])} · {an.inc.types[c]}",
                query_params={"entity": an.inc.entity_ids[c]},
            )
        if len(ranked) > CHIPS:
            st.caption(f"+{len(ranked) - CHIPS} more")


st.title("Search prior findings")
an = data.analytics()
query = st.text_input(
    "Words in the title or abstract",
    key="q",
    placeholder='e.g. remyelination, "progressive MS" ocrelizumab, PIRA',
    bind="query-params",
)
st.caption(SYNTAX)
if not query.strip() or not parse(query):
    st.info("Type a word or phrase to search titles and abstracts.")
    st.stop()
if not data.fulltext().available():
    st.info("No article store in this workspace, so no full-text index: run `gapmap ingest files PATH` here.")
    st.stop()
c1, c2, c3, c4 = st.columns([3, 2, 3, 1])
with c1:
    low, high = ui.year_range(*an.years, key="search_years")
matches = data.search(query, low, high)
if matches.empty:
    suggestions(query, low, high)
    st.stop()

# entity facets over the matching papers, from the incidence
rows_of = {p: i for i, p in enumerate(an.inc.pmids)}
paper_counts = an.inc.paper_counts()
hit_rows = [rows_of[p] for p in matches["pmid"] if p in rows_of]
counts = pd.Series(an.inc.matrix[hit_rows].sum(axis=0).A1 if hit_rows else [], dtype=int)
type_ = c2.selectbox("Entity type", ["(any)", *ENTITY_TYPES], key="search_type")
facet = pd.DataFrame(
    {"id": an.inc.entity_ids, "name": an.inc.names, "type": an.inc.types, "papers": counts}
    if hit_rows
    else {"id": [], "name": [], "type": [], "papers": []}
)
facet = facet[(facet["papers"] > 0) & ((facet["type"] == type_) | (type_ == "(any)"))]
facet = facet.sort_values(["papers", "name"], ascending=[False, True]).head(200)
choices = {"": "(any)", **{r.id: f"{r.name} · {r.type} ({r.papers})" for r in facet.itertuples()}}
entity = c3.selectbox("Mentions entity", list(choices), format_func=choices.__getitem__, key="search_entity")
funded_only = c4.checkbox("Funded", key="search_funded")

if entity:
    col = an.column(entity)
    with_entity = {an.inc.pmids[i] for i in an.inc.matrix[:, col].tocoo().row} if col is not None else set()
    matches = matches[matches["pmid"].isin(with_entity)]
elif type_ != "(any)":
    typed = [an.column(i) for i in facet["id"]]
    cols = [c for c in typed if c is not None]
    with_type = {an.inc.pmids[i] for i in an.inc.matrix[:, cols].tocoo().row} if cols else set()
    matches = matches[matches["pmid"].isin(with_type)]
if funded_only:
    matches = matches[matches["pmid"].isin(an.corpus.funded)]
st.markdown(f"**{len(matches):,}** {'paper matches' if len(matches) == 1 else 'papers match'}, most relevant first")
results = matches.drop(columns=["snippet"])
offset = ui.pager(len(matches), PER_PAGE, key=f"search_page_{query}_{low}_{high}_{entity}_{type_}_{funded_only}")
words = [t.text for t in parse(query).terms]
page = matches.iloc[offset : offset + PER_PAGE]
levels = evidence.contexts(page["pmid"])
for row in page.itertuples():
    detail = data.rows("publication_detail", pmid=row.pmid)
    head = detail.iloc[0] if not detail.empty else None
    journal = head["journal"] if head is not None else ""
    funded = " · funded" if head is not None and head["funded"] else ""
    meta = " · ".join(str(p) for p in (row.year if pd.notna(row.year) else None, journal, f"PMID {row.pmid}") if p)
    with st.container(key=f"result_{row.pmid}"):
        st.markdown(evidence.badge_markdown(levels.get(str(row.pmid), {})))  # labels from a fixed set
        st.html(
            ui.EVIDENCE_CSS
            + f'<div class="gm-paper gm-result"><a href="{html.escape(pubmed_url(row.pmid), quote=True)}" '
            f'target="_blank">{ui.marked(row.title, words)}</a>'
            f'<div class="gm-meta">{html.escape(visible(meta + funded))} · relevance {row.score:.1f}</div>'
            f'<div class="gm-sentence">{ui.marked_snippet(row.snippet, MARK_START, MARK_END)}</div></div>'
        )
        chips(row.pmid)
ui.table(
    "search_results",
    evidence.with_badges(results),
    columns={"level": evidence.BADGE_COLUMN},
    key="search_results",
)
