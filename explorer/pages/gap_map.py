"""Gap map: landscape matrices (observed, expected, gap score) of two entity types, and what is behind a cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analytics.results import GapQuery
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
    "A gap is a surprising absence: two specific concepts whose literatures are alike (plausibility: how alike "
    "their links to specific terms are, 0…1), yet named together in far fewer papers than their paper counts "
    "predict (P = the hypergeometric chance of so few). Gap score = −log10 P × plausibility. Cells expecting fewer "
    "than 3 shared papers are 'too little evidence'; hubs, classes, tools and readouts are 'not specific'. The same "
    "numbers as `gapmap analytics gaps`."
)
c1, c2, c3, c4, c5 = st.columns(5)
row_type = c1.selectbox("Rows", TYPES, index=TYPES.index("Mechanism"), key="gap_rows")
col_type = c2.selectbox("Columns", TYPES, index=TYPES.index("Compound"), key="gap_cols")
limit = c3.slider("Most-studied per side", 5, 40, 20, key="gap_limit")
min_papers = c4.slider("Min papers per entity", 1, 20, 3, key="gap_min")
levels = c5.selectbox(
    "Concept level",
    [0, 1, 2],
    format_func=lambda n: "as named" if n == 0 else f"+ narrower, {n} level{'s' if n > 1 else ''}",
    key="gap_levels",
    help="Roll up: each concept also counts the papers of its narrower concepts (progressive MS with PPMS and "
    "SPMS; lymphocyte activation with T and B cell activation).",
)
an = data.analytics(levels)
query = GapQuery(row_type, col_type, min_papers, levels=levels)
land = data.matrices(query, limit)
if land.rows.size == 0 or land.cols.size == 0:
    st.info(
        f"No {row_type if land.rows.size == 0 else col_type} entity has {min_papers}+ papers in this corpus: "
        "lower the minimum or choose other types."
    )
    st.stop()
inc = an.inc
rows, cols = labels(land.rows, inc.names, inc.entity_ids), labels(land.cols, inc.names, inc.entity_ids)
views = {
    "Gap score": (np.round(land.score, 3), "Reds"),
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
best = np.unravel_index(int(np.argmax(land.score)), land.score.shape) if land.score.max() > 0 else (0, 0)
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
record = data.cell(query, inc.entity_ids[a], inc.entity_ids[b])
if record is not None:
    st.markdown(
        f"**{ui.md(record.a.name)} × {ui.md(record.b.name)}** — {record.status}; {record.observed} papers together, "
        f"{record.expected:.2f} expected; P = {record.p_value:.2g}, plausibility {record.plausibility:.2f}, "
        f"gap score {record.score:.3f}"
    )
    for reason in record.reasons():
        st.markdown(f"- {ui.md(reason)}")
    for t in record.linking:
        st.markdown(
            f"- **{ui.md(t.name)}** ({ui.md(t.type)}): {t.with_a} papers with {ui.md(record.a.name)} "
            f"({ui.pmid_links(t.pmids_a)}), {t.with_b} with {ui.md(record.b.name)} ({ui.pmid_links(t.pmids_b)})"
        )
    if record.observed and levels == 0:
        title = f"{ui.md(record.a.name)} × {ui.md(record.b.name)}"
        evidence.show_link_evidence(record.a.id, record.b.id, title, key="gap_cell_level", table="cell_papers")

st.subheader("Top gaps")
st.caption(
    "Ranked by gap score. Evidence columns: papers naming both (and each alone) on progressive MS, MS and other "
    "neurological diseases. risk_reward: high-risk/high-reward, each component's percentile among these gaps "
    "(risk_*), components equal for all gaps left out."
)
top_gaps = data.gaps(query)
ui.table("top_gaps", top_gaps)
if top_gaps.empty:
    counts = an.landscape(row_type, col_type, min_papers).counts()
    st.info(
        "No cell passes as a gap: "
        + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        + ". A corpus this size rarely expects 3+ shared papers between specific concepts; try a concept level "
        "above 'as named', or a larger corpus."
    )
st.subheader("Cross-disease gaps")
st.caption(
    "Pairs named together in papers on another neurodegenerative or demyelinating disease (two or more), and in "
    "none on progressive MS: what other diseases' literature suggests trying."
)
ui.table("cross_disease_gaps", data.cross_disease(query))
