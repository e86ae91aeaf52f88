"""Time-sliced validation of the hypothesis scorers: would they have predicted what was co-studied later?

Why this protocol (Kastrin et al. 2016, "Link prediction on a network of co-occurring MeSH terms"): build the
graph from papers up to a cutoff year, hide everything after it, score every pair of pre-cutoff entities that
is not yet connected, and check the ranking against the pairs that were first co-mentioned after the cutoff.
AUC is the chance that a future pair outranks a pair that stayed apart (against a uniform sample of the open
pairs when there are too many to score); recall@k is the share of future pairs in the top k of the pairs that
have a linking term — what ``hypotheses`` can propose.  The random baseline is exact: AUC 0.5 and recall@k =
k / candidates.  Features come from sparse products over the whole graph (:class:`analytics.scorers.TwoHop`),
so the cost follows the number of two-step paths, not the square of the entity count.

With the corpus's typed relations, the relation-aware scorers are scored too, on the relations stated up to the
cutoff only, and each is put beside the scorer it extends (:data:`SIDE_BY_SIDE`): the same pairs, the same
negatives and (for the supervised model) the same training pairs, so the difference is what relations add.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from analytics.incidence import Incidence
from analytics.relations import Relations
from analytics.scorers import (
    RELATION_SCORERS,
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
#: Each scorer without relations and its relation-aware variant, compared side by side.
SIDE_BY_SIDE = {"cosine_paths": "relation_cosine_paths", "supervised": "supervised_relations"}


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
    typed_edges: int | None = None  # edges of the training graph that are typed relations; None: none given

    def side_by_side(self) -> list[dict[str, Any]]:
        """Each scorer beside its relation-aware variant: auc and recall@k without, then with relations."""
        rows = []
        for name, variant in SIDE_BY_SIDE.items():
            if name in self.scorers and variant in self.scorers:
                without, with_ = self.scorers[name], self.scorers[variant]
                row: dict[str, Any] = {"scorer": name, "with_relations": variant}
                row.update(auc=round(without.auc, 4), auc_with_relations=round(with_.auc, 4))
                for k, v in without.recall.items():
                    row[f"recall_at_{k}"] = round(v, 4)
                    row[f"recall_at_{k}_with_relations"] = round(with_.recall[k], 4)
                rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape: cutoff, train_edges, test_edges, scorers → auc + recall_at_k; with
        relations also ``relations``: typed_edges and the side-by-side rows."""
        out: dict[str, Any] = {
            "cutoff": self.cutoff,
            "train_edges": self.train_edges,
            "test_edges": self.test_edges,
            "scorers": {
                name: {"auc": round(r.auc, 4), **{f"recall_at_{k}": round(v, 4) for k, v in r.recall.items()}}
                for name, r in self.scorers.items()
            },
        }
        if self.typed_edges is not None:
            out["relations"] = {"typed_edges": self.typed_edges, "side_by_side": self.side_by_side()}
        return out


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


Models = dict[str, LogisticModel | None]


def scores_of(features: dict[str, np.ndarray], models: Models) -> dict[str, np.ndarray]:
    """Every scorer's score from the pairs' features: the unsupervised ones and ``supervised``, then (with
    relations) the relation scorers and ``supervised_relations`` — in this order, so that the random tie-breaks
    of the scorers without relations are those of a run without relations."""
    scores = {s: np.asarray(features[s], dtype=np.float64) for s in UNSUPERVISED}
    for name in ("supervised", *RELATION_SCORERS, "supervised_relations"):
        model = models.get(name)
        if model:
            scores[name] = model.score_features(features)
        elif name in RELATION_SCORERS and name in features:
            scores[name] = np.asarray(features[name], dtype=np.float64)
    return scores


def scores_at(two_hop: TwoHop, models: Models, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Every scorer's score of the pairs ``(a[k], b[k])``, looked up in chunks (bounded memory)."""
    parts = [
        scores_of(two_hop.features(a[i : i + CHUNK], b[i : i + CHUNK]), models) for i in range(0, max(a.size, 1), CHUNK)
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
    relations: Relations | None = None,
) -> Evaluation:
    """Score the open pairs of the graph up to ``cutoff`` against the pairs first co-mentioned after it.

    AUC compares the hidden pairs with every other open pair (a seeded uniform sample of ``max_negatives`` when
    there are more); recall@k ranks the open pairs that have a linking term.  With ``relations`` (those stated
    up to the cutoff count), the relation-aware scorers are evaluated too.  ``on_progress(done, total)`` is
    called after each of the four stages (for a progress bar).
    """
    total = 4
    train = inc.years_between(max_year=cutoff)
    test = new_edges(train, inc.years_between(min_year=cutoff + 1))
    typed = None if relations is None else relations.adjacency(train, max_year=cutoff)
    graph = NeighbourGraph.from_incidence(train, typed=typed)
    models: Models = {"supervised": train_supervised(train, cutoff, horizon=horizon, seed=seed)}
    if relations is not None:
        models["supervised_relations"] = train_supervised(
            train, cutoff, horizon=horizon, seed=seed, relations=relations
        )
    if on_progress:
        on_progress(1, total)
    n = train.n_entities
    train_edges = int(graph.adj.nnz // 2)
    candidates = n * (n - 1) // 2 - train_edges
    n_test = int(test.nnz)
    rng = np.random.default_rng(seed)
    two_hop = TwoHop.of(graph)
    hidden = test.tocoo()
    positives = scores_at(two_hop, models, hidden.row.astype(np.int64), hidden.col.astype(np.int64))
    sample = None if candidates - n_test <= max_negatives else max_negatives
    negatives = scores_at(two_hop, models, *open_pairs(graph, test, sample, rng))
    if on_progress:
        on_progress(2, total)
    a, b, features = two_hop.open_pairs()
    ranked = scores_of(features, models)
    hit = np.asarray(test[a, b]).ravel() > 0
    if on_progress:
        on_progress(3, total)
    results = {
        s: ScorerResult(auc(positives[s], negatives[s]), recall_at(ranked[s], hit, ks, n_test, rng)) for s in ranked
    }
    results["random"] = ScorerResult(0.5, {k: min(k, candidates) / candidates if candidates else 0.0 for k in ks})
    if on_progress:
        on_progress(4, total)
    model = models["supervised"]
    typed_edges = None if graph.typed is None else int(graph.typed.nnz // 2)
    return Evaluation(cutoff, train_edges, n_test, candidates, results, model.weights() if model else {}, typed_edges)
