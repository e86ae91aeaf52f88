"""Time-sliced validation of the hypothesis scorers: would they have predicted what was co-studied later?

Why this protocol (Kastrin et al. 2016, "Link prediction on a network of co-occurring MeSH terms"): build the
graph from papers up to a cutoff year, hide everything after it, score every pair of pre-cutoff entities that
is not yet connected, and check the ranking against the pairs that were first co-mentioned after the cutoff.
AUC is the chance that a future pair outranks a pair that stayed apart (against a uniform sample of the open
pairs when there are too many to score); recall@k is the share of future pairs in the top k of the pairs that
have a linking term — what ``hypotheses`` can propose.  The random baseline is exact: AUC 0.5 and recall@k =
k / candidates.  Features come from sparse products over the whole graph (:class:`analytics.scorers.TwoHop`),
so the cost follows the number of two-step paths, not the square of the entity count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.scorers import (
    UNSUPERVISED,
    LogisticModel,
    NeighbourGraph,
    TwoHop,
    new_edges,
    sample_open_pairs,
    train_supervised,
)

#: Pairs scored at a time (bounds the memory of the feature arrays).
CHUNK = 200_000


@dataclass
class ScorerResult:
    auc: float
    recall: dict[int, float]


@dataclass
class Evaluation:
    cutoff: int
    train_edges: int
    test_edges: int
    candidates: int
    scorers: dict[str, ScorerResult]
    model_weights: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape: cutoff, train_edges, test_edges, scorers → auc + recall_at_k."""
        return {
            "cutoff": self.cutoff,
            "train_edges": self.train_edges,
            "test_edges": self.test_edges,
            "scorers": {
                name: {"auc": round(r.auc, 4), **{f"recall_at_{k}": round(v, 4) for k, v in r.recall.items()}}
                for name, r in self.scorers.items()
            },
        }


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Mann–Whitney AUC with ties counted as one half."""
    if positive.size == 0 or negative.size == 0:
        return float("nan")
    neg = np.sort(negative)
    below = np.searchsorted(neg, positive, side="left")
    tied = np.searchsorted(neg, positive, side="right") - below
    return float((below + 0.5 * tied).sum() / (positive.size * neg.size))


def open_pairs(
    graph: NeighbourGraph, exclude: sp.csr_matrix, n: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Open pairs ``a < b`` (no edge, not in ``exclude``): all of them when ``n`` is None, else ``n`` uniform ones."""
    if n is not None:
        return sample_open_pairs(graph, n, exclude, rng)
    size = graph.adj.shape[0]
    closed = (graph.adj + exclude + exclude.T + sp.eye(size)).tocsr()
    upper = sp.triu(np.ones((size, size), dtype=np.int8), k=1, format="csr") - sp.triu(closed > 0, k=1)
    pairs = sp.csr_matrix(upper > 0).tocoo()
    return pairs.row.astype(np.int64), pairs.col.astype(np.int64)


def scores_of(features: dict[str, np.ndarray], model: LogisticModel | None) -> dict[str, np.ndarray]:
    """Every scorer's score from the pairs' features (the supervised one when a model was trained)."""
    scores = {s: np.asarray(features[s], dtype=np.float64) for s in UNSUPERVISED}
    if model:
        scores["supervised"] = model.score_features(features)
    return scores


def scores_at(two_hop: TwoHop, model: LogisticModel | None, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Every scorer's score of the pairs ``(a[k], b[k])``, looked up in chunks (bounded memory)."""
    parts = [
        scores_of(two_hop.features(a[i : i + CHUNK], b[i : i + CHUNK]), model) for i in range(0, max(a.size, 1), CHUNK)
    ]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def top_k(score: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of the ``k`` best scores, best first, ties broken at random (also at the k-th place)."""
    pick = np.arange(score.size)
    if score.size > k:
        kth = np.partition(score, score.size - k)[score.size - k]
        above, tied = np.flatnonzero(score > kth), np.flatnonzero(score == kth)
        pick = np.concatenate([above, rng.choice(tied, k - above.size, replace=False)])
    return pick[np.lexsort((rng.random(pick.size), -score[pick]))]


def recall_at(
    score: np.ndarray, hit: np.ndarray, ks: tuple[int, ...], n_test: int, rng: np.random.Generator
) -> dict[int, float]:
    """Share of the ``n_test`` hidden pairs among the ``k`` best scores (ties broken at random)."""
    if n_test == 0:
        return {k: 0.0 for k in ks}
    best = top_k(score, max(ks), rng)
    return {k: float(hit[best[:k]].sum() / n_test) for k in ks}


def evaluate(
    inc: Incidence,
    cutoff: int,
    ks: tuple[int, ...] = (50, 500),
    horizon: int = 3,
    max_negatives: int = 500_000,
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Score the open pairs of the graph up to ``cutoff`` against the pairs first co-mentioned after it.

    AUC compares the hidden pairs with every other open pair (a seeded uniform sample of ``max_negatives`` when
    there are more); recall@k ranks the open pairs that have a linking term.  ``on_progress(done, total)`` is
    called after each of the four stages (for a progress bar).
    """
    total = 4
    train = inc.years_between(max_year=cutoff)
    test = new_edges(train, inc.years_between(min_year=cutoff + 1))
    graph = NeighbourGraph.from_incidence(train)
    model = train_supervised(train, cutoff, horizon=horizon, seed=seed)
    if on_progress:
        on_progress(1, total)
    n = train.n_entities
    train_edges = int(graph.adj.nnz // 2)
    candidates = n * (n - 1) // 2 - train_edges
    n_test = int(test.nnz)
    rng = np.random.default_rng(seed)
    two_hop = TwoHop.of(graph)
    hidden = test.tocoo()
    positives = scores_at(two_hop, model, hidden.row.astype(np.int64), hidden.col.astype(np.int64))
    sample = None if candidates - n_test <= max_negatives else max_negatives
    negatives = scores_at(two_hop, model, *open_pairs(graph, test, sample, rng))
    if on_progress:
        on_progress(2, total)
    a, b, features = two_hop.open_pairs()
    ranked = scores_of(features, model)
    hit = np.asarray(test[a, b]).ravel() > 0
    if on_progress:
        on_progress(3, total)
    results = {
        s: ScorerResult(auc(positives[s], negatives[s]), recall_at(ranked[s], hit, ks, n_test, rng)) for s in ranked
    }
    results["random"] = ScorerResult(0.5, {k: min(k, candidates) / candidates if candidates else 0.0 for k in ks})
    if on_progress:
        on_progress(4, total)
    return Evaluation(cutoff, train_edges, n_test, candidates, results, model.weights() if model else {})
