"""The gapmap explorer: ``streamlit run app.py`` (or ``gapmap app``).

The graph shown is the workspace's (``GAPMAP_HOME``) on the chosen backend (``GAPMAP_BACKEND``: embedded by
default, or neo4j).  Each page is its own script under ``explorer/pages`` so it can be opened (and tested) alone;
its URL path names it (``/explore?entity=…``), so any view can be shared as a link.
"""

from __future__ import annotations

import streamlit as st

from explorer.data import Source, warm_up, warm_up_progress
from explorer.ui import md

PAGES = [
    st.Page("explorer/pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("explorer/pages/explore.py", title="Explore", icon=":material/hub:", url_path="explore"),
    st.Page("explorer/pages/gap_map.py", title="Gap map", icon=":material/grid_on:", url_path="gap-map"),
    st.Page(
        "explorer/pages/translational.py",
        title="Translational gaps",
        icon=":material/science:",
        url_path="translational",
    ),
    st.Page("explorer/pages/trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
    st.Page("explorer/pages/hypotheses.py", title="Hypotheses", icon=":material/lightbulb:", url_path="hypotheses"),
    st.Page("explorer/pages/search.py", title="Search prior findings", icon=":material/search:", url_path="search"),
    st.Page("explorer/pages/people.py", title="People", icon=":material/groups:", url_path="people"),
    st.Page("explorer/pages/portfolio.py", title="Portfolio", icon=":material/payments:", url_path="portfolio"),
    st.Page("explorer/pages/export.py", title="Export", icon=":material/download:", url_path="export"),
]


#: Pages that show no analytics: they run before the warm-up starts, so they do not share the CPU with it.
LIGHT_PAGES = {"Overview", "Export"}


def ready(progress: tuple[int, int, str, float] | None) -> bool:
    return progress is None or 0 < progress[1] <= progress[0]


def warm_up_status() -> None:
    """While the shared analytics are first computed, say how far it got in the sidebar, refreshed every 2 s
    (between page runs) until they are ready, then once more so the refreshing stops."""
    if ready(warm_up_progress()):
        return

    def show() -> None:
        now = warm_up_progress()
        if now is None or ready(now):
            st.rerun(scope="app")
            return
        done, steps, label, seconds = now
        step = f"{done + 1}/{steps}" if steps else f"step {done + 1}"
        st.progress(done / steps if steps else 0.0, text=f"Preparing the analytics ({step}): {label}… {seconds:.0f} s")
        st.caption("Pages that need them wait for them; Overview and Export do not.")

    st.fragment(show, run_every=2)()


st.set_page_config(page_title="gapmap explorer", page_icon=":material/hub:", layout="wide")
source = Source.from_env()
st.sidebar.caption(f"Graph: **{source.backend}** · workspace {md(source.home)}")
page = st.navigation(PAGES)
if page.title not in LIGHT_PAGES:  # the page needs the analytics: compute them now, and say how far it got
    warm_up()
with st.sidebar:
    warm_up_status()
page.run()
warm_up()  # after a light page, so that it does not share the CPU with it
