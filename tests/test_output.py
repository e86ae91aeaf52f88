"""Where output leaves the program: every error is one redacted line plus a hint, never a traceback (unless
GAPMAP_DEBUG), secrets never printed, warnings one line, numbers beyond 64 bits and non-finite values refused,
and a refused query does not break the embedded connection.

The CLI is run as a user runs it (``python -m gapmap`` in a subprocess) wherever the failure was seen there; the
E-utilities answers come from a loopback HTTP server that echoes the request, as NCBI's error pages do.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hostile_corpus import BRACKETED

from core.errors import GapmapError
from core.output import redact
from core.workspace import Workspace
from gapmap import runtime
from gapmap.cli import main
from graph import open_store, queries

REPO = Path(__file__).resolve().parents[1]
API_KEY = "0123456789abcdef0123456789abcdef0123"
PASSWORD = "s3cret-Passw0rd"


def gapmap(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(home), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "4000", **(env or {})},
        timeout=300,
    )


def assert_one_error(done: subprocess.CompletedProcess[str], *secrets: str) -> str:
    """Exit non-zero, stderr ending in one ``error: ...`` line and one ``hint: ...`` line (a progress bar may
    precede them), no traceback, no secret anywhere; the error line."""
    stderr, stdout, code = done.stderr, done.stdout, done.returncode
    lines = stderr.strip().splitlines()
    assert code not in (0, None), stderr
    assert "Traceback" not in stderr, stderr
    assert len(lines) >= 2 and lines[-2].startswith("error: ") and lines[-1].startswith("hint: "), stderr
    assert sum(line.startswith("error:") for line in lines) == 1, stderr
    for secret in secrets:
        assert secret not in stderr + stdout, f"secret printed: {stderr}"
    return lines[-2]


# -- redaction ---------------------------------------------------------------------------------------------------


def test_redact_masks_environment_secrets_and_credential_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCBI_API_KEY", API_KEY)
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    monkeypatch.setenv("NEO4J_URI", f"bolt://neo4j:{PASSWORD}@graph.example.org:7687")
    text = (
        f"GET /esearch.fcgi?db=pubmed&api_key={API_KEY}&term=ms; echoed: {API_KEY}; quoted api_key%3D{API_KEY}; "
        f"driver: bolt://neo4j:{PASSWORD}@graph.example.org:7687; other: https://u:hunter22@mirror.example.org/x; "
        f"token=abc123 password = qwerty"
    )
    out = redact(text)
    for leaked in (API_KEY, PASSWORD, "hunter22", "abc123", "qwerty"):
        assert leaked not in out, out
    assert "bolt://neo4j:***@graph.example.org:7687" in out  # host and user stay readable
    assert "https://u:***@mirror.example.org/x" in out and "db=pubmed" in out and "term=ms" in out
    assert redact("cannot reach bolt://localhost:7687") == "cannot reach bolt://localhost:7687"


class EchoingEutils(BaseHTTPRequestHandler):
    """Answers esearch by echoing the request's parameters (the api_key first), as NCBI's error pages do: as a
    non-JSON page (``mode = "page"``) or as a JSON esearch ``ERROR`` (``mode = "error"``)."""

    mode = "page"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        params = dict(parse_qsl(urlsplit(self.path).query))
        echo = "&".join(f"{k}={v}" for k, v in sorted(params.items(), key=lambda kv: kv[0] != "api_key"))
        if self.mode == "page":
            body = f"Bad request: {echo}".encode()
        else:
            body = json.dumps({"esearchresult": {"ERROR": f"Invalid query: {echo}"}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echoing_eutils() -> Iterator[tuple[str, type[EchoingEutils]]]:
    handler = type("Handler", (EchoingEutils,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["page", "error"])
def test_eutils_answers_echoing_the_api_key_are_redacted(
    mode: str, echoing_eutils: tuple[str, type[EchoingEutils]], tmp_path: Path
) -> None:
    url, handler = echoing_eutils
    handler.mode = mode
    env = {"GAPMAP_EUTILS_URL": url, "NCBI_API_KEY": API_KEY, "NCBI_EMAIL": "tests@example.org"}
    done = gapmap(tmp_path, "ingest", "pubmed", "progressive multiple sclerosis", "--max", "5", env=env)
    error = assert_one_error(done, API_KEY)
    assert "api_key=***" in error  # the echo is there, the key is not


@pytest.mark.parametrize(
    "uri",
    [
        f"bolt://neo4j:{PASSWORD}@127.0.0.1:1",  # the driver refuses credentials in a bolt URI
        f"neo4j://neo4j:{PASSWORD}@127.0.0.1:1",
        f"bo lt://neo4j:{PASSWORD}@127.0.0.1:1",  # not a URI at all
        "bolt://127.0.0.1:1",  # well-formed, nobody listening; the password is in NEO4J_PASSWORD
    ],
)
def test_neo4j_uri_with_a_password_is_one_redacted_line(uri: str, tmp_path: Path) -> None:
    env = {"NEO4J_URI": uri, "NEO4J_PASSWORD": PASSWORD}
    error = assert_one_error(gapmap(tmp_path, "query", "overview_counts", "--backend", "neo4j", env=env), PASSWORD)
    assert "Neo4j" in error


def test_debug_prints_the_traceback_redacted(tmp_path: Path) -> None:
    env = {"NEO4J_URI": f"bolt://neo4j:{PASSWORD}@127.0.0.1:1", "GAPMAP_DEBUG": "1"}
    done = gapmap(tmp_path, "query", "overview_counts", "--backend", "neo4j", env=env)
    assert done.returncode == 2 and "Traceback" in done.stderr and "ConfigurationError" in done.stderr
    assert PASSWORD not in done.stderr and done.stderr.strip().splitlines()[-2].startswith("error: ")


def test_warnings_and_library_logs_are_one_redacted_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCBI_API_KEY", API_KEY)
    with runtime.outbound():
        warnings.warn(f"retrying https://eutils/esearch.fcgi?api_key={API_KEY}\nsecond line", UserWarning, stacklevel=1)
        logging.getLogger("neo4j.pool").warning("lost bolt://neo4j:%s@db:7687 \x1b[2J", PASSWORD)
        print(f"a stray print with {API_KEY}")
    out, err = capsys.readouterr()
    assert API_KEY not in out + err and PASSWORD not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("warning: retrying") and "second line" in lines[0]
    assert lines[1].startswith("warning: lost bolt://neo4j:***@db") and "\x1b" not in lines[1]
    assert out.strip() == "a stray print with ***"


def test_print_env_is_the_one_unredacted_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``eval "$(gapmap neo4j start --print-env)"`` needs the password; everything else stays redacted."""
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    with runtime.outbound():
        runtime.write_secret_lines([f"export NEO4J_PASSWORD={PASSWORD}"])
        print(f"export NEO4J_PASSWORD={PASSWORD}")
    assert capsys.readouterr().out.splitlines() == [f"export NEO4J_PASSWORD={PASSWORD}", "export NEO4J_PASSWORD=***"]


