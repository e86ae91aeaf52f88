"""`gapmap extract` end to end on real abstracts: incremental, re-annotation, deletions, workers, CLI."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, cast

import pytest

from ingest.jsonl import iter_jsonl
from ingest.records import AbstractSection, Article, Deletion
from ingest.store import ArticleStore
from nlp.extract import extract
from nlp.mention_store import MentionStore
from nlp.pipeline import DEFAULT_CACHE, Pipeline, load_pipeline

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pipeline(shared: Path) -> Pipeline:
    return load_pipeline(model_dir=None)


@pytest.fixture(scope="module")
def articles(shared: Path) -> list[Article]:
    path = shared / "pubmed_ms_gregory_rss_2021" / "gregory_pubmed_abstracts.jsonl.gz"
    with gzip.open(path, "rb") as stream:
        return [
            a for a in itertools.islice(iter_jsonl(cast(BinaryIO, stream), str(path)), 150) if isinstance(a, Article)
        ]


def _mention_rows(store: ArticleStore) -> list[tuple]:  # type: ignore[type-arg]
    return [tuple(m.to_dict().values()) for m in MentionStore(store.connection).iter_mentions()]


def test_extract_is_incremental_and_follows_changes(
    tmp_path: Path, pipeline: Pipeline, articles: list[Article]
) -> None:
    with ArticleStore(tmp_path / "articles.sqlite") as store:
        store.write_batch(articles)
        first = extract(store, pipeline, batch_size=32)
        assert first.annotated == len(articles) and first.mentions > 5 * len(articles) and not first.failed
        mentions = MentionStore(store.connection)
        assert mentions.stats()["annotated_articles"] == len(articles)
        ids = {c.concept_id for c in mentions.concepts()}
        assert {m.concept_id for m in mentions.iter_mentions()} <= ids

        assert extract(store, pipeline).pending == 0  # nothing to do on a re-run

        changed = replace(articles[0], abstract=[AbstractSection("Ocrelizumab lowered serum NfL in PPMS.")])
        store.write_batch([changed])
        again = extract(store, pipeline)
        assert (again.pending, again.annotated) == (1, 1)
        texts = {m.text for m in mentions.iter_mentions([changed.pmid])}
        assert {"Ocrelizumab", "NfL", "PPMS"} <= texts

        gone = articles[1].pmid
        store.write_batch([Deletion(gone)])
        assert extract(store, pipeline).forgotten == 1
        assert list(mentions.iter_mentions([gone])) == []


def test_workers_give_the_same_mentions_and_bad_records_do_not_stop_the_run(
    tmp_path: Path, pipeline: Pipeline, articles: list[Article]
) -> None:
    odd = [
        Article(pmid="1", title=""),
        Article(pmid="2", title="NfL", abstract=[AbstractSection("x" * 100_000)]),
        Article(pmid="3", title="Esclerosis múltiple (EM) y NfL sérico İ\u200b 🙂"),
    ]
    results = []
    for workers, name in ((1, "one"), (2, "two")):
        with ArticleStore(tmp_path / f"{name}.sqlite") as store:
            store.write_batch(articles[:60] + odd)
            report = extract(store, pipeline, workers=workers, batch_size=16)
            assert report.annotated + len(report.failed) == 63
            assert all(pmid in {"1", "2", "3"} for pmid, _ in report.failed)
            results.append(_mention_rows(store))
    assert results[0] == results[1]


def test_cli_extract_json_summary(tmp_path: Path, articles: list[Article], shared: Path) -> None:
    with ArticleStore(tmp_path / "articles.sqlite") as store:
        store.write_batch(articles[:20])
    # one linker index per machine (built once when nlp/model exists), not one per test workspace
    env = {**os.environ, "GAPMAP_SHARED_DATA": str(shared), "GAPMAP_CACHE": str(DEFAULT_CACHE)}
    cmd = [sys.executable, "-m", "gapmap", "--home", str(tmp_path), "extract", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert (summary["pending"], summary["annotated"], summary["failed"]) == (20, 20, [])

    empty = subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(tmp_path / "nowhere"), "extract"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )
    assert empty.returncode == 2 and "no article store" in empty.stderr
