"""The explorer in a real browser, on the demo corpus: ``gapmap demo --no-app`` builds it (the shared MS abstracts
and MEDLINE records), ``gapmap app`` serves it, headless Chromium opens every page from the sidebar as a user
would (so they share one session: Export sees what Explore showed) and:

- clicks a node of the network, and searches twice on Explore: the details follow each search;
- clicks a heatmap cell on the Gap map: the cell panel opens that cell;
- searches "PIRA": every result contains the word PIRA (not "respiratory"), as many as the full-text index has.

Screenshots go to ``test-output/screenshots/<page>.png`` (``GAPMAP_SCREENSHOTS`` moves them; ``GAPMAP_TEST_OUTPUT``
moves ``test-output``) and render times
(seconds from navigation to the page's content being shown, on the first visit with cold caches and on a second,
warm visit) to ``test-output/page_times.json``; speed itself is judged in ``bench/``, not here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO, gapmap, need, rows

from explorer.figures import label
from gapmap.commands.demo import DEMO_FILES
from graph.fulltext import FullText, parse

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTPUT = Path(os.environ.get("GAPMAP_TEST_OUTPUT", REPO / "test-output"))
SHOTS = Path(os.environ.get("GAPMAP_SCREENSHOTS", OUTPUT / "screenshots"))
#: Page file name -> (title in the sidebar, text that shows once the page's content has rendered).
PAGES = {
    "overview": ("Overview", "Most-mentioned entities"),
    "explore": ("Explore", "Selected node or link"),
    "gap_map": ("Gap map", "Top gaps"),
    "translational": ("Translational gaps", "Hub share (%)"),
    "trends": ("Trends", "Emerging topics"),
    "hypotheses": ("Hypotheses", "How well does the scorer predict?"),
    "search": ("Search prior findings", "All words must appear"),
    "people": ("People", "Who studies an entity"),
    "portfolio": ("Portfolio", "Research areas: covered and missed"),
    "export": ("Export", "Subgraph (GraphML)"),
}
STARTUP_SECONDS = 90
RENDER_MS = 120_000
SEARCH_WORD = "PIRA"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_corpus(base: Path, shared: Path) -> Path:
    """The demo corpus, built once per test session by ``gapmap demo --no-app`` (as ``make demo`` does)."""
    home = base / "demo-corpus"
    if (home / "built.ok").exists():
        return home
    need(all((shared / f).is_file() for f in DEMO_FILES), f"demo corpus files missing under {shared}")
    env = {**os.environ, "GAPMAP_SHARED_DATA": str(shared)}
    done = subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(home), "demo", "--no-app"], cwd=REPO, env=env, text=True
    )
    assert done.returncode == 0, "gapmap demo --no-app failed"
    (home / "built.ok").touch()
    return home


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Iterator[tuple[str, Path]]:
    """``gapmap app`` on a free port, on a private copy of the demo corpus."""
    need(CHROMIUM.exists(), f"chromium not found at {CHROMIUM} (make test installs the Debian package)")
    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(demo_corpus(tmp_path_factory.getbasetemp(), shared), home)
    with running_app(home) as url:
        yield url, home


@contextmanager
def running_app(home: Path) -> Iterator[str]:
    """``gapmap app`` serving the workspace ``home`` on a free port, until the block ends; its URL."""
    port = free_port()
    log = (home / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gapmap", "--home", str(home), "app", "--port", str(port), "--backend", "embedded"],
        stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, "GAPMAP_HOME": str(home)},
    )  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"gapmap app exited: {(home / 'app.log').read_text()[-2000:]}"
            assert time.monotonic() < deadline, "gapmap app did not come up"
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_every_page_in_chromium(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, home = server
    known = read_before_app(home)
    SHOTS.mkdir(parents=True, exist_ok=True)
    times: dict[str, dict[str, float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            for visit in ("first", "warm"):  # first: caches cold; warm: the same page opened again
                for name, (title, marker) in PAGES.items():
                    started = page.evaluate("() => Date.now()")
                    if visit == "first" and name == "overview":
                        page.goto(url)
                    else:
                        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                    expect(page.get_by_text(marker).first).to_be_visible(timeout=RENDER_MS)
                    times.setdefault(name, {})[visit] = round((wait_idle(page) - started) / 1000, 3)
                    assert not page.get_by_test_id("stException").count(), f"{name}: exception shown"
                    if visit == "warm":
                        continue
                    if name == "overview":
                        expect(page.get_by_text(f"{known['publications']:,}", exact=True).first).to_be_visible()
                    if name == "explore":
                        click_neighbour(page, known)
                        search_twice(page, known)
                    if name == "gap_map":
                        click_cell(page)
                    if name == "search":
                        search_pira(page, int(known["pira"]))  # type: ignore[call-overload]
                    if name == "export":  # same session: what Explore showed can be downloaded
                        expect(page.get_by_text("Download subgraph.graphml")).to_be_visible()
                    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        finally:
            browser.close()
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "page_times.json").write_text(json.dumps(times, indent=2) + "\n")
    assert set(times) == set(PAGES)


def read_before_app(home: Path) -> dict[str, object]:
    """Read with the CLI before any page opens the graph: the top entities, a neighbour, the corpus size, and how
    many papers the full-text index finds for the search word."""
    top, second = rows(home, "top_entities", limit=2)
    known: dict[str, object] = dict(top)
    known["second"] = second
    known["publications"] = rows(home, "overview_counts")[0]["publications"]
    known["neighbour"] = rows(home, "entity_neighbourhood", id=top["id"], limit=1)[0]
    known["pira"] = FullText(home / "articles.sqlite").count(parse(SEARCH_WORD))
    gapmap(home, "stats")  # the CLI sees the same workspace
    return known


#: True once nothing has been running or loading for a second; returns when that quiet spell began (ms epoch).
IDLE_JS = """() => {
  const busy = document.querySelector(
    '[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-testid="stSpinner"]');
  if (busy) { window.__idleSince = null; return false; }
  window.__idleSince = window.__idleSince || Date.now();
  return Date.now() - window.__idleSince > QUIET_MS ? window.__idleSince : false;
}""".replace("QUIET_MS", "1000")


def wait_idle(page: object) -> float:
    """Until the script has finished and everything is drawn (no running indicator, spinner or placeholder for a
    second: the indicator only shows after a short delay); the epoch milliseconds at which it became idle."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.evaluate("() => { window.__idleSince = null; }")
    return float(page.wait_for_function(IDLE_JS, timeout=RENDER_MS).json_value())


