"""Search prior findings: full text over titles and abstracts, narrowed by entity facets, with PubMed links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import data, evidence, ui
from nlp.records import ENTITY_TYPES

#: Matches read before faceting; results shown after it.
MAX_MATCHES = 2000
SHOWN = 25

st.title("Search prior findings")
an = data.analytics()
query = st.text_input("Words in the title or abstract", key="search_q", placeholder="e.g. remyelination")
if not query.strip():
    st.info("Type a word or phrase to search titles and abstracts.")
    st.stop()
c1, c2, c3, c4 = st.columns([3, 2, 3, 1])
with c1:
    low, high = ui.year_range(*an.years, key="search_years")
matches = data.rows("search_publications", q=query.strip(), min_year=low, max_year=high, limit=MAX_MATCHES)

# entity facets over the matching papers, from the incidence
rows_of = {p: i for i, p in enumerate(an.inc.pmids)}
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
    matches = matches[matches["pmid"].isin(set(data.entity_pmids(entity, limit=an.inc.n_papers)))]
elif type_ != "(any)":
    typed = set(facet["id"])
    col = [i for i, t in enumerate(an.inc.types) if an.inc.entity_ids[i] in typed]
    with_type = {an.inc.pmids[i] for i in an.inc.matrix[:, col].tocoo().row} if col else set()
    matches = matches[matches["pmid"].isin(with_type)]
if funded_only:
    matches = matches[matches["pmid"].isin(an.corpus.funded)]
st.markdown(
    f"**{len(matches)}** papers match" + (f" (first {MAX_MATCHES} read)" if len(matches) >= MAX_MATCHES else "")
)
st.session_state.setdefault(ui.TABLES, {})["search_results"] = evidence.with_badges(matches.drop(columns=["snippet"]))
shown_contexts = evidence.contexts(matches.head(SHOWN)["pmid"])
for row in matches.head(SHOWN).itertuples():
    detail = data.rows("publication_detail", pmid=row.pmid).iloc[0]
    # stored text only through ui.highlight / ui.md: the <mark> tags are the only HTML, the link is PubMed's
    title = ui.highlight(row.title or "", query, 400)
    st.markdown(
        f"**{ui.pubmed_link(row.pmid, title)}**  \n"
        f"{evidence.badge_markdown(shown_contexts.get(str(row.pmid), {}))} "
        f"{ui.md(row.year)} · {ui.md(detail['journal'] or '')} · PMID {ui.md(row.pmid)}"
        f"{' · funded' if detail['funded'] else ''}  \n"
        f"{ui.highlight(detail['abstract'] or '', query)}",
        unsafe_allow_html=True,
    )
if len(matches) > SHOWN:
    st.caption(f"Showing {SHOWN} of {len(matches)}; download them all on the Export page.")
