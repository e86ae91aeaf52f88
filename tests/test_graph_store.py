"""Graph load and named queries on real PubMed records: idempotence, replacement of changed articles,
recovery from an interrupted load, CLI, networkx projection, and embedded ↔ Neo4j parity."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import GAPMAP, extract, loaded_workspace, need

from core.errors import GapmapError
from core.workspace import Workspace
from graph import queries, to_networkx
from graph.embedded import EmbeddedStore
from graph.export_admin import export_admin, run_import
from graph.load import load
from graph.staging import staged_path
from graph.store import Row
from ingest.records import Deletion
from ingest.store import ArticleStore
from nlp.mention_store import MentionStore


@pytest.fixture(scope="module")
def corpus(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return loaded_workspace(shared, tmp_path_factory.mktemp("graph"))


@pytest.fixture
def embedded(corpus: Workspace) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(corpus.embedded_graph)
    yield store
    store.close()


def snapshot(store: Any) -> dict[str, Any]:
    """Counts plus the full contents of the corpus-wide queries: what must not differ between two graphs."""
    return {
        "counts": store.counts(),
        "edges": store.query("co_occurrence_edges"),
        "nodes": store.query("entity_nodes"),
        "pairs": store.query("paper_entities"),
        "overview": store.query("overview_counts"),
        # the load-time aggregates (EntityYear, CO_OCCURS_IN), through the queries that read them
        "entity_years": store.query("portfolio_coverage", {"min_year": 2010, "max_year": 2016, "limit": 10**6}),
        "cells": store.query("landscape_matrix", {"row_type": "Disease", "col_type": "Gene", "limit": 10**6}),
        "relations": store.query("relation_edges"),
    }


def fresh_load(ws: Workspace, root: Path) -> dict[str, Any]:
    store = EmbeddedStore(root / "fresh.lbug")
    with ArticleStore(ws.article_store) as articles:
        load(articles, store)
    try:
        return snapshot(store)
    finally:
        store.close()


def drop_graph(ws: Workspace) -> None:
    for path in ws.root.glob(ws.embedded_graph.name + "*"):  # the database file and its write-ahead log
        path.unlink()


def copy_workspace(ws: Workspace, root: Path) -> Workspace:
    shutil.copytree(ws.root, root)
    return Workspace(root)


# -- loading -------------------------------------------------------------------------------------------


def test_load_builds_the_schema_from_real_records(embedded: EmbeddedStore, corpus: Workspace) -> None:
    counts = embedded.counts()
    with ArticleStore(corpus.article_store) as articles:
        assert counts["nodes"]["Publication"] == articles.count()
        mentions = MentionStore(articles.connection)
        pairs = {(m.pmid, m.concept_id) for m in mentions.iter_mentions()}
        assert counts["relationships"]["MENTIONS"] == len(pairs)
        assert counts["nodes"]["Award"] == len(articles.awards()) > 0
    assert counts["nodes"]["Entity"] == sum(
        counts["nodes"][t] for t in ("Compound", "Mechanism", "Biomarker", "Gene", "CellType", "Disease")
    )
    for label in ("Author", "Institution", "Journal", "MeshTerm", "Funder", "Programme"):
        assert counts["nodes"][label] > 0, label
    for type_ in ("AUTHORED", "AFFILIATED_WITH", "PUBLISHED_IN", "ANNOTATED_WITH", "CO_OCCURS", "PART_OF"):
        assert counts["relationships"][type_] > 0, type_
    # the ORCID of the PubMed XML sample becomes the author id
    orcids = "MATCH (a:Author) WHERE a.id STARTS WITH 'orcid:' RETURN count(a) AS n"
    assert next(iter(embedded._run(orcids)))["n"] > 0


def test_medline_headings_become_mesh_terms_with_descriptor_ids(embedded: EmbeddedStore, corpus: Workspace) -> None:
    """MEDLINE text names headings without ids: the loader takes the ids the NLP stage resolved and stored."""
    with ArticleStore(corpus.article_store) as articles:
        named = {h.descriptor_name for a in articles.iter_articles() for h in a.mesh if not h.descriptor_ui}
        resolved = MentionStore(articles.connection).mesh_uis()
    assert len(named) > 500 and len(resolved) >= len(named) - 5
    terms = {r["name"]: r["ui"] for r in embedded._run("MATCH (m:MeshTerm) RETURN m.name AS name, m.ui AS ui")}
    assert terms["Humans"] == "D006801" and terms["Oligodendroglia"] == "D009836"
    unresolved = {name for name in named if name.lower() not in resolved}
    assert {n for n, ui in terms.items() if ui.startswith("name:")} == unresolved


def test_second_load_writes_nothing_and_changes_nothing(corpus: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(corpus, tmp_path / "ws")
    store = EmbeddedStore(ws.embedded_graph)
    before = snapshot(store)
    with ArticleStore(ws.article_store) as articles:
        report = load(articles, store)
    assert report.written == 0 and report.unchanged == report.publications > 0
    assert snapshot(store) == before
    # the corpus-wide step writes only differences: nothing but the portfolio's links is re-created
    portfolio = sum(before["counts"]["relationships"][t] for t in ("PART_OF", "OFFERS", "FUNDS"))
    assert report.relationships == portfolio
    store.close()


def test_changed_article_replaces_its_mentions_and_cooccurrences(corpus: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(corpus, tmp_path / "ws")
    with ArticleStore(ws.article_store) as articles:
        article = next(a for a in articles.iter_articles() if a.abstract and a.mesh)
        articles.write_batch([replace(article, abstract=[], mesh=article.mesh[:1], date_revised="2099-01-01")])
    extract(ws)
    store = EmbeddedStore(ws.embedded_graph)
    before = {r["id"] for r in store.query("publication_entities", {"pmid": article.pmid})}
    with ArticleStore(ws.article_store) as articles:
        report = load(articles, store)
        expected = {m.concept_id for m in MentionStore(articles.connection).iter_mentions([article.pmid])}
    assert report.written == 1
    after = {r["id"] for r in store.query("publication_entities", {"pmid": article.pmid})}
    assert after == expected != before
    incremental = snapshot(store)
    store.close()
    assert incremental == fresh_load(ws, tmp_path)


def test_deleted_article_leaves_the_graph(corpus: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(corpus, tmp_path / "ws")
    with ArticleStore(ws.article_store) as articles:
        pmid = sorted(articles.pmids())[0]
        articles.write_batch([Deletion(pmid)])
        MentionStore(articles.connection).forget([pmid])
        store = EmbeddedStore(ws.embedded_graph)
        report = load(articles, store)
    assert report.removed == 1
    assert store.query("publication_detail", {"pmid": pmid}) == []
    incremental = snapshot(store)
    store.close()
    assert incremental == fresh_load(ws, tmp_path)


class _FailingStore(EmbeddedStore):
    """The real embedded store, failing inside the third publication batch (after its deletes and nodes)."""

    calls = 0

    def write_publications(self, pmids: list[str], nodes: dict[str, list[Row]], rels: dict[str, list[Row]]) -> None:
        type(self).calls += 1
        if type(self).calls == 3:
            with self._transaction():
                self._drain("MATCH (p:Publication)-[r:MENTIONS]->() WHERE p.pmid IN $pmids DELETE r", {"pmids": pmids})
                raise RuntimeError("killed mid-batch")
        super().write_publications(pmids, nodes, rels)


def test_interrupted_load_then_rerun_ends_consistent(corpus: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(corpus, tmp_path / "ws")
    drop_graph(ws)
    store = _FailingStore(ws.embedded_graph)
    with ArticleStore(ws.article_store) as articles, pytest.raises(RuntimeError, match="killed mid-batch"):
        load(articles, store, batch_size=100)
    partial = store.counts()["nodes"]["Publication"]
    store.close()
    again = EmbeddedStore(ws.embedded_graph)
    with ArticleStore(ws.article_store) as articles:
        total = articles.count()
        report = load(articles, again, batch_size=100)
    assert partial == 200 and report.written == total - 200
    rerun = snapshot(again)
    again.close()
    assert rerun == fresh_load(ws, tmp_path)


# -- queries -------------------------------------------------------------------------------------------


def sample_params(store: Any) -> dict[str, dict[str, Any]]:
    """Parameters for every named query, taken from the loaded data itself."""
    top = store.query("top_entities", {"limit": 2})
    a, b = top[0]["id"], top[1]["id"]
    pmid = store.query("pair_evidence", {"a": a, "b": b, "limit": 1})[0]["pmid"]
    award = next(iter(store._run("MATCH (n:Award) RETURN n.id AS id ORDER BY id LIMIT 1")))["id"]
    name = store.query("entity_detail", {"id": a})[0]["name"]
    rel = max(store.query("relation_edges"), key=lambda r: (r["papers"], r["a"], r["b"], r["relation"]))
    parent = broadest_parent(store)
    return {
        "entity_relations": {"id": rel["a"]},
        "relation_evidence": {"a": rel["a"], "b": rel["b"]},
        "relation_agents": {"id": rel["b"], "relation": rel["relation"]},
        "relation_edges": {"types": ["Compound", "Gene", "Disease", "Mechanism", "CellType", "Biomarker"]},
        "relation_links": {"ids": [rel["a"], rel["b"]]},
        "entity_search": {"q": name[:5]},
        "entity_detail": {"id": a},
        "entity_neighbourhood": {"id": a, "min_year": 2010, "types": ["CellType", "Disease"]},
        "pair_evidence": {"a": a, "b": b},
        "top_pairs": {"type_a": "CellType", "type_b": "Disease", "min_year": 2015},
        "entity_timeline": {"id": a},
        "entity_publications": {"id": parent, "min_year": 2000, "narrower": True},
        "entity_hierarchy": {"id": parent},
        "entity_people": {"id": parent, "narrower": True},
        "landscape_matrix": {"row_type": "Mechanism", "col_type": "Compound"},
        "funded_publications": {"award": award},
        "entity_institutions": {"id": a},
        "entity_countries": {"id": a},
        "paper_entities": {"min_year": 2015, "max_year": 2018},
        "top_entities": {"type": "CellType"},
        "search_publications": {"q": "MYELIN"},
        "publication_detail": {"pmid": pmid},
        "publication_authors": {"pmid": pmid},
        "publication_entities": {"pmid": pmid},
        "portfolio_coverage": {"type": "Disease"},
        "evidence_publications": {"levels": ["preclinical_in_vivo", "in_vitro"], "min_year": 2000},
        "entity_evidence": {"id": a},
        "entity_publications_by_level": {"id": a, "levels": ["observational", "review"]},
        "pair_publications_by_level": {"a": a, "b": b, "levels": ["observational", "review", "preclinical_in_vivo"]},
        "publication_contexts": {"pmids": [pmid]},
    }


def broadest_parent(store: Any) -> str:
    """The broader concept with the most narrower concepts that publications mention (a class of the corpus)."""
    named = {r["id"] for r in store.query("entity_nodes")}
    children: dict[str, int] = {}
    for link in store.query("concept_hierarchy"):
        if link["distance"] == 1 and link["child"] in named:
            children[link["parent"]] = children.get(link["parent"], 0) + 1
    return max(children, key=lambda p: (children[p], p))


def test_hierarchy_is_stored_and_narrower_queries_include_narrower_concepts(embedded: EmbeddedStore) -> None:
    links = embedded.query("concept_hierarchy")
    up: dict[str, dict[str, int]] = {}
    for link in links:
        up.setdefault(link["child"], {})[link["parent"]] = link["distance"]
    for child, parents in up.items():  # a transitive closure, shortest distances
        for parent, d in parents.items():
            for grand, e in up.get(parent, {}).items():
                assert grand == child or parents[grand] <= d + e
    named = {r["id"]: r["papers"] for r in embedded.query("entity_nodes")}
    assert {link["parent_papers"] for link in links if link["parent"] not in named} == {0}  # class nodes
    assert embedded.query("overview_counts")[0]["entities"] == len(named)
    parent = broadest_parent(embedded)
    below = {c for c, parents in up.items() if parent in parents and c in named}
    narrower = embedded.query("entity_hierarchy", {"id": parent})
    assert {r["id"] for r in narrower if r["direction"] == "narrower" and r["papers"] > 0} == below
    assert {r["id"] for r in narrower if r["direction"] == "broader"} == set(up.get(parent, {}))
    every = {"limit": 10**6}
    rolled = {r["pmid"] for r in embedded.query("entity_publications", {"id": parent, "narrower": True, **every})}
    expected = set()
    for concept in below | {parent}:
        expected |= {r["pmid"] for r in embedded.query("entity_publications", {"id": concept, **every})}
    assert rolled == expected and len(below) >= 2
    own = {r["pmid"] for r in embedded.query("entity_publications", {"id": parent, **every})}
    assert own <= rolled and len(own) == named.get(parent, 0)  # narrower=false: the concept as named only
    profiles = embedded.query("entity_profiles")
    assert {r["id"] for r in profiles} == set(named)
    assert all(0 <= r[k] <= r["papers"] for r in profiles for k in ("tool_papers", "given_papers", "measured_papers"))


def test_every_query_has_a_header_and_runs(embedded: EmbeddedStore) -> None:
    params = sample_params(embedded)
    for name, query in queries.catalogue().items():
        assert query.description and query.returns, name
        rows = embedded.query(name, params.get(name, {}))
        for row in rows:
            assert tuple(row) == query.returns, name


def test_queries_answer_from_the_data(embedded: EmbeddedStore, corpus: Workspace) -> None:
    found = embedded.query("entity_search", {"q": "oligodendroglia"})
    assert found[0]["id"] == "MESH:D009836" and found[0]["type"] == "CellType"
    by_synonym = embedded.query("entity_search", {"q": "astroglia"})
    assert "MESH:D001253" in {r["id"] for r in by_synonym}
    # a name that is also inside longer names: the entity it names first, then the names that start with or contain it
    short = embedded.query("entity_search", {"q": "Astrocytes", "limit": 500})
    kinds = [r["match_kind"] for r in short]
    assert kinds[0] == "exact" and kinds == sorted(kinds, key=["exact", "prefix", "contains"].index)
    timeline = embedded.query("entity_timeline", {"id": "MESH:D009836"})
    assert sum(r["papers"] for r in timeline) == embedded.query("entity_detail", {"id": "MESH:D009836"})[0]["papers"]
    hits = embedded.query("search_publications", {"q": "REMYELINATION", "limit": 500})
    with ArticleStore(corpus.article_store) as articles:
        expected = {
            a.pmid
            for a in articles.iter_articles()
            if "remyelination" in a.title.lower() or "remyelination" in a.abstract_text.lower()
        }
    assert {h["pmid"] for h in hits} == expected and expected
    years = [r["year"] for r in embedded.query("paper_entities", {"min_year": 2015, "max_year": 2016})]
    assert years and set(years) <= {2015, 2016}
    neighbours = embedded.query("entity_neighbourhood", {"id": "MESH:D009836", "limit": 500})
    papers = [n["papers"] for n in neighbours]
    assert papers == sorted(papers, reverse=True)
    evidence = embedded.query("pair_evidence", {"a": "MESH:D009836", "b": neighbours[0]["id"], "limit": 1000})
    assert len(evidence) == neighbours[0]["papers"]


def test_aggregates_match_the_mentions(embedded: EmbeddedStore) -> None:
    """top_entities, landscape_matrix and entity_neighbourhood read the load-time aggregates (EntityYear,
    CO_OCCURS_IN); recounted here from the raw (publication, entity) MENTIONS pairs of the same year range."""
    years = {"min_year": 2012, "max_year": 2018}
    pairs = embedded.query("paper_entities", years)
    by_pub: dict[str, dict[str, str]] = {}
    for row in pairs:
        by_pub.setdefault(row["pmid"], {})[row["id"]] = row["type"]
    papers: dict[str, int] = {}
    cells: dict[tuple[str, str], int] = {}
    for ents in by_pub.values():
        for eid, type_ in ents.items():
            papers[eid] = papers.get(eid, 0) + 1
            for other, other_type in ents.items():
                if type_ == "Disease" and other_type == "CellType":
                    cells[(eid, other)] = cells.get((eid, other), 0) + 1
    top = embedded.query("top_entities", {**years, "limit": 100_000})
    assert {r["id"]: r["papers"] for r in top} == papers
    assert all(type(r["papers"]) is int for r in top)  # sums come back as int (LadybugDB's INT128 converted)
    matrix = embedded.query(
        "landscape_matrix", {**years, "row_type": "Disease", "col_type": "CellType", "limit": 10**6}
    )
    assert {(r["row"], r["col"]): r["papers"] for r in matrix} == cells and cells
    hub = max(papers, key=lambda e: (papers[e], e))
    expected = {o: sum(1 for ents in by_pub.values() if hub in ents and o in ents) for o in papers if o != hub}
    near = embedded.query("entity_neighbourhood", {**years, "id": hub, "limit": 100_000})
    assert {r["id"]: r["papers"] for r in near} == {o: n for o, n in expected.items() if n}


def test_relation_edges_match_the_stored_relations(embedded: EmbeddedStore, corpus: Workspace) -> None:
    """RELATES recounted from the mention store's relations (papers per entity pair and type), every edge's
    per-paper evidence reachable through relation_evidence, and directions read the same in every query."""
    with ArticleStore(corpus.article_store) as articles:
        stored = list(MentionStore(articles.connection).iter_relations())
    papers: dict[tuple[str, str, str], set[str]] = {}
    for r in stored:
        papers.setdefault((*sorted((r.subject, r.object)), r.type), set()).add(r.pmid)  # type: ignore[arg-type]
    edges = embedded.query("relation_edges")
    assert edges and {(*sorted((e["a"], e["b"])), e["relation"]): e["papers"] for e in edges} == {
        key: len(pmids) for key, pmids in papers.items()
    }
    for edge in sorted(edges, key=lambda e: (-e["papers"], e["a"], e["b"]))[:40]:
        key = (*sorted((edge["a"], edge["b"])), edge["relation"])
        evidence = embedded.query(
            "relation_evidence",
            {"a": edge["b"], "b": edge["a"], "relation_types": [edge["relation"]], "limit": 10**6},
        )
        assert {e["pmid"] for e in evidence} == papers[key]  # type: ignore[index]
        assert all(e["sentence"] and e["verb"] for e in evidence)
        rows = embedded.query("entity_relations", {"id": edge["a"], "limit": 10**6})
        row = next(r for r in rows if r["id"] == edge["b"] and r["relation"] == edge["relation"])
        assert row["direction"] == ("out" if edge["directed"] else "none")
        assert sum(row["year_papers"]) == row["papers"] == edge["papers"] and row["pmid"] in papers[key]  # type: ignore[index]
        agents = embedded.query("relation_agents", {"id": edge["b"], "relation": edge["relation"], "limit": 10**6})
        assert edge["a"] in {a["id"] for a in agents}
        if edge["directed"]:  # the edge points the way most of its papers do
            forward = sum(e["directed"] and e["subject"] == edge["a"] for e in evidence)
            backward = sum(e["directed"] and e["subject"] == edge["b"] for e in evidence)
            assert forward > backward


def test_entity_publications_newest_first_with_evidence(embedded: EmbeddedStore, corpus: Workspace) -> None:
    cid = "MESH:D009836"
    rows = embedded.query("entity_publications", {"id": cid, "limit": 10_000})
    with ArticleStore(corpus.article_store) as articles:
        mentioned = {m.pmid for m in MentionStore(articles.connection).iter_mentions() if m.concept_id == cid}
    assert {r["pmid"] for r in rows} == mentioned and len(rows) == len(mentioned)
    assert rows == sorted(rows, key=lambda r: (-(r["year"] or 0), r["pmid"]))
    first = rows[0]
    evidence = {e["id"]: e["sentence"] for e in embedded.query("publication_entities", {"pmid": first["pmid"]})}
    assert first["sentence"] == evidence[cid] and first["sentence"]
    assert first["title"] == embedded.query("publication_detail", {"pmid": first["pmid"]})[0]["title"]
    recent = embedded.query("entity_publications", {"id": cid, "min_year": 2015, "max_year": 2016, "limit": 3})
    assert len(recent) == 3 and all(2015 <= r["year"] <= 2016 for r in recent)


def publication_contexts(store: Any) -> dict[str, dict[str, Any]]:
    """pmid -> the study-context properties of every Publication node."""
    rows = store.query("evidence_publications", {"limit": 10**6})
    return {r.pop("pmid"): {k: v for k, v in r.items() if k not in ("year", "title")} for r in rows}


def test_publications_carry_their_study_context(embedded: EmbeddedStore, corpus: Workspace) -> None:
    with ArticleStore(corpus.article_store) as articles:
        stored = MentionStore(articles.connection).contexts()
    graph = publication_contexts(embedded)
    assert graph.keys() == stored.keys() and len(stored) > 500
    for pmid, context in stored.items():
        expected = {**context.to_dict(), "evidence_levels": list(context.evidence_levels)}
        assert graph[pmid] == expected, pmid
    # the oligodendrocyte set: MEDLINE records whose publication types say Review / Case Reports
    designs = {row["design"] for row in graph.values()}
    assert {"review", "case_report", "preclinical", "observational"} <= designs


def test_evidence_level_queries_filter_and_count(embedded: EmbeddedStore) -> None:
    graph = publication_contexts(embedded)
    in_vivo = embedded.query("evidence_publications", {"levels": ["preclinical_in_vivo"], "limit": 10**6})
    assert {r["pmid"] for r in in_vivo} == {
        p for p, c in graph.items() if "preclinical_in_vivo" in c["evidence_levels"]
    }
    assert in_vivo and all(r["design"] == "preclinical" for r in in_vivo)
    relapsing = embedded.query("evidence_publications", {"forms": ["RRMS"], "limit": 10**6})
    assert {r["pmid"] for r in relapsing} == {p for p, c in graph.items() if "RRMS" in c["ms_population"]}
    top = embedded.query("top_entities", {"type": "CellType", "limit": 1})[0]["id"]
    pyramid = embedded.query("entity_evidence", {"id": top})
    papers = embedded.query("entity_publications_by_level", {"id": top, "limit": 10**6})
    for row in pyramid:
        at_level = embedded.query("entity_publications_by_level", {"id": top, "levels": [row["level"]], "limit": 10**6})
        assert len(at_level) == row["papers"] and all(row["level"] in r["evidence_levels"] for r in at_level)
    assert sum(r["papers"] for r in pyramid) >= len(papers) > 0


def test_query_parameters_are_typed_and_checked() -> None:
    q = queries.get("top_pairs")
    assert q.bind({"limit": "7", "min_year": "2010"})["limit"] == 7
    with pytest.raises(GapmapError, match="not a int"):
        q.bind({"limit": "seven"})
    with pytest.raises(GapmapError, match="no parameter"):
        q.bind({"nope": 1})
    assert queries.get("entity_search").bind({"types": "Gene, Disease"})["types"] == ["Gene", "Disease"]


def test_networkx_projection(embedded: EmbeddedStore) -> None:
    full = to_networkx(embedded)
    counts = embedded.counts()
    # the entities publications mention (the hierarchy's class nodes, papers 0, co-occur with nothing)
    assert full.number_of_nodes() == len(embedded.query("entity_nodes")) < counts["nodes"]["Entity"]
    assert full.number_of_edges() == counts["relationships"]["CO_OCCURS"]
    recent = to_networkx(embedded, types=["CellType", "Disease"], min_year=2015, max_year=2018, min_papers=2)
    assert recent.number_of_edges() > 0
    assert {d["type"] for _, d in recent.nodes(data=True)} <= {"CellType", "Disease"}
    assert all(d["papers"] >= 2 and d["first_year"] >= 2015 for _, _, d in recent.edges(data=True))


#: ``gapmap load`` run by the real CLI, with one fault injected: the process kills itself (SIGKILL: no clean-up,
#: no rollback) when the store checkpoints for the ``argv[1]``-th time, i.e. in the middle of a batch's
#: ``write_publications``: that batch's relationships are committed but its load keys are not written yet.
KILLED_LOAD = """
import os, signal, sys
from graph.embedded import EmbeddedStore
from gapmap.cli import main
crash_at, seen = int(sys.argv[1]), [0]
checkpoint = EmbeddedStore.checkpoint
def crashing_checkpoint(self):
    checkpoint(self)
    seen[0] += 1
    if seen[0] == crash_at:
        os.kill(os.getpid(), signal.SIGKILL)
