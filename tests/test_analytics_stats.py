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

from analytics.cooccurrence import (
    NullCache,
    benjamini_hochberg,
    effective_stop,
    fingerprint,
    null_counts,
    pair_stats,
    upper_pairs,
)
from analytics.explain import Explainer
from analytics.hierarchy import ConceptTree
from analytics.hypotheses import HypothesisRanker
from analytics.incidence import Corpus, Incidence, PaperEntity
from analytics.landscape import NameWords, landscape, lower_tail
from analytics.nullmodel import (
    ChainState,
    NullResult,
    PairCounter,
    chain,
    global_curveball_step,
    permutations,
)
from analytics.results import Analysis
from analytics.risk import RiskUnit, cell_unit, papers_with_any, percentiles, score_units
from analytics.scorers import NeighbourGraph
from analytics.source import articles_in, from_articles
from analytics.specificity import Specificity

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


def test_one_global_trade_by_hand(small: tuple[Corpus, Incidence]) -> None:
    # two real papers: 26871627 (AD, Amyloid beta, Astrocytes, Microglia, OL) and 29743672 (Lewy Body Disease,
    # Neurons, OL, alpha-Synuclein): the only pair possible.  OL stays with both; the 7 others are re-dealt so
    # the first paper again holds 5 entities and the second 4, each entity exactly once.
    _, inc = small
    rows = [inc.pmids.index("26871627"), inc.pmids.index("29743672")]
    two = inc.matrix[rows]
    ol = col(inc, "Oligodendroglia")
    for seed in range(20):
        state = global_curveball_step(ChainState(two, np.arange(2)), np.random.default_rng(seed))
        out = state.in_paper_order().toarray()
        assert out.sum(axis=1).tolist() == [5, 4]
        assert (out.sum(axis=0) == two.toarray().sum(axis=0)).all()
        assert out[:, ol].tolist() == [1, 1]


def test_chain_keeps_both_degree_sequences_exactly(oligo: Corpus) -> None:
    inc = Incidence.from_rows(oligo.rows)
    for state in chain(inc.matrix, 3, seed=3, steps=1, burn_in=0):
        perm = state.in_paper_order()
        assert sorted(state.paper.tolist()) == list(range(inc.n_papers))  # every paper exactly once
        assert perm.max() == 1 and perm.nnz == inc.matrix.nnz
        assert (np.diff(perm.indptr) == np.diff(inc.matrix.indptr)).all()  # each paper's number of terms
        assert (np.asarray(perm.sum(axis=0)).ravel() == inc.paper_counts()).all()  # each entity's papers


def test_null_counts_match_a_dense_product(oligo: Corpus) -> None:
    inc = Incidence.from_rows(oligo.rows)
    a, b, _ = upper_pairs(inc.cooccurrence())
    state = next(chain(inc.matrix, 1, seed=5))
    dense = state.matrix.T.toarray() @ state.matrix.toarray()
    assert (null_counts(state.matrix, a, b) == dense[a, b]).all()
    keep = slice(0, a.size, 7)  # a subset of pairs: only their entities take part in the product
    assert (null_counts(state.matrix, a[keep], b[keep]) == dense[a[keep], b[keep]]).all()


def test_tested_pair_counts_equal_the_full_sparse_product(oligo: Corpus) -> None:
    # the same permuted matrix (rows in chain order, unsorted indices): counting only the tested pairs gives
    # exactly the entries of the full AᵀA, for all pairs, a subset (other entities dropped) and untested pairs
    inc = Incidence.from_rows(oligo.rows)
    a, b, _ = upper_pairs(inc.cooccurrence())
    state = next(chain(inc.matrix, 1, seed=11))
    full = (state.matrix.T @ state.matrix).tocsr()
    assert (PairCounter(a, b, inc.n_entities).counts(state.matrix) == full[a, b].A1).all()
    some = slice(3, a.size, 5)
    assert (PairCounter(a[some], b[some], inc.n_entities).counts(state.matrix) == full[a[some], b[some]].A1).all()
    hub = int(np.argmax(inc.paper_counts()))  # pairs of the most frequent entity with every other one
    others = np.setdiff1d(np.arange(inc.n_entities), [hub])
    lo, hi = np.minimum(hub, others), np.maximum(hub, others)
    order = np.lexsort((hi, lo))
    got = PairCounter(lo[order], hi[order], inc.n_entities).counts(state.matrix)
    assert (got == full[lo[order], hi[order]].A1).all() and (got == 0).any() and got.max() > 0


