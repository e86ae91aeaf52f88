"""Shared test fixtures: where the real data lives, and the rule that CI never skips what it needs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

import core  # noqa: F401 - before any test module loads NumPy: names the OpenBLAS kernel (core.blas)
from core.settings import settings

REPO = Path(__file__).resolve().parents[1]
SHARED = settings().shared_data
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
settings.register_profile("quick", max_examples=40, **_FUZZ)
settings.register_profile("fuzz", max_examples=2500, **_FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


def need(condition: bool, reason: str) -> None:
    """Skip when a prerequisite is missing, except in CI, where a missing prerequisite is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared real-data folder (``../shared/data``)."""
    need(SHARED.is_dir(), f"shared data folder not found at {SHARED}")
    return SHARED


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
