"""Full-text search of titles and abstracts: the article store's SQLite FTS5 index, read-only, ranked by bm25.

Why the article store and not the graph: the ingest stage keeps an FTS5 index (``articles_fts``, porter-stemmed
unicode61 tokens) beside every article it stores, so a search matches whole words ("PIRA" finds PIRA, never
"respiratory"), phrases and prefixes, and ranks by relevance (bm25), none of which a ``CONTAINS`` scan over the
graph's text can do.  The file is opened read-only (``mode=ro``) for each search, so a search never writes,
never holds a lock between searches, and reads a consistent snapshot while ``gapmap ingest`` or ``extract``
writes (SQLite's write-ahead log).

User text never reaches SQLite as query syntax: :func:`fts_query` turns it into an FTS5 expression in which
every word and phrase is a double-quoted string (quotes doubled), and that expression is a bound parameter.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError
from ingest.names import clean

#: bm25 weights of the indexed columns (title, abstract): a word in the title counts for more.
TITLE_WEIGHT, ABSTRACT_WEIGHT = 4.0, 1.0
#: Marks around matched words in snippets (control characters, so escaping the text cannot touch them).
MARK_START, MARK_END = "\x02", "\x03"
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_EDGE_PUNCTUATION = re.compile(r"^[^\w*]+|[^\w*]+$")


@dataclass(frozen=True)
class Term:
    """One part of a search: a word or a phrase, matched as a prefix when it ends with ``*``."""

    text: str
    prefix: bool = False
    phrase: bool = False

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + ("*" if self.prefix else "")

    def label(self) -> str:
        shown = f'"{self.text}"' if self.phrase else self.text
        return shown + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed search: groups of terms joined by OR; the terms of a group must all appear (AND)."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]

    def fts(self) -> str:
        parts = [" AND ".join(t.fts() for t in group) for group in self.groups]
        return " OR ".join(f"({p})" if len(self.groups) > 1 else p for p in parts)

    def any_term(self) -> Query:
        """The same terms, any of them (for the hint when every term together finds nothing)."""
        return Query(tuple((t,) for t in self.terms))

    def __bool__(self) -> bool:
        return bool(self.groups)


def parse(text: str) -> Query:
    """User words as a query: bare words must all appear (AND), ``"two words"`` is a phrase, ``remyelin*`` a
    prefix, ``OR`` between two parts means either; ``AND`` is accepted and implied.  Punctuation around a word
    is dropped (``(PIRA),`` is PIRA); words inside one token stay together (``IL-6`` is the phrase "IL 6")."""
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if word is not None and word in {"OR", "|"}:
            if groups[-1]:
                groups.append([])
            continue
        if word is not None and word in {"AND", "&", "+"}:
            continue
        raw = phrase if phrase is not None else _EDGE_PUNCTUATION.sub("", word or "")
        prefix = raw.endswith("*")
        core = raw.rstrip("*").strip()
        if not re.search(r"\w", core):
            continue
        groups[-1].append(Term(core.replace("*", " "), prefix, phrase is not None))
    return Query(tuple(tuple(g) for g in groups if g))


@dataclass(frozen=True)
class Hit:
    """One matching article: bm25 ``score`` (higher is better), and a snippet of the title or abstract, whichever
    matches best, with the matches between the marks."""

    pmid: str
    title: str
    year: int | None
    score: float
    snippet: str


class FullText:
    """Searches over one article store (``articles.sqlite`` of a workspace)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def available(self) -> bool:
        return self.path.exists()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            raise GapmapError(f"no article store at {self.path}", hint="run `gapmap ingest files PATH` first")
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            raise GapmapError(f"cannot search the article store: {exc}", hint="is an ingest rewriting it?") from exc
        finally:
            conn.close()

    def search(
        self, query: Query, *, min_year: int = 0, max_year: int = 9999, limit: int = 25, offset: int = 0
    ) -> list[Hit]:
        """Matching articles in the year range, most relevant first (bm25, title weighted)."""
        if not query:
            return []
        sql = (
            "SELECT f.rowid, a.year, f.title, -bm25(articles_fts, ?, ?) AS score,"
            " snippet(articles_fts, -1, ?, ?, ' … ', 40)"
            " FROM articles_fts f JOIN articles a ON a.pmid = f.rowid"
            " WHERE articles_fts MATCH ? AND coalesce(a.year, 0) BETWEEN ? AND ?"
            " ORDER BY score DESC, a.pmid LIMIT ? OFFSET ?"
        )
        params = (TITLE_WEIGHT, ABSTRACT_WEIGHT, MARK_START, MARK_END, query.fts(), min_year, max_year, limit, offset)
        with self._connect() as conn:
            rows = conn.execute(sql, params).fetchall()
        # titles as the graph stores them (one line, single spaces), so a result reads the same everywhere
        return [
            Hit(str(pmid), clean(title or ""), year, float(score), snip or "")
            for pmid, year, title, score, snip in rows
        ]

    def count(self, query: Query, *, min_year: int = 0, max_year: int = 9999) -> int:
        """How many articles in the year range match."""
        if not query:
            return 0
        sql = (
            "SELECT count(*) FROM articles_fts f JOIN articles a ON a.pmid = f.rowid"
            " WHERE articles_fts MATCH ? AND coalesce(a.year, 0) BETWEEN ? AND ?"
        )
        with self._connect() as conn:
            return int(conn.execute(sql, (query.fts(), min_year, max_year)).fetchone()[0])

    def pmids(self, query: Query, *, min_year: int = 0, max_year: int = 9999) -> list[str]:
        """Every matching PMID in the year range, most relevant first (for facets and downloads)."""
        return [h.pmid for h in self.search(query, min_year=min_year, max_year=max_year, limit=-1)]

    def similar_words(self, word: str, limit: int = 5) -> list[tuple[str, int]]:
        """Indexed words spelled like ``word`` (same first letter, close edit ratio), with their document
        counts: the hint when a word matches nothing (a typo, or a British/American spelling)."""
        import difflib

        stem = word.lower().strip()
        if len(stem) < 3:
            return []
        with self._connect() as conn:
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, 'articles_fts', 'row')")
            rows = conn.execute(
                "SELECT term, doc FROM temp.vocab WHERE term >= ? AND term < ?", (stem[0], chr(ord(stem[0]) + 1))
            ).fetchall()
        docs = dict(rows)
        close = difflib.get_close_matches(stem, list(docs), n=limit, cutoff=0.75)
        return sorted(((t, int(docs[t])) for t in close if t != stem), key=lambda x: -x[1])


def marked_words(snippet: str) -> list[str]:
    """The words a snippet marks as matches."""
    return re.findall(f"{MARK_START}(.*?){MARK_END}", snippet)
