"""The hostile corpus (``tests/hostile_corpus.py``) through every output: nothing in it is interpreted.

Real records carrying HTML, Markdown, rich markup, ANSI escapes, Cypher, bidirectional overrides, LaTeX,
Streamlit shortcodes and spreadsheet formulas are ingested, extracted and loaded by the real stages, then shown
by every CLI output format (table, ``--json``, ``--csv``; ``gapmap query`` and ``gapmap analytics``), by every
explorer page (Streamlit's AppTest: the Markdown each page sends, the Plotly figures, the CSV exports), and by
every page in Chromium (the DOM the browser built, and the requests it made).

What "not interpreted" means here: what is shown equals what is stored (``gapmap query --json`` is the
reference), with the characters a terminal would act on written out (``\\x1b``), the Markdown a page sends
unescaping to exactly the stored text, Plotly labels holding no tag and no ``$``, CSV cells that a spreadsheet
would run prefixed with ``'``, and no element, link, image, formula or request that came from the data.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import need
from hostile_corpus import MARKER, PAYLOADS, RAW_CONTROLS, TRAP, chemical_ui, gapmap
from streamlit.testing.v1 import AppTest
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, PAGES, RENDER_MS, running_app, wait_idle

from core.output import csv_cell, visible
from explorer import ui
from explorer.exports import csv_bytes
from explorer.panels import PER_PAGE

REPO = Path(__file__).resolve().parents[1]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
PUBMED_LINK = re.compile(r"\]\(https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/\)")


def as_json(home: Path, *args: str) -> Any:
    return json.loads(gapmap(home, *args, "--json").stdout)


@pytest.fixture(scope="module")
def titles(hostile: Path) -> dict[str, str]:
    """PMID → stored title of every hostile record, as ``gapmap query --json`` gives it (the reference)."""
    found = as_json(hostile, "query", "search_publications", "-p", f"q={MARKER}", "-p", "limit=1000")
    assert len(found) >= len(PAYLOADS), "the hostile records were not all stored"
    return {str(r["pmid"]): r["title"] for r in found}


@pytest.fixture(scope="module")
def compounds(hostile: Path) -> dict[str, str]:
    """Entity id → stored name of the hostile chemicals (entity names made of payloads)."""
    rows = as_json(hostile, "query", "top_entities", "-p", "type=Compound", "-p", "limit=100")
    found = {r["id"]: r["name"] for r in rows if r["id"].startswith("MESH:C99990")}
    assert set(found.values()) == set(PAYLOADS.values()), "entity names are not the stored chemical names"
    return found


def test_the_corpus_really_is_hostile(titles: dict[str, str]) -> None:
    """The payloads survived ingest (else the tests below could not fail)."""
    stored = " ".join(titles.values())
    for piece in ("[/bold]", "[click here](http://127.0.0.1:9/phish)", "$x^2", "<script>", "\x1b[31m", "\u202e"):
        assert piece in stored, piece
    assert {t[0] for t in titles.values()} >= {"=", "+", "-", "@"}


def assert_terminal_safe(text: str) -> None:
    for char in RAW_CONTROLS:
        assert char not in text, f"raw {char!r} reached the terminal"


def test_query_table_json_and_csv_show_stored_text_inert(hostile: Path, titles: dict[str, str]) -> None:
    args = ("query", "search_publications", "-p", f"q={MARKER}", "-p", "limit=1000")
    table = gapmap(hostile, *args)
    assert_terminal_safe(table.stdout + table.stderr)
    for title in titles.values():
        assert visible(title) in table.stdout, title  # every character shown, controls written out
    assert "[bold]loud[/bold] [/bold]" in table.stdout

    raw_json = gapmap(hostile, *args, "--json").stdout
    assert_terminal_safe(raw_json)
    assert {str(r["pmid"]): r["title"] for r in json.loads(raw_json)} == titles  # JSON decodes to the stored text

    rows = list(csv.DictReader(io.StringIO(gapmap(hostile, *args, "--csv").stdout)))
    assert {r["pmid"]: r["title"] for r in rows} == {p: csv_cell(t) for p, t in titles.items()}
    assert_csv_defused(rows)
    assert any(r["title"].startswith("'=HYPERLINK(") for r in rows)


def assert_csv_defused(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for key, cell in row.items():
            for text in (key, cell):
                assert not (text or "").startswith(FORMULA_START) or NUMBER.fullmatch(text), f"live formula {text!r}"
                assert_terminal_safe(text or "")


@pytest.mark.parametrize(
    "command",
    [
        ["analytics", "trends", "--type", "Compound", "--min-papers", "1", "--top", "200"],
        ["analytics", "landscape", "--rows", "Mechanism", "--cols", "Compound", "--min-papers", "1", "--limit", "40"],
    ],
)
def test_analytics_outputs_show_hostile_entity_names_inert(
    hostile: Path, compounds: dict[str, str], command: list[str]
) -> None:
    name_key = "entity" if command[1] == "trends" else "b"
    rows = as_json(hostile, *command)
    assert set(compounds.values()) <= {r[name_key] for r in rows}
    table = gapmap(hostile, *command)
    assert_terminal_safe(table.stdout)
    assert "[bold]loud[/bold] [/bold]" in table.stdout and visible(PAYLOADS["ansi"]) in table.stdout
    csv_rows = list(csv.DictReader(io.StringIO(gapmap(hostile, *command, "--csv").stdout)))
    assert {csv_cell(n) for n in compounds.values()} <= {r[name_key] for r in csv_rows}
    assert_csv_defused(csv_rows)


# -- the explorer's pages (AppTest): the Markdown sent, the figures, the exports ----------------------------------

UNESCAPED = {
    "Markdown link or image": re.compile(r"(?<!\\)\]\("),
    "LaTeX": re.compile(r"(?<!\\)\$"),
    "HTML": re.compile(r"(?<!\\)<(?!/?mark>)"),
    "emoji or icon shortcode": re.compile(r"(?<!\\):(?:smile|material)"),
    "colour directive": re.compile(r"(?<!\\):red(?<!\\)\["),
    "bare URL": re.compile(r"(?i)\b(?:https?|www)(?=\\?[:.])"),
    "e-mail": re.compile(r"\w\\?@"),
}


def markdown_bodies(at: AppTest) -> list[str]:
    """Everything the page sent that Streamlit reads as Markdown: texts, captions, headings, notes, labels."""
    elements = [*at.markdown, *at.caption, *at.subheader, *at.header, *at.title, *at.info, *at.warning, *at.error]
    bodies = [e.value for e in elements] + [e.label for e in at.expander] + [m.label for m in at.metric]
    return [str(b) for b in bodies]


def shown(body: str) -> str:
    """What Markdown displays of ``body``: escapes resolved, word joiners and <mark> tags gone."""
    body = body.replace(ui.WORD_JOINER, "").replace("<mark>", "").replace("</mark>", "")
    return re.sub(r"\\(.)", r"\1", body)


def assert_markdown_inert(bodies: list[str]) -> None:
    for body in bodies:
        assert_terminal_safe(body)
        ours = PUBMED_LINK.sub("", body).replace("https://pubmed.ncbi.nlm.nih.gov", "")
        for what, pattern in UNESCAPED.items():
            assert not pattern.search(ours), f"{what} from the data in {body[:300]!r}"


def plotly_labels(at: AppTest) -> list[str]:
    """Every string a page's Plotly figures display: trace texts, hover texts, names, axis ticks, titles."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in ("hovertemplate", "template", "x", "y", "z"):
                    walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in ("text", "hovertext", "name", "ticktext", "customdata"):
            found.append(value)

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        walk(spec.get("data", []))
        walk(spec.get("layout", {}).get("xaxis", {}))
        walk(spec.get("layout", {}).get("yaxis", {}))
        walk({"text": spec.get("layout", {}).get("title", {}).get("text", "")})
    return found