# -- unexpected errors: one line, never a traceback ---------------------------------------------------------------


def test_damaged_store_and_bad_home_are_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "articles.sqlite").write_bytes(b"not a database, not at all" * 200)
    for args in (("stats",), ("extract",), ("export", "neo4j-admin", str(tmp_path / "out"))):
        assert_one_error(gapmap(damaged, *args))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert str(a_file) in assert_one_error(gapmap(a_file, "stats"))
    assert str(a_file) in assert_one_error(gapmap(a_file / "below", "stats"))


def _unique_violation() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE article (pmid TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO article VALUES (?)", [("33641232",), ("33641232",)])


def _overflow() -> None:
    import numpy as np

    np.array([99999999999999999999], dtype=np.int64)


def _value() -> None:
    int(f"{API_KEY} is not a number")


@pytest.mark.parametrize(
    ("fail", "hint"),
    [(_unique_violation, "another gapmap run"), (_overflow, "64 bits"), (_value, "not what gapmap expects")],
)
def test_unexpected_exceptions_are_one_redacted_line(
    fail: object, hint: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What two concurrent ingests (IntegrityError), a huge number or a bad value raise deep in a library."""
    monkeypatch.setenv("NCBI_API_KEY", API_KEY)
    monkeypatch.delenv("GAPMAP_DEBUG", raising=False)
    with runtime.outbound():
        code = runtime.run(fail)  # type: ignore[arg-type]
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 2 and "Traceback" not in err and API_KEY not in err, err
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: ") and hint in lines[1]


@pytest.mark.parametrize(
    "args",
    [
        ["query", "entity_search", "-p", "limit=-1"],
        ["query", "entity_search", "-p", "limit=99999999999999999999"],
        ["query", "entity_search", "-p", "min_year=1e400"],
        ["query", "entity_publications", "-p", "max_year=-99999999999999999999"],
        ["query", "entity_neighbourhood", "-p", "funded_only=maybe"],
        ["analytics", "landscape", "--min-year", "99999999999999999999"],
        ["analytics", "gaps", "--max-year", "-1"],
        ["analytics", "areas", "--resolution", "nan"],
        ["analytics", "areas", "--resolution", "-1"],
        ["analytics", "areas", "--resolution", "inf"],
        ["analytics", "significance", "--permutations", "-1"],
        ["analytics", "significance", "--permutations", "99999999999999999999"],
        ["analytics", "significance", "--alpha", "nan"],
        ["analytics", "significance", "--alpha", "2"],
        ["analytics", "significance", "--seed", "-1"],
        ["analytics", "trends", "--window", "0"],
        ["analytics", "evaluate", "--cutoff", "99999999999999999999"],
        ["analytics", "hypotheses", "--min-papers", "-5"],
        ["load", "--batch-size", "18446744073709551616"],
        ["ingest", "files", "--batch-size", "99999999999999999999", "nothing.xml"],
        ["neo4j", "start", "--timeout", "nan"],
    ],
)
def test_bad_numbers_are_one_line_naming_the_value(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before anything runs (no graph is needed to be told the value is wrong).  The entry point runs
    in-process, as ``gapmap`` would (a subprocess per case costs seconds of imports)."""
    monkeypatch.setattr(sys, "argv", ["gapmap", "--home", str(tmp_path), *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    out, err = capsys.readouterr()
    error = assert_one_error(subprocess.CompletedProcess(args, int(exit_.value.code or 0), out, err))
    assert any(word in error for word in (args[-1].split("=")[0], args[-2])), error


# -- queries: a refused value leaves the embedded connection usable ---------------------------------------------


def test_refused_limits_leave_the_embedded_connection_usable(hostile: Path) -> None:
    store = open_store("embedded", Workspace(hostile), read_only=True)
    try:
        counted = [name for name, q in queries.catalogue().items() if "limit" in q.params]
        assert counted and all(queries.get(n).params["limit"].minimum == 0 for n in counted)
        for name in counted:
            with pytest.raises(GapmapError, match="below 0"):
                store.query(name, {"limit": -1})
            store.query(name, {})  # the same statement, right after: it runs
        # and should a value get past validation, the failed statement does not poison the connection
        q = queries.get("entity_publications")
        with pytest.raises(RuntimeError):
            list(store._run(q.cypher("embedded"), {**q.bind({}), "limit": -1}))  # type: ignore[attr-defined]
        assert isinstance(store.query("entity_publications", {"limit": 5}), list)
    finally:
        store.close()


def test_query_table_keeps_bracketed_text_of_real_abstracts(hostile: Path) -> None:
    """rich used to read ``[aHR]`` and ``[p = 0.89]`` in these two real abstracts as markup and drop them."""
    for pmid, text in BRACKETED.items():
        done = gapmap(hostile, "query", "publication_detail", "-p", f"pmid={pmid}")
        assert done.returncode == 0, done.stderr
        assert text in done.stdout