def test_sequential_p_values_and_stop_by_hand() -> None:
    # stop after 3: pair 0 stopped at its 3rd exceedance after 6 samples → 3/6; pair 1 ran all 100 with 1 → 2/101
    null = NullResult(np.array([3, 1]), np.array([6, 100]), permutations=100, stop_after=3)
    assert null.p_values() == pytest.approx([0.5, 2 / 101])
    assert NullResult(np.array([3]), np.array([100]), 100, 0).p_values() == pytest.approx([4 / 101])
    # stopping never below alpha·n + 1 exceedances, so a stopped pair's p = h/L ≥ h/n > alpha
    assert (effective_stop(10, 100, 0.05), effective_stop(2, 100, 0.05), effective_stop(0, 100, 0.05)) == (10, 6, 0)
    assert effective_stop(1, 1000, 0.05) == 51


def test_sequential_stopping_follows_the_same_chain(oligo: Corpus) -> None:
    # the stopped run samples the same chain as the full run: a pair stops exactly at its h-th exceedance,
    # the others keep the full run's counts, and which pairs are significant (and their q) does not change
    inc = Incidence.from_rows(oligo.rows)
    n, h = 200, 12  # h/n > alpha = 0.05: stopping may not touch the significant pairs
    full = pair_stats(inc, n, seed=4, min_observed=2)
    stopped = pair_stats(inc, n, seed=4, min_observed=2, stop_after=h)
    (chain_seed,) = np.random.SeedSequence(4).spawn(1)
    reached = np.array(
        [null_counts(s.matrix, full.a, full.b) >= full.observed for s in chain(inc.matrix, n, chain_seed)]
    )
    hits = reached.cumsum(axis=0)
    early = hits[-1] >= h
    assert 0 < early.sum() < early.size
    assert (stopped.null_samples[early] == np.argmax(hits[:, early] >= h, axis=0) + 1).all()
    assert stopped.p_value[early] == pytest.approx(h / stopped.null_samples[early])
    assert (stopped.null_samples[~early] == n).all()
    assert (stopped.p_value[~early] == full.p_value[~early]).all()
    assert (full.p_value == (1 + hits[-1]) / (1 + n)).all()
    assert (stopped.significant == full.significant).all() and full.significant.any()
    assert (stopped.q_value[full.significant] == full.q_value[full.significant]).all()


def planted_incidence(oligo: Corpus) -> Incidence:
    """The real corpus plus two new entities planted into the same 12 real papers (always together)."""
    rows = list(oligo.rows)
    papers = sorted({r.pmid for r in rows})
    years = {r.pmid: r.year for r in rows}
    planted = [PaperEntity(p, years[p], e, "Compound", e) for p in papers[:12] for e in ("PLANT:X", "PLANT:Y")]
    return Incidence.from_rows([*rows, *planted])


def test_worker_chains_are_seeded_and_keep_the_statistic(oligo: Corpus) -> None:
    inc = planted_incidence(oligo)
    two = pair_stats(inc, 41, seed=3, min_observed=2, workers=2, stop_after=5)
    again = pair_stats(inc, 41, seed=3, min_observed=2, workers=2, stop_after=5)
    one = pair_stats(inc, 41, seed=3, min_observed=2, workers=1, stop_after=5)
    assert (two.p_value == again.p_value).all() and (two.null_samples == again.null_samples).all()
    assert not (two.p_value == one.p_value).all()  # other chains, other samples
    x, y = col(inc, "PLANT:X"), col(inc, "PLANT:Y")
    k = int(np.flatnonzero((two.a == min(x, y)) & (two.b == max(x, y)))[0])
    assert two.p_value[k] == pytest.approx(1 / 42) and two.null_samples[k] == 41  # both chains' samples