def assert_figures_inert(at: AppTest) -> list[str]:
    labels = plotly_labels(at)
    for label in labels:
        assert_terminal_safe(label)
        assert "<" not in label and ">" not in label and "$" not in label, f"Plotly would interpret {label!r}"
    return labels


@pytest.fixture
def app(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("GAPMAP_HOME", str(hostile))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"explorer/pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


#: The tags the explorer's own HTML (evidence and search results, ``st.html``) is made of; anything else came from
#: the data.  Links only go to PubMed.
OWN_TAGS = {"style", "div", "a", "mark", "span"}
TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)([^>]*)>")


def assert_html_inert(body: str) -> None:
    """HTML the explorer built around stored text: only its own tags, links only to PubMed, no raw controls."""
    assert_terminal_safe(body)
    for closing, name, attributes in TAG.findall(body):
        assert name.lower() in OWN_TAGS, f"tag <{name}> from the data in {body[:300]!r}"
        if name.lower() == "a" and not closing:
            assert re.search(r'href="https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/"', attributes), attributes


def displayed(body: str) -> str:
    """What a browser shows of HTML ``body``: tags gone, entities decoded, whitespace runs as one space."""
    return " ".join(html.unescape(TAG.sub(" ", re.sub(r"<style>.*?</style>", "", body, flags=re.S))).split())


def test_search_page_shows_titles_and_abstracts_as_text(app: AppTest, titles: dict[str, str]) -> None:
    open_page(app, "search")
    app.text_input(key="q").input(MARKER).run()
    assert not app.exception, [e.value for e in app.exception]
    assert_markdown_inert(markdown_bodies(app))
    bodies = [h.value for h in app.get("html") if "gm-result" in h.value]
    assert len(bodies) == min(len(titles), PER_PAGE)
    for body in bodies:
        assert_html_inert(body)
    results = [displayed(b) for b in bodies]
    whole = [t for t in titles.values() if any(visible(" ".join(t.split())) in r for r in results)]
    assert len(whole) == len(bodies), "titles are not shown as stored"
    for payload in (PAYLOADS["markdown"], PAYLOADS["latex"], PAYLOADS["shortcode"], "<script>alert('x')</script>"):
        assert any(payload in r for r in results), f"{payload!r} not shown as text"
    exported = list(csv.DictReader(io.StringIO(csv_bytes(app.session_state[ui.TABLES]["search_results"]).decode())))
    assert {r["pmid"]: r["title"] for r in exported} == {p: csv_cell(t) for p, t in titles.items()}
    assert_csv_defused(exported)


