"""The gapmap explorer: ``streamlit run app.py`` (or ``gapmap app``).

The graph shown is the workspace's (``GAPMAP_HOME``) on the chosen backend (``GAPMAP_BACKEND``: embedded by
default, or neo4j).  Each page is its own script under ``explorer/pages`` so it can be opened (and tested) alone.
"""

from __future__ import annotations

import streamlit as st

from explorer.data import Source, warm_up
from explorer.ui import md

PAGES = [
    st.Page("explorer/pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("explorer/pages/explore.py", title="Explore", icon=":material/hub:"),
    st.Page("explorer/pages/gap_map.py", title="Gap map", icon=":material/grid_on:"),
    st.Page("explorer/pages/translational.py", title="Translational gaps", icon=":material/science:"),
    st.Page("explorer/pages/trends.py", title="Trends", icon=":material/trending_up:"),
    st.Page("explorer/pages/hypotheses.py", title="Hypotheses", icon=":material/lightbulb:"),
    st.Page("explorer/pages/search.py", title="Search prior findings", icon=":material/search:"),
    st.Page("explorer/pages/portfolio.py", title="Portfolio", icon=":material/payments:"),
    st.Page("explorer/pages/export.py", title="Export", icon=":material/download:"),
]

st.set_page_config(page_title="gapmap explorer", page_icon=":material/hub:", layout="wide")
source = Source.from_env()
st.sidebar.caption(f"Graph: **{source.backend}** · workspace {md(source.home)}")
st.navigation(PAGES).run()
warm_up()  # after the page, so that the first page does not share the CPU with it