def test_cache_returns_identical_rows_and_a_changed_graph_recomputes(oligo: Corpus, tmp_path: Path) -> None:
    inc = Incidence.from_rows(oligo.rows)
    cache = NullCache(tmp_path / "cache")
    first = pair_stats(inc, 30, seed=5, min_observed=2, stop_after=5, cache=cache)
    hit = pair_stats(inc, 30, seed=5, min_observed=2, stop_after=5, cache=cache)
    assert not first.cached and hit.cached
    for name in ("a", "b", "observed", "p_value", "q_value", "significant", "null_samples"):
        assert (getattr(first, name) == getattr(hit, name)).all(), name
    assert not pair_stats(inc, 30, seed=6, min_observed=2, stop_after=5, cache=cache).cached  # other seed
    assert not pair_stats(inc, 31, seed=5, min_observed=2, stop_after=5, cache=cache).cached  # other n
    changed = Incidence.from_rows(oligo.rows[1:])  # one paper–entity link fewer
    assert fingerprint(changed) != fingerprint(inc)
    assert not pair_stats(changed, 30, seed=5, min_observed=2, stop_after=5, cache=cache).cached
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 4


def test_planted_pair_gets_the_smallest_p_value(oligo: Corpus) -> None:
    # plant two new entities into the same 12 real papers (always together): no degree-preserving shuffle
    # puts 12 shared papers under them again, while the real pairs' p-values spread over the whole range
    inc = planted_incidence(oligo)
    s = pair_stats(inc, n_permutations=100, seed=2, min_observed=2)
    x, y = col(inc, "PLANT:X"), col(inc, "PLANT:Y")
    k = int(np.flatnonzero((s.a == min(x, y)) & (s.b == max(x, y)))[0])
    assert s.observed[k] == 12
    assert s.p_value[k] == pytest.approx(1 / 101)  # never reached in 100 degree-preserving shuffles
    assert s.q_value[k] <= 0.05 and s.significant[k]
    assert np.median(s.p_value) > 0.1 and s.p_value.max() == 1.0


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
    # cosine paths: AD and OL have 6 papers, each shares 1 with both sides (1 paper each): 2 · (1/√6)²
    assert f["cosine_paths"] == pytest.approx(1 / 3)
    assert (f["papers_min"], f["papers_max"]) == (1, 1)
    # recent activity: papers in the fixture's last 3 years (2017–2019): Remyelination 31726662 (2019), ACh
    # 29283444 (2018); AD and OL 4 each (the 2016 papers 26871627 and 26000818 are older)
    assert (f["recent_min"], f["recent_max"]) == (1, 1)
    assert g.recent[col(inc, "Alzheimer Disease")] == 4 and g.recent[col(inc, "Oligodendroglia")] == 4


def test_gap_cell_statistics_by_hand(small: tuple[Corpus, Incidence]) -> None:
    # Deliberately changed (issue 16): the gap score is no longer plausibility × (1 − observed/expected) scaled by
    # the matrix's strongest support, but the hypergeometric lower tail of the observed co-mentions times an
    # absolute plausibility, and a cell expecting fewer than 3 shared papers is "too little evidence".
    _, inc = small
    tree = ConceptTree.build(inc, [])
    everything = Specificity([[] for _ in range(inc.n_entities)])
    land = landscape(inc, "Mechanism", "Compound", tree, everything, NameWords(inc, {}), min_papers=1)
    r = list(land.rows).index(col(inc, "Remyelination"))
    c = list(land.cols).index(col(inc, "Acetylcholine"))
    # 8 papers; Remyelination in 1, ACh in 1, never together: P(X ≤ 0) = C(7,1)/C(8,1) = 7/8, expected 1/8
    assert land.observed[r, c] == 0
    assert land.expected[r, c] == pytest.approx(1 / 8)
    assert land.p_value[r, c] == pytest.approx(7 / 8)
    # plausibility: cosine of the two link profiles over non-disease terms.  Remyelination: OPC 1/√(1·1), OL
    # 1/√(1·6); ACh: OL 1/√6, Cell Lineage, Gliosis, Neural Stem Cells 1 each (AD and MS are diseases: contexts,
    # not links).  (1/6) / √((1 + 1/6)(1/6 + 3)) = 1/√133
    assert land.plausibility[r, c] == pytest.approx(1 / math.sqrt(133))
    # with 1/8 paper expected, seeing none is no surprise: not a gap, whatever the plausibility
    assert land.status[r, c] == "too little evidence" and land.score[r, c] == 0
    assert set(land.status.ravel()) == {"too little evidence"}


