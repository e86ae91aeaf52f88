"""Evidence level in the explorer: a badge on every paper, filters by kind of evidence, evidence pyramids, and the
translational gaps (issue 18).

Why one module: every page that lists papers shows the same badge and offers the same filters, and the pyramid
looks the same for an entity, a link and a translational gap; pages call these helpers instead of repeating
them.  Data comes through :mod:`explorer.data` (named queries, cached) and :mod:`analytics.translational`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.results import Analysis
from analytics.translational import (
    HUMAN_LEVELS,
    LEVEL_NAMES,
    NO_MODEL,
    PROGRESSIVE_FORMS,
    TRIAL_LEVELS,
    EvidenceCorpus,
    Excluded,
    PaperContext,
    Pyramid,
    TranslationalGap,
    exclusions,
    find_gaps,
    read_contexts,
)
from explorer import data, ui
from nlp.study_context import EVIDENCE_LEVELS, MODELS

#: The evidence filters offered wherever papers are listed for an entity or a link: label -> levels ([] = all).
FILTERS: dict[str, tuple[str, ...]] = {
    "All papers": (),
    "Human only": HUMAN_LEVELS,
    "Trials only": TRIAL_LEVELS,
    "Animal model": ("preclinical_in_vivo",),
    "In vitro": ("in_vitro",),
}
#: Every paper of an entity or a pair, for its pyramid.
ALL = 1_000_000_000
#: Papers listed under a pyramid.
LISTED = 50
#: Colour of each level: Streamlit's Markdown badge colour and the hex shade the pyramid and table pills use.
COLOURS = {
    "rct": ("green", "#2ca02c"),
    "other_trial": ("green", "#98df8a"),
    "observational": ("blue", "#1f77b4"),
    "preclinical_in_vivo": ("orange", "#ff7f0e"),
    "in_vitro": ("violet", "#9467bd"),
    "review": ("gray", "#bbbbbb"),
    "other": ("gray", "#7f7f7f"),
}
#: Names a design gives its level where it is more precise.
DESIGN_NAMES = {"case_report": "case report", "systematic_review": "systematic review", "in_silico": "in silico"}
#: The pyramid's segment for in-vivo papers that use more than one model.
SEVERAL = "several_models"
FORM_NAMES = {"PPMS": "PPMS", "SPMS": "SPMS", "progressive_unspecified": "progressive MS"}
UNCLASSIFIED = "not classified"
#: Every label a badge can hold, with its level's colour (forms of progressive MS in red), in display order.
BADGE_LABELS: dict[str, tuple[str, str]] = {
    **{LEVEL_NAMES[level]: COLOURS[level] for level in ("rct", "other_trial", "observational")},
    DESIGN_NAMES["case_report"]: COLOURS["observational"],
    "animal": COLOURS["preclinical_in_vivo"],
    **{m.replace("_", " "): ("orange", "#ffbb78") for m in MODELS},
    LEVEL_NAMES["in_vitro"]: COLOURS["in_vitro"],
    LEVEL_NAMES["review"]: COLOURS["review"],
    DESIGN_NAMES["systematic_review"]: COLOURS["review"],
    DESIGN_NAMES["in_silico"]: COLOURS["other"],
    LEVEL_NAMES["other"]: COLOURS["other"],
    **{name: ("red", "#d62728") for name in FORM_NAMES.values()},
    UNCLASSIFIED: ("gray", "#eeeeee"),
}
#: The ``level`` column of paper tables: its labels as coloured pills.
BADGE_COLUMN = st.column_config.MultiselectColumn(
    "level",
    width="medium",
    help="Evidence level from the paper's study context: design, animal models, progressive MS forms.",
    options=list(BADGE_LABELS),
    color=[hex_ for _, hex_ in BADGE_LABELS.values()],
)


def badge(row: Mapping[str, Any]) -> list[str]:
    """A paper's evidence level as badge labels, most direct first, e.g. ``["RCT", "SPMS"]`` or ``["animal",
    "EAE", "in vitro"]``; ``["not classified"]`` before the NLP stage has given it a study context."""
    design = row.get("design")
    levels = set(row.get("evidence_levels") or ())
    labels = []
    for level in EVIDENCE_LEVELS:
        if level not in levels:
            continue
        if level in ("observational", "review", "other") and design in DESIGN_NAMES:
            labels.append(DESIGN_NAMES[str(design)])
        elif level == "preclinical_in_vivo":
            labels += ["animal", *(m.replace("_", " ") for m in sorted(set(row.get("models") or ()) & set(MODELS)))]
        else:
            labels.append(LEVEL_NAMES[level])
    labels += [FORM_NAMES[f] for f in sorted(set(row.get("ms_population") or ()) & PROGRESSIVE_FORMS)]
    return labels if levels else [UNCLASSIFIED]


def badge_markdown(row: Mapping[str, Any]) -> str:
    """The same badge in Streamlit Markdown (``:green-badge[RCT] :red-badge[SPMS]``)."""
    return " ".join(f":{BADGE_LABELS[label][0]}-badge[{label}]" for label in badge(row))


def papers_table(name: str, frame: pd.DataFrame) -> None:
    """A table of papers with the badge column, shown and registered for export like :func:`explorer.ui.table`."""
    ui.table(name, with_badges(frame), columns={"level": BADGE_COLUMN})


def contexts(pmids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The study context of each PMID (one ``publication_contexts`` query for the lot)."""
    wanted = sorted({str(p) for p in pmids if p})
    if not wanted:
        return {}
    return {str(r["pmid"]): r for r in data.rows("publication_contexts", pmids=wanted).to_dict("records")}


