"""Overview: how big the corpus is, which years it spans, what it mentions most, how much of it is funded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import data, ui
from explorer.figures import papers, years_figure
from nlp.records import ENTITY_TYPES

st.title("Overview")
store = data.store()
head = data.rows("overview_counts").iloc[0]
if not head["publications"]:
    st.info(
        "The graph is empty: run `gapmap demo --corpus PATH`, or `gapmap ingest files PATH`, `gapmap extract`, "
        "`gapmap load`."
    )
    st.stop()
publications, funded = int(head["publications"]), int(head["funded_publications"])
cols = st.columns(5)
cols[0].metric("Publications", f"{publications:,}")
cols[1].metric("Years", f"{head['first_year']}–{head['last_year']}")
cols[2].metric("Entities", f"{int(head['entities']):,}")
cols[3].metric("Authors", f"{int(head['authors']):,}")
cols[4].metric("Funded share", f"{funded / publications:.1%}", help=f"{papers(funded)} linked to an award")
loaded = data.loaded_at()
st.caption(
    f"{int(head['co_occurrences']):,} co-occurring entity pairs. "
    + (f"Graph files last written {loaded:%Y-%m-%d %H:%M} UTC." if loaded else f"Backend: {store.backend}.")
)

per_year = data.papers_per_year()
note = ui.years_note(per_year)
if note:
    st.warning(note, icon=":material/info:")

counts = data.counts()["nodes"]
per_type = pd.DataFrame({"type": list(ENTITY_TYPES), "entities": [counts.get(t, 0) for t in ENTITY_TYPES]})
left, right = st.columns([1, 2])
with left:
    st.subheader("Entities per type")
    ui.table("entities_per_type", per_type)
with right:
    st.subheader("Most-mentioned entities")
    type_ = st.selectbox("Type", ["(all)", *ENTITY_TYPES], key="overview_type")
    top = data.rows("top_entities", type="" if type_ == "(all)" else type_, limit=25)
    ui.table("top_entities", top[["name", "type", "papers", "id"]])

st.subheader("Papers per year")
dated = per_year[per_year.index > 0]
if dated.empty:
    st.caption("No paper has a publication year.")
else:
    every = pd.Series(0, index=range(int(dated.index.min()), int(dated.index.max()) + 1)).add(dated, fill_value=0)
    ui.figure("papers_per_year", years_figure(every.astype(int)))
    if per_year.get(0, 0):
        st.caption(f"{papers(per_year.get(0, 0))} without a publication year are left out.")
