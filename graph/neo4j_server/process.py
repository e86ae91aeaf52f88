"""Start, find and stop a workspace's Neo4j server process.

The server runs as one ``java`` process (Neo4j's ``CommunityEntryPoint``) in its own session, with output
to ``logs/console.log``.  Its pid, port and version go to a small JSON state file; ``status`` trusts a pid only
if that process's command line still names this workspace's server, so a reused pid is never signalled.
``start`` returns once Bolt answers with the workspace password, which it sets on the very first start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from core.errors import GapmapError
from graph.neo4j_server import credentials
from graph.neo4j_server.config import LOOPBACK, ServerLayout, ServerSettings, free_port, jvm_options, write_config
from graph.neo4j_server.fetch import Distribution, ensure, find_java
from graph.neo4j_server.locking import exclusive

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
START_TIMEOUT = 180.0
STOP_GRACE = 60.0

# Servers started by this Python process, kept so that stopping one also reaps it (no zombie, no warning).
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ServerState:
    """A running server as recorded by ``start``."""

    pid: int
    bolt_port: int
    version: str

    @property
    def uri(self) -> str:
        return f"bolt://{LOOPBACK}:{self.bolt_port}"


def status(root: Path) -> ServerState | None:
    """The workspace's running server, or None (a stale state file is removed)."""
    layout = ServerLayout(root)
    try:
        state = ServerState(**json.loads(layout.state_file.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if _is_server(state.pid, layout):
        return state
    layout.state_file.unlink(missing_ok=True)
    return None


def bolt_settings(root: Path, state: ServerState) -> credentials.BoltSettings:
    """The ``NEO4J_*`` settings that reach this server."""
    layout = ServerLayout(root)
    return credentials.BoltSettings(state.uri, credentials.USER, credentials.password(layout), credentials.DATABASE)


def start(
    root: Path,
    obtain: Callable[[], Distribution] = ensure,
    *,
    heap: str = "1g",
    pagecache: str = "256m",
    timeout: float = START_TIMEOUT,
) -> tuple[ServerState, bool]:
    """Start the server (``obtain`` gives its jars) and wait until Bolt accepts the workspace password.

    Returns the state and whether this call started it.  If the server already runs, or another process is
    starting it, this waits for that to finish and reports the server without starting a second one."""
    layout = ServerLayout(root)
    with exclusive(layout.state_file.parent / "start.lock"):
        running = status(root)
        if running:
            return running, False
        settings = ServerSettings(free_port(), heap, pagecache)
        return _launch(layout, obtain(), settings, timeout), True


def _launch(layout: ServerLayout, distribution: Distribution, settings: ServerSettings, timeout: float) -> ServerState:
    java = find_java()
    password = credentials.password(layout)
    write_config(layout, settings)
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    layout.state_file.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(java),
        *jvm_options(settings),
        "-cp",
        os.pathsep.join(str(jar) for jar in distribution.classpath),
        ENTRY_POINT,
        f"--home-dir={layout.root}",
        f"--config-dir={layout.conf_dir}",
        "--console-mode",
    ]
    with layout.console_log.open("ab") as log:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=layout.root,
            start_new_session=True,
        )
    _children[child.pid] = child
    state = ServerState(child.pid, settings.bolt_port, distribution.version)
    layout.state_file.write_text(json.dumps(asdict(state)))
    try:
        _wait_for_bolt(state, layout, password, timeout)
    except BaseException:
        stop(layout.root)
        raise
    return state


def stop(root: Path, grace: float = STOP_GRACE) -> ServerState | None:
    """Stop the running server: SIGTERM, then SIGKILL after ``grace`` seconds; None when none was running."""
    layout = ServerLayout(root)
    state = status(root)
    if state is None:
        return None
    _signal(state.pid, signal.SIGTERM)
    if not _wait_gone(state.pid, grace):
        _signal(state.pid, signal.SIGKILL)
        if not _wait_gone(state.pid, 10.0):
            raise GapmapError(f"Neo4j (pid {state.pid}) survived SIGKILL", "check the process with `ps`")
    layout.state_file.unlink(missing_ok=True)
    return state


def _wait_for_bolt(state: ServerState, layout: ServerLayout, password: str, timeout: float) -> None:
    """Poll Bolt until the server accepts the password; on a fresh database, replace the default one first."""
    deadline = time.monotonic() + timeout
    logs = f"see {layout.console_log} and {layout.logs_dir / 'debug.log'}"
    while True:
        if not _is_alive(state.pid):
            raise GapmapError(f"Neo4j exited during startup (pid {state.pid})", logs)
        try:
            with _driver(state.uri, password) as driver:
                driver.verify_connectivity()
            return
        except AuthError as exc:
            if not _set_initial_password(state.uri, password):
                raise GapmapError(
                    f"Neo4j in {layout.root} rejects the workspace password ({exc.code})",
                    f"set NEO4J_PASSWORD to the password this database was created with, "
                    f"or stop it and delete {layout.data_dir} to start afresh",
                ) from None
        except (DriverError, Neo4jError, OSError):
            pass  # not listening yet
        if time.monotonic() > deadline:
            raise GapmapError(f"Neo4j did not answer on {state.uri} within {timeout:.0f} s", logs)
        time.sleep(0.5)


def _set_initial_password(uri: str, password: str) -> bool:
    """Change the fresh database's default password; False when the default no longer works."""
    try:
        with _driver(uri, credentials.DEFAULT_PASSWORD) as driver, driver.session(database="system") as session:
            session.run(
                "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                old=credentials.DEFAULT_PASSWORD,
                new=password,
            ).consume()
    except AuthError:
        return False
    return True


def _driver(uri: str, password: str) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(
        uri, auth=(credentials.USER, password), connection_timeout=5.0, max_connection_pool_size=1
    )


def _is_server(pid: int, layout: ServerLayout) -> bool:
    """Whether ``pid`` is alive and is this workspace's Neo4j (not a process that reused the pid)."""
    if not _is_alive(pid):
        return False
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        found = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, check=False)
        arguments = found.stdout.split()
    wanted = {ENTRY_POINT.encode(), f"--home-dir={layout.root}".encode()}
    return wanted <= set(arguments)


def _is_alive(pid: int) -> bool:
    """Whether ``pid`` still runs.  Our own child is asked (and reaped) directly; another process counts as gone
    once only its unreaped zombie is left (on a machine whose init does not reap, that may take forever)."""
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """Every thread of ``pid`` has exited.  Not just the first: the JVM's main thread can end before the rest."""
    try:
        states = [
            (task / "stat").read_text().rsplit(")", 1)[1].split()[0] for task in Path(f"/proc/{pid}/task").iterdir()
        ]
    except OSError:
        return False  # no /proc here, or the process vanished meanwhile: the next kill(pid, 0) tells
    return all(state == "Z" for state in states)


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _signal(pid: int, signum: signal.Signals) -> None:
    """Signal the server's whole session (it leads its own process group), or just the pid if it does not."""
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