def with_badges(frame: pd.DataFrame, column: str = "pmid") -> pd.DataFrame:
    """``frame`` with a ``level`` badge column after its PMID column (study context columns it has are used,
    else looked up)."""
    if frame.empty or column not in frame or "level" in frame:
        return frame
    if "evidence_levels" in frame:
        badges = [badge(r) for r in frame.to_dict("records")]
        frame = frame.drop(columns=[c for c in ("design", "evidence_levels", "models", "ms_population") if c in frame])
    else:
        found = contexts(frame[column])
        badges = [badge(found.get(str(p), {})) for p in frame[column]]
    out = frame.copy()
    out.insert(list(out.columns).index(column) + 1, "level", badges)
    return out


def level_filter(key: str) -> tuple[str, ...]:
    """The evidence filter (a horizontal radio); the levels it keeps, () for all papers."""
    choice = st.radio("Evidence", list(FILTERS), horizontal=True, key=key)
    return FILTERS[str(choice)]


def pyramid_of(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> Pyramid:
    """The pyramid of query rows carrying pmid, year, evidence_levels, models and ms_population."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    return Pyramid.of(PaperContext.from_row(r) for r in records)


def pyramid_figure(pyramid: Pyramid, title: str) -> go.Figure:
    """The evidence pyramid as horizontal bars, most direct evidence in people on top: human studies split into
    progressive MS (hatched) and other populations, in-vivo papers split by disease model (the legend names the
    parts; the bars' own names are on the axis)."""
    labels = {level: LEVEL_NAMES[level] for level in EVIDENCE_LEVELS}
    fig = go.Figure()
    legend: set[str] = set()

    def bar(name: str, level: str, pmids: Iterable[str], colour: str, pattern: str = "", legend_name: str = "") -> None:
        count = len(set(pmids))
        fig.add_trace(
            go.Bar(
                x=[count],
                y=[labels[level]],
                orientation="h",
                name=legend_name or labels[level],
                marker={"color": colour, "pattern": {"shape": pattern}},
                hovertemplate=f"{labels[level]}{' · ' + name if name else ''}: %{{x}} papers<extra></extra>",
                showlegend=bool(legend_name) and count > 0 and legend_name not in legend,
            )
        )
        if legend_name and count:
            legend.add(legend_name)

    for level in HUMAN_LEVELS:
        progressive = pyramid.progressive.get(level, ())
        bar("in progressive MS", level, progressive, COLOURS[level][1], "/", "in progressive MS")
        bar("other populations", level, set(pyramid.pmids[level]) - set(progressive), COLOURS[level][1])
    models_of: dict[str, list[str]] = {}  # a paper using two models is one segment of the bar, not two
    for model, pmids in pyramid.in_vivo_models.items():
        for pmid in pmids:
            models_of.setdefault(pmid, []).append(model)
    shades = ["#ff7f0e", "#ffbb78", "#d62728", "#e377c2", "#8c564b", "#c7c7c7", "#7f3b08"]
    for model, shade in zip((*MODELS, NO_MODEL, SEVERAL), shades, strict=True):
        name = model.replace("_", " ")
        one = [p for p, found in models_of.items() if found == [model] or (model == SEVERAL and len(found) > 1)]
        bar(name, "preclinical_in_vivo", one, shade, legend_name=name)
    for level in ("in_vitro", "review", "other"):
        bar("", level, pyramid.pmids[level], COLOURS[level][1])
    fig.update_layout(
        title=title,
        barmode="stack",
        height=360,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title="papers",
        yaxis={"categoryorder": "array", "categoryarray": [labels[level] for level in EVIDENCE_LEVELS][::-1]},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def show_entity_evidence(entity_id: str, entity_name: str, key: str, table: str = "node_papers") -> Pyramid:
    """An entity's evidence pyramid and its papers under the chosen evidence filter (registered as ``table``)."""
    pyramid = pyramid_of(data.rows("entity_publications_by_level", id=entity_id, limit=ALL))
    ui.figure(f"{table}_pyramid", pyramid_figure(pyramid, f"Evidence pyramid: {entity_name}"), key=f"{key}_pyramid")
    levels = level_filter(key)
    papers = data.rows("entity_publications_by_level", id=entity_id, levels=list(levels), limit=LISTED)
    st.caption(f"{len(papers)} papers shown (newest first, at most {LISTED}).")
    papers_table(table, papers.rename(columns={"sentence": "evidence"}))
    return pyramid


def show_link_evidence(a: str, b: str, title: str, key: str, table: str, show_pyramid: bool = True) -> Pyramid:
    """A link's evidence pyramid and its papers under the chosen evidence filter (registered as ``table``)."""
    pyramid = pyramid_of(data.rows("pair_publications_by_level", a=a, b=b, limit=ALL))
    if show_pyramid:
        ui.figure(f"{table}_pyramid", pyramid_figure(pyramid, f"Evidence pyramid: {title}"), key=f"{key}_pyramid")
    levels = level_filter(key)
    papers = data.rows("pair_publications_by_level", a=a, b=b, levels=list(levels), limit=LISTED)
    st.caption(f"{len(papers)} papers mention both under this filter; same-sentence evidence first.")
    papers_table(table, papers)
    return pyramid


# -- translational gaps ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner="reading study contexts", ttl=data.TTL_SECONDS)
def _corpus(source: data.Source, _store: data.LockedStore, _analysis: Analysis) -> EvidenceCorpus:
    return EvidenceCorpus(_analysis, read_contexts(_store))


def corpus() -> EvidenceCorpus:
    """The evidence corpus of the graph: the analytics the gap map uses (:func:`explorer.data.analytics`) and the
    study contexts (cached per graph)."""
    analysis = data.analytics()
    return _corpus(data.Source.from_env(), data.store(), analysis)


@st.cache_resource(show_spinner="finding translational gaps", ttl=data.TTL_SECONDS)
def _gaps(
    source: data.Source,
    _evidence: EvidenceCorpus,
    row_type: str,
    col_type: str,
    kind: str,
    max_df: float,
    top: int,
    interventions_only: bool,
) -> list[TranslationalGap]:
    return find_gaps(_evidence, row_type, col_type, [kind], max_df, 1, top, interventions_only=interventions_only)


def translational_gaps(
    row_type: str, col_type: str, kind: str, max_df: float, top: int, interventions_only: bool = True
) -> list[TranslationalGap]:
    """The top translational gaps of one kind among ``row_type × col_type`` pairs (cached per graph)."""
    return _gaps(data.Source.from_env(), corpus(), row_type, col_type, kind, max_df, top, interventions_only)


def translational_exclusions(
    row_type: str, col_type: str, max_df: float, interventions_only: bool = True
) -> list[Excluded]:
    """The entities of the two types left out of the translational ranking, with why (as `--excluded`)."""
    return exclusions(corpus(), row_type, col_type, max_df, interventions_only=interventions_only)
