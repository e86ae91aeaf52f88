"""Time-sliced validation of the hypothesis scorers: would they have predicted what was co-studied later?

Why this protocol (Kastrin et al. 2016, "Link prediction on a network of co-occurring MeSH terms"): build the
graph from papers up to a cutoff year, hide everything after it, score every pair of pre-cutoff entities that
is not yet connected, and check the ranking against the pairs that were first co-mentioned after the cutoff.
AUC is the chance that a future pair outranks a pair that stayed apart; recall@k is the share of future pairs
in the top k.  The random baseline is exact: AUC 0.5 and recall@k = k / candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.incidence import Incidence
from analytics.scorers import UNSUPERVISED, NeighbourGraph, design, new_edges, train_supervised

BLOCK = 256


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


@dataclass
class _TopK:
    """The k best pairs seen so far (ties broken at random) and whether each is a future pair."""

    k: int
    score: np.ndarray = field(default_factory=lambda: np.empty(0))
    tiebreak: np.ndarray = field(default_factory=lambda: np.empty(0))
    hit: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))

    def add(self, score: np.ndarray, hit: np.ndarray, rng: np.random.Generator) -> None:
        """Merge a block: only its own top k (a random subset of the pairs tied at its k-th score) can matter."""
        if score.size > self.k:
            kth = np.partition(score, score.size - self.k)[score.size - self.k]
            above = np.flatnonzero(score > kth)
            tied = np.flatnonzero(score == kth)
            pick = np.concatenate([above, rng.choice(tied, self.k - above.size, replace=False)])
            score, hit = score[pick], hit[pick]
        s = np.concatenate([self.score, score])
        t = np.concatenate([self.tiebreak, rng.random(score.size)])
        h = np.concatenate([self.hit, hit])
        best = np.lexsort((t, -s))[: self.k]
        self.score, self.tiebreak, self.hit = s[best], t[best], h[best]


def evaluate(
    inc: Incidence,
    cutoff: int,
    ks: tuple[int, ...] = (50, 500),
    horizon: int = 3,
    max_negatives: int = 2_000_000,
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Score all open pairs of the graph up to ``cutoff`` against the pairs first co-mentioned after it.

    ``on_progress(done, total)`` is called after each block of entities (for a progress bar).
    """
    train = inc.years_between(max_year=cutoff)
    test = new_edges(train, inc.years_between(min_year=cutoff + 1))
    graph = NeighbourGraph.from_incidence(train)
    model = train_supervised(train, cutoff, horizon=horizon, seed=seed)
    names = [*UNSUPERVISED, *(["supervised"] if model else [])]
    n = train.n_entities
    train_edges = int(graph.adj.nnz // 2)
    candidates = n * (n - 1) // 2 - train_edges
    keep_negative = min(1.0, max_negatives / max(candidates, 1))
    rng = np.random.default_rng(seed)
    positives: dict[str, list[np.ndarray]] = {s: [] for s in names}
    negatives: dict[str, list[np.ndarray]] = {s: [] for s in names}
    top = {s: _TopK(max(ks)) for s in names}
    for start in range(0, n, BLOCK):
        rows = np.arange(start, min(start + BLOCK, n))
        feats = graph.block(rows, np.arange(n))
        open_pair = (np.arange(n)[None, :] > rows[:, None]) & (graph.adj[rows].toarray() == 0)
        hit = (test[rows].toarray() > 0) & open_pair
        sampled = open_pair & ~hit & (rng.random(open_pair.shape) < keep_negative)
        scores = {s: feats[s] for s in UNSUPERVISED}
        if model:
            scores["supervised"] = model.score(design(feats)).reshape(open_pair.shape)
        for s in names:
            positives[s].append(scores[s][hit])
            negatives[s].append(scores[s][sampled])
            top[s].add(scores[s][open_pair], hit[open_pair], rng)
        if on_progress:
            on_progress(rows[-1] + 1, n)
    n_test = int(test.nnz)
    results = {
        s: ScorerResult(
            auc(np.concatenate(positives[s]), np.concatenate(negatives[s])),
            {k: float(top[s].hit[:k].sum() / n_test) if n_test else 0.0 for k in ks},
        )
        for s in names
    }
    results["random"] = ScorerResult(0.5, {k: min(k, candidates) / candidates if candidates else 0.0 for k in ks})
    return Evaluation(cutoff, train_edges, n_test, candidates, results, model.weights() if model else {})
