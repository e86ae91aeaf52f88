"""The article store: one SQLite file in the workspace, keyed by PMID.

Why SQLite: it ships with Python (nothing to install or run), it is transactional (a batch is committed
whole or not at all, so a crash mid-batch loses nothing already committed), it has FTS5 for the "search
prior findings" page, and one file is easy to copy.  Records are kept as JSON (the full :class:`Article`)
beside a few indexed columns that queries need (year, DOI, text hash).

Re-ingesting a record never duplicates it: the PMID is the primary key, and a record replaces the stored
one unless the stored one is a newer version (higher PMID version, or later ``date_revised``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError
from ingest.records import Article, Award, Deletion, FundingLink, Programme

#: Seconds a writer waits for another process's batch to commit before giving up with one line.
BUSY_TIMEOUT_S = 60
_DAMAGED = "restore it from a backup, or move it aside and ingest again into a fresh store"
_UNWRITABLE = "make it a file you can write, or give another --home"
_BUSY = (
    f"another gapmap process held it for over {BUSY_TIMEOUT_S} s",
    "wait for that run to end, or use another --home",
)
#: SQLite result codes that say the store file itself is unusable (not a bug in a statement): words, hint.
_FAULTS = {
    "SQLITE_CORRUPT": ("the file is damaged", _DAMAGED),
    "SQLITE_NOTADB": ("the file is not an SQLite database", _DAMAGED),
    "SQLITE_CANTOPEN": ("the file cannot be opened", _UNWRITABLE),
    "SQLITE_READONLY": ("the file is read-only", _UNWRITABLE),
    "SQLITE_PERM": ("no permission to write the file", _UNWRITABLE),
    "SQLITE_IOERR": ("a disk I/O error", "check the disk, then run again: committed batches are kept"),
    "SQLITE_FULL": ("the disk is full", "free disk space, then run again: committed batches are kept"),
    "SQLITE_BUSY": _BUSY,
    "SQLITE_LOCKED": _BUSY,
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    pmid INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    date_revised TEXT NOT NULL DEFAULT '',
    year INTEGER,
    doi TEXT,
    has_abstract INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    source_file TEXT,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS articles_doi ON articles(doi);
CREATE INDEX IF NOT EXISTS articles_year ON articles(year);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, abstract, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS deletions (
    pmid INTEGER PRIMARY KEY,
    source_file TEXT,
    deleted_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS programmes (
    programme_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS awards (
    award_id TEXT PRIMARY KEY,
    funder TEXT NOT NULL,
    programme_id TEXT,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS funding_links (
    pmid INTEGER NOT NULL,
    award_id TEXT NOT NULL,
    provenance TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (pmid, award_id, provenance)
);
CREATE TABLE IF NOT EXISTS ingest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT (datetime('now')),
    stored INTEGER NOT NULL,
    rejected INTEGER NOT NULL
);
"""


