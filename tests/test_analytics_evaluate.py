"""Time-sliced validation on the real multi-year records (oligodendrocyte MEDLINE set + PubMed XML samples)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analytics.evaluate import auc, evaluate, top_k
from analytics.incidence import Incidence
from analytics.relations import Relations
from analytics.scorers import NeighbourGraph, TwoHop, design, new_edges, sample_open_pairs, train_supervised
from analytics.source import articles_in, from_articles


def multi_year_files(shared: Path) -> list[Path]:
    xml = sorted((shared / "pubmed_xml_samples").rglob("*.xml*"))
    return [shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz", *xml]


@pytest.fixture(scope="module")
def inc(shared: Path) -> Incidence:
    return Incidence.from_rows(from_articles(articles_in(multi_year_files(shared))).rows)


def test_auc_by_hand() -> None:
    # positives 0.9, 0.5 vs negatives 0.1, 0.5, 0.7: 0.9 beats all 3; 0.5 beats 0.1 and ties 0.5 → (3 + 1.5) / 6
    assert auc(np.array([0.9, 0.5]), np.array([0.1, 0.5, 0.7])) == pytest.approx(0.75)


def test_test_edges_are_new_pairs_among_pre_cutoff_entities(inc: Incidence) -> None:
    train, after = inc.years_between(max_year=2012), inc.years_between(min_year=2013)
    fresh = new_edges(train, after).tocoo()
    seen = train.cooccurrence()
    index = after.index()
    for a, b in list(zip(fresh.row, fresh.col, strict=True))[:200]:
        assert seen[a, b] == 0
        ea, eb = index[train.entity_ids[a]], index[train.entity_ids[b]]
        assert (after.matrix[:, ea].multiply(after.matrix[:, eb])).nnz > 0


def test_evaluate_shape_and_beats_random(inc: Incidence) -> None:
    result = evaluate(inc, 2012).to_dict()
    assert set(result) == {"cutoff", "train_edges", "test_edges", "scorers"}
    assert result["cutoff"] == 2012 and result["train_edges"] > 1000 and result["test_edges"] > 100
    expected = {"adamic_adar", "jaccard", "linking_terms", "resource_allocation", "preferential_attachment"}
    expected |= {"cosine_paths"}
    assert expected | {"supervised", "random"} == set(result["scorers"])
    for name, scores in result["scorers"].items():
        assert set(scores) == {"auc", "recall_at_50", "recall_at_500"}, name
    rand = result["scorers"]["random"]
    assert rand["auc"] == 0.5
    for name in ("adamic_adar", "linking_terms", "supervised"):
        assert result["scorers"][name]["auc"] > 0.75, name
        assert result["scorers"][name]["recall_at_500"] > 10 * rand["recall_at_500"], name


def test_top_k_breaks_ties_at_random_but_keeps_every_better_score() -> None:
    score = np.array([5.0, 1.0, 3.0, 3.0, 3.0, 0.0])
    picks = {tuple(top_k(score, 3, np.random.default_rng(seed)).tolist()) for seed in range(30)}
    assert all(p[0] == 0 and set(p[1:]) <= {2, 3, 4} for p in picks)  # 5 first, then two of the three 3s
    assert len({frozenset(p[1:]) for p in picks}) == 3  # every pair of the tied three gets drawn


def test_two_hop_lookup_equals_row_wise_features(inc: Incidence) -> None:
    graph = NeighbourGraph.from_incidence(inc.years_between(max_year=2012))
    two_hop = TwoHop.of(graph)
    a, b, feats = two_hop.open_pairs()
    assert (a < b).all() and (np.asarray(graph.adj[a, b]).ravel() == 0).all() and (feats["linking_terms"] > 0).all()
    rng = np.random.default_rng(0)
    pick = rng.choice(a.size, 2000, replace=False)
    na, nb = sample_open_pairs(graph, 2000, graph.adj, rng)  # mostly pairs without a shared neighbour
    qa, qb = np.concatenate([a[pick], na]), np.concatenate([b[pick], nb])
    looked_up, row_wise = two_hop.features(qa, qb), graph.pairs(qa, qb)
    for name, values in row_wise.items():
        assert looked_up[name] == pytest.approx(values), name
    for name, values in feats.items():
        assert values[pick] == pytest.approx(row_wise[name][:2000]), name
    model = train_supervised(inc.years_between(max_year=2012), 2012)
    assert model is not None
    assert model.score_features(looked_up) == pytest.approx(model.score(design(row_wise)))


def test_negative_pairs_are_uniform_not_the_lowest_ids(inc: Incidence) -> None:
    # for a uniform pair a < b of n entities, E[a] ≈ n/3 and E[b] ≈ 2n/3; keeping the smallest ids instead
    # (the former behaviour) drew mostly from the entities of the oldest papers
    graph = NeighbourGraph.from_incidence(inc)
    n = graph.adj.shape[0]
    a, b = sample_open_pairs(graph, 20_000, graph.adj, np.random.default_rng(1))
    assert a.size == 20_000 and len(set(zip(a.tolist(), b.tolist(), strict=True))) == a.size
    assert a.mean() == pytest.approx(n / 3, rel=0.05) and b.mean() == pytest.approx(2 * n / 3, rel=0.05)


def test_supervised_model_sees_nothing_after_the_cutoff(inc: Incidence) -> None:
    with_future = train_supervised(inc, 2012)
    without = train_supervised(inc.years_between(max_year=2012), 2012)
    assert with_future is not None and without is not None
    assert with_future.coef == pytest.approx(without.coef)
    assert set(with_future.weights()) >= {"recent_min", "recent_max"}


def test_without_typed_relations_the_relation_variants_score_alike(inc: Incidence) -> None:
    """Records read straight from the files have no typed relations: each relation-aware variant then ranks the
    pairs as the scorer it extends does, and the scorers without relations are unchanged by asking for them."""
    plain, asked = evaluate(inc, 2012), evaluate(inc, 2012, relations=Relations())
    assert "relations" not in plain.to_dict()
    found = asked.to_dict()
    assert found["relations"]["typed_edges"] == 0
    assert {k: v for k, v in found["scorers"].items() if k in plain.scorers} == plain.to_dict()["scorers"]
    rows = found["relations"]["side_by_side"]
    assert [r["scorer"] for r in rows] == ["cosine_paths", "supervised"]
    for row in rows:
        assert row["auc_with_relations"] == pytest.approx(row["auc"], abs=1e-3), row
    assert found["scorers"]["relation_paths"]["auc"] == 0.5  # no typed path anywhere: every pair ties
