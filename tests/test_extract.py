"""`gapmap extract` end to end on real abstracts: incremental, re-annotation, deletions, workers, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import gregory_articles

from core.settings import settings
from ingest.records import AbstractSection, Article, Deletion
from ingest.store import ArticleStore
from nlp.extract import extract
from nlp.mention_store import MentionStore
from nlp.pipeline import Pipeline, load_pipeline

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pipeline(shared: Path) -> Pipeline:
    return load_pipeline(model_dir=None)


@pytest.fixture(scope="module")
def articles(shared: Path) -> list[Article]:
    return gregory_articles(shared, 150)


def _nlp_rows(store: ArticleStore) -> list[tuple]:  # type: ignore[type-arg]
    """Every mention and relation the NLP stage stored, as tuples (relations tagged, so both sorts compare)."""
    stored = MentionStore(store.connection)
    mentions = [tuple(m.to_dict().values()) for m in stored.iter_mentions()]
    return mentions + [("relation", *r.to_dict().values()) for r in stored.iter_relations()]


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
        # typed relations are stored beside the mentions, between concepts the same article mentions
        relations = list(mentions.iter_relations())
        assert len(relations) > len(articles) and sum(mentions.stats()["relations"].values()) == len(relations)
        mentioned = {(m.pmid, m.concept_id) for m in mentions.iter_mentions()}
        assert all({(r.pmid, r.subject), (r.pmid, r.object)} <= mentioned and r.sentence for r in relations)

        assert extract(store, pipeline).pending == 0  # nothing to do on a re-run

        changed = replace(articles[0], abstract=[AbstractSection("Ocrelizumab lowered serum NfL in PPMS.")])
        store.write_batch([changed])
        again = extract(store, pipeline)
        assert (again.pending, again.annotated) == (1, 1)
        texts = {m.text for m in mentions.iter_mentions([changed.pmid])}
        assert {"Ocrelizumab", "NfL", "PPMS"} <= texts
        assert mentions.contexts()[changed.pmid].ms_population == {"PPMS"}  # the context follows the text
        # the MS reading the relation model was not trained on: a compound lowering a fluid biomarker
        stated = {
            (r.subject, r.object, r.type, r.directed, r.sentence) for r in mentions.iter_relations([changed.pmid])
        }
        lowered = ("MESH:C533411", "GAPMAP:neurofilament-light-chain", "Negative_Correlation", True)
        assert (*lowered, "Ocrelizumab lowered serum NfL in PPMS.") in stated

        gone = articles[1].pmid
        store.write_batch([Deletion(gone)])
        assert extract(store, pipeline).forgotten == 1
        assert list(mentions.iter_mentions([gone])) == [] and list(mentions.iter_relations([gone])) == []
        assert gone not in mentions.contexts() and len(mentions.contexts()) == len(articles) - 1


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
            results.append(_nlp_rows(store))
    assert results[0] == results[1]


def test_cli_extract_json_summary(tmp_path: Path, articles: list[Article], shared: Path) -> None:
    with ArticleStore(tmp_path / "articles.sqlite") as store:
        store.write_batch(articles[:20])
    # one linker index per machine (built once when nlp/model exists), not one per test workspace
    env = {**os.environ, "GAPMAP_SHARED_DATA": str(shared), "GAPMAP_CACHE": str(settings().cache)}
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


def test_dask_local_cluster_gives_exactly_the_single_process_mentions(
    tmp_path: Path, pipeline: Pipeline, articles: list[Article]
) -> None:
    """Two real worker processes, each loading its own pipeline; the client writes the same rows."""
    from distributed import Client, LocalCluster

    from nlp.dask_cluster import DaskAnnotator

    rows = []
    with ArticleStore(tmp_path / "single.sqlite") as store:
        store.write_batch(articles[:80])
        extract(store, pipeline, batch_size=8)
        rows.append(_nlp_rows(store))
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    annotator = DaskAnnotator(Client(cluster), model_dir=None)
    try:
        assert annotator.workers() == 2
        with ArticleStore(tmp_path / "dask.sqlite") as store:
            store.write_batch(articles[:80])
            report = extract(store, pipeline, batch_size=8, annotator=annotator)
            assert (report.pending, report.annotated, report.failed) == (80, 80, [])
            rows.append(_nlp_rows(store))
    finally:
        annotator.close()
    assert len(rows[0]) > 400 and sorted(rows[0]) == sorted(rows[1])
    assert any(row[0] == "relation" for row in rows[1])  # the workers' relations come back with their mentions


def test_workers_are_told_to_load_their_own_installed_model(tmp_path: Path) -> None:
    """On another machine the packaged model sits at another path: the client names it, not its own path."""
    from nlp.dask_cluster import PACKAGED_MODEL, model_argument
    from nlp.ner_model import MODEL_DIR

    assert model_argument(MODEL_DIR) == PACKAGED_MODEL
    assert model_argument(tmp_path) == str(tmp_path) and model_argument(None) is None


def test_cli_extract_on_dask_equals_the_plain_run(tmp_path: Path, articles: list[Article], shared: Path) -> None:
    env = {**os.environ, "GAPMAP_SHARED_DATA": str(shared), "GAPMAP_CACHE": str(settings().cache)}
    rows = []
    for name, extra in (("plain", []), ("dask", ["--dask-local", "2"])):
        with ArticleStore(tmp_path / name / "articles.sqlite") as store:
            store.write_batch(articles[:20])
        cmd = [sys.executable, "-m", "gapmap", "--home", str(tmp_path / name), "extract", "--json", *extra]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout.strip().splitlines()[-1])["annotated"] == 20
        with ArticleStore(tmp_path / name / "articles.sqlite") as store:
            rows.append(sorted(_nlp_rows(store)))
    assert rows[0] and rows[0] == rows[1]

    both = subprocess.run(
        [
            sys.executable,
            "-m",
            "gapmap",
            "--home",
            str(tmp_path / "plain"),
            "extract",
            "--scheduler",
            "x",
            "--dask-local",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )
    assert both.returncode == 2 and "exclude each other" in both.stderr
