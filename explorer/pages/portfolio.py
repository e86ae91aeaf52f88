"""Portfolio: the funder's publications by award and programme, and which research areas it covers or misses."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import data, evidence, ui
from nlp.records import ENTITY_TYPES

st.title("Portfolio")
an = data.analytics()
funded = data.rows("funded_publications", limit=100_000)
if funded.empty:
    st.info(
        "No publication is linked to an award yet: run `gapmap ingest funding PATH` (e.g. "
        "`ingest/portfolios/ipmsa.yaml`), then `gapmap load`. Coverage below counts every paper as unfunded."
    )
else:
    c1, c2 = st.columns(2)
    programmes = sorted(p for p in funded["programme"].dropna().unique())
    programme = c1.selectbox("Programme", ["(all)", *programmes], key="portfolio_programme")
    scoped = funded if programme == "(all)" else funded[funded["programme"] == programme]
    awards = sorted(scoped["award"].unique())
    award = c2.selectbox("Award", ["(all)", *awards], key="portfolio_award")
    scoped = scoped if award == "(all)" else scoped[scoped["award"] == award]
    by_award = scoped.groupby(["programme", "award", "award_title"], dropna=False)["pmid"].nunique()
    st.subheader(f"{scoped['pmid'].nunique()} funded publications")
    ui.table("funded_by_award", by_award.rename("publications").reset_index())
    evidence.papers_table("funded_publications", scoped)

st.subheader("Research areas: covered and missed")
st.caption(
    "Areas are communities of strongly co-mentioned entities. risk_reward: high when little evidence, few groups "
    "and little funding meet growth, recency and well-supported neighbours."
)
areas, membership = data.areas()
if not areas:
    st.info("No research area found: the corpus has too few co-mentioned entities.")
else:
    labels = [f"Area {a.area_id}" for a in areas]
    risk = {f"Area {k.removeprefix('area ')}": s.score for k, s in data.area_risk().by_key().items()}
    table = pd.DataFrame(
        [
            {
                "area": label,
                "top_members": ", ".join(a.top_members),
                "entities": a.size,
                "papers": a.papers,
                "funded_papers": a.funded,
                "funded_share": round(a.funded_share, 3),
                "covered": a.funded > 0,
                "growth": round(a.trend.growth, 2),
                "emerging": a.trend.emerging,
                "risk_reward": round(risk[label], 3),
            }
            for label, a in zip(labels, areas, strict=True)
        ]
    )
    covered = int(table["covered"].sum())
    st.markdown(f"The portfolio covers **{covered}** of **{len(table)}** areas.")
    ui.table("area_coverage", table.sort_values(["covered", "risk_reward"], ascending=[True, False]))

st.subheader("Most-studied entities and their funded papers")
type_ = st.selectbox("Type", ["(all)", *ENTITY_TYPES], key="portfolio_type")
coverage = data.rows("portfolio_coverage", type="" if type_ == "(all)" else type_, limit=50)
coverage["missed"] = coverage["funded_papers"] == 0
ui.table("entity_coverage", coverage)
