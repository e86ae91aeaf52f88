"""Gap map: landscape matrices (observed, expected, gap score) of two entity types, and what is behind a cell.

Clicking a cell of the heatmap (or a row of *Top gaps*, or choosing row and column below it) opens the cell: why
it is or is not a gap, its linking terms, and its papers with their evidence.  The types and the open cell live
in the URL (``?rows=…&cols=…&row=ID&col=ID``), so a link opens the same cell.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

from analytics.results import GapQuery
from explorer import data, panels, state, ui
from explorer.figures import heatmap
from nlp.records import ENTITY_TYPES

TYPES = list(ENTITY_TYPES)


def labels(columns: np.ndarray, names: list[str], ids: list[str]) -> list[str]:
    """Axis labels: entity names, with the id added where two entities share a name."""
    chosen = [names[i] for i in columns]
    return [f"{n} ({ids[i]})" if chosen.count(n) > 1 else n for n, i in zip(chosen, columns, strict=True)]


def open_cell(row_id: str, col_id: str) -> None:
    """Point the cell selectors (and so the URL) at a cell; before they are drawn in this run."""
    st.session_state["row"], st.session_state["col"] = row_id, col_id


st.title("Gap map")
st.caption(
    "A gap is a surprising absence: two specific concepts whose literatures are alike (plausibility: how alike "
    "their links to specific terms are, 0…1), yet named together in far fewer papers than their paper counts "
    "predict (P = the hypergeometric chance of so few). Gap score = −log10 P × plausibility. Cells expecting fewer "
    "than 3 shared papers are 'too little evidence'; hubs, classes, tools and readouts are 'not specific'. The same "
    "numbers as `gapmap analytics gaps`. Click a cell to open it."
)
default = data.DEFAULT_GAPS
c1, c2, c3, c4, c5 = st.columns(5)
row_type = c1.selectbox("Rows", TYPES, index=TYPES.index(default.row_type), key="rows", bind="query-params")
col_type = c2.selectbox("Columns", TYPES, index=TYPES.index(default.col_type), key="cols", bind="query-params")
limit = c3.slider("Most-studied per side", 5, 40, data.DEFAULT_LIMIT, key="gap_limit")
min_papers = c4.slider("Min papers per entity", 1, 20, default.min_papers, key="gap_min")
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
row_ids = [inc.entity_ids[i] for i in land.rows]
col_ids = [inc.entity_ids[i] for i in land.cols]
rows, cols = labels(land.rows, inc.names, inc.entity_ids), labels(land.cols, inc.names, inc.entity_ids)
row_label, col_label = dict(zip(row_ids, rows, strict=True)), dict(zip(col_ids, cols, strict=True))

# the open cell: from the URL, a click, a Top-gaps row, or the selectors; by default the best gap
best = np.unravel_index(int(np.argmax(land.score)), land.score.shape) if land.score.max() > 0 else (0, 0)
for key, ids, fallback in (("row", row_label, row_ids[best[0]]), ("col", col_label, col_ids[best[1]])):
    state.seed(key, ids)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = fallback
for point in ui.clicked(st.session_state.get("gap_chart")):
    clicked_cell = str(point.get("customdata") or "")
    if clicked_cell and clicked_cell != st.session_state.get("gap_last_click"):
        st.session_state["gap_last_click"] = clicked_cell
        row_id, _, col_id = clicked_cell.partition("|")
        if row_id in row_label and col_id in col_label:
            open_cell(row_id, col_id)
chosen = st.session_state.get("table_top_gaps")
if chosen is not None:
    selected_rows = chosen["selection"]["rows"] if isinstance(chosen, dict) else chosen.selection.rows
    last_gaps = st.session_state.get("gap_top_rows", [])
    if selected_rows and selected_rows[0] < len(last_gaps) and selected_rows != st.session_state.get("gap_last_row"):
        st.session_state["gap_last_row"] = selected_rows
        row_id, col_id = last_gaps[selected_rows[0]]
        if row_id in row_label and col_id in col_label:
            open_cell(row_id, col_id)
current = (row_ids.index(st.session_state["row"]), col_ids.index(st.session_state["col"]))

views = {
    "Gap score": (np.round(land.score, 3), "Reds"),
    "Observed papers": (land.observed, "Blues"),
    "Expected papers": (np.round(land.expected, 2), "Greens"),
}
shown = st.radio("Matrix", list(views), horizontal=True, key="gap_view")
keys = [[f"{r}|{c}" for c in col_ids] for r in row_ids]
for title, (values, scale) in views.items():  # every matrix can be exported; one is drawn
    name = title.split()[0].lower()
    frame = pd.DataFrame(values, index=rows, columns=cols)
    st.session_state.setdefault(ui.TABLES, {})[f"landscape_{name}"] = frame.reset_index(names=row_type)
    draw = functools.partial(heatmap, frame, f"{title}: {row_type} × {col_type}", scale, keys=keys, selected=current)
    if title == shown:
        ui.figure(f"heatmap_{name}", draw(), key="gap_chart", select=True)
    else:  # drawn only if downloaded from the Export page
        st.session_state.setdefault(ui.FIGURES, {})[f"heatmap_{name}"] = draw
with st.expander(f"The {shown.lower()} matrix as a table"):
    matrix_name = f"landscape_{shown.split()[0].lower()}"
    ui.table(matrix_name, st.session_state[ui.TABLES][matrix_name], pmid_columns=(), key="gap_matrix")

st.subheader("Cell")
s1, s2 = st.columns(2)
s1.selectbox(row_type, row_ids, format_func=row_label.__getitem__, key="row")
s2.selectbox(col_type, col_ids, format_func=col_label.__getitem__, key="col")
state.publish("row")
state.publish("col")
record = data.cell(query, st.session_state["row"], st.session_state["col"])
if record is not None:
    st.markdown(
        f"**{ui.md(record.a.name)} × {ui.md(record.b.name)}** — {record.status}; {record.observed} papers together, "
        f"{record.expected:.2f} expected; P = {record.p_value:.2g}, plausibility {record.plausibility:.2f}, "
        f"gap score {record.score:.3f}"
    )
    for reason in record.reasons():
        st.markdown(f"- {ui.md(reason)}")
    if record.linking:
        st.html(ui.linking_html(record.linking, record.a.name, record.b.name))
    if record.observed and levels == 0:
        title = f"{record.a.name} × {record.b.name}"
        panels.pair_papers(record.a.id, record.b.id, key="gap_cell", table_name="cell_papers", title=title)

st.subheader("Top gaps")
st.caption(
    "Ranked by gap score. Evidence columns: papers naming both (and each alone) on progressive MS, MS and other "
    "neurological diseases. risk_reward: high-risk/high-reward, each component's percentile among these gaps "
    "(risk_*), components equal for all gaps left out. Click a row to open its cell."
)
top_gaps = data.gaps(query)
if top_gaps.empty:
    counts = an.landscape(row_type, col_type, min_papers).counts()
    st.info(
        "No cell passes as a gap: "
        + ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        + ". A corpus this size rarely expects 3+ shared papers between specific concepts; try a concept level "
        "above 'as named', or a larger corpus."
    )
else:
    st.session_state["gap_top_rows"] = list(zip(top_gaps["a_id"], top_gaps["b_id"], strict=True))
    ui.table("top_gaps", top_gaps, key="top_gaps", select=True)
st.subheader("Cross-disease gaps")
st.caption(
    "Pairs named together in papers on another neurodegenerative or demyelinating disease (two or more), and in "
    "none on progressive MS: what other diseases' literature suggests trying."
)
ui.table("cross_disease_gaps", data.cross_disease(query))
