"""The explorer's pages on a real corpus: every page renders, and searching, filtering and selecting show the
entities and PMIDs the graph holds.

The corpus is built once per session by the real CLI stages (ingest files → extract → load) on the shared
oligodendrocyte/dementia MEDLINE set; what a page should show is read from the same graph with ``gapmap query``
before any page opens it, so the pages are checked against the named queries, not against hard-coded values.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import networkx as nx
import pandas as pd
import pytest
from conftest import REPO, SEARCH_WORD, built_corpus, rows
from streamlit.testing.v1 import AppTest

from explorer import ui
from explorer.exports import graphml_bytes
from explorer.neighbours import MIN_SHARED
from graph.fulltext import FullText, parse
from ingest.store import ArticleStore

GREGORY_MS = "pubmed_ms_gregory_rss_2021/gregory_pubmed_ms_subset.jsonl.gz"


@dataclass
class Expected:
    """What the graph holds, read with the CLI before the app opens it."""

    home: Path
    publications: int
    top: dict[str, Any]  # most-mentioned entity
    neighbour: dict[str, Any]  # its most co-mentioned neighbour
    second: dict[str, Any]  # the second most-mentioned entity
    pair_pmids: list[str]  # papers mentioning both
    cells: list[dict[str, Any]]  # Mechanism × Compound cells, densest first


@pytest.fixture(scope="session")
def expected(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Expected:
    home = built_corpus(tmp_path_factory.getbasetemp(), shared)
    top, second = rows(home, "top_entities", limit=2)
    neighbour = rows(home, "entity_neighbourhood", id=top["id"], limit=1)[0]
    return Expected(
        home,
        rows(home, "overview_counts")[0]["publications"],
        top,
        neighbour,
        second,
        [str(r["pmid"]) for r in rows(home, "pair_evidence", a=top["id"], b=neighbour["id"], limit=100_000)],
        rows(home, "landscape_matrix", limit=400),
    )


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"explorer/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, name: str) -> Any:
    """A table a page registered for export (what it shows, before PMIDs become links)."""
    return at.session_state[ui.TABLES][name]


def test_overview_shows_corpus_size_and_top_entities(app: AppTest, expected: Expected) -> None:
    assert not app.exception, [e.value for e in app.exception]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Publications"] == f"{expected.publications:,}"
    assert "Funded share" in metrics
    assert expected.top["name"] in set(frame(app, "top_entities")["name"])


def pages_of(at: AppTest, key_prefix: str, table: str) -> list[str]:
    """Every PMID an evidence list offers, page after page (the pager is absent when one page holds them all)."""

    def pager() -> Any:
        found = [p for p in at.get("pagination") if str(getattr(p, "key", "") or "").startswith(key_prefix)]
        return found[0] if found else None

    pmids = list(frame(at, table)["pmid"])
    if pager() is not None:
        for page_no in range(2, pager().num_pages + 1):
            pager().set_value(page_no).run()
            assert not at.exception, [e.value for e in at.exception]
            pmids += list(frame(at, table)["pmid"])
    return [str(p) for p in pmids]


def test_explore_search_select_node_and_link(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="find").input(expected.top["name"]).run()
    assert app.selectbox(key="entity").value == expected.top["id"]
    assert app.get("plotly_chart"), "no neighbourhood graph"
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    assert expected.neighbour["id"] in sub and sub.has_edge(expected.top["id"], expected.neighbour["id"])

    app.selectbox(key="pick").set_value(f"edge|{expected.top['id']}|{expected.neighbour['id']}").run()
    assert not app.exception
    # every paper of the link is reachable, page by page, each exactly once
    shown = pages_of(app, "explore_link", "link_papers")
    assert sorted(shown) == sorted(expected.pair_pmids) and len(set(shown)) == len(shown)
    links = " ".join(str(v) for v in app.dataframe[-1].value["pmid"])
    assert "https://pubmed.ncbi.nlm.nih.gov/" in links

    app.selectbox(key="pick").set_value(f"node|{expected.neighbour['id']}").run()
    papers = frame(app, "node_papers")
    assert len(papers) > 0 and papers["pmid"].str.fullmatch(r"\d+").all()


def test_explore_details_follow_a_new_search(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="find").input(expected.top["name"]).run()
    app.selectbox(key="pick").set_value(f"node|{expected.neighbour['id']}").run()  # details: the neighbour
    assert app.subheader[0].value.startswith(ui.md(expected.neighbour["name"]))
    other = expected.second  # a new search
    app.text_input(key="find").input(other["id"]).run()
    assert not app.exception
    assert app.selectbox(key="entity").value == other["id"]
    assert app.selectbox(key="pick").value == f"node|{other['id']}"
    assert app.subheader[0].value.startswith(ui.md(other["name"]))


def test_explore_every_paper_of_an_entity_with_its_sentence_in_full(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="find").input(expected.top["id"]).run()
    everything = rows(expected.home, "entity_publications", id=expected.top["id"], limit=100_000)
    assert len(everything) > 20  # more than one page
    shown = pages_of(app, f"explore_node_page_{expected.top['id']}", "node_papers")
    assert sorted(shown) == sorted(str(r["pmid"]) for r in everything)
    # the sentences of the page shown are there whole (escaped), the entity's names marked
    body = " ".join(h.value for h in app.get("html")).replace("<mark>", "").replace("</mark>", "")
    for sentence in frame(app, "node_papers")["evidence"]:
        assert html.escape(sentence) in body
    assert "<mark>" in " ".join(h.value for h in app.get("html"))


def test_explore_neighbours_ranked_by_specificity(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="find").input(expected.top["id"]).run()
    app.selectbox(key="rank").set_value("specificity (NPMI)").run()
    assert not app.exception
    table = frame(app, "neighbours")
    assert (table["papers_together"] >= MIN_SHARED).all() and (table["npmi"].diff().dropna() <= 0).all()
    # NPMI recomputed from the raw (paper, entity) pairs of the graph
    by_paper: dict[str, set[str]] = {}
    for r in rows(expected.home, "paper_entities"):
        by_paper.setdefault(str(r["pmid"]), set()).add(r["id"])
    total = len(by_paper)
    best = table.iloc[0]
    n_a = sum(expected.top["id"] in e for e in by_paper.values())
    n_b = sum(best["id"] in e for e in by_paper.values())
    n_ab = sum(expected.top["id"] in e and best["id"] in e for e in by_paper.values())
    npmi = math.log(n_ab * total / (n_a * n_b)) / -math.log(n_ab / total)
    assert best["papers_together"] == n_ab and abs(best["npmi"] - npmi) < 1e-3


def test_explore_opens_from_a_link(expected: Expected, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPMAP_HOME", str(expected.home))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.query_params["entity"] = expected.neighbour["id"]  # a link to /explore?entity=ID
    at.run()
    page(at, "explore")
    assert at.selectbox(key="entity").value == expected.neighbour["id"]
    assert at.subheader[0].value.startswith(ui.md(expected.neighbour["name"]))
    assert at.query_params["pick"] == f"node|{expected.neighbour['id']}"


def test_explore_filters_by_type_and_funding(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="find").input(expected.top["id"]).run()
    app.multiselect(key="explore_types").set_value(["CellType"]).run()
    assert not app.exception
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    neighbours = [n for n in sub if n != expected.top["id"]]
    assert neighbours and all(sub.nodes[n]["type"] == "CellType" for n in neighbours)
    app.checkbox(key="explore_funded").check().run()
    assert not app.exception  # a graph of funded papers, or an explanation that there is none


def test_gap_map_cell_opens_its_papers(app: AppTest, expected: Expected) -> None:
    page(app, "gap_map")
    assert len(app.get("plotly_chart")) == 1
    for view in ("Observed papers", "Expected papers", "Gap score"):
        app.radio(key="gap_view").set_value(view).run()
        assert not app.exception and len(app.get("plotly_chart")) == 1
    gaps = frame(app, "top_gaps") if "top_gaps" in app.session_state[ui.TABLES] else pd.DataFrame()
    # may be empty: then the page says why (cells per status)
    assert len(gaps) > 0 or any("No cell passes as a gap" in i.value for i in app.info)
    assert all(gaps["status"] == "gap") if len(gaps) else True
    row = app.selectbox(key="row")
    col = app.selectbox(key="col")
    # the densest cell among the most-studied entities the page offers (the densest overall may involve a rarer one)
    cell = next(c for c in expected.cells if c["row_name"] in row.options and c["col_name"] in col.options)
    row.set_value(cell["row"])
    col.set_value(cell["col"])
    app.run()
    assert not app.exception
    evidence = rows(expected.home, "pair_evidence", a=cell["row"], b=cell["col"], limit=100_000)
    assert evidence and sorted(pages_of(app, "gap_cell", "cell_papers")) == sorted(str(r["pmid"]) for r in evidence)
    assert app.query_params["row"] == cell["row"] and app.query_params["col"] == cell["col"]


def test_gap_map_opens_the_cell_of_a_link(expected: Expected, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPMAP_HOME", str(expected.home))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    page(at, "gap_map")
    offered = (at.selectbox(key="row").options, at.selectbox(key="col").options)
    cell = next(c for c in expected.cells if c["row_name"] in offered[0] and c["col_name"] in offered[1])
    assert (at.selectbox(key="row").value, at.selectbox(key="col").value) != (cell["row"], cell["col"])
    linked = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    linked.query_params.update({"row": cell["row"], "col": cell["col"]})  # a link to /gap-map?row=…&col=…
    linked.run()
    page(linked, "gap_map")
    assert (linked.selectbox(key="row").value, linked.selectbox(key="col").value) == (cell["row"], cell["col"])


def test_trends_and_emerging_topics(app: AppTest, expected: Expected) -> None:
    page(app, "trends")
    series = frame(app, "trend_series")
    assert expected.top["name"] in " ".join(series["series"])
    per_entity = series.groupby("series")["year"].agg(["min", "max", "count"])
    assert (per_entity["count"] == per_entity["max"] - per_entity["min"] + 1).all()  # every year, zeros too
    figure = app.session_state[ui.FIGURES]["trends"]
    assert figure.layout.xaxis.tickformat == "d" and all(float(y).is_integer() for y in figure.data[0].x)
    app.radio(key="trends_mode").set_value("Research areas").run()
    assert not app.exception
    assert frame(app, "trend_series")["series"].str.startswith("Area ").all()


def test_a_note_when_the_corpus_spans_too_few_years(shared: Path, expected: Expected) -> None:
    """The note fires on the real Gregory feed (nearly all 2021), worded from the real counts, and on the test
    corpus exactly when its own years are too few or too concentrated."""
    from analytics.source import articles_in

    gregory = pd.Series([a.year or 0 for a in articles_in([shared / GREGORY_MS])]).value_counts()
    note = ui.years_note(gregory)
    years = gregory[gregory.index > 0].index
    assert note and f"{years.min()}–{years.max()}" in note
    per_year = pd.Series({r["year"]: r["papers"] for r in rows(expected.home, "publications_per_year")})
    dated = per_year[per_year.index > 0]
    too_few = dated.max() / dated.sum() > ui.CONCENTRATED or len(dated) < ui.FEW_YEARS
    assert (ui.years_note(per_year) is not None) == too_few


def test_hypotheses_ranked_with_evidence_and_auc(app: AppTest) -> None:
    page(app, "hypotheses")
    table = frame(app, "hypotheses")
    assert len(table) > 0 and (table["score"].diff().dropna() <= 0).all()
    assert any(" with " in h.value and "pubmed.ncbi.nlm.nih.gov" in h.value for h in app.get("html"))  # linking terms
    last = table.iloc[-1]  # the last of the top ones shown: filtered on its name, it ranks higher
    app.text_input(key="hyp_filter").input(last["b"]).run()
    filtered = frame(app, "hypotheses")
    named = (filtered["a"] + " " + filtered["b"]).str.contains(last["b"], case=False, regex=False)
    assert len(filtered) > 0 and named.all()
    assert (filtered["score"].diff().dropna() <= 0).all()
    pair = filtered[(filtered["a_id"] == last["a_id"]) & (filtered["b_id"] == last["b_id"])]
    assert len(pair) == 1 and int(pair["rank"].iloc[0]) <= int(last["rank"])
    auc = [m for m in app.metric if m.label.startswith("AUC")]
    assert auc and "cutoff" in auc[0].label and 0.0 <= float(auc[0].value) <= 1.0
    app.selectbox(key="hyp_scorer").set_value("jaccard").run()
    assert not app.exception
    assert "jaccard" in frame(app, "scorer_evaluation")["scorer"].tolist()


def article_words(home: Path) -> dict[str, str]:
    """pmid -> title and abstract, read from the article store itself (not through the search)."""
    with ArticleStore(home / "articles.sqlite") as store:
        return {a.pmid: f"{a.title} {a.abstract_text}" for a in store.iter_articles()}


def indexed(home: Path, text: str) -> set[str]:
    """The PMIDs the article store's full-text index finds for ``text`` (what the Search page must show)."""
    return set(FullText(home / "articles.sqlite").pmids(parse(text)))


