"""`gapmap neo4j start|stop|status`: a private Neo4j 5 server in the workspace, for tests and local use.

Progress and messages go to stderr; only ``start --print-env`` writes to stdout, so that
``eval "$(gapmap neo4j start --print-env)"`` sets the ``NEO4J_*`` variables and nothing else.
"""

from __future__ import annotations

from typing import Annotated

import typer

from gapmap.runtime import console, progress, workspace, write_secret_lines
from graph import neo4j_server
from graph.neo4j_server.fetch import find_java

app = typer.Typer(help="Run a private Neo4j 5 server in the workspace (loopback only).", no_args_is_help=True)


def _say(message: str) -> None:
    """One status line on stderr, unwrapped so paths stay copyable."""
    console.print(message, soft_wrap=True)


def _distribution() -> neo4j_server.Distribution:
    """The server's jars (downloaded with Maven on first use); called by ``start`` only when it launches."""
    found = neo4j_server.cached()
    if not found:
        find_java()  # before a download it could not use
        with progress() as bar:
            task = bar.add_task(f"Downloading Neo4j {neo4j_server.NEO4J_VERSION} jars (Maven)", total=None)
            found = neo4j_server.download(on_progress=lambda jars: bar.update(task, completed=jars))
        _say(f"cached {len(found.classpath)} jars ({found.size_bytes / 1e6:.0f} MB) in {neo4j_server.cache_dir()}")
    _say(f"starting Neo4j {found.version}, waiting for Bolt")
    return found


@app.command()
def start(
    ctx: typer.Context,
    print_env: Annotated[
        bool, typer.Option("--print-env", help="Print `export NEO4J_...=` lines on stdout, for eval.")
    ] = False,
    heap: Annotated[str, typer.Option(help="Java heap size.")] = "1g",
    pagecache: Annotated[str, typer.Option(help="Page cache size.")] = "256m",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt to answer.")] = 180.0,
) -> None:
    """Start the workspace's Neo4j (downloading it once), or report the one already running."""
    root = workspace(ctx).neo4j_dir
    state, started = neo4j_server.start(root, _distribution, heap=heap, pagecache=pagecache, timeout=timeout)
    if started:
        _say(f"Neo4j {state.version} running on {state.uri} (pid {state.pid}); logs in {root / 'logs'}")
    else:
        _say(f"Neo4j {state.version} already running on {state.uri} (pid {state.pid})")
    if print_env:
        write_secret_lines(neo4j_server.bolt_settings(root, state).exports())


@app.command()
def stop(ctx: typer.Context) -> None:
    """Stop the workspace's Neo4j (SIGTERM, then SIGKILL after a grace period)."""
    root = workspace(ctx).neo4j_dir
    with console.status("Stopping Neo4j"):
        state = neo4j_server.stop(root)
    _say(f"stopped Neo4j (pid {state.pid})" if state else "Neo4j was not running")


@app.command()
def status(ctx: typer.Context) -> None:
    """Say whether the workspace's Neo4j runs; exit status 3 when it does not."""
    root = workspace(ctx).neo4j_dir
    state = neo4j_server.status(root)
    if state is None:
        _say(f"Neo4j is not running (workspace {root})")
        raise SystemExit(3)  # not typer.Exit: the root runs typer with standalone_mode=False, which drops its code
    _say(f"Neo4j {state.version} running on {state.uri} (pid {state.pid}); data in {root / 'data'}")
