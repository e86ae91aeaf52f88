"""Portfolio: the funder's programmes and awards with their stated focus, the entities and research areas that
focus names, the publications linked to them (or plainly why there are none), and which areas the funded
papers cover or miss."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from explorer import data, evidence, ui
from explorer.figures import papers
from explorer.portfolio import programme_unlinked, stated_focus, why_unlinked
from nlp.records import ENTITY_TYPES

st.title("Portfolio")
an = data.analytics()
programmes = data.rows("portfolio_programmes")
awards = data.rows("portfolio_awards")
if programmes.empty and awards.empty:
    st.info(
        "No funding portfolio in this graph: run `gapmap ingest funding PORTFOLIO.yaml` (for example "
        "`ingest/portfolios/ipmsa.yaml`), then `gapmap load`."
    )
else:
    areas, _membership = data.areas()
    area_of = {m: a for a in areas for m in a.members}
    index = an.inc.index()

    def focus_of(programme_id: str, description: str) -> str:
        """The programme's focus clauses and its awards' titles; its whole description when it has neither."""
        titles = awards.loc[awards["programme"] == programme_id, "title"].dropna()
        return "; ".join(p for p in (stated_focus(description), *titles) if p) or description.strip()

    def area_names(ids: list[str]) -> str:
        found = {area_of[index[i]].area_id: area_of[index[i]] for i in ids if i in index and index[i] in area_of}
        return "; ".join(f"Area {a.area_id} ({', '.join(a.top_members[:3])})" for a in found.values())

    coverage = data.rows("portfolio_coverage", limit=100_000)
    funded_of = dict(zip(coverage["id"], coverage["funded_papers"], strict=True))

    def award_row(a: Any) -> dict[str, Any]:
        """One award (a row of portfolio_awards) as shown and downloaded."""
        return {
            "award": a.title or "(no title in the sources)",
            "programme": a.programme_name,
            "principal_investigators": ", ".join(a.pis or []),
            "institutions": ", ".join(a.institutions or []),
            "countries": ", ".join(a.countries or []),
            "amount": f"{a.amount:,.0f} {a.currency}" if pd.notna(a.amount) else "",
            "entities_named": "; ".join(e.name for e in data.named_in(a.title or "")),
            "publications": int(a.publications),
            "why_no_publication": why_unlinked(int(a.named_links), int(a.publications), int(a.pi_publications)),
            "id": a.id,
        }

    st.subheader("Programmes, awards and their stated focus")
    st.caption(
        "Each funding round as its sources describe it; the entities its focus names (whole words of an entity's "
        "name or synonym), with their papers in this corpus, open in Explore."
    )
    programme_rows, award_rows = [], []
    for p in programmes.itertuples():
        focus = focus_of(p.id, p.focus or "")
        named = data.named_in(focus)
        listed = awards[awards["programme"] == p.id]
        why = programme_unlinked(int(p.awards), int(p.publications))
        programme_rows.append(
            {
                "programme": p.name,
                "year": p.year,
                "stated_focus": focus,
                "entities_named": "; ".join(e.name for e in named),
                "areas": area_names([e.id for e in named]),
                "awards_listed": int(p.awards),
                "publications": int(p.publications),
                "why_no_publication": why,
                "id": p.id,
            }
        )
        with st.container(border=True):
            year = f" ({int(p.year)})" if pd.notna(p.year) else ""
            st.markdown(
                f"**{ui.md(p.name)}**{year} · {int(p.awards)} award{'s' if int(p.awards) != 1 else ''} listed · "
                f"{papers(int(p.publications))} linked"
            )
            st.markdown(f"Stated focus: {ui.md(focus) or '—'}")
            if named:
                with st.container(horizontal=True):
                    for e in named:
                        st.page_link(
                            "explorer/pages/explore.py",
                            label=f"{ui.md(e.name)} · {e.type} · {papers(e.papers)}, "
                            f"{int(funded_of.get(e.id, 0))} funded",
                            query_params={"entity": e.id},
                        )
                areas_named = area_names([e.id for e in named])
                if areas_named:
                    st.caption(f"Research areas of these entities: {ui.md(areas_named)}")
            else:
                st.caption("The focus names no entity of this graph.")
            for a in listed.itertuples():
                row = award_row(a)
                award_rows.append(row)
                who = ", ".join(x for x in (row["principal_investigators"], row["institutions"]) if x)
                st.markdown(
                    f"- Award: {ui.md(row['award'])}"
                    + (f" — {ui.md(who)}" if who else "")
                    + (f" · {ui.md(row['amount'])}" if row["amount"] else "")
                    + f" · {papers(int(row['publications']))} linked"
                )
                if row["why_no_publication"]:
                    st.caption(str(row["why_no_publication"]))
            if why and not len(listed):
                st.caption(why)
    award_rows += [award_row(a) for a in awards.itertuples() if a.programme not in set(programmes["id"])]
    left, right = st.columns(2)
    with left:
        st.markdown("**Programmes as a table**")
        ui.table("programmes", pd.DataFrame(programme_rows), pmid_columns=(), key="portfolio_programmes")
    with right:
        st.markdown("**Awards as a table**")
        ui.table("awards", pd.DataFrame(award_rows), pmid_columns=(), key="portfolio_awards")

funded = data.rows("funded_publications", limit=100_000)
st.subheader("Funded publications")
if funded.empty:
    st.caption("No publication is linked to an award, so every paper counts as unfunded in the coverage below.")
else:
    by_award = funded.groupby(["programme", "award", "award_title"], dropna=False)["pmid"].nunique()
    ui.table("funded_by_award", by_award.rename("publications").reset_index(), pmid_columns=())
    evidence.papers_table("funded_publications", funded)

st.subheader("Research areas: covered and missed")
st.caption(
    "Areas are communities of strongly co-mentioned entities. Covered: at least one funded paper. risk_reward: "
    "high when little evidence, few groups and little funding meet growth, recency and well-supported neighbours."
)
area_table = data.area_coverage()
if area_table.empty:
    st.info("No research area found: the corpus has too few co-mentioned entities.")
else:
    area_table["growth"] = [ui.growth(g) for g in area_table["growth"]]
    covered = int(area_table["covered"].sum())
    st.markdown(f"The funded papers cover **{covered}** of **{len(area_table)}** areas.")
    ui.table("area_coverage", area_table.sort_values(["covered", "risk_reward"], ascending=[True, False]))

st.subheader("Most-studied entities and their funded papers")
type_ = st.selectbox("Type", ["(all)", *ENTITY_TYPES], key="portfolio_type")
coverage = data.rows("portfolio_coverage", type="" if type_ == "(all)" else type_, limit=50)
coverage["missed"] = coverage["funded_papers"] == 0
ui.table("entity_coverage", coverage[["name", "type", "papers", "funded_papers", "missed", "id"]])
