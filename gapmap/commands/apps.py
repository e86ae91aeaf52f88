"""`gapmap app`: run the Streamlit explorer (``app.py``) on the workspace's graph.

Why exec: Streamlit owns its server loop and reruns the script per interaction, so the command replaces itself
with ``python -m streamlit run app.py`` (one process: stopping ``gapmap app`` stops the server, nothing is
orphaned); the workspace and backend reach it through ``GAPMAP_HOME`` and ``GAPMAP_BACKEND``, the same
variables every other command reads.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.errors import GapmapError
from gapmap.runtime import console, workspace

app = typer.Typer()


def explorer_script() -> Path:
    """The explorer script, installed as the top-level module ``app`` (a checkout's app.py, or site-packages')."""
    spec = importlib.util.find_spec("app")
    if spec is None or spec.origin is None or not Path(spec.origin).is_file():
        raise GapmapError("the explorer script (module app) is not installed", hint="reinstall gapmap")
    return Path(spec.origin)


def streamlit_command(port: int, address: str) -> list[str]:
    """The command line that serves the explorer headless on ``address:port``."""
    return [
        sys.executable, "-m", "streamlit", "run", str(explorer_script()),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


@app.command("app")
def app_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8501,
    backend: Annotated[
        str | None, typer.Option("--backend", help="Graph backend: embedded or neo4j (default $GAPMAP_BACKEND).")
    ] = None,
    address: Annotated[str, typer.Option("--address", help="Interface to listen on.")] = "localhost",
) -> None:
    """Open the explorer (Streamlit) on the workspace's graph: http://localhost:PORT."""
    from graph import resolve_backend

    home = workspace(ctx).root
    env = {**os.environ, "GAPMAP_HOME": str(home), "GAPMAP_BACKEND": resolve_backend(backend)}
    console.print(
        f"explorer on http://{address}:{port}  (workspace {home}, {env['GAPMAP_BACKEND']} graph; Ctrl-C stops)"
    )
    command = streamlit_command(port, address)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)