def text_hash(article: Article) -> str:
    """Hash of what the NLP stage reads (title + abstract + MeSH + chemicals), to detect changed text."""
    payload = json.dumps(
        [
            article.title,
            article.abstract_text,
            [m.descriptor_ui for m in article.mesh],
            [c.ui or c.name for c in article.chemicals],
        ],
        ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def store_fault(path: Path, exc: sqlite3.Error) -> GapmapError | None:
    """The one-line error for a fault of the store file itself, or None when ``exc`` is something else.

    Told apart by SQLite's result code (``SQLITE_CORRUPT_VTAB`` → ``SQLITE_CORRUPT``), not by message text.
    """
    code = "_".join((getattr(exc, "sqlite_errorname", "") or "").split("_")[:2])
    if code not in _FAULTS:
        return None
    words, hint = _FAULTS[code]
    return GapmapError(f"article store {path}: {words} ({exc})", hint)


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_newer: int = 0  # the store already held a newer version
    deleted: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept_newer += other.kept_newer
        self.deleted += other.deleted
        return self

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged


class ArticleStore:
    """Read and write articles, awards and funding links in one SQLite file.

    Other stages open their own tables in the same file through :meth:`connection` (the NLP stage keeps
    its mentions here), so one backup holds a whole run.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        except OSError as exc:
            raise GapmapError(f"cannot create {self.path.parent}: {exc.strerror or exc}", _UNWRITABLE) from None
        except sqlite3.Error as exc:
            raise store_fault(self.path, exc) or exc from None
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            self._conn.close()
            raise store_fault(self.path, exc) or exc from None

    # -- plumbing ------------------------------------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> ArticleStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        """Close; a fault of the store file met inside the ``with`` block leaves as one GapmapError line."""
        self.close()
        if isinstance(exc, sqlite3.Error) and (fault := store_fault(self.path, exc)):
            raise fault from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic batch: committed whole, or rolled back whole on any error.

        It takes the write lock before its first read (BEGIN IMMEDIATE): an upsert reads the stored row
        before replacing it, and in a deferred transaction a second ``gapmap ingest`` on the same workspace
        could write the same PMID in between (an IntegrityError on the search index).  A second writer
        now waits for the lock, up to BUSY_TIMEOUT_S per batch, so two runs take turns batch by batch.
        """
        with self._conn:
            if not self._conn.in_transaction:
                self._conn.execute("BEGIN IMMEDIATE")
            yield self._conn

    # -- articles ------------------------------------------------------------------------------------

    def write_batch(self, events: Iterable[Article | Deletion]) -> UpsertResult:
        """Apply upserts and deletions in their order, in one transaction.

        Order matters: PubMed's update files delete records that later files (or later entries of the same
        file) add back, and the last event for a PMID must win however the events were cut into batches.
        """
        result = UpsertResult()
        with self.transaction() as conn:
            for event in events:
                if isinstance(event, Deletion):
                    result.deleted += self._delete_one(conn, int(event.pmid), source=event.source_file)
                else:
                    self._upsert_one(conn, event, result)
        return result

    def _upsert_one(self, conn: sqlite3.Connection, article: Article, result: UpsertResult) -> None:
        pmid = int(article.pmid)
        digest = text_hash(article)
        data = json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True)
        row = conn.execute("SELECT version, date_revised, data FROM articles WHERE pmid = ?", (pmid,)).fetchone()
        if row is not None:
            version, revised, old_data = row
            if (article.pmid_version, article.date_revised or "") < (version, revised or ""):
                result.kept_newer += 1
                return
            if old_data == data:
                result.unchanged += 1
                return
            conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (pmid,))
            result.updated += 1
        else:
            result.inserted += 1
        conn.execute(
            "INSERT OR REPLACE INTO articles (pmid, version, date_revised, year, doi, has_abstract, text_hash,"
            " source_file, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))",
            (
                pmid,
                article.pmid_version,
                article.date_revised,
                article.year,
                article.doi.lower() or None,
                int(article.has_abstract),
                digest,
                article.source_file,
                data,
            ),
        )
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, abstract) VALUES (?, ?, ?)",
            (pmid, article.title, article.abstract_text),
        )
        conn.execute("DELETE FROM deletions WHERE pmid = ?", (pmid,))

    def _delete_one(self, conn: sqlite3.Connection, pmid: int, source: str) -> int:
        gone = conn.execute("DELETE FROM articles WHERE pmid = ?", (pmid,)).rowcount
        conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (pmid,))
        conn.execute("INSERT OR REPLACE INTO deletions (pmid, source_file) VALUES (?, ?)", (pmid, source))
        return gone

    def get(self, pmid: str | int) -> Article | None:
        row = self._conn.execute("SELECT data FROM articles WHERE pmid = ?", (int(pmid),)).fetchone()
        return Article.from_dict(json.loads(row[0])) if row else None

    def has(self, pmid: str | int) -> bool:
        return self._conn.execute("SELECT 1 FROM articles WHERE pmid = ?", (int(pmid),)).fetchone() is not None

    def pmids(self) -> set[str]:
        return {str(r[0]) for r in self._conn.execute("SELECT pmid FROM articles")}

    def pmid_for_doi(self, doi: str) -> str | None:
        row = self._conn.execute("SELECT pmid FROM articles WHERE doi = ?", (doi.lower(),)).fetchone()
        return str(row[0]) if row else None

    def iter_articles(self, pmids: Iterable[str] | None = None, batch: int = 500) -> Iterator[Article]:
        """Stream articles in PMID order without loading the table (keyset pagination)."""
        if pmids is not None:
            for pmid in pmids:
                article = self.get(pmid)
                if article is not None:
                    yield article
            return
        last = -1
        while True:
            rows = self._conn.execute(
                "SELECT pmid, data FROM articles WHERE pmid > ? ORDER BY pmid LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for _pmid, data in rows:
                yield Article.from_dict(json.loads(data))
            last = rows[-1][0]

    def text_hashes(self) -> Iterator[tuple[str, str]]:
        """(pmid, text hash) for every article: the NLP stage compares these to decide what to re-annotate."""
        for pmid, digest in self._conn.execute("SELECT pmid, text_hash FROM articles ORDER BY pmid"):
            yield str(pmid), digest

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str, str]]:
        """Full-text search: (pmid, title, snippet) best first. ``query`` is FTS5 syntax, bound as a parameter."""
        rows = self._conn.execute(
            "SELECT rowid, title, snippet(articles_fts, 1, '[', ']', ' … ', 24) FROM articles_fts"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (query, limit),
        ).fetchall()
        return [(str(r[0]), r[1], r[2]) for r in rows]

    # -- funding -------------------------------------------------------------------------------------

    def write_portfolio(self, programmes: Iterable[Programme], awards: Iterable[Award]) -> tuple[int, int]:
        """Upsert programmes and awards in one transaction; returns (programmes, awards) written."""
        n_prog = n_award = 0
        with self.transaction() as conn:
            for prog in programmes:
                conn.execute(
                    "INSERT OR REPLACE INTO programmes (programme_id, data) VALUES (?, ?)",
                    (prog.programme_id, json.dumps(prog.__dict__, ensure_ascii=False, sort_keys=True)),
                )
                n_prog += 1
            for award in awards:
                conn.execute(
                    "INSERT OR REPLACE INTO awards (award_id, funder, programme_id, data) VALUES (?, ?, ?, ?)",
                    (
                        award.award_id,
                        award.funder,
                        award.programme_id,
                        json.dumps(award.to_dict(), ensure_ascii=False, sort_keys=True),
                    ),
                )
                n_award += 1
        return n_prog, n_award

    def awards(self) -> list[Award]:
        return [Award(**json.loads(r[0])) for r in self._conn.execute("SELECT data FROM awards ORDER BY award_id")]

    def programmes(self) -> list[Programme]:
        return [
            Programme(**json.loads(r[0]))
            for r in self._conn.execute("SELECT data FROM programmes ORDER BY programme_id")
        ]

    def write_links(self, links: Iterable[FundingLink]) -> int:
        """Add publication ↔ award links (idempotent on pmid, award and provenance)."""
        n = 0
        with self.transaction() as conn:
            for link in links:
                n += conn.execute(
                    "INSERT OR IGNORE INTO funding_links (pmid, award_id, provenance, detail) VALUES (?, ?, ?, ?)",
                    (int(link.pmid), link.award_id, link.provenance, link.detail),
                ).rowcount
        return n

    def funding_links(self) -> list[FundingLink]:
        return [
            FundingLink(str(r[0]), r[1], r[2], r[3])
            for r in self._conn.execute(
                "SELECT pmid, award_id, provenance, detail FROM funding_links ORDER BY pmid, award_id, provenance"
            )
        ]

    # -- bookkeeping ---------------------------------------------------------------------------------

    def log_run(self, command: str, stored: int, rejected: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ingest_runs (command, stored, rejected) VALUES (?, ?, ?)", (command, stored, rejected)
            )

    def stats(self) -> dict[str, object]:
        """The article-store part of ``gapmap stats --json``."""
        conn = self._conn
        by_year = {
            str(y if y is not None else "unknown"): n
            for y, n in conn.execute("SELECT year, count(*) FROM articles GROUP BY year ORDER BY year")
        }
        last = conn.execute("SELECT max(finished_at) FROM ingest_runs").fetchone()[0]
        return {
            "articles": self.count(),
            "articles_with_abstract": int(
                conn.execute("SELECT count(*) FROM articles WHERE has_abstract = 1").fetchone()[0]
            ),
            "by_year": by_year,
            "awards": int(conn.execute("SELECT count(*) FROM awards").fetchone()[0]),
            "programmes": int(conn.execute("SELECT count(*) FROM programmes").fetchone()[0]),
            "funded_links": int(conn.execute("SELECT count(*) FROM funding_links").fetchone()[0]),
            "funded_articles": int(conn.execute("SELECT count(DISTINCT pmid) FROM funding_links").fetchone()[0]),
            "deleted": int(conn.execute("SELECT count(*) FROM deletions").fetchone()[0]),
            "last_ingest": last,
        }
