"""The explorer in a real browser: ``gapmap app`` serves the test corpus, headless Chromium opens every page,
runs a search and clicks a node of the network graph, and keeps a screenshot and the render time of each page.
Pages are opened from the sidebar, as a user would, so they share one session (Export sees what Explore showed).

Screenshots go to ``test-output/screenshots/<page>.png`` and render times (seconds from navigation to the page's
content being shown, on the first visit with cold caches and on a second, warm visit) to
``test-output/page_times.json``; speed itself is judged in ``bench/``, not here.
"""

from __future__ import annotations

import json
import os
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
from conftest import REPO, SEARCH_WORD, built_corpus, need, rows

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTPUT = REPO / "test-output"
SHOTS = OUTPUT / "screenshots"
#: Page file name -> (title in the sidebar, text that shows once the page's content has rendered).
PAGES = {
    "overview": ("Overview", "Most-mentioned entities"),
    "explore": ("Explore", "Selected node or link"),
    "gap_map": ("Gap map", "Top gaps"),
    "translational": ("Translational gaps", "Evidence pyramid"),
    "trends": ("Trends", "Emerging topics"),
    "hypotheses": ("Hypotheses", "How well does the scorer predict?"),
    "search": ("Search prior findings", "Type a word or phrase"),
    "portfolio": ("Portfolio", "Research areas: covered and missed"),
    "export": ("Export", "Subgraph (GraphML)"),
}
STARTUP_SECONDS = 90
RENDER_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Iterator[tuple[str, Path]]:
    """``gapmap app`` on a free port, on a private copy of the test corpus (no lock shared with other tests)."""
    need(CHROMIUM.exists(), f"chromium not found at {CHROMIUM} (make test installs the Debian package)")
    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(built_corpus(tmp_path_factory.getbasetemp(), shared), home)
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
    top = rows_before_app(home)
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
                        expect(page.get_by_text(f"{top['publications']:,}", exact=True).first).to_be_visible()
                    if name == "explore":
                        click_neighbour(page, top)
                    if name == "search":
                        search(page, top)
                    if name == "export":  # same session: what Explore showed can be downloaded
                        expect(page.get_by_text("Download subgraph.graphml")).to_be_visible()
                    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        finally:
            browser.close()
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "page_times.json").write_text(json.dumps(times, indent=2) + "\n")
    assert set(times) == set(PAGES)


def rows_before_app(home: Path) -> dict[str, object]:
    """Read with the CLI before any page opens the graph: the top entity, its neighbour, a search's PMIDs, size."""
    top = rows(home, "top_entities", limit=1)[0]
    top["publications"] = rows(home, "overview_counts")[0]["publications"]
    top["neighbour"] = rows(home, "entity_neighbourhood", id=top["id"], limit=1)[0]
    top["search"] = [str(r["pmid"]) for r in rows(home, "search_publications", q=SEARCH_WORD, limit=5)]
    return top


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


def click_neighbour(page: object, top: dict[str, object]) -> None:
    """Click the most co-mentioned neighbour's marker in the network graph: its papers must appear."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    neighbour = top["neighbour"]
    assert isinstance(neighbour, dict)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=RENDER_MS)
    traces = chart.locator(".scatterlayer .trace")
    for t in range(traces.count()):
        labels = traces.nth(t).locator(".textpoint text").all_text_contents()
        if neighbour["name"] in labels:
            box = traces.nth(t).locator("path.point").nth(labels.index(neighbour["name"])).bounding_box()
            break
    else:
        raise AssertionError(f"{neighbour['name']} not drawn in the network graph")
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_text(f"{neighbour['name']} · {neighbour['type']}").first).to_be_visible(timeout=RENDER_MS)
    wait_idle(page)


def search(page: object, top: dict[str, object]) -> None:
    """Search titles and abstracts: the newest matching PMID is shown as a PubMed link."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    box = page.get_by_label("Words in the title or abstract")
    box.fill(SEARCH_WORD)
    box.press("Enter")
    expect(page.get_by_text("papers match").first).to_be_visible(timeout=RENDER_MS)
    wait_idle(page)
    pmids = top["search"]
    assert isinstance(pmids, list) and pmids, f"no paper mentions {SEARCH_WORD}"
    expect(page.locator(f'a[href="https://pubmed.ncbi.nlm.nih.gov/{pmids[0]}/"]').first).to_be_visible()
