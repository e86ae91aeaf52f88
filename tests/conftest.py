"""Shared test fixtures: where the real data lives, and the rule that CI never skips what it needs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAPMAP_SHARED_DATA", REPO.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
    uri = os.environ.get("NEO4J_URI", "")
    need(bool(uri), 'NEO4J_URI is not set: run `eval "$(gapmap neo4j start --print-env)"` first (make test does)')
    return {
        "uri": uri,
        "user": os.environ.get("NEO4J_USER", "neo4j"),
        "password": os.environ.get("NEO4J_PASSWORD", ""),
        "database": os.environ.get("NEO4J_DATABASE", "neo4j"),
    }