EmbeddedStore.checkpoint = crashing_checkpoint
sys.argv = ["gapmap", *sys.argv[2:]]
main()
"""


def test_cli_load_killed_midway_then_rerun_and_query(corpus: Workspace, tmp_path: Path) -> None:
    ws = copy_workspace(corpus, tmp_path / "ws")
    drop_graph(ws)
    env = {**os.environ, "GAPMAP_BACKEND": "embedded"}
    cmd = [str(GAPMAP), "--home", str(ws.root), "load", "--batch-size", "20"]
    killed = subprocess.run([sys.executable, "-c", KILLED_LOAD, "4", *cmd[1:]], env=env, capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]  # killed at the fourth batch, not finished
    assert not ws.embedded_graph.exists()  # nothing half-loaded was published for readers to see
    store = EmbeddedStore(staged_path(ws.embedded_graph))  # a load writes a staged copy, published whole at the end
    with ArticleStore(ws.article_store) as articles:
        keys = store.load_keys()
        assert len(articles.pmids()) > len(keys)
    assert len(keys) == 4 * 20  # four batches' publications written ...
    assert sum(1 for k in keys.values() if k) == 3 * 20  # ... the fourth without its load keys: killed in between
    store.close()
    done = subprocess.run(cmd[:-2], env=env, capture_output=True, text=True)  # resumes the staged copy
    assert done.returncode == 0 and "publications" in done.stderr, done.stderr
    store = EmbeddedStore(ws.embedded_graph)
    rerun = snapshot(store)
    store.close()
    assert rerun == fresh_load(ws, tmp_path)

    out = subprocess.run(
        [str(GAPMAP), "--home", str(ws.root), "query", "entity_search", "-p", "q=oligodendroglia", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)[0]["id"] == "MESH:D009836"
    bad = subprocess.run(
        [str(GAPMAP), "--home", str(ws.root), "query", "top_pairs", "-p", "limit=lots"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "limit" in bad.stderr
    missing = subprocess.run(
        [str(GAPMAP), "--home", str(tmp_path / "empty"), "query", "overview_counts"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "gapmap load" in missing.stderr


# -- Neo4j -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def neo4j_loaded(corpus: Workspace, neo4j_settings: dict[str, str]) -> Iterator[Any]:
    from graph.neo4j_backend import Neo4jSettings, Neo4jStore

    store = Neo4jStore(Neo4jSettings(**neo4j_settings))
    store.delete_everything()
    with ArticleStore(corpus.article_store) as articles:
        load(articles, store)
    yield store
    store.close()


def test_neo4j_parity_for_every_query(neo4j_loaded: Any, embedded: EmbeddedStore) -> None:
    assert neo4j_loaded.counts() == embedded.counts()
    params = sample_params(embedded)
    for name in queries.catalogue():
        assert neo4j_loaded.query(name, params.get(name, {})) == embedded.query(name, params.get(name, {})), name


def test_neo4j_publication_context_parity(neo4j_loaded: Any, embedded: EmbeddedStore) -> None:
    assert publication_contexts(neo4j_loaded) == publication_contexts(embedded)
    for level in ("rct", "observational", "preclinical_in_vivo", "in_vitro", "review"):
        params = {"levels": [level], "limit": 10**6}
        assert neo4j_loaded.query("evidence_publications", params) == embedded.query("evidence_publications", params)


def test_neo4j_second_load_changes_nothing(neo4j_loaded: Any, corpus: Workspace) -> None:
    before = snapshot(neo4j_loaded)
    with ArticleStore(corpus.article_store) as articles:
        report = load(articles, neo4j_loaded)
    assert report.written == 0
    assert snapshot(neo4j_loaded) == before


def test_neo4j_admin_export_imports_into_a_fresh_server(
    corpus: Workspace, embedded: EmbeddedStore, tmp_path: Path, neo4j_settings: dict[str, str]
) -> None:
    """The exported CSVs, imported by Neo4j's own admin tool into a fresh server home, give the loaded graph."""
    from graph.neo4j_backend import Neo4jSettings, Neo4jStore
    from graph.neo4j_server import process
    from graph.neo4j_server.fetch import cached

    need(cached() is not None, "Neo4j jars not cached: run `gapmap neo4j start` once")
    with ArticleStore(corpus.article_store) as articles:
        export = export_admin(articles, tmp_path / "csv")
    assert export.command.startswith("neo4j-admin database import full neo4j ")
    home = tmp_path / "neo4j"
    run_import(export, home, heap="512m")
    state, _ = process.start(home, heap="512m", pagecache="64m")
    try:
        bolt = process.bolt_settings(home, state)
        imported = Neo4jStore(Neo4jSettings(bolt.uri, bolt.user, bolt.password, bolt.database))
        assert imported.counts() == embedded.counts()
        params = sample_params(embedded)
        for name in queries.catalogue():
            assert imported.query(name, params.get(name, {})) == embedded.query(name, params.get(name, {})), name
        imported.close()
    finally:
        process.stop(home)
