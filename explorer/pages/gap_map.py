"""Gap map: landscape matrices (observed, expected, gap score) of two entity types, and what is behind a cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from explorer import data, evidence, ui
from explorer.figures import heatmap
from nlp.records import ENTITY_TYPES

TYPES = list(ENTITY_TYPES)


def labels(columns: np.ndarray, names: list[str], ids: list[str]) -> list[str]:
    """Axis labels: entity names, with the id added where two entities share a name."""
    chosen = [names[i] for i in columns]
    return [f"{n} ({ids[i]})" if chosen.count(n) > 1 else n for n, i in zip(chosen, columns, strict=True)]


st.title("Gap map")
st.caption(
    "Gap score = plausibility (shared neighbours, Adamic–Adar, scaled 0…1) × deficit (1 − observed/expected "
    "papers). High: both sides well studied and linked through other terms, yet rarely studied together."
)
an = data.analytics()
c1, c2, c3, c4 = st.columns(4)
row_type = c1.selectbox("Rows", TYPES, index=TYPES.index("Mechanism"), key="gap_rows")
col_type = c2.selectbox("Columns", TYPES, index=TYPES.index("Compound"), key="gap_cols")
limit = c3.slider("Most-studied per side", 5, 40, 20, key="gap_limit")
min_papers = c4.slider("Min papers per entity", 1, 20, 3, key="gap_min")

land = data.matrices(row_type, col_type, min_papers, limit)
if land.rows.size == 0 or land.cols.size == 0:
    st.info(
        f"No {row_type if land.rows.size == 0 else col_type} entity has {min_papers}+ papers in this corpus: "
        "lower the minimum or choose other types."
    )
    st.stop()
inc = an.inc
rows, cols = labels(land.rows, inc.names, inc.entity_ids), labels(land.cols, inc.names, inc.entity_ids)
views = {
    "Gap score": (np.round(land.gap, 3), "Reds"),
    "Observed papers": (land.observed, "Blues"),
    "Expected papers": (np.round(land.expected, 2), "Greens"),
}
shown = st.radio("Matrix", list(views), horizontal=True, key="gap_view")
for title, (values, scale) in views.items():  # every matrix can be exported; one is drawn
    name = title.split()[0].lower()
    frame = pd.DataFrame(values, index=rows, columns=cols)
    st.session_state.setdefault(ui.TABLES, {})[f"landscape_{name}"] = frame.reset_index(names=row_type)
    fig = heatmap(frame, f"{title}: {row_type} × {col_type}", scale)
    if title == shown:
        event = ui.figure(f"heatmap_{name}", fig, key=f"gap_chart_{name}", select=True)
    else:
        st.session_state.setdefault(ui.FIGURES, {})[f"heatmap_{name}"] = fig

# a clicked cell moves the selectboxes, once per new click
best = np.unravel_index(int(np.argmax(land.gap)), land.gap.shape) if land.gap.max() > 0 else (0, 0)
st.session_state.setdefault("gap_cell_row", rows[best[0]])
st.session_state.setdefault("gap_cell_col", cols[best[1]])
for point in ui.clicked(event):
    cell = (point.get("y"), point.get("x"))
    if cell != st.session_state.get("gap_last_click") and cell[0] in rows and cell[1] in cols:
        st.session_state["gap_last_click"] = cell
        st.session_state["gap_cell_row"], st.session_state["gap_cell_col"] = cell
if st.session_state["gap_cell_row"] not in rows:
    st.session_state["gap_cell_row"] = rows[best[0]]
if st.session_state["gap_cell_col"] not in cols:
    st.session_state["gap_cell_col"] = cols[best[1]]

st.subheader("Cell")
s1, s2 = st.columns(2)
r = rows.index(s1.selectbox(row_type, rows, key="gap_cell_row"))
c = cols.index(s2.selectbox(col_type, cols, key="gap_cell_col"))
a, b = int(land.rows[r]), int(land.cols[c])
observed = int(land.observed[r, c])
st.markdown(
    f"**{inc.names[a]} × {inc.names[b]}** — {observed} papers together, {land.expected[r, c]:.2f} expected; "
    f"plausibility {land.plausibility[r, c]:.2f}, deficit {land.deficit[r, c]:.2f}, gap score {land.gap[r, c]:.3f}"
)
if observed:
    title = f"{inc.names[a]} × {inc.names[b]}"
    evidence.show_link_evidence(inc.entity_ids[a], inc.entity_ids[b], title, key="gap_cell_level", table="cell_papers")
else:
    found = data.ranker().rank(np.array([a]), np.array([b]), top=1)
    if not found:
        st.info("Never studied together, and no term links them in this corpus: no hypothesis to offer.")
    else:
        hyp = found[0]
        st.markdown(
            "Never studied together. Hypothesis scores: "
            + ", ".join(f"{k} {v:.3g}" for k, v in hyp.scores.items())
            + ". Linking terms (papers with each side, and a few of those papers):"
        )
        for t in hyp.linking:
            st.markdown(
                f"- **{t.name}** ({t.type}): {t.with_a} papers with {inc.names[a]} ({ui.pmid_links(t.pmids_a)}), "
                f"{t.with_b} with {inc.names[b]} ({ui.pmid_links(t.pmids_b)})"
            )

st.subheader("Top gaps")
st.caption(
    "risk_reward: high-risk/high-reward score (little evidence, few groups, little funding; growing, recent, "
    "next to well-supported work). Linking terms show papers with each side."
)
ui.table("top_gaps", data.gaps(row_type, col_type, min_papers, limit))
