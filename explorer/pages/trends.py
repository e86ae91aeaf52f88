"""Trends: papers per year for chosen entities or research areas, and the topics bursting now."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.trends import yearly_counts
from explorer import data, ui
from explorer.figures import timeline

st.title("Trends")
an = data.analytics()
note = ui.years_note(data.papers_per_year())
if note:
    st.warning(note, icon=":material/info:")
mode = st.radio("Show", ["Entities", "Research areas"], horizontal=True, key="trends_mode")
if mode == "Entities":
    top = data.rows("top_entities", limit=300)
    names = {r.id: f"{r.name} · {r.type}" for r in top.itertuples()}
    first, last = an.years
    chosen = st.multiselect(
        "Entities", list(names), default=list(names)[:3], format_func=names.__getitem__, key="trends_entities"
    )
    every_year = pd.DataFrame({"year": range(first, last + 1)})
    parts = [  # a year without papers is a zero on the chart, not a gap the line jumps over
        every_year.merge(data.rows("entity_timeline", id=e), on="year", how="left").fillna({"papers": 0})
        .astype({"papers": int}).assign(series=names[e])
        for e in chosen
    ]  # fmt: skip
    series = pd.concat(parts) if parts else pd.DataFrame(columns=["year", "papers", "series"])
else:
    areas, membership = data.areas()
    if not areas:
        st.info("No research area found: the corpus has too few co-mentioned entities (areas need 3+ members).")
        st.stop()
    names = {str(a.area_id): f"Area {a.area_id}: {', '.join(a.top_members[:3])}" for a in areas}
    chosen = st.multiselect(
        "Areas", list(names), default=list(names)[:3], format_func=names.__getitem__, key="trends_areas"
    )
    yc = yearly_counts(an.inc, membership)
    series = pd.DataFrame(
        [
            {"year": int(y), "papers": int(yc.counts[int(a), k]), "series": names[a]}
            for a in chosen
            for k, y in enumerate(yc.years)
        ],
        columns=["year", "papers", "series"],
    )
if series.empty:
    st.info("Choose at least one entity or area above.")
else:
    ui.figure("trends", timeline(series, "year", "papers", "series", "Papers per year"))
    ui.table("trend_series", series)

st.subheader("Emerging topics")
st.caption(
    "Kleinberg bursts of each entity's share of the year's papers; emerging = a burst reaching into the last two "
    'full years. Growth = share in the last 3 years over the 3 before ("—": none before, or too few papers).'
)
found = data.entity_trends()
min_papers = st.slider("Min papers", 1, 20, 3, key="trends_min")
emerging = found[found["emerging"] & (found["papers"] >= min_papers)]
emerging = emerging.sort_values(["burst_weight", "papers"], ascending=False)
if emerging.empty:
    st.info("No entity is bursting in the latest years at this threshold.")
else:
    emerging = emerging.assign(
        growth=[ui.growth(g) for g in emerging["growth"]], burst_weight=emerging["burst_weight"].round(2)
    )
    ui.table("emerging", emerging[["entity", "type", "papers", "recent", "growth", "bursts", "burst_weight", "id"]])
