"""Yearly counts, growth, Kleinberg bursts (hand-checked series) and seeded Louvain research areas on real records."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from analytics.areas import find_areas
from analytics.incidence import Corpus, Incidence
from analytics.source import articles_in, from_articles
from analytics.trends import growth_ratio, kleinberg_bursts, trends, yearly_counts


@pytest.fixture(scope="module")
def oligo(shared: Path) -> Corpus:
    path = shared / "pubmed_medline_oligodendrocyte_dementia" / "pubmed-oligodendr-set.txt.gz"
    return from_articles(articles_in([path]))


def test_kleinberg_two_state_by_hand() -> None:
    # r = 1,1,9,9,1 of d = 10 each: p0 = 21/50 = 0.42, p1 = 2·p0 = 0.84.  Per year, cost0 − cost1 =
    # r·ln(p1/p0) + (d−r)·ln((1−p1)/(1−p0)) = r·ln2 + (10−r)·ln(0.16/0.58): −10.8975 for r = 1, +4.9505 for r = 9.
    # Entering the burst costs gamma·ln 5, so years 2–3 burst (gain 9.9009) while gamma·ln5 < 9.9009.
    r, d = np.array([1, 1, 9, 9, 1]), np.full(5, 10)
    gain = 9 * math.log(2) + math.log(0.16 / 0.58)
    (burst,) = kleinberg_bursts(r, d, s=2, gamma=1)
    assert burst[:2] == (2, 3)
    assert burst[2] == pytest.approx(2 * gain)  # 9.90094
    assert kleinberg_bursts(r, d, s=2, gamma=6)  # 6·ln5 = 9.657 < 9.901: still a burst
    assert kleinberg_bursts(r, d, s=2, gamma=7) == []  # 7·ln5 = 11.266 > 9.901: not worth entering
    assert kleinberg_bursts(np.full(5, 2), d) == []  # a constant share never bursts


def test_growth_is_share_not_raw_count() -> None:
    # counts double, but so does the corpus: the share is flat, growth 1
    assert growth_ratio(np.array([1.0, 1, 2, 2]), np.array([10.0, 10, 20, 20]), 2) == pytest.approx(1.0)
    assert growth_ratio(np.array([0.0, 0, 2, 2]), np.array([10.0, 10, 10, 10]), 2) == math.inf


def test_yearly_counts_and_emerging_on_real_records(oligo: Corpus) -> None:
    inc = Incidence.from_rows(oligo.rows)
    yc = yearly_counts(inc)
    assert yc.totals.sum() == (inc.years > 0).sum()
    ol = inc.names.index("Oligodendroglia")
    years = inc.years[inc.matrix[:, ol].nonzero()[0]]
    assert yc.counts[ol].sum() == years.size
    assert yc.counts[ol][list(yc.years).index(2014)] == (years == 2014).sum()
    found = trends(yc)
    assert all(t.emerging == any(b.end >= 2019 for b in t.bursts) for t in found)  # 2020 is the last full year
    assert any(t.emerging for t in found)


def test_louvain_areas_are_seeded_disjoint_and_counted(oligo: Corpus) -> None:
    inc = Incidence.from_rows(oligo.rows)
    areas, membership = find_areas(inc, oligo.funded, seed=3)
    again, _ = find_areas(inc, oligo.funded, seed=3)
    assert [a.members for a in areas] == [a.members for a in again]
    members = [e for a in areas for e in a.members]
    assert len(members) == len(set(members)) and len(areas) >= 3
    for i, a in enumerate(areas):
        rows = membership[:, i].nonzero()[0]
        assert a.papers == rows.size
        assert a.funded == sum(inc.pmids[p] in oligo.funded for p in rows)
        # a member paper mentions at least two members of the area
        assert (np.asarray(inc.matrix[rows][:, a.members].sum(axis=1)).ravel() >= 2).all()
        assert 0 <= a.funded_share <= 1
