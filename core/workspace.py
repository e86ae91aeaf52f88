"""Where a run's outputs live.

Everything gapmap produces (article store, embedded graph, Neo4j data, caches) sits in one folder so that a
user can back it up, delete it, or point two runs at two folders.  The folder comes from ``--home``, else
``GAPMAP_HOME``, else ``./gapmap-data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError
from core.settings import settings


@dataclass(frozen=True)
class Workspace:
    """Paths of everything a run reads or writes, derived from one root folder."""

    root: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> Workspace:
        return cls(Path(home or settings().home).expanduser().resolve())

    def ensure(self) -> Workspace:
        """Create the folder if needed; a path that is a file or cannot be created is one line, not a traceback."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = "it is a file" if self.root.is_file() else exc.strerror or str(exc)
            raise GapmapError(
                f"cannot use {self.root} as the workspace: {reason}",
                "give --home (or GAPMAP_HOME) a folder that exists or can be created",
            ) from None
        return self

    @property
    def article_store(self) -> Path:
        """SQLite file holding articles, awards and NLP mentions."""
        return self.root / "articles.sqlite"

    @property
    def embedded_graph(self) -> Path:
        """LadybugDB database folder (the embedded graph backend)."""
        return self.root / "graph.lbug"

    @property
    def neo4j_dir(self) -> Path:
        """Data, logs, config and pid of the Neo4j server that ``gapmap neo4j start`` runs."""
        return self.root / "neo4j"

    @property
    def fetch_state(self) -> Path:
        """Resumable state of PubMed downloads."""
        return self.root / "fetch"
