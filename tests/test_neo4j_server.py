"""The Neo4j 5 server that ``gapmap neo4j start`` provides: what clients see, and its start/stop lifecycle."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import neo4j
import pytest
from conftest import need

from core.errors import GapmapError
from graph import neo4j_server
from graph.neo4j_server.fetch import find_java, find_maven

GAPMAP = Path(sys.executable).parent / "gapmap"


def _driver(settings: dict[str, str]) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(settings["uri"], auth=(settings["user"], settings["password"]))


def test_server_is_neo4j_5(neo4j_settings: dict[str, str]) -> None:
    with _driver(neo4j_settings) as driver:
        records, _, _ = driver.execute_query("CALL dbms.components()", database_=neo4j_settings["database"])
    kernel = {record["name"]: record["versions"] for record in records}
    assert kernel["Neo4j Kernel"][0].split(".")[0] == "5"


def test_node_round_trips_through_parameters(neo4j_settings: dict[str, str]) -> None:
    key = f"gapmap-test-{uuid.uuid4()}"
    title = "Ocrelizumab in primary progressive MS'); MATCH (n) DETACH DELETE n //"
    database = neo4j_settings["database"]
    with _driver(neo4j_settings) as driver:
        driver.execute_query(
            "CREATE (:ServerTest {key: $key, title: $title, year: $year})",
            key=key,
            title=title,
            year=2017,
            database_=database,
        )
        try:
            records, _, _ = driver.execute_query(
                "MATCH (n:ServerTest {key: $key}) RETURN n.title AS title, n.year AS year", key=key, database_=database
            )
        finally:
            driver.execute_query("MATCH (n:ServerTest {key: $key}) DELETE n", key=key, database_=database)
    assert [(record["title"], record["year"]) for record in records] == [(title, 2017)]


def _listening(pid: int) -> set[tuple[str, int]]:
    """(hex local address, port) of every TCP socket ``pid`` listens on, read from /proc."""
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed since the listing
            link = os.readlink(descriptor)
            if link.startswith("socket:["):
                inodes.add(link.removeprefix("socket:[").removesuffix("]"))
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add((address, int(port, 16)))
    return found


def _is_loopback(hex_address: str) -> bool:
    """127.0.0.1 as /proc writes it, plain (tcp) or IPv4-mapped (tcp6), or ::1."""
    return hex_address.endswith("0100007F") or hex_address == "00000000000000000000000001000000"


@pytest.mark.timeout(600)
@pytest.mark.neo4j
def test_second_server_starts_reports_and_stops_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need(bool(shutil.which("java") and shutil.which("mvn")), "Java and Maven are needed to run a Neo4j server")
    need(Path("/proc/self/fd").is_dir(), "the socket and process checks read /proc (Linux)")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    root = tmp_path / "neo4j"

    state, started = neo4j_server.start(root, heap="512m", pagecache="64m")
    try:
        assert started
        assert neo4j_server.status(root) == state
        assert neo4j_server.start(root) == (state, False)  # already running: reported, not started twice
        settings = neo4j_server.bolt_settings(root, state)
        with neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password)) as driver:
            records, _, _ = driver.execute_query("RETURN $n + 1 AS n", n=41, database_=settings.database)
        assert records[0]["n"] == 42
        sockets = _listening(state.pid)
        assert {port for _, port in sockets} == {state.bolt_port}  # Bolt only: HTTP is off
        assert all(_is_loopback(address) for address, _ in sockets)
        assert stat.S_IMODE((root / "password").stat().st_mode) == 0o600
        assert settings.password not in (root / "logs" / "console.log").read_text()
    finally:
        stopped = neo4j_server.stop(root)

    assert stopped == state
    assert neo4j_server.status(root) is None
    assert not Path(f"/proc/{state.pid}").exists()


def test_status_of_a_workspace_without_server_exits_3(tmp_path: Path) -> None:
    run = subprocess.run(
        [str(GAPMAP), "--home", str(tmp_path), "neo4j", "status"], capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stdout) == (3, "")
    assert "not running" in run.stderr


def test_missing_maven_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GapmapError, match="Maven"):
        find_maven()


def test_missing_java_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(GapmapError, match="no `java` was found"):
        find_java()


def test_failed_download_reports_mavens_error(tmp_path: Path) -> None:
    need(bool(shutil.which("mvn")), "Maven is needed to download Neo4j")
    with pytest.raises(GapmapError, match="Could not find artifact org.neo4j:neo4j:jar:5.26.999") as failure:
        neo4j_server.download("5.26.999", cache=tmp_path)
    assert str(tmp_path / "5.26.999" / "maven.log") in failure.value.hint
    assert neo4j_server.cached("5.26.999", cache=tmp_path) is None