def test_hypergeometric_lower_tail_by_hand() -> None:
    # N = 10 papers, A in 4, B in 5: P(X = 0) = C(6,5)/C(10,5) = 6/252, P(X = 1) = C(4,1)·C(6,4)/252 = 60/252
    assert lower_tail(np.array([0.0]), 10, np.array([4]), np.array([5]))[0] == pytest.approx(6 / 252)
    assert lower_tail(np.array([1.0]), 10, np.array([4]), np.array([5]))[0] == pytest.approx(66 / 252)


@pytest.fixture(scope="module")
def oligo_hierarchy(shared: Path) -> Corpus:
    return from_articles(articles_in([medline(shared)]), hierarchy=True)


def test_gap_statuses_follow_their_rules_on_real_records(oligo_hierarchy: Corpus) -> None:
    an = Analysis(oligo_hierarchy)
    land = an.landscape("Mechanism", "Compound", min_papers=3, min_expected=3.0, max_p=0.05)
    counts = an.counts
    spec = an.specificity(("Mechanism", "Compound")).specific()
    assert land.counts()["not specific"] > 0 and land.counts()["too little evidence"] > 0
    for (r, c), status in np.ndenumerate(land.status):
        a, b = int(land.rows[r]), int(land.cols[c])
        assert land.expected[r, c] == pytest.approx(counts[a] * counts[b] / inc_papers(an))
        if status == "not specific":
            assert not (spec[a] and spec[b])
            continue
        assert spec[a] and spec[b]
        if status == "gap":
            assert land.expected[r, c] >= 3 and land.observed[r, c] < land.expected[r, c]
            assert land.p_value[r, c] <= 0.05 and land.score[r, c] > 0
            assert not an.tree.related(a, b)
        elif status == "too little evidence":
            assert land.expected[r, c] < 3
        elif status == "studied":
            assert land.observed[r, c] >= land.expected[r, c]
    # one cell's tail recomputed from binomial coefficients
    r, c = np.unravel_index(int(np.argmax(land.expected)), land.expected.shape)
    n, na, nb, k = inc_papers(an), int(counts[land.rows[r]]), int(counts[land.cols[c]]), int(land.observed[r, c])
    tail = sum(math.comb(na, i) * math.comb(n - na, nb - i) for i in range(k + 1)) / math.comb(n, nb)
    assert land.p_value[r, c] == pytest.approx(tail)


def inc_papers(an: Analysis) -> int:
    return an.inc.n_papers


def test_hypotheses_exclude_known_pairs_and_cite_pmids(small: tuple[Corpus, Incidence]) -> None:
    _, inc = small
    ranker = HypothesisRanker(inc)
    found = ranker.open_discovery(col(inc, "Remyelination"), "Compound", scorer="adamic_adar")
    # Amyloid beta and ACh share AD + OL with Remyelination; alpha-Synuclein only OL
    assert [h.b_name for h in found] == ["Acetylcholine", "Amyloid beta-Peptides", "alpha-Synuclein"] or [
        h.b_name for h in found
    ] == ["Amyloid beta-Peptides", "Acetylcholine", "alpha-Synuclein"]
    assert found[-1].scores["adamic_adar"] == pytest.approx(1 / math.log(15))
    assert found[0].scores["linking_terms"] == 2
    known = ranker.open_discovery(col(inc, "Cell Lineage"), "Compound", scorer="linking_terms")
    assert "Acetylcholine" not in {h.b_name for h in known}  # already co-mentioned in 29283444
    terms = ranker.closed_discovery(col(inc, "Remyelination"), col(inc, "alpha-Synuclein"))
    assert [(t.name, t.pmids_a, t.pmids_b) for t in terms] == [("Oligodendroglia", ("31726662",), ("29743672",))]


