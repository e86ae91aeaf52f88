"""Hypotheses: entity pairs never studied together, ranked by literature-based discovery, with their evidence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import data, ui
from nlp.records import ENTITY_TYPES

TYPES = list(ENTITY_TYPES)

st.title("Hypotheses")
st.caption(
    "Pairs never mentioned in the same paper, ranked by how strongly other terms link them (Swanson's ABC model). "
    "linking_paths says whether the links through those terms are typed relations the papers state or bare "
    "co-mentions; the relation_* and supervised_relations scorers weigh the typed ones."
)
an = data.analytics()
c1, c2, c3, c4, c5 = st.columns(5)
a_type = c1.selectbox("A type", TYPES, index=TYPES.index("Compound"), key="hyp_a")
b_type = c2.selectbox("B type", TYPES, index=TYPES.index("Mechanism"), key="hyp_c")
scorer = c3.selectbox("Scorer", list(data.ranker().scorers), key="hyp_scorer")
min_papers = c4.slider("Min papers per side", 1, 20, 2, key="hyp_min")
top = c5.slider("How many", 10, 200, 50, key="hyp_top")
text = st.text_input("Filter by name", key="hyp_filter", placeholder="e.g. remyelination")

if text.strip():  # among every open pair, not only the best ones shown without a filter
    found = data.hypotheses_named(a_type, b_type, min_papers, scorer, top, text)
    st.caption(f"The best {len(found)} open pairs with “{ui.md(text.strip())}” in the name of either side.")
else:
    found = data.hypotheses(a_type, b_type, min_papers, scorer, top)
if not found:
    st.info("No open pair with a linking term at these settings: lower the minimum papers or change the types.")
else:
    frame = pd.DataFrame([{"rank": i + 1, **h.to_row()} for i, h in enumerate(found)])
    ui.table("hypotheses", frame)
    st.subheader("Evidence")
    for i, found_pair in enumerate(found[:10]):
        h = found_pair.hypothesis
        label = f"{i + 1}. {ui.md(h.a_name)} × {ui.md(h.b_name)} ({scorer} {h.score:.3g})"
        with st.expander(label, expanded=i == 0):
            st.html(ui.linking_html(h.linking, h.a_name, h.b_name))

st.subheader("How well does the scorer predict?")
first, last = an.years
default = data.default_cutoff(first, last)
if default is None:
    st.info(f"The corpus spans {first}–{last}: too short for a time-sliced evaluation.")
    st.stop()
cutoff = int(st.number_input("Cutoff year", first + 1, last - 1, default, key="hyp_cutoff"))
result = data.evaluation(cutoff)
chosen = result.scorers.get(scorer)
if chosen:
    st.metric(f"AUC of {scorer} (cutoff {cutoff})", f"{chosen.auc:.3f}", help="0.5 = random")
st.caption(
    f"Graph of papers up to {cutoff} ({result.train_edges:,} linked pairs); tested on the {result.test_edges:,} "
    f"pairs first co-mentioned after {cutoff}, among {result.candidates:,} open pairs."
)
ui.table(
    "scorer_evaluation",
    pd.DataFrame(
        [
            {"scorer": name, "auc": round(r.auc, 4), **{f"recall@{k}": round(v, 4) for k, v in r.recall.items()}}
            for name, r in result.scorers.items()
        ]
    ),
)
st.markdown("**Without and with typed relations**")
st.caption(
    f"Each scorer beside its variant that also reads the typed relations stated up to {cutoff} "
    f"({result.typed_edges or 0:,} of the {result.train_edges:,} linked pairs): the same pairs, the same negatives."
)
ui.table("scorer_relations", pd.DataFrame(result.side_by_side()))