def search(at: AppTest, text: str) -> Any:
    at.text_input(key="q").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return frame(at, "search_results")


def test_search_matches_whole_words_phrases_all_words_and_prefixes(app: AppTest, expected: Expected) -> None:
    page(app, "search")
    texts = article_words(expected.home)

    def having(pattern: str) -> set[str]:
        return {p for p, t in texts.items() if re.search(pattern, t, re.IGNORECASE)}

    # a short word that is also inside longer words: only papers with the word itself ("APP", not "approach")
    found = search(app, "APP")
    assert set(found["pmid"]) == having(r"\bAPPs?\b") and 0 < len(found) < len(having("app"))
    assert (found["score"].diff().dropna() <= 0).all()  # most relevant first (bm25)
    phrase = search(app, '"white matter"')
    assert set(phrase["pmid"]) == having(r"\bwhite\W+matter\b") and len(phrase) > 0
    both = search(app, "microglia astrocytes")
    assert len(both) > 0 and set(both["pmid"]) <= having(r"\bmicrogli") & having(r"\bastrocyt")  # stemmed words
    prefix = search(app, "remyelin*")
    assert set(prefix["pmid"]) == having(r"\bremyelin") and len(prefix) > 0
    shown = " ".join(h.value for h in app.get("html"))
    assert "<mark>" in shown and "https://pubmed.ncbi.nlm.nih.gov/" in shown


