"""Hypotheses by literature-based discovery: pairs never co-mentioned, ranked by how strongly they are linked.

Open discovery starts from one entity A and ranks every B of a type that A was never mentioned with; closed
discovery takes A and B and lists the linking terms between them; pair mode ranks all open pairs of two
types (Compound–Mechanism, Compound–Biomarker, Mechanism–Biomarker …).  Every hypothesis carries all scorers'
values side by side, its linking terms and the PMIDs behind each link.  The ``supervised`` scorer is the
logistic combination trained on an earlier time slice of the same corpus (:func:`analytics.scorers.train_supervised`);
with the corpus's typed relations, ``relation_paths``, ``relation_cosine_paths`` and ``supervised_relations``
rank by them too (:data:`analytics.scorers.RELATION_SCORERS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.explain import Explainer, LinkingTerm
from analytics.incidence import NO_YEAR, Incidence
from analytics.landscape import columns_of_type
from analytics.relations import Relations
from analytics.scorers import RELATION_SCORERS, UNSUPERVISED, LogisticModel, NeighbourGraph, train_supervised

SCORERS = (*UNSUPERVISED, "supervised", *RELATION_SCORERS, "supervised_relations")
#: What a supervised scorer ranks by when the corpus has no earlier time slice to train on (e.g. a single year).
FALLBACKS = {"supervised": "cosine_paths", "supervised_relations": "relation_cosine_paths"}


@dataclass
class Hypothesis:
    a_id: str
    a_name: str
    a_type: str
    b_id: str
    b_name: str
    b_type: str
    score: float
    scores: dict[str, float]
    linking: list[LinkingTerm]


class HypothesisRanker:
    """Scores open pairs of one incidence; trains the supervised scorer once, on the corpus's own history."""

    def __init__(
        self,
        inc: Incidence,
        horizon: int = 3,
        seed: int = 0,
        graph: NeighbourGraph | None = None,
        explainer: Explainer | None = None,
        relations: Relations | None = None,
    ) -> None:
        """``graph`` and ``explainer`` reuse what a caller built on the same incidence (the explainer decides
        which terms may link a pair: :class:`analytics.results.Analysis` passes its specificity rules).  With
        ``relations`` (and a ``graph`` built with their adjacency), the relation scorers rank too."""
        self.inc = inc
        typed = relations.adjacency(inc) if relations is not None and graph is None else None
        self.graph = graph or NeighbourGraph.from_incidence(inc, typed=typed)
        self.explainer = explainer or Explainer(inc, self.graph.cooc, relations=relations)
        dated = inc.years[inc.years != NO_YEAR]
        last = int(dated.max()) if dated.size else None
        self.models: dict[str, LogisticModel | None] = {
            "supervised": None if last is None else train_supervised(inc, last, horizon=horizon, seed=seed)
        }
        if relations is not None and self.graph.typed is not None:
            self.models["supervised_relations"] = (
                None if last is None else train_supervised(inc, last, horizon=horizon, seed=seed, relations=relations)
            )

    @property
    def scorers(self) -> tuple[str, ...]:
        """The scorers this ranker offers: the relation scorers only when it has relations."""
        return SCORERS if self.graph.typed is not None else (*UNSUPERVISED, "supervised")

    def fallback(self, scorer: str) -> str:
        """What ``scorer`` ranks by here: a supervised scorer without a model falls back (:data:`FALLBACKS`)."""
        return FALLBACKS[scorer] if scorer in FALLBACKS and not self.models.get(scorer) else scorer

    def _scores(self, a: np.ndarray, c: np.ndarray) -> dict[str, np.ndarray]:
        feats = self.graph.pairs(a, c)
        scores = {s: feats[s] for s in (*UNSUPERVISED, *RELATION_SCORERS) if s in feats}
        for name, model in self.models.items():
            if model:
                scores[name] = model.score_features(feats)
        return scores

    def rank(
        self, rows: np.ndarray, cols: np.ndarray, scorer: str = "adamic_adar", top: int = 20, linking: int = 5
    ) -> list[Hypothesis]:
        """The ``top`` open pairs of ``rows × cols`` by ``scorer``; only pairs with an informative (not generic)
        linking term are candidates (a hypothesis with nothing to explain it is no hypothesis)."""
        if scorer not in self.scorers:
            raise ValueError(f"unknown scorer {scorer!r} (this ranker offers {', '.join(self.scorers)})")
        scorer = self.fallback(scorer)
        r, c = self.graph.open_two_hop(rows, cols)
        a, b = rows[r], cols[c]
        if np.array_equal(rows, cols):  # the same set on both sides: each pair once
            a, b = a[a < b], b[a < b]
        scores = self._scores(a, b)
        inc = self.inc
        out: list[Hypothesis] = []
        for k in np.lexsort((b, a, -scores[scorer])):
            if len(out) == top:
                break
            x, y = int(a[k]), int(b[k])
            terms = self.explainer.linking_terms(x, y, limit=linking)
            if linking and not terms:  # linked only through generic terms: nothing to show for it
                continue
            out.append(
                Hypothesis(
                    inc.entity_ids[x],
                    inc.names[x],
                    inc.types[x],
                    inc.entity_ids[y],
                    inc.names[y],
                    inc.types[y],
                    float(scores[scorer][k]),
                    {s: float(v[k]) for s, v in scores.items()},
                    terms,
                )
            )
        return out

    def pairs(
        self, a_type: str, b_type: str, min_papers: int = 2, scorer: str = "adamic_adar", top: int = 20
    ) -> list[Hypothesis]:
        """Pair mode: all open ``a_type × b_type`` pairs whose sides have at least ``min_papers`` papers."""
        rows = columns_of_type(self.inc, a_type, min_papers)
        cols = columns_of_type(self.inc, b_type, min_papers)
        return self.rank(rows, cols, scorer, top)

    def open_discovery(
        self, a: int, b_type: str | None = None, min_papers: int = 1, scorer: str = "adamic_adar", top: int = 20
    ) -> list[Hypothesis]:
        """Open discovery from entity column ``a`` towards every other entity (of ``b_type`` when given)."""
        counts = self.inc.paper_counts()
        cols = np.array(
            [i for i, t in enumerate(self.inc.types) if (b_type is None or t == b_type) and counts[i] >= min_papers],
            dtype=np.int64,
        )
        return self.rank(np.array([a], dtype=np.int64), cols, scorer, top)

    def closed_discovery(self, a: int, b: int, limit: int = 20) -> list[LinkingTerm]:
        """Closed discovery: the linking terms between ``a`` and ``b``."""
        return self.explainer.linking_terms(a, b, limit=limit)
