"""Translational gaps: pairs whose evidence stops in animals or cells, before a trial, or before progressive MS."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.translational import KINDS, LEVEL_NAMES, MAX_DF, summary
from explorer import data, evidence, ui
from nlp.records import ENTITY_TYPES

TYPES = list(ENTITY_TYPES)
KIND_LABELS = {
    "preclinical_only": "Preclinical, no study in people",
    "no_trial": "Observational in people, no trial",
    "no_progressive_trial": "Trials, none in progressive MS",
}

st.title("Translational gaps")
st.caption(
    "Pairs mentioned together whose evidence stops before people (preclinical papers, no trial or observational "
    "study), before a trial (observational studies only), or before progressive MS (trials, none in PPMS, SPMS or "
    "progressive MS). Ranked by support (papers at that level), then in-vivo papers, then specificity (papers "
    "together / √(papers of each)). The sides are the entities the gap map finds specific: hubs (more than the hub "
    "share of papers, or partners of a third of the other type), classes, experimental tools, readouts and unlinked "
    "names are left out, and so are the compounds the papers measure rather than give (read-outs) unless kept "
    "below; the list under the table says why each one is."
)
data.analytics()
c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
row_type = c1.selectbox("Rows", TYPES, index=TYPES.index("Compound"), key="tr_rows")
col_type = c2.selectbox("Columns", TYPES, index=TYPES.index("Mechanism"), key="tr_cols")
hub = c3.slider("Hub share (%)", 1, 100, int(MAX_DF * 100), key="tr_hub")
top = c4.slider("How many", 5, 100, 20, key="tr_top")
kind = st.radio("Kind", KINDS, format_func=KIND_LABELS.__getitem__, horizontal=True, key="tr_kind")
keep_readouts = st.checkbox("Keep read-outs (compounds the papers measure rather than give)", key="tr_readouts")

found = evidence.translational_gaps(row_type, col_type, kind, hub / 100, top, not keep_readouts)
left_out = evidence.translational_exclusions(row_type, col_type, hub / 100, not keep_readouts)


def show_left_out() -> None:
    """The entities left out of the ranking, each with its reason (as `gapmap analytics translational --excluded`)."""
    with st.expander(f"Left out of the ranking: {summary(left_out)}"):
        ui.table("translational_excluded", pd.DataFrame([e.to_dict() for e in left_out]))


if not found:
    st.info(
        f"No {row_type} × {col_type} pair is a gap of this kind: raise the hub share, choose other types or "
        "another kind (papers need a study context: `gapmap extract` and `gapmap load` set it)."
    )
    show_left_out()
    st.stop()
table = pd.DataFrame(
    [
        {
            "rank": i + 1,
            "a": g.a_name,
            "b": g.b_name,
            "support": g.support,
            "specificity": g.specificity,
            **{LEVEL_NAMES[k]: n for k, n in g.pyramid.counts().items()},
            "reason": g.reason,
            "a_id": g.a_id,
            "b_id": g.b_id,
        }
        for i, g in enumerate(found)
    ]
)
ui.table("translational_gaps", table)
show_left_out()

st.subheader("Evidence pyramid")
choice = st.selectbox(
    "Pair", range(len(found)), format_func=lambda i: f"{i + 1}. {found[i].a_name} × {found[i].b_name}", key="tr_pair"
)
gap = found[int(choice)]
st.markdown(f"**{gap.a_name} × {gap.b_name}** — {gap.reason}")
ui.figure("translational_pyramid", evidence.pyramid_figure(gap.pyramid, f"{gap.a_name} × {gap.b_name}"))
for level, pmids in gap.pyramid.pmids.items():
    if pmids:
        st.markdown(f"- **{LEVEL_NAMES[level]}** ({len(pmids)}): {ui.pmid_links(pmids)}")
evidence.show_link_evidence(gap.a_id, gap.b_id, "", "tr_level", "translational_papers", show_pyramid=False)