def test_search_results_link_their_entities_to_explore(app: AppTest, expected: Expected) -> None:
    page(app, "search")
    found = search(app, SEARCH_WORD)
    assert set(found["pmid"]) == indexed(expected.home, SEARCH_WORD)
    explore = [link for link in app.get("page_link") if "entity=" in link.proto.query_string]
    assert explore
    first = found.iloc[0]["pmid"]
    mentioned = {r["id"] for r in rows(expected.home, "publication_entities", pmid=first)}
    chips = {dict(parse_qsl(link.proto.query_string))["entity"] for link in explore}
    assert chips & mentioned


def test_search_without_results_suggests_what_would_match(app: AppTest, expected: Expected) -> None:
    page(app, "search")
    app.text_input(key="q").input(f"{SEARCH_WORD} zzqxv").run()
    assert not app.exception and app.warning
    assert "zzqxv: 0 papers" in app.warning[0].value.replace("\\", "")
    either = [b for b in app.button if "any of the words" in b.label]
    assert either
    either[0].click().run()
    assert set(frame(app, "search_results")["pmid"]) == indexed(expected.home, SEARCH_WORD)
    app.text_input(key="q").input(SEARCH_WORD[:-1] + "x").run()  # a typo: the indexed word it resembles
    assert any(b.label.startswith(SEARCH_WORD[:6]) for b in app.button)


