"""Research landscape matrices (e.g. Mechanism × Compound): which cells are gaps worth a committee's time, and why.

A gap is a **surprising absence**: two specific, well-studied concepts whose literatures are alike, yet far fewer
papers name both than their paper counts predict.  Per cell A × B of the full matrix (every entity of the two
types with at least ``min_papers`` papers, so the numbers never depend on how much of the matrix a page shows):

* ``expected = n_A · n_B / N``, what independent concepts with these paper counts would share;
* ``p_value`` = the hypergeometric lower tail ``P(X ≤ observed)`` (N papers, n_A of them A's, n_B drawn): how
  unlikely so few co-mentions are; ``surprise = −log10 p_value``;
* ``plausibility`` = the cosine of the two concepts' link profiles over the *informative* linking terms B (specific
  concepts of any type but Disease, :mod:`analytics.specificity`), each link measured as ``cos(X,B) =
  papers(X,B) / √(papers(X)·papers(B))``: 1 when A's and B's literatures touch the same specific terms in the same
  proportions, 0 when they share none.  Absolute, so it means the same on any page;
* ``score = surprise × plausibility`` for gap cells, 0 otherwise.

Each cell has one ``status`` (checked in this order):

``not specific``      a side is a hub, class noun, tool, readout, not-entity or unlinked (the reason is given);
``same concept``      one side is a kind of the other (hierarchy), or their names share an informative word
                      ("lipid peroxidation" × "lipid peroxides", "iron accumulation" × "iron"): not a gap;
``too little evidence`` ``expected < min_expected``: with so few papers expected, seeing none is no surprise
                      (P(0) ≈ e^−expected; 0.05 at 3);
``studied``           observed ≥ expected;
``not surprising``    fewer than expected, but ``p_value > max_p``;
``gap``               the rest, ranked by score.

The words of a name are informative when fewer than ``TOKEN_SHARE`` of the corpus's entity names use them
("cell", "acid", "disease" are not).  Why a statistical tail rather than ``1 − observed/expected``: the deficit
is 1 for every never-co-mentioned pair, however little was expected (most of the old top gaps expected < 0.5
papers); the tail separates "expected 8, saw 0" from "expected 0.3, saw 0".
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.stats import hypergeom

from analytics.hierarchy import ConceptTree
from analytics.incidence import Incidence
from analytics.specificity import Specificity

STATUSES = ("gap", "not surprising", "studied", "too little evidence", "same concept", "not specific")
#: Expected co-mentions below this: an absence is no surprise.
MIN_EXPECTED = 3.0
#: Lower-tail probability above this: fewer co-mentions than expected, but not surprisingly few.
MAX_P = 0.05
#: A word used in more than this share of the corpus's entity names says nothing about sameness.
TOKEN_SHARE = 0.005


@dataclass
class Landscape:
    """One type × type matrix over every entity with ``min_papers`` papers (most-studied first on each side)."""

    row_type: str
    col_type: str
    rows: np.ndarray  # entity columns of the incidence
    cols: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    p_value: np.ndarray
    plausibility: np.ndarray
    status: np.ndarray  # str per cell, one of STATUSES
    min_expected: float = MIN_EXPECTED
    max_p: float = MAX_P
    evidence: dict[str, np.ndarray] = field(default_factory=dict)  # context -> co-mentions in its papers
    side_evidence: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # context -> row, col papers

    @property
    def surprise(self) -> np.ndarray:
        return -np.log10(np.clip(self.p_value, 1e-300, 1.0))

    @property
    def score(self) -> np.ndarray:
        return np.where(self.status == "gap", self.surprise * self.plausibility, 0.0)

    def cell(self, a: int, b: int) -> tuple[int, int] | None:
        """The (row, column) position of entity columns ``a`` × ``b``, or None when either is not in the matrix."""
        r, c = np.flatnonzero(self.rows == a), np.flatnonzero(self.cols == b)
        return (int(r[0]), int(c[0])) if r.size and c.size else None

    def head(self, limit: int) -> Landscape:
        """The ``limit`` most-studied rows and columns: a view of the same numbers (nothing is recomputed)."""
        r, c = slice(0, limit), slice(0, limit)
        return Landscape(
            self.row_type,
            self.col_type,
            self.rows[r],
            self.cols[c],
            self.observed[r, c],
            self.expected[r, c],
            self.p_value[r, c],
            self.plausibility[r, c],
            self.status[r, c],
            self.min_expected,
            self.max_p,
            {k: v[r, c] for k, v in self.evidence.items()},
            {k: (a[r], b[c]) for k, (a, b) in self.side_evidence.items()},
        )

    def counts(self) -> dict[str, int]:
        """Cells per status."""
        found = Counter(self.status.ravel().tolist())
        return {s: int(found.get(s, 0)) for s in STATUSES}


def columns_of_type(inc: Incidence, type_: str, min_papers: int = 1, limit: int | None = None) -> np.ndarray:
    """Entity columns of one type with at least ``min_papers`` papers, most-studied first (``limit`` kept)."""
    counts = inc.paper_counts()
    cols = np.array([i for i, t in enumerate(inc.types) if t == type_ and counts[i] >= min_papers], dtype=np.int64)
    cols = cols[np.argsort(-counts[cols], kind="stable")] if cols.size else cols
    return cols[:limit] if limit else cols


def lower_tail(observed: np.ndarray, n: int, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    """``P(X ≤ observed)`` for X hypergeometric: ``n_b`` papers drawn from ``n``, ``n_a`` of them A's."""
    return np.asarray(hypergeom.cdf(observed, n, n_a, n_b), dtype=np.float64)