def test_risk_components_and_score_by_hand(small: tuple[Corpus, Incidence]) -> None:
    # Deliberately changed (issue 16): components are percentiles among the units compared, and a component
    # equal for every unit leaves the sum (it used to be scaled by the largest unit, so most scores were ≈ 1.0)
    corpus, inc = small
    g = NeighbourGraph.from_incidence(inc)
    ol = papers_with_any(inc, np.array([col(inc, "Oligodendroglia")]))
    cell = cell_unit(inc, col(inc, "Remyelination"), col(inc, "Acetylcholine"), g.adj, "Remyelination × ACh")
    assert cell.direct.size == 0 and cell.momentum.size == 2 and cell.neighbourhood.size == 7  # AD or OL papers
    area = RiskUnit("Oligodendroglia papers", ol, ol, np.empty(0, dtype=np.int64))
    report = score_units(inc, [area, cell], corpus.funded, corpus.institutions, window=2)
    scored = {s.label: s for s in report.scores}
    # OL: 6 papers, 6 distinct last-author institutions, funded 29283444 + 29743672 = 1/3; per year 2016:2, 2018:2,
    # 2019:2 of totals 2, 0, 4, 2 → last 2 years share 4/6, previous 2 years 2/2 → growth 2/3; recency 4/6.
    a = scored["Oligodendroglia papers"]
    assert a.raw == pytest.approx(
        {"evidence": 6, "groups": 6, "funded_share": 1 / 3, "growth": 2 / 3, "recency": 2 / 3, "adjacency": 0}
    )
    b = scored["Remyelination × ACh"]
    assert b.raw["growth"] == math.inf and b.raw["adjacency"] == 7 and b.raw["recency"] == 1
    # two units: every component differs, the cell is riskier (no evidence, groups, funding) and more rewarding
    # (growth inf, recency 1, adjacency 7) on all six → percentiles 0/1 and the score 1 against 0
    assert report.constant == []
    assert b.normalised == {k: (0.0 if k in ("evidence", "groups", "funded_share") else 1.0) for k in b.normalised}
    assert (b.score, a.score) == (1.0, 0.0)
    assert report.spread["iqr"] == pytest.approx(0.5) and report.spread["std"] == pytest.approx(0.5)


def test_percentiles_share_ties_and_constant_components_leave_the_score() -> None:
    assert list(percentiles(np.array([3.0, 1.0, 2.0, 2.0]))) == pytest.approx([1.0, 0.0, 0.5, 0.5])
    assert list(percentiles(np.array([5.0]))) == [0.5]


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


def test_linking_terms_leave_out_generic_terms(oligo: Corpus) -> None:
    # in the oligodendrocyte set Alzheimer Disease is co-mentioned with 69% of the Mechanisms and 51% of the
    # Compounds: generic for a Mechanism × Compound pair, so never offered as a reason, however many papers
    inc = Incidence.from_rows(oligo.rows)
    ex = Explainer(inc)
    ad = col(inc, "Alzheimer Disease")
    assert ex.generic("Mechanism")[ad] and ex.generic("Compound")[ad] and not ex.generic("Disease")[ad]
    counts = inc.paper_counts()
    mechanisms = [i for i, t in enumerate(inc.types) if t == "Mechanism" and counts[i] >= 3]
    compounds = [i for i, t in enumerate(inc.types) if t == "Compound" and counts[i] >= 3]
    checked = 0
    for m in mechanisms:
        for c in compounds:
            if ex.cooc[m, ad] and ex.cooc[c, ad]:
                terms = ex.linking_terms(m, c, limit=50)
                assert ad not in {inc.entity_ids.index(t.entity_id) for t in terms}
                # ranked: two-paper links first, then by strength (the weaker cosine link)
                keys = [(min(t.with_a, t.with_b) < 2, -t.strength) for t in terms]
                assert keys == sorted(keys)
                for t in terms:
                    z = inc.entity_ids.index(t.entity_id)
                    cos_a = t.with_a / math.sqrt(counts[m] * counts[z])
                    cos_c = t.with_b / math.sqrt(counts[c] * counts[z])
                    assert t.strength == pytest.approx(min(cos_a, cos_c))
                checked += 1
    assert checked > 10


def test_linking_term_strength_by_hand(small: tuple[Corpus, Incidence]) -> None:
    # Remyelination (1 paper) and Acetylcholine (1 paper) share AD (6 papers) and OL (6 papers), one paper each:
    # strength = min(1/√(1·6), 1/√(1·6)) for both; types here have < 10 entities, so nothing is generic
    _, inc = small
    terms = Explainer(inc).linking_terms(col(inc, "Remyelination"), col(inc, "Acetylcholine"))
    assert [t.strength for t in terms] == pytest.approx([1 / math.sqrt(6)] * 2)
    assert not Explainer(inc).generic("CellType").any()
