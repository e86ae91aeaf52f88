"""Trends: papers per entity per year, growth against the whole corpus, and Kleinberg burst detection.

Why relative to totals: the literature grows every year, so a raw count that rises says little; a term whose
*share* of the year's papers rises is gaining attention.  Bursts follow Kleinberg (2003), batched form as in
CiteSpace: a two-state automaton (base rate ``p0`` = the term's overall share, burst rate ``s·p0``) is fitted
to the yearly counts ``r_t`` out of ``d_t`` papers by Viterbi; entering the burst state costs
``gamma·ln(T)``.  A term is *emerging* when a burst reaches into the latest years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.incidence import NO_YEAR, Incidence


@dataclass(frozen=True)
class Burst:
    """A run of burst-state years ``[start, end]`` and its weight (total log-likelihood gain over base)."""

    start: int
    end: int
    weight: float


@dataclass
class YearlyCounts:
    """Papers per column per year (columns are entities or areas), with the corpus totals per year."""

    years: np.ndarray  # consecutive years, oldest first
    counts: np.ndarray  # columns × years
    totals: np.ndarray  # papers per year


@dataclass(frozen=True)
class Trend:
    """One entity's (or area's) trend summary."""

    papers: int
    recent: int  # papers in the last ``window`` years
    growth: float  # share in the last window / share in the window before (1 = steady; inf = new)
    bursts: tuple[Burst, ...]
    emerging: bool


def yearly_counts(inc: Incidence, columns: sp.csr_matrix | None = None) -> YearlyCounts:
    """Counts per year of the incidence's entities, or of ``columns`` (a papers × k 0/1 matrix, e.g. areas)."""
    dated = inc.years != NO_YEAR
    years = np.arange(int(inc.years[dated].min()), int(inc.years[dated].max()) + 1) if dated.any() else np.arange(0)
    matrix = inc.matrix if columns is None else columns
    papers = np.flatnonzero(dated)
    year_onehot = sp.csr_matrix(
        (np.ones(papers.size), (papers, inc.years[papers] - (years[0] if years.size else 0))),
        shape=(inc.n_papers, years.size),
    )
    counts = (matrix.T.tocsr().astype(np.float64) @ year_onehot).toarray()
    totals = np.bincount(inc.years[papers] - (years[0] if years.size else 0), minlength=years.size)
    return YearlyCounts(years, counts, totals.astype(np.float64))