def _words(text: str) -> set[str]:
    return {
        w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w
        for w in re.findall(r"[a-z0-9]{4,}", text.lower())
    }


class NameWords:
    """The informative words of every entity's name and synonyms (rare among the corpus's entity names)."""

    def __init__(self, inc: Incidence, synonyms: dict[str, tuple[str, ...]], share: float = TOKEN_SHARE) -> None:
        words = [
            _words(" ".join((name, *synonyms.get(eid, ()))))
            for eid, name in zip(inc.entity_ids, inc.names, strict=True)
        ]
        used = Counter(w for ws in words for w in ws)
        limit = max(2.0, share * inc.n_entities)
        self.words = [{w for w in ws if used[w] <= limit} for ws in words]

    def shared(self, a: int, b: int) -> str:
        """A word the two names share (or one word begins the other, 5+ letters: "myelin", "myelination")."""
        for x in self.words[a]:
            for y in self.words[b]:
                short, long_ = sorted((x, y), key=len)
                if x == y or (len(short) >= 5 and long_.startswith(short)):
                    return short
        return ""

    def sharing(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``shared(row, col) != ""`` for every cell, through an index of the columns' words."""
        by_word: dict[str, list[int]] = {}
        for j, c in enumerate(cols):
            for w in self.words[int(c)]:
                by_word.setdefault(w, []).append(j)
        ordered = sorted(by_word)
        out = np.zeros((rows.size, cols.size), dtype=bool)
        for i, r in enumerate(rows):
            for w in self.words[int(r)]:
                hits = list(by_word.get(w, []))
                if len(w) >= 5:  # column words that begin with w, and column words w begins with
                    at = bisect.bisect_left(ordered, w)
                    while at < len(ordered) and ordered[at].startswith(w):
                        hits += by_word[ordered[at]]
                        at += 1
                    hits += [j for k in range(5, len(w)) for j in by_word.get(w[:k], [])]
                out[i, hits] = True
        return out


def same_concept(tree: ConceptTree, names: NameWords, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cells whose two sides name the same thing: the same entity, one a kind of the other, or a shared word."""
    out = names.sharing(rows, cols) | (rows[:, None] == cols[None, :])
    position = {tree.inc.entity_ids[int(c)]: j for j, c in enumerate(cols)}
    below: dict[str, list[int]] = {}  # broader concept id -> columns under it
    for j, c in enumerate(cols):
        for up in tree.broader[int(c)]:
            below.setdefault(up, []).append(j)
    for i, r in enumerate(rows):
        out[i, [position[p] for p in tree.broader[int(r)] if p in position]] = True
        out[i, below.get(tree.inc.entity_ids[int(r)], [])] = True
    return out


def informative_terms(inc: Incidence, specificity: Specificity) -> np.ndarray:
    """Linking terms that can make a pair plausible or explain it: specific, and not diseases (a disease is a
    context, reported on its own, not a mechanistic link)."""
    return specificity.specific() & (np.array(inc.types) != "Disease")


def cosine_links(inc: Incidence, cooc: sp.csr_matrix) -> sp.csr_matrix:
    """``papers(X,Y) / √(papers(X)·papers(Y))`` for every co-mentioned pair."""
    papers = inc.paper_counts().astype(np.float64)
    scale = sp.diags(1.0 / np.sqrt(np.maximum(papers, 1.0)))
    return (scale @ cooc.astype(np.float64) @ scale).tocsr()


def profile_similarity(cosine: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """Cosine of the rows' and columns' link profiles over the informative ``terms`` (a bool mask)."""
    keep = sp.diags(terms.astype(np.float64))
    left, right = cosine[rows] @ keep, cosine[cols] @ keep
    dot = (left @ right.T).toarray()
    norm_l = np.sqrt(np.asarray(left.multiply(left).sum(axis=1)).ravel())
    norm_r = np.sqrt(np.asarray(right.multiply(right).sum(axis=1)).ravel())
    denom = np.outer(norm_l, norm_r)
    return np.divide(dot, denom, out=np.zeros_like(dot), where=denom > 0)


def context_counts(inc: Incidence, rows: np.ndarray, cols: np.ndarray, papers: np.ndarray) -> np.ndarray:
    """Papers among ``papers`` (a bool mask) naming both the row and the column entity, per cell."""
    m = inc.matrix[papers].astype(np.float64).tocsc()
    return (m[:, rows].T @ m[:, cols]).toarray()


def landscape(
    inc: Incidence,
    row_type: str,
    col_type: str,
    tree: ConceptTree,
    specificity: Specificity,
    names: NameWords,
    cooc: sp.csr_matrix | None = None,
    contexts: dict[str, np.ndarray] | None = None,
    terms: np.ndarray | None = None,
    min_papers: int = 3,
    min_expected: float = MIN_EXPECTED,
    max_p: float = MAX_P,
) -> Landscape:
    """Every cell of ``row_type × col_type`` with its statistics, status and context evidence; ``terms`` are the
    linking terms plausibility may use (default: the specific non-diseases, :func:`informative_terms`)."""
    cooc = inc.cooccurrence() if cooc is None else cooc
    counts = inc.paper_counts()
    rows = columns_of_type(inc, row_type, min_papers)
    cols = columns_of_type(inc, col_type, min_papers)
    n = max(inc.n_papers, 1)
    observed = cooc[rows][:, cols].toarray().astype(np.float64)
    n_a, n_b = counts[rows][:, None], counts[cols][None, :]
    expected = n_a * n_b / n
    p_value = lower_tail(observed, n, n_a, n_b)
    terms = informative_terms(inc, specificity) if terms is None else terms
    plausibility = profile_similarity(cosine_links(inc, cooc), rows, cols, terms)
    specific = specificity.specific()
    status = np.full(observed.shape, "gap", dtype=object)
    status[p_value > max_p] = "not surprising"
    status[observed >= expected] = "studied"
    status[expected < min_expected] = "too little evidence"
    status[same_concept(tree, names, rows, cols)] = "same concept"
    status[~specific[rows], :] = "not specific"
    status[:, ~specific[cols]] = "not specific"
    if row_type == col_type:  # the same matrix twice: each pair once
        status[np.tril(np.ones(status.shape, dtype=bool))] = "same concept"
    evidence = {k: context_counts(inc, rows, cols, m) for k, m in (contexts or {}).items()}
    side = {
        k: (
            np.asarray(inc.matrix[m][:, rows].sum(axis=0)).ravel(),
            np.asarray(inc.matrix[m][:, cols].sum(axis=0)).ravel(),
        )
        for k, m in (contexts or {}).items()
    }
    return Landscape(
        row_type,
        col_type,
        rows,
        cols,
        observed,
        expected,
        p_value,
        plausibility,
        status,
        min_expected,
        max_p,
        evidence,
        side,
    )


@dataclass
class CrossDisease:
    """A pair co-mentioned in papers on other neurodegenerative/demyelinating diseases but never in progressive MS."""

    row: int  # matrix positions
    col: int
    diseases: list[tuple[int, int]]  # (disease column, papers naming both and the disease), most first
    progressive: int
    ms: int


def cross_disease(
    inc: Incidence, land: Landscape, learn_from: np.ndarray, progressive: np.ndarray, min_papers: int = 2
) -> list[CrossDisease]:
    """Cells (both sides specific, not the same concept) with at least ``min_papers`` papers naming both in one
    disease to learn from and none in progressive MS; most evidenced first."""
    usable = (land.status != "not specific") & (land.status != "same concept")
    prog = land.evidence.get("progressive_ms", context_counts(inc, land.rows, land.cols, progressive))
    ms = land.evidence.get("ms", np.zeros_like(prog))
    csc = inc.matrix.tocsc()
    per: list[tuple[int, np.ndarray]] = []
    for d in learn_from:
        papers = np.zeros(inc.n_papers, dtype=bool)
        papers[csc[:, int(d)].indices] = True
        per.append((int(d), context_counts(inc, land.rows, land.cols, papers)))
    if not per:
        return []
    best = np.max([m for _, m in per], axis=0)
    found = np.argwhere(usable & (best >= min_papers) & (prog == 0))
    total = np.sum([m for _, m in per], axis=0)
    out = []
    for r, c in sorted(found.tolist(), key=lambda rc: (-best[rc[0], rc[1]], -total[rc[0], rc[1]], rc[0], rc[1])):
        diseases = sorted(((d, int(m[r, c])) for d, m in per if m[r, c] > 0), key=lambda x: (-x[1], x[0]))
        out.append(CrossDisease(r, c, diseases, int(prog[r, c]), int(ms[r, c])))
    return out