def test_explore_page_shows_a_hostile_entity_as_text(app: AppTest, compounds: dict[str, str]) -> None:
    entity = f"MESH:{chemical_ui(list(PAYLOADS).index('markdown'))}"
    open_page(app, "explore")
    app.text_input(key="find").input(entity.lower()).run()
    assert not app.exception and app.selectbox(key="entity").value == entity
    bodies = markdown_bodies(app)
    assert_markdown_inert(bodies)
    assert any(compounds[entity] in shown(b) for b in bodies), "the entity's name is not shown"
    labels = assert_figures_inert(app)
    assert any("[click here](http://127.0.0.1:9/phish)" in label for label in labels)


@pytest.mark.parametrize("name", ["overview", "gap_map", "trends", "hypotheses", "portfolio", "export"])
def test_every_other_page_shows_hostile_names_as_text(app: AppTest, compounds: dict[str, str], name: str) -> None:
    open_page(app, name)
    assert_markdown_inert(markdown_bodies(app))
    labels = assert_figures_inert(app)
    if name in ("gap_map", "trends"):  # the hostile compounds are the most studied: they are drawn
        drawn = html.unescape(" ".join(labels))  # what Plotly displays
        assert sum(n in drawn for n in compounds.values()) >= 3, labels[:20]
    for frame in app.session_state[ui.TABLES].values():
        assert_csv_defused(list(csv.DictReader(io.StringIO(csv_bytes(frame).decode()))))


# -- every page in Chromium: the DOM built and the requests made --------------------------------------------------

#: Elements that would mean the data was interpreted: a link or image to the trap address, KaTeX, an emoji or
#: icon from a shortcode, a script or tag from a title, a link inside a chart.
FORBIDDEN = {
    "link to the data's address": f'a[href*="{TRAP}"]',
    "image from the data's address": f'img[src*="{TRAP}"]',
    "LaTeX": ".katex",
    "icon shortcode": '[data-testid="stMarkdownContainer"] span[role="img"]',
    "script from the data": '[data-testid="stMarkdownContainer"] script',
    "tag from the data": '[data-testid="stMarkdownContainer"] b, [data-testid="stMarkdownContainer"] img',
    "link inside a chart": ".js-plotly-plot a",
}


@pytest.fixture(scope="module")
def served(hostile: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``gapmap app`` on a private copy of the hostile workspace."""
    need(CHROMIUM.exists(), f"chromium not found at {CHROMIUM} (make test installs the Debian package)")
    home = tmp_path_factory.mktemp("hostile-browser") / "home"
    shutil.copytree(hostile, home)
    with running_app(home) as url:
        yield url


def test_every_page_in_chromium_shows_the_hostile_corpus_as_text(served: str, compounds: dict[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.on("request", lambda r: requested.append(r.url) if TRAP in r.url else None)
            for name, (title, marker) in PAGES.items():
                if name == "overview":
                    page.goto(served)
                else:
                    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                expect(page.get_by_text(marker).first).to_be_visible(timeout=RENDER_MS)
                wait_idle(page)
                if name == "explore":
                    box = page.get_by_label("Find an entity by name, synonym or id")
                    box.fill(f"mesh:{chemical_ui(list(PAYLOADS).index('html_raw'))}")
                    box.press("Enter")
                    wait_idle(page)
                    text = page.locator("body").inner_text().replace(ui.WORD_JOINER, "")
                    assert compounds[f"MESH:{chemical_ui(list(PAYLOADS).index('html_raw'))}"] in text
                if name == "search":
                    box = page.get_by_label("Words in the title or abstract")
                    box.fill(MARKER)
                    box.press("Enter")
                    expect(page.get_by_text("papers match").first).to_be_visible(timeout=RENDER_MS)
                    wait_idle(page)
                    text = page.locator("body").inner_text().replace(ui.WORD_JOINER, "")
                    for payload in ("[click here](http://127.0.0.1:9/phish)", "$x^2 + \\frac{a}{b}$", ":smile:",
                                    "<script>alert('x')</script>", "[bold]loud[/bold]"):  # fmt: skip
                        assert payload in text, f"{name}: {payload!r} not shown as text"
                assert not page.get_by_test_id("stException").count(), f"{name}: exception shown"
                for what, selector in FORBIDDEN.items():
                    assert page.locator(selector).count() == 0, f"{name}: {what}"
                assert "😄" not in page.locator("body").inner_text(), f"{name}: emoji from a shortcode"
        finally:
            browser.close()
    assert not requested, f"the browser fetched addresses from the data: {requested}"
