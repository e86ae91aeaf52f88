"""`gapmap demo`: the whole pipeline on one corpus, into the embedded store, then the explorer.

Each stage runs as its own ``python -m gapmap`` process, exactly as a user would type it, so the demo
exercises the real commands and stops at the first stage that fails, naming it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse

import typer
from rich.text import Text

from core.errors import GapmapError
from core.settings import settings
from gapmap.runtime import console, workspace

app = typer.Typer()

DEMO_QUERY = (
    '("multiple sclerosis, chronic progressive"[MeSH Terms] OR "progressive multiple sclerosis"[Title/Abstract]'
    ' OR "primary progressive"[Title/Abstract] OR "secondary progressive"[Title/Abstract])'
    " AND hasabstract"
)
DEMO_MAX = 2000
#: The demo corpus (README, "Quick start"): real records of the shared data folder, MS-focused and spanning
#: 1976–2022 — MS abstracts of 2021 with journals, multi-year MEDLINE records with authors, affiliations and MeSH.
DEMO_FILES = (
    "pubmed_ms_gregory_rss_2021/gregory_pubmed_ms_subset.jsonl.gz",
    "pubmed_medline_oligodendrocyte_dementia/pubmed-oligodendr-set.txt.gz",
    "pubmedqa_pqal/ms_subset.jsonl.gz",
)
PORTFOLIO = Path(str(resources.files("ingest.portfolios") / "ipmsa.yaml"))
NO_NETWORK = (
    "PubMed is not reachable from this machine; pass a local corpus instead: "
    "make demo CORPUS=PATH  (or gapmap demo --corpus PATH, repeatable), e.g. "
    "CORPUS=../shared/data/pubmed_ms_gregory_rss_2021/gregory_pubmed_ms_subset.jsonl.gz"
)


def demo_corpus() -> list[Path]:
    """The demo corpus's files in the shared data folder (``GAPMAP_SHARED_DATA``); empty when it is not there."""
    files = [settings().shared_data / name for name in DEMO_FILES]
    return files if all(f.is_file() for f in files) else []


def _pubmed_reachable(timeout: float = 5.0) -> bool:
    """Can we open a TCP connection to the E-utilities host? (No request is sent.)"""
    url = urlparse(settings().eutils_url)
    try:
        with socket.create_connection((url.hostname or "", url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def _stage(home: Path, title: str, *args: str, allow_rejections: bool = False) -> None:
    """Run one ``gapmap`` stage; exit code 1 from ingest means "some records rejected", which the demo tolerates."""
    console.rule(Text(title, style="bold"))
    cmd = [sys.executable, "-m", "gapmap", "--home", str(home), *args]
    code = subprocess.run(cmd, check=False).returncode
    if code == 0 or (allow_rejections and code == 1):
        return
    raise GapmapError(f"demo stage '{title}' failed (exit {code})", hint="run the stage's command above on its own")


@app.command("demo")
def demo(
    ctx: typer.Context,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="Local corpus file or folder (PubMed XML, MEDLINE, JSONL). Repeatable. Default: the demo corpus "
            "of the shared data folder when it is there, else live PubMed.",
        ),
    ] = None,
    max_records: Annotated[int, typer.Option("--max", help="Cap on records fetched from PubMed.")] = DEMO_MAX,
    no_app: Annotated[bool, typer.Option("--no-app", help="Stop after loading; don't start the explorer.")] = False,
    port: Annotated[int, typer.Option("--port", help="Explorer port.")] = 8501,
) -> None:
    """Ingest a corpus (the shared demo corpus, else live PubMed), extract entities, load the embedded graph, and
    open the explorer."""
    home = workspace(ctx).root
    corpus = corpus or demo_corpus()
    if corpus:
        missing = [str(p) for p in corpus if not p.exists()]
        if missing:
            raise GapmapError(f"corpus not found: {', '.join(missing)}", hint="pass an existing file or folder")
        _stage(home, "ingest files", "ingest", "files", *map(str, corpus), allow_rejections=True)
    else:
        if not _pubmed_reachable():
            raise GapmapError(NO_NETWORK)
        _stage(home, "ingest pubmed", "ingest", "pubmed", DEMO_QUERY, "--max", str(max_records), allow_rejections=True)
    _stage(home, "funding portfolio (IPMSA)", "ingest", "funding", str(PORTFOLIO), allow_rejections=True)
    _stage(home, "extract entities", "extract")
    _stage(home, "load graph (embedded)", "load", "--backend", "embedded")
    _stage(home, "stats", "stats")
    if no_app:
        return
    _stage(home, "explorer", "app", "--port", str(port), "--backend", "embedded")
