"""Gap map: landscape matrices (observed, expected, gap score) of two entity types, and what is behind a cell.

Clicking a cell of the heatmap (or a row of *Top gaps*, or choosing row and column below it) opens the cell:
its papers with their evidence, or — when never studied together — the hypothesis that would fill it.  The
types and the open cell live in the URL (``?rows=…&cols=…&row=ID&col=ID``), so a link opens the same cell.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

from explorer import data, panels, state, ui
from explorer.figures import heatmap, papers
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
    "Gap score = plausibility (shared neighbours, Adamic–Adar, scaled 0…1) × deficit (1 − observed/expected "
    "papers). High: both sides well studied and linked through other terms, yet rarely studied together. "
    "Click a cell to open it."
)
an = data.analytics()
c1, c2, c3, c4 = st.columns(4)
ROWS, COLS, MIN_PAPERS, LIMIT = data.DEFAULT_LANDSCAPE
row_type = c1.selectbox("Rows", TYPES, index=TYPES.index(ROWS), key="rows", bind="query-params")
col_type = c2.selectbox("Columns", TYPES, index=TYPES.index(COLS), key="cols", bind="query-params")
limit = c3.slider("Most-studied per side", 5, 40, LIMIT, key="gap_limit")
min_papers = c4.slider("Min papers per entity", 1, 20, MIN_PAPERS, key="gap_min")

land = data.matrices(row_type, col_type, min_papers, limit)
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
best = np.unravel_index(int(np.argmax(land.gap)), land.gap.shape) if land.gap.max() > 0 else (0, 0)
for key, ids, default in (("row", row_label, row_ids[best[0]]), ("col", col_label, col_ids[best[1]])):
    state.seed(key, ids)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = default
for point in ui.clicked(st.session_state.get("gap_chart")):
    cell = str(point.get("customdata") or "")
    if cell and cell != st.session_state.get("gap_last_click"):
        st.session_state["gap_last_click"] = cell
        row_id, _, col_id = cell.partition("|")
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
    "Gap score": (np.round(land.gap, 3), "Reds"),
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
r, c = row_ids.index(st.session_state["row"]), col_ids.index(st.session_state["col"])
a, b = int(land.rows[r]), int(land.cols[c])
observed = int(land.observed[r, c])
st.markdown(
    f"**{ui.plain(inc.names[a])} × {ui.plain(inc.names[b])}** — {papers(observed)} together, "
    f"{land.expected[r, c]:.2f} expected; plausibility {land.plausibility[r, c]:.2f}, deficit "
    f"{land.deficit[r, c]:.2f}, gap score {land.gap[r, c]:.3f}"
)
if observed:
    panels.pair_papers(inc.entity_ids[a], inc.entity_ids[b], observed, key="gap_cell", table_name="cell_papers")
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
        st.html(ui.linking_html(hyp.linking, inc.names[a], inc.names[b]))

st.subheader("Top gaps")
st.caption(
    "risk_reward: high-risk/high-reward score (little evidence, few groups, little funding; growing, recent, "
    "next to well-supported work). Linking terms show papers with each side. Click a row to open its cell."
)
top_gaps = data.gaps(row_type, col_type, min_papers, limit)
st.session_state["gap_top_rows"] = list(zip(top_gaps["a_id"], top_gaps["b_id"], strict=True))
ui.table("top_gaps", top_gaps, key="top_gaps", select=True)
