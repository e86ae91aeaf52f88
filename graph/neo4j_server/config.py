"""Where a workspace's Neo4j keeps its files, and the ``neo4j.conf`` and JVM options it runs with.

The server listens on loopback only, on a Bolt port picked free at each start, with HTTP off: it is a
private database for one user's runs and tests, not a service.  Memory is kept modest because the machine
it shares (a laptop, a 2-core CI runner) is also running the pipeline.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"

# What the Neo4j launcher script would add from its default neo4j.conf (``server.jvm.additional``); the server
# is started with ``java`` directly, so they are passed here.
_JVM_ADDITIONAL = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
)


@dataclass(frozen=True)
class ServerLayout:
    """Paths of one workspace's Neo4j server (``Workspace.neo4j_dir``): config, data, logs, pid state."""

    root: Path

    def __post_init__(self) -> None:
        # Absolute, because the server's command line names it and ``status`` matches on that from any cwd.
        object.__setattr__(self, "root", self.root.resolve())

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def console_log(self) -> Path:
        """The server's stdout and stderr: startup messages and fatal errors."""
        return self.logs_dir / "console.log"

    @property
    def state_file(self) -> Path:
        """Pid, port and version of the running server, written by ``start`` and removed by ``stop``."""
        return self.root / "run" / "gapmap-server.json"

    @property
    def password_file(self) -> Path:
        """The generated password when ``NEO4J_PASSWORD`` is not set (mode 0600)."""
        return self.root / "password"


@dataclass(frozen=True)
class ServerSettings:
    """What may differ between two starts: the Bolt port and the memory given to the server."""

    bolt_port: int
    heap: str = "1g"
    pagecache: str = "256m"

    @property
    def bolt_address(self) -> str:
        return f"{LOOPBACK}:{self.bolt_port}"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def render(settings: ServerSettings) -> str:
    """The ``neo4j.conf`` text; directories default to ``data``, ``logs`` and ``run`` under the layout root."""
    lines = {
        "server.default_listen_address": LOOPBACK,
        "server.default_advertised_address": LOOPBACK,
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": settings.bolt_address,
        "server.bolt.advertised_address": settings.bolt_address,
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true",
        "dbms.usage_report.enabled": "false",
        "server.memory.heap.initial_size": settings.heap,
        "server.memory.heap.max_size": settings.heap,
        "server.memory.pagecache.size": settings.pagecache,
        "db.tx_log.rotation.retention_policy": "1 files",
    }
    header = "# Written by `gapmap neo4j start` at every start; edits here are overwritten.\n"
    return header + "".join(f"{key}={value}\n" for key, value in lines.items())


def write_config(layout: ServerLayout, settings: ServerSettings) -> Path:
    layout.conf_dir.mkdir(parents=True, exist_ok=True)
    path = layout.conf_dir / "neo4j.conf"
    path.write_text(render(settings))
    return path


def jvm_options(settings: ServerSettings) -> list[str]:
    """The heap (a fixed size, as Neo4j recommends) plus the options Neo4j's own launcher would pass."""
    return [f"-Xms{settings.heap}", f"-Xmx{settings.heap}", *_JVM_ADDITIONAL]