def details_heading(page: object) -> str:
    """The heading of the Explore details panel ("name · type")."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    return str(page.locator("h3").filter(has_text=" · ").first.inner_text())


def click_neighbour(page: object, known: dict[str, object]) -> None:
    """Click the most co-mentioned neighbour's marker in the network graph: its details must appear."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    neighbour = known["neighbour"]
    assert isinstance(neighbour, dict)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=RENDER_MS)
    traces = chart.locator(".scatterlayer .trace")
    drawn = label(str(neighbour["name"]))  # long names are cut short on the graph
    for t in range(traces.count()):
        labels = traces.nth(t).locator(".textpoint text").all_text_contents()
        if drawn in labels:
            box = traces.nth(t).locator("path.point").nth(labels.index(drawn)).bounding_box()
            break
    else:
        raise AssertionError(f"{neighbour['name']} not drawn in the network graph")
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("h3").filter(has_text=f"{neighbour['name']} · {neighbour['type']}").first).to_be_visible(
        timeout=RENDER_MS
    )
    wait_idle(page)


def search_twice(page: object, known: dict[str, object]) -> None:
    """Two searches in a row: after each, the details panel shows the entity searched for, not the one before."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    second = known["second"]
    assert isinstance(second, dict)
    for entity in (second, known):
        box = page.get_by_label("Find an entity by name, synonym or id")
        box.fill(str(entity["id"]))
        box.press("Enter")
        heading = page.locator("h3").filter(has_text=f"{entity['name']} · {entity['type']}").first
        expect(heading).to_be_visible(timeout=RENDER_MS)
        wait_idle(page)
        assert details_heading(page).startswith(f"{entity['name']} · "), details_heading(page)
        assert f"entity={entity['id']}".replace(":", "%3A") in page.url or f"entity={entity['id']}" in page.url


def click_cell(page: object) -> None:
    """Click a heatmap cell that is not open yet: the cell panel must open it (names, and its row and column in the
    URL)."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=RENDER_MS)
    cells = page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot');
                   const t = gd.data.find(d => d.name === 'cells');
                   return {x: t.x, y: t.y, keys: t.customdata}; }"""
    )
    before = page.url
    k = len(cells["keys"]) // 2 + 1  # a cell in the middle of the map, not the best gap opened by default
    row_id, col_id = cells["keys"][k].split("|")
    assert f"row={row_id}" not in before.replace("%3A", ":") or f"col={col_id}" not in before.replace("%3A", ":")
    point = chart.locator(".scatterlayer .trace").last.locator("path.point").nth(k)
    row_name, col_name = (re.sub(r" \([^)]*\)$", "", v) for v in (cells["y"][k], cells["x"][k]))
    heading = page.locator("strong").filter(has_text=f"{row_name} × {col_name}")  # the cell panel, not a tooltip
    for _attempt in range(3):  # a click that lands while the chart is still being drawn is lost: click again
        box = point.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(0, 0)
        try:
            expect(heading.first).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            wait_idle(page)
    expect(heading.first).to_be_visible(timeout=RENDER_MS)
    wait_idle(page)
    shown = page.url.replace("%3A", ":").replace("%7C", "|")
    assert f"row={row_id}" in shown and f"col={col_id}" in shown


def search_pira(page: object, expected: int) -> None:
    """Search "PIRA": as many results as the full-text index holds, and every one contains the word PIRA."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    assert expected > 0, f"no paper of the demo corpus mentions {SEARCH_WORD}"
    box = page.get_by_label("Words in the title or abstract")
    box.fill(SEARCH_WORD)
    box.press("Enter")
    expect(page.get_by_text("most relevant first").first).to_be_visible(timeout=RENDER_MS)
    wait_idle(page)
    count = page.get_by_text(re.compile(r"papers? match")).first.inner_text()
    assert int(re.sub(r"\D", "", count.split()[0])) == expected
    results = page.locator(".gm-result")
    assert results.count() == min(expected, 20)
    for text in results.all_inner_texts():
        assert re.search(rf"\b{SEARCH_WORD}s?\b", text), text
    assert f"q={SEARCH_WORD}" in page.url  # the search can be shared as a link
