"""The gapmap explorer: ``streamlit run app.py`` (or ``gapmap app``).

The graph shown is the workspace's (``GAPMAP_HOME``) on the chosen backend (``GAPMAP_BACKEND``: embedded by
default, or neo4j).  Each page is its own script under ``explorer/pages`` so it can be opened (and tested) alone;
its URL path names it (``/explore?entity=…``), so any view can be shared as a link.
"""

from __future__ import annotations

import streamlit as st

from explorer.data import Source, warm_up, warm_up_progress

PAGES = [
    st.Page("explorer/pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("explorer/pages/explore.py", title="Explore", icon=":material/hub:", url_path="explore"),
    st.Page("explorer/pages/gap_map.py", title="Gap map", icon=":material/grid_on:", url_path="gap-map"),
    st.Page("explorer/pages/trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
    st.Page("explorer/pages/hypotheses.py", title="Hypotheses", icon=":material/lightbulb:", url_path="hypotheses"),
    st.Page("explorer/pages/search.py", title="Search prior findings", icon=":material/search:", url_path="search"),
    st.Page("explorer/pages/people.py", title="People", icon=":material/groups:", url_path="people"),
    st.Page("explorer/pages/portfolio.py", title="Portfolio", icon=":material/payments:", url_path="portfolio"),
    st.Page("explorer/pages/export.py", title="Export", icon=":material/download:", url_path="export"),
]


def warm_up_status() -> None:
    """While the shared analytics are first computed, say how far it got in the sidebar, refreshed every 2 s
    until they are ready (then once more, so the refreshing stops)."""
    progress = warm_up_progress()
    if progress is None or progress[0] >= progress[1]:
        return

    def show() -> None:
        now = warm_up_progress()
        if now is None or now[0] >= now[1]:
            st.rerun(scope="app")
        done, steps, label, seconds = now
        st.progress(done / steps, text=f"Preparing the analytics ({done + 1}/{steps}): {label}… {seconds:.0f} s")
        st.caption("Pages that need them wait; the others work now.")

    st.fragment(show, run_every=2)()


st.set_page_config(page_title="gapmap explorer", page_icon=":material/hub:", layout="wide")
source = Source.from_env()
st.sidebar.caption(f"Graph: **{source.backend}** · workspace `{source.home}`")
st.navigation(PAGES).run()
warm_up()  # after the page, so that the first page does not share the CPU with it
with st.sidebar:
    warm_up_status()
