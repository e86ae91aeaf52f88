"""Mentions, relations and concepts, kept in the article store's SQLite file beside the articles they annotate.

An article is annotated once per (pipeline version, text hash): :meth:`MentionStore.pending` lists the
articles that are new, changed, or were annotated by an older pipeline, so ``gapmap extract`` is
incremental and a new pipeline version re-annotates everything.  Replacing an article's mentions is one
transaction, so a crash never leaves half an article annotated.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from nlp.records import Concept, Mention, Relation
from nlp.study_context import StudyContext

SCHEMA = """
CREATE TABLE IF NOT EXISTS concepts (
    concept_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    synonyms TEXT NOT NULL DEFAULT '[]',
    xrefs TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS mentions (
    pmid INTEGER NOT NULL,
    section TEXT NOT NULL,
    sentence_index INTEGER NOT NULL,
    sentence TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    type TEXT NOT NULL,
    concept_id TEXT NOT NULL,
    concept_name TEXT NOT NULL,
    source TEXT NOT NULL,
    score REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS mentions_pmid ON mentions(pmid);
CREATE INDEX IF NOT EXISTS mentions_concept ON mentions(concept_id);
CREATE TABLE IF NOT EXISTS relations (
    pmid INTEGER NOT NULL,
    subject TEXT NOT NULL,
    object TEXT NOT NULL,
    type TEXT NOT NULL,
    directed INTEGER NOT NULL,
    novel INTEGER NOT NULL,
    score REAL NOT NULL,
    sentence_index INTEGER NOT NULL,
    sentence TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    subject_type TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS relations_pmid ON relations(pmid);
CREATE TABLE IF NOT EXISTS contexts (
    pmid INTEGER PRIMARY KEY,
    context TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mesh_heading_uis (
    pmid INTEGER NOT NULL,
    name TEXT NOT NULL,
    ui TEXT NOT NULL,
    PRIMARY KEY (pmid, name)
);
CREATE TABLE IF NOT EXISTS annotated (
    pmid INTEGER PRIMARY KEY,
    pipeline_version TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    annotated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
"""

_COLUMNS = (
    "pmid, section, sentence_index, sentence, start, end, text, type, concept_id, concept_name, source, score, kind"
)
_RELATION_COLUMNS = (
    "pmid, subject, object, type, directed, novel, score, sentence_index, sentence, evidence, subject_type, object_type"
)


@dataclass
class Annotation:
    """The NLP stage's output for one article: its mentions, study context, the descriptor UIs of its MeSH
    headings named without one (lower-cased name -> UI) and its relations, and the text hash they came from."""

    pmid: str
    text_hash: str
    mentions: list[Mention]
    context: StudyContext
    mesh_uis: dict[str, str] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)


class MentionStore:
    """Mentions, concepts and annotation bookkeeping on an open SQLite connection (the article store's)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        conn.executescript(SCHEMA)

    def pending(self, text_hashes: Iterable[tuple[str, str]], pipeline_version: str) -> list[str]:
        """PMIDs whose (text hash, pipeline version) differs from what was last annotated."""
        done = {
            str(pmid): (digest, version)
            for pmid, digest, version in self._conn.execute("SELECT pmid, text_hash, pipeline_version FROM annotated")
        }
        return [pmid for pmid, digest in text_hashes if done.get(pmid) != (digest, pipeline_version)]

    def write(self, annotations: Iterable[Annotation], pipeline_version: str) -> int:
        """Replace what the stage stored for each annotated article (mentions, relations, study context, MeSH
        heading ids), all in one transaction; returns mentions written."""
        written = 0
        with self._conn:
            for ann in annotations:
                pmid = int(ann.pmid)
                for table in ("mentions", "relations", "mesh_heading_uis"):
                    self._conn.execute(f"DELETE FROM {table} WHERE pmid = ?", (pmid,))
                self._conn.executemany(
                    "INSERT INTO mesh_heading_uis (pmid, name, ui) VALUES (?, ?, ?)",
                    [(pmid, name, ui) for name, ui in sorted(ann.mesh_uis.items())],
                )
                self._conn.executemany(
                    f"INSERT INTO relations ({_RELATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            pmid,
                            r.subject,
                            r.object,
                            r.type,
                            int(r.directed),
                            int(r.novel),
                            r.score,
                            r.sentence_index,
                            r.sentence,
                            json.dumps(r.evidence),
                            r.subject_type,
                            r.object_type,
                        )
                        for r in ann.relations
                    ],
                )
                self._conn.executemany(
                    f"INSERT INTO mentions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            pmid,
                            m.section,
                            m.sentence_index,
                            m.sentence,
                            m.start,
                            m.end,
                            m.text,
                            m.type,
                            m.concept_id,
                            m.concept_name,
                            m.source,
                            m.score,
                            m.kind,
                        )
                        for m in ann.mentions
                    ],
                )
                self._conn.execute(
                    "INSERT OR REPLACE INTO contexts (pmid, context) VALUES (?, ?)",
                    (pmid, json.dumps(ann.context.to_dict(), sort_keys=True)),
                )
                self._conn.execute(
                    "INSERT OR REPLACE INTO annotated (pmid, pipeline_version, text_hash, mentions)"
                    " VALUES (?, ?, ?, ?)",
                    (pmid, pipeline_version, ann.text_hash, len(ann.mentions)),
                )
                written += len(ann.mentions)
        return written

    def forget(self, pmids: Iterable[str]) -> None:
        """Drop mentions, relations, study contexts and MeSH heading ids of articles that left the article store."""
        with self._conn:
            for pmid in pmids:
                for table in ("mentions", "relations", "contexts", "mesh_heading_uis", "annotated"):
                    self._conn.execute(f"DELETE FROM {table} WHERE pmid = ?", (int(pmid),))

    def upsert_concepts(self, concepts: Iterable[Concept]) -> None:
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO concepts (concept_id, name, type, kind, synonyms, xrefs)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.concept_id,
                        c.name,
                        c.type,
                        c.kind,
                        json.dumps(c.synonyms, ensure_ascii=False),
                        json.dumps(c.xrefs),
                    )
                    for c in concepts
                ],
            )

    def concepts(self) -> Iterator[Concept]:
        for cid, name, type_, kind, synonyms, xrefs in self._conn.execute(
            "SELECT concept_id, name, type, kind, synonyms, xrefs FROM concepts ORDER BY concept_id"
        ):
            yield Concept(cid, name, type_, json.loads(synonyms), kind, json.loads(xrefs))

    def iter_mentions(self, pmids: Iterable[str] | None = None) -> Iterator[Mention]:
        """Mentions in (pmid, start) order; all of them, or those of ``pmids``."""
        if pmids is None:
            cursor = self._conn.execute(f"SELECT {_COLUMNS} FROM mentions ORDER BY pmid, start, end, concept_id")
            for row in cursor:
                yield _mention(row)
            return
        for pmid in pmids:
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM mentions WHERE pmid = ? ORDER BY start, end, concept_id", (int(pmid),)
            ):
                yield _mention(row)

    def iter_relations(self, pmids: Iterable[str] | None = None) -> Iterator[Relation]:
        """Relations in (pmid, subject, object, type) order; all of them, or those of ``pmids``."""
        order = "ORDER BY pmid, subject, object, type"
        if pmids is None:
            for row in self._conn.execute(f"SELECT {_RELATION_COLUMNS} FROM relations {order}"):
                yield _relation(row)
            return
        for pmid in pmids:
            query = f"SELECT {_RELATION_COLUMNS} FROM relations WHERE pmid = ? {order}"
            for row in self._conn.execute(query, (int(pmid),)):
                yield _relation(row)

    def contexts(self) -> dict[str, StudyContext]:
        """pmid → study context of every annotated article (one small row each, read whole by the graph load)."""
        return {
            str(pmid): StudyContext.from_dict(json.loads(text))
            for pmid, text in self._conn.execute("SELECT pmid, context FROM contexts")
        }

    def mesh_uis(self) -> dict[str, str]:
        """Lower-cased MeSH heading name -> descriptor UI, for the headings records name without a UI: the graph
        loader's MeSH term ids (resolved by :func:`nlp.record_terms.heading_uis` when the articles were annotated)."""
        return dict(self._conn.execute("SELECT DISTINCT name, ui FROM mesh_heading_uis ORDER BY name, ui"))

    def annotated_hashes(self) -> dict[str, str]:
        """pmid → text hash of the annotation currently stored (the graph loader uses it to spot changes)."""
        return {str(p): h for p, h in self._conn.execute("SELECT pmid, text_hash FROM annotated")}

    def stats(self) -> dict[str, object]:
        """The NLP part of ``gapmap stats --json``: mention count, distinct concepts per type, relations per type."""
        mentions = int(self._conn.execute("SELECT count(*) FROM mentions").fetchone()[0])
        relations = {
            t: n for t, n in self._conn.execute("SELECT type, count(*) FROM relations GROUP BY type ORDER BY type")
        }
        entities = {
            t: n
            for t, n in self._conn.execute(
                "SELECT type, count(DISTINCT concept_id) FROM mentions GROUP BY type ORDER BY type"
            )
        }
        annotated = int(self._conn.execute("SELECT count(*) FROM annotated").fetchone()[0])
        return {"mentions": mentions, "entities": entities, "relations": relations, "annotated_articles": annotated}


def _mention(row: tuple) -> Mention:  # type: ignore[type-arg]
    pmid, *rest = row
    return Mention(str(pmid), *rest)


def _relation(row: tuple) -> Relation:  # type: ignore[type-arg]
    pmid, subject, object_, type_, directed, novel, score, index, sentence, evidence, subject_type, object_type = row
    return Relation(
        str(pmid),
        subject,
        object_,
        type_,
        bool(directed),
        bool(novel),
        score,
        index,
        sentence,
        json.loads(evidence),
        subject_type,
        object_type,
    )