def kleinberg_states(r: np.ndarray, d: np.ndarray, s: float = 2.0, gamma: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Viterbi burst states (columns × years, 1 = burst) and the per-year gain ``cost0 − cost1``.

    ``r`` is columns × years counts, ``d`` the yearly totals.  Two states per column: 0 emits at
    ``p0 = Σr/Σd``, 1 at ``min(s·p0, 0.9999)``; moving 0→1 costs ``gamma·ln(T)``, 1→0 is free.  All columns
    are decoded at once (one numpy step per year), so thousands of entities cost milliseconds.
    """
    r = np.atleast_2d(np.asarray(r, dtype=float))
    d = np.asarray(d, dtype=float)
    n_cols, n = r.shape
    keep = d > 0
    p0 = r[:, keep].sum(axis=1) / max(d[keep].sum(), 1.0)
    p1 = np.minimum(s * p0, 0.9999)
    active = (p0 > 0) & (p1 > p0)
    p0c, p1c = np.clip(p0, 1e-12, 1 - 1e-12)[:, None], np.clip(p1, 1e-12, 1 - 1e-12)[:, None]
    # the binomial coefficient is the same in both states, so only the likelihood terms differ
    cost0 = -(r * np.log(p0c) + (d - r) * np.log1p(-p0c)) * keep
    cost1 = -(r * np.log(p1c) + (d - r) * np.log1p(-p1c)) * keep
    enter = gamma * np.log(n) if n > 1 else 0.0
    best0, best1 = cost0[:, 0].copy(), cost1[:, 0] + enter
    back = np.zeros((2, n_cols, n), dtype=np.int8)
    for t in range(1, n):
        back[0, :, t] = best1 < best0  # staying/returning to base: from the cheaper state
        back[1, :, t] = best1 <= best0 + enter  # burst: continue (free) unless entering afresh is cheaper
        best0, best1 = np.minimum(best0, best1) + cost0[:, t], np.minimum(best0 + enter, best1) + cost1[:, t]
    states = np.zeros((n_cols, n), dtype=np.int8)
    states[:, -1] = best1 < best0
    cols = np.arange(n_cols)
    for t in range(n - 1, 0, -1):
        states[:, t - 1] = back[states[:, t], cols, t]
    states[~active] = 0
    return states, cost0 - cost1


def burst_runs(states: np.ndarray, gain: np.ndarray) -> list[tuple[int, int, float]]:
    """Runs of burst state in one column as ``(first index, last index, Σ gain)``."""
    runs: list[tuple[int, int, float]] = []
    t, n = 0, states.size
    while t < n:
        if states[t]:
            start = t
            while t + 1 < n and states[t + 1]:
                t += 1
            runs.append((start, t, float(gain[start : t + 1].sum())))
        t += 1
    return runs


def kleinberg_bursts(r: np.ndarray, d: np.ndarray, s: float = 2.0, gamma: float = 1.0) -> list[tuple[int, int, float]]:
    """Burst intervals ``(first index, last index, weight)`` of one series ``r`` out of totals ``d``; the weight
    of a burst is its summed log-likelihood gain ``Σ(cost0 − cost1)``."""
    states, gain = kleinberg_states(np.asarray(r, dtype=float)[None, :], d, s, gamma)
    return burst_runs(states[0], gain[0])


def growth_ratio(counts: np.ndarray, totals: np.ndarray, window: int) -> float:
    """Share of papers in the last ``window`` years over the share in the ``window`` years before."""
    recent_r, recent_d = counts[-window:].sum(), totals[-window:].sum()
    prior_r, prior_d = counts[-2 * window : -window].sum(), totals[-2 * window : -window].sum()
    recent = recent_r / recent_d if recent_d else 0.0
    prior = prior_r / prior_d if prior_d else 0.0
    if prior == 0:
        return float("inf") if recent > 0 else 1.0
    return float(recent / prior)


def trimmed(yc: YearlyCounts, min_year_papers: int) -> YearlyCounts:
    """Drop trailing years with fewer than ``min_year_papers`` papers in the whole corpus.

    Why: a corpus often ends with a thin, partly indexed year (or one stray later record); measuring growth or
    "bursting in the latest years" against it would call every topic declining.
    """
    full = np.flatnonzero(yc.totals >= min_year_papers)
    end = int(full[-1]) + 1 if full.size else yc.years.size
    return YearlyCounts(yc.years[:end], yc.counts[:, :end], yc.totals[:end])


def trends(
    yc: YearlyCounts,
    window: int = 3,
    s: float = 2.0,
    gamma: float = 1.0,
    emerging_years: int = 2,
    min_year_papers: int = 5,
) -> list[Trend]:
    """A :class:`Trend` per column: totals, growth over ``window`` years, bursts, emerging flag.

    Years after the last one with ``min_year_papers`` papers are left out (:func:`trimmed`).
    """
    yc = trimmed(yc, min_year_papers)
    out: list[Trend] = []
    last = int(yc.years[-1]) if yc.years.size else 0
    states, gain = kleinberg_states(yc.counts, yc.totals, s, gamma) if yc.years.size else (yc.counts, yc.counts)
    for k, counts in enumerate(yc.counts):
        runs = burst_runs(states[k], gain[k]) if states[k].any() else []
        found = tuple(Burst(int(yc.years[a]), int(yc.years[b]), w) for a, b, w in runs)
        out.append(
            Trend(
                papers=int(counts.sum()),
                recent=int(counts[-window:].sum()),
                growth=growth_ratio(counts, yc.totals, window),
                bursts=found,
                emerging=any(b.end > last - emerging_years for b in found),
            )
        )
    return out
