"""Co-occurrence statistics, null model, neighbour scorers, gaps, hypotheses and risk, hand-checked on real records.

The small fixture is eight real MEDLINE records from the oligodendrocyte set, reduced to the MeSH headings typed in
:data:`TYPES` (fixed here, so the hand-checked values do not move when the NLP stage's MeSH typing is tuned);
their terms are (C = Compound, T = CellType, D = Disease, M = Mechanism)::

    26871627 2016  Alzheimer Disease D, Amyloid beta-Peptides C, Astrocytes T, Microglia T, Oligodendroglia T
    26000818 2016  Alzheimer Disease D, Oligodendroglia T
    31726662 2019  Alzheimer Disease D, Multiple Sclerosis D, Oligodendrocyte Precursor Cells T, Oligodendroglia T,
                   Remyelination M
    29499767 2018  Alzheimer Disease D
    31583593 2019  Alzheimer Disease D, Demyelinating Diseases D, Oligodendroglia T
    29210074 2018  Dementia D, Dementia, Vascular D, Leukoaraiosis M, Neuroglia T, Neurons T
    29283444 2018  Acetylcholine C, Alzheimer Disease D, Cell Lineage M, Gliosis M, Neural Stem Cells T,
                   Oligodendroglia T
    29743672 2018  Lewy Body Disease D, Neurons T, Oligodendroglia T, alpha-Synuclein C

Degrees in the entity graph (distinct co-mentioned terms): Alzheimer Disease 12, Oligodendroglia 15,
Remyelination 4, Acetylcholine 5, Gliosis 5, Neural Stem Cells 5.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from analytics.cooccurrence import benjamini_hochberg, pair_stats
from analytics.explain import Explainer
from analytics.hypotheses import HypothesisRanker
from analytics.incidence import Corpus, Incidence, PaperEntity
from analytics.landscape import landscape, top_gaps
from analytics.nullmodel import permutations
from analytics.risk import RiskUnit, cell_unit, papers_with_any, score_units
from analytics.scorers import NeighbourGraph
from analytics.source import articles_in, from_articles

TYPES = {
    "Alzheimer Disease": "Disease",
    "Multiple Sclerosis": "Disease",
    "Demyelinating Diseases": "Disease",
    "Dementia": "Disease",
    "Dementia, Vascular": "Disease",
    "Lewy Body Disease": "Disease",
    "Amyloid beta-Peptides": "Compound",
    "Acetylcholine": "Compound",
    "alpha-Synuclein": "Compound",
    "Astrocytes": "CellType",
    "Microglia": "CellType",
    "Oligodendroglia": "CellType",
    "Oligodendrocyte Precursor Cells": "CellType",
    "Neuroglia": "CellType",
    "Neurons": "CellType",
    "Neural Stem Cells": "CellType",
    "Remyelination": "Mechanism",
    "Leukoaraiosis": "Mechanism",
    "Cell Lineage": "Mechanism",
    "Gliosis": "Mechanism",
}
PMIDS = ["26871627", "26000818", "31726662", "29499767", "31583593", "29210074", "29283444", "29743672"]


def medline(shared: Path) -> Path:
    return shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz"


@pytest.fixture(scope="module")
def oligo(shared: Path) -> Corpus:
    return from_articles(articles_in([medline(shared)]))


@pytest.fixture(scope="module")
def small(shared: Path) -> tuple[Corpus, Incidence]:
    records = [a for a in articles_in([medline(shared)]) if a.pmid in PMIDS]
    rows = [
        PaperEntity(a.pmid, a.year, h.descriptor_name, TYPES[h.descriptor_name], h.descriptor_name)
        for a in records
        for h in a.mesh
        if h.descriptor_name in TYPES
    ]
    side = from_articles(records)  # funded (GrantList) and last-author institutions of the same records
    corpus = Corpus(rows, side.funded, side.institutions)
    return corpus, Incidence.from_rows(rows)


def col(inc: Incidence, name: str) -> int:
    return inc.names.index(name)


def test_small_fixture_is_the_documented_records(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    assert sorted(inc.pmids) == sorted(PMIDS)
    counts = inc.paper_counts()
    assert counts[col(inc, "Alzheimer Disease")] == 6
    assert counts[col(inc, "Oligodendroglia")] == 6
    assert counts[col(inc, "Neurons")] == 2


def test_observed_expected_npmi_lift(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    s = pair_stats(inc)
    ad, ol, ne = col(inc, "Alzheimer Disease"), col(inc, "Oligodendroglia"), col(inc, "Neurons")

    def pair(x: int, y: int) -> int:
        a, b = min(x, y), max(x, y)
        return int(np.flatnonzero((s.a == a) & (s.b == b))[0])

    k = pair(ad, ol)
    # AD and OL share 5 of 8 papers; expected 6·6/8 = 4.5; lift 5/4.5; NPMI ln((5/8)/(6/8·6/8)) / −ln(5/8)
    assert s.observed[k] == 5
    assert s.expected[k] == pytest.approx(4.5)
    assert s.lift[k] == pytest.approx(5 / 4.5)
    assert s.npmi[k] == pytest.approx(math.log(1.0 / 0.9) / -math.log(5 / 8))  # 0.22417
    assert s.npmi[k] == pytest.approx(0.22417, abs=1e-5)
    k = pair(ne, ol)
    # Neurons (2 papers) and OL share 1: expected 2·6/8 = 1.5, lift 2/3, NPMI ln((1/8)/(2/8·6/8)) / −ln(1/8) < 0
    assert (s.observed[k], s.expected[k], s.lift[k]) == (1, pytest.approx(1.5), pytest.approx(2 / 3))
    assert s.npmi[k] == pytest.approx(math.log(2 / 3) / math.log(8))
    assert np.isnan(s.p_value).all()  # no permutations asked for


def test_benjamini_hochberg_by_hand() -> None:
    # sorted p 0.01, 0.03, 0.04, 0.20 (m = 4) → p·m/rank 0.04, 0.06, 0.0533, 0.20 → running min from the top
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.20]))
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_curveball_keeps_degrees_and_is_seeded(oligo: Corpus) -> None:
    inc = Incidence.from_rows(oligo.rows)
    first = list(permutations(inc.matrix, 2, seed=7))
    again = list(permutations(inc.matrix, 2, seed=7))
    for perm in first:
        assert perm.max() == 1  # still a 0/1 matrix: no paper got the same term twice
        assert (np.asarray(perm.sum(axis=1)).ravel() == np.asarray(inc.matrix.sum(axis=1)).ravel()).all()
        assert (np.asarray(perm.sum(axis=0)).ravel() == inc.paper_counts()).all()
        assert (perm != inc.matrix).nnz > inc.matrix.nnz // 2  # most incidences moved
    assert all((a != b).nnz == 0 for a, b in zip(first, again, strict=True))


def test_permutation_p_values_flag_a_real_association(oligo: Corpus) -> None:
    inc = Incidence.from_rows(oligo.rows)
    s = pair_stats(inc, n_permutations=200, seed=1, min_observed=2)
    assert ((s.p_value >= 1 / 201) & (s.p_value <= 1)).all()
    ad, ab = col(inc, "Alzheimer Disease"), col(inc, "Amyloid beta-Peptides")
    k = int(np.flatnonzero((s.a == min(ad, ab)) & (s.b == max(ad, ab)))[0])
    assert s.observed[k] > 2 * s.expected[k]
    assert s.p_value[k] == pytest.approx(1 / 201)  # never reached in 200 degree-preserving shuffles
    assert s.significant[k]
    assert s.q_value[k] >= s.p_value[k]


def test_neighbour_scorers_by_hand(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    g = NeighbourGraph.from_incidence(inc)
    re_, ach = col(inc, "Remyelination"), col(inc, "Acetylcholine")
    f = {k: float(v[0, 0]) for k, v in g.block(np.array([re_]), np.array([ach])).items()}
    # shared neighbours: Alzheimer Disease (deg 12) and Oligodendroglia (deg 15); deg Remyelination 4, ACh 5
    assert f["linking_terms"] == 2
    assert f["jaccard"] == pytest.approx(2 / 7)
    assert f["adamic_adar"] == pytest.approx(1 / math.log(12) + 1 / math.log(15))  # 0.77170
    assert f["resource_allocation"] == pytest.approx(1 / 12 + 1 / 15)
    assert f["preferential_attachment"] == 20
    assert (f["papers_min"], f["papers_max"]) == (1, 1)


def test_gap_cell_with_reasons(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    land = landscape(inc, "Mechanism", "Compound", min_papers=1)
    r = list(land.rows).index(col(inc, "Remyelination"))
    c = list(land.cols).index(col(inc, "Acetylcholine"))
    # never co-studied: observed 0, expected 1·1/8, deficit 1; the matrix's strongest support is Cell Lineage ×
    # Acetylcholine (shared AD, OL, Gliosis, Neural Stem Cells: 1/ln12 + 1/ln15 + 2/ln5), so
    # plausibility = (1/ln12 + 1/ln15) / (1/ln12 + 1/ln15 + 2/ln5) = 0.38310
    aa = 1 / math.log(12) + 1 / math.log(15)
    assert land.observed[r, c] == 0
    assert land.expected[r, c] == pytest.approx(1 / 8)
    assert land.deficit[r, c] == 1
    assert land.plausibility[r, c] == pytest.approx(aa / (aa + 2 / math.log(5)))
    assert land.gap[r, c] == pytest.approx(0.38310, abs=1e-5)
    cl = list(land.rows).index(col(inc, "Cell Lineage"))
    assert land.observed[cl, c] == 1 and land.gap[cl, c] == 0  # co-studied more than expected: no gap
    gaps = top_gaps(inc, land, top=50)
    cell = next(g for g in gaps if (g.a_name, g.b_name) == ("Remyelination", "Acetylcholine"))
    assert {(t.name, t.with_a, t.with_b) for t in cell.linking} == {
        ("Alzheimer Disease", 1, 1),
        ("Oligodendroglia", 1, 1),
    }
    assert all(t.pmids_a == ("31726662",) and t.pmids_b == ("29283444",) for t in cell.linking)
    assert (cell.a_papers, cell.b_papers) == (1, 1)


def test_hypotheses_exclude_known_pairs_and_cite_pmids(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    ranker = HypothesisRanker(inc)
    found = ranker.open_discovery(col(inc, "Remyelination"), "Compound", scorer="adamic_adar")
    # Amyloid beta and ACh share AD + OL with Remyelination; alpha-Synuclein only OL
    assert [h.c_name for h in found] == ["Acetylcholine", "Amyloid beta-Peptides", "alpha-Synuclein"] or [
        h.c_name for h in found
    ] == ["Amyloid beta-Peptides", "Acetylcholine", "alpha-Synuclein"]
    assert found[-1].scores["adamic_adar"] == pytest.approx(1 / math.log(15))
    assert found[0].scores["linking_terms"] == 2
    known = ranker.open_discovery(col(inc, "Cell Lineage"), "Compound", scorer="linking_terms")
    assert "Acetylcholine" not in {h.c_name for h in known}  # already co-mentioned in 29283444
    terms = ranker.closed_discovery(col(inc, "Remyelination"), col(inc, "alpha-Synuclein"))
    assert [(t.name, t.pmids_a, t.pmids_b) for t in terms] == [("Oligodendroglia", ("31726662",), ("29743672",))]


def test_risk_components_and_score_by_hand(small: tuple[Corpus, Incidence]) -> None:
    corpus, inc = small
    g = NeighbourGraph.from_incidence(inc)
    ol = papers_with_any(inc, np.array([col(inc, "Oligodendroglia")]))
    cell = cell_unit(inc, col(inc, "Remyelination"), col(inc, "Acetylcholine"), g.adj, "Remyelination × ACh")
    assert cell.direct.size == 0 and cell.momentum.size == 2 and cell.neighbourhood.size == 7  # AD or OL papers
    area = RiskUnit("Oligodendroglia papers", ol, ol, np.empty(0, dtype=np.int64))
    scored = {s.label: s for s in score_units(inc, [area, cell], corpus.funded, corpus.institutions, window=2)}
    # OL: 6 papers, 6 distinct last-author institutions, funded 29283444 + 29743672 = 1/3; per year 2016:2, 2018:2,
    # 2019:2 of totals 2, 0, 4, 2 → last 2 years share 4/6, previous 2 years 2/2 → growth 2/3; recency 4/6.
    a = scored["Oligodendroglia papers"]
    assert a.raw == pytest.approx(
        {"evidence": 6, "groups": 6, "funded_share": 1 / 3, "growth": 2 / 3, "recency": 2 / 3, "adjacency": 0}
    )
    # score = .2(1−1) + .2(1−1) + .1(1−1/3) + .2·(2/3)/3 + .1·2/3 + .2·0
    assert a.score == pytest.approx(0.1 * 2 / 3 + 0.2 * 2 / 9 + 0.1 * 2 / 3)
    # the cell: no direct evidence, groups or funding; momentum papers 2018 + 2019 (share 2/6 now, 0 before →
    # growth capped at 1); recency 1; the largest neighbourhood → every component at its riskiest/most rewarding
    b = scored["Remyelination × ACh"]
    assert b.raw["growth"] == math.inf and b.raw["adjacency"] == 7
    assert b.score == pytest.approx(1.0)


def test_explainer_pmids_newest_first(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    ex = Explainer(inc)
    assert ex.pmids(col(inc, "Alzheimer Disease"), col(inc, "Oligodendroglia"), limit=5) == (
        "31726662",
        "31583593",
        "29283444",
        "26871627",
        "26000818",
    )