def test_search_facets_narrow_the_results(app: AppTest, expected: Expected) -> None:
    page(app, "search")
    found = search(app, SEARCH_WORD)
    entity = app.selectbox(key="search_entity")
    label = entity.options[1]  # the entity most often mentioned in the matches: "name · type (papers)"
    entity.select_index(1).run()
    narrowed = frame(app, "search_results")
    assert len(narrowed) == int(re.search(r"\((\d+)\)$", label).group(1))  # type: ignore[union-attr]
    assert set(narrowed["pmid"]) <= set(found["pmid"])
    app.checkbox(key="search_funded").check().run()
    assert not app.exception and set(frame(app, "search_results")["pmid"]) <= set(narrowed["pmid"])


def test_people_behind_an_entity(app: AppTest, expected: Expected) -> None:
    page(app, "people")
    app.text_input(key="people_find").input(expected.top["id"]).run()
    assert not app.exception
    people = rows(expected.home, "entity_people", id=expected.top["id"], limit=50)
    assert list(frame(app, "people_authors")["id"]) == [r["id"] for r in people]
    countries = rows(expected.home, "entity_countries", id=expected.top["id"])
    assert list(frame(app, "people_countries")["country"]) == [r["country"] for r in countries]
    assert app.query_params["entity"] == expected.top["id"]


