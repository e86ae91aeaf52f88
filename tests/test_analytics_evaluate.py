"""Time-sliced validation on the real multi-year records (oligodendrocyte MEDLINE set + PubMed XML samples)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analytics.evaluate import auc, evaluate
from analytics.incidence import Incidence
from analytics.scorers import new_edges
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
    assert expected | {"supervised", "random"} == set(result["scorers"])
    for name, scores in result["scorers"].items():
        assert set(scores) == {"auc", "recall_at_50", "recall_at_500"}, name
    rand = result["scorers"]["random"]
    assert rand["auc"] == 0.5
    for name in ("adamic_adar", "linking_terms", "supervised"):
        assert result["scorers"][name]["auc"] > 0.75, name
        assert result["scorers"][name]["recall_at_500"] > 10 * rand["recall_at_500"], name