def test_portfolio_programmes_awards_focus_and_why_unlinked(app: AppTest, expected: Expected) -> None:
    page(app, "portfolio")
    programmes = frame(app, "programmes")
    assert len(programmes) == len(rows(expected.home, "portfolio_programmes"))
    assert programmes["stated_focus"].str.len().gt(0).all()
    lexicon = {r["id"]: [r["name"], *(r["synonyms"] or [])] for r in rows(expected.home, "entity_lexicon")}
    named = 0
    for p in programmes.itertuples():  # every entity named is named in the focus, as whole words
        for name in filter(None, p.entities_named.split("; ")):
            named += 1
            forms = [f.lower() for i, fs in lexicon.items() if fs[0] == name for f in fs]
            focus = p.stated_focus.lower()
            assert any(re.search(rf"(?<!\w){re.escape(f)}s?(?!\w)", focus) for f in forms), (name, focus)
    assert named > 0
    awards = frame(app, "awards")
    assert len(awards) == len(rows(expected.home, "portfolio_awards"))
    unlinked = awards[awards["publications"] == 0]
    assert len(unlinked) and unlinked["why_no_publication"].str.contains("names no PMID, DOI or grant number").all()
    assert len(frame(app, "area_coverage")) > 0 and len(frame(app, "entity_coverage")) > 0


def test_every_table_has_a_download_beside_it(app: AppTest) -> None:
    for name in ("overview", "explore", "gap_map", "trends", "hypotheses", "people", "portfolio"):
        page(app, name)
        downloads = [b for b in app.get("download_button") if str(getattr(b, "key", "") or "").startswith("download_")]
        assert len(downloads) >= len(app.dataframe) > 0, name


def test_evidence_is_escaped_never_markup() -> None:
    """Text from the data is shown as typed: HTML and Markdown in it are escaped; only the marks are markup."""
    sentence = 'Fingolimod <b>reduced</b> *relapses* in [MS](javascript:x) & "PIRA" (p<0.05).'
    shown = ui.marked(sentence, ["fingolimod", "PIRA"])
    assert "<b>" not in shown and "&lt;b&gt;" in shown and "&amp;" in shown
    assert shown.count("<mark>") == 2 and "<mark>Fingolimod</mark>" in shown
    assert re.sub(r"</?mark>", "", shown) == html.escape(sentence)
    assert ui.md("*relapses* [MS](x) $x$") == r"\*relapses\* \[MS\]\(x\) \$x\$"


def test_export_offers_tables_subgraph_and_figures(app: AppTest, expected: Expected) -> None:
    page(app, "explore")
    app.text_input(key="find").input(expected.top["name"]).run()
    sub: nx.Graph = app.session_state[ui.SUBGRAPH]
    page(app, "export")
    labels = [getattr(b, "label", "") for b in app.get("download_button")]
    assert "Download subgraph.graphml" in labels and "neighbourhood.html" in labels
    assert any(label.startswith("node_papers.csv") for label in labels)
    back = nx.read_graphml(BytesIO(graphml_bytes(sub)))
    assert set(back.nodes) == set(sub.nodes) and back.number_of_edges() == sub.number_of_edges()


@pytest.mark.parametrize(
    "name", ["overview", "explore", "gap_map", "trends", "hypotheses", "search", "people", "portfolio"]
)
def test_without_a_graph_pages_say_what_to_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPMAP_HOME", str(tmp_path))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    page(at, name)
    assert any("gapmap demo --corpus PATH" in i.value and "gapmap load" in i.value for i in at.info)
