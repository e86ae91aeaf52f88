"""Scoring the study context: ``gapmap nlp eval-context`` on a gold file, and MeSH-vs-text agreement.

Gold records carry no MeSH, so :func:`evaluate_context` measures the text side, as it runs on the MS feed.
Micro-F1 of a set field sums true positives, false positives and false negatives over every label of every
document (issue 18); a field where gold and prediction are empty everywhere scores 1.0 (nothing to find, nothing
wrongly found).  Design macro-F1 averages over the designs that occur in gold or prediction.

:func:`agreement` compares, on records that have publication types or MeSH, what the metadata says with what
the text side says from the title and abstract alone, field by field where the metadata settles the field.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.errors import GapmapError
from nlp.context_classifier import ContextClassifier
from nlp.context_training import LabelledRecord
from nlp.study_context import REVIEW_DESIGNS, SET_FIELDS, StudyContext


@dataclass(frozen=True)
class GoldDoc:
    pmid: str
    title: str
    abstract: str
    labels: StudyContext


def read_gold(path: Path) -> list[GoldDoc]:
    """One JSON object a line: ``{"pmid", "title", "abstract", "labels": {...}}``; a bad line names itself."""
    docs = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                docs.append(
                    GoldDoc(
                        str(data["pmid"]),
                        data.get("title", ""),
                        data.get("abstract", ""),
                        StudyContext.from_dict(data["labels"]),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise GapmapError(
                    f"{path}:{number}: not a gold record ({exc})",
                    'each line needs "pmid", "title", "abstract" and "labels" with the five context fields',
                ) from exc
    if not docs:
        raise GapmapError(f"{path}: no gold records in it", "pass a JSONL file with one labelled paper a line")
    return docs


def _f1(tp: int, fp: int, fn: int) -> float:
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def micro_f1(pairs: Iterable[tuple[frozenset[str], frozenset[str]]]) -> float:
    """Micro-F1 over (gold, predicted) label sets."""
    tp = fp = fn = 0
    for gold, predicted in pairs:
        tp += len(gold & predicted)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    return _f1(tp, fp, fn)


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    labels = sorted(set(gold) | set(predicted))
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        scores.append(_f1(tp, fp, fn))
    return sum(scores) / len(scores)


def score(gold: list[StudyContext], predicted: list[StudyContext], seconds: float) -> dict[str, object]:
    """The issue's report, key for key."""
    n = len(gold)
    designs = [g.design for g in gold], [p.design for p in predicted]
    report: dict[str, object] = {
        "docs": n,
        "design": {
            "accuracy": round(sum(g == p for g, p in zip(*designs, strict=True)) / n, 4),
            "macro_f1": round(macro_f1(*designs), 4),
        },
    }
    for field in SET_FIELDS:
        pairs = [(getattr(g, field), getattr(p, field)) for g, p in zip(gold, predicted, strict=True)]
        report[field] = {"micro_f1": round(micro_f1(pairs), 4)}
    report["in_vitro"] = {
        "accuracy": round(sum(g.in_vitro == p.in_vitro for g, p in zip(gold, predicted, strict=False)) / n, 4)
    }
    report["docs_per_second"] = round(n / seconds, 1) if seconds > 0 else 0.0
    order = ("docs", "design", "organisms", "in_vitro", "models", "ms_population", "docs_per_second")
    return {key: report[key] for key in order}


def evaluate_context(docs: list[GoldDoc], classifier: ContextClassifier) -> dict[str, object]:
    start = time.perf_counter()
    predicted = [classifier.classify_text(d.title, d.abstract) for d in docs]
    return score([d.labels for d in docs], predicted, time.perf_counter() - start)


def confusion(docs: list[GoldDoc], classifier: ContextClassifier) -> Counter[tuple[str, str]]:
    """(gold design, predicted design) counts, for the report's table."""
    return Counter((d.labels.design, classifier.classify_text(d.title, d.abstract).design) for d in docs)


@dataclass(frozen=True)
class Agreement:
    """One field on records whose metadata settles it: how often the text side says the same."""

    field: str
    records: int
    agree: int
    kappa_or_f1: float  # Cohen's kappa for design / in_vitro, micro-F1 for organisms

    @property
    def rate(self) -> float:
        return self.agree / self.records if self.records else 0.0


def _kappa(pairs: list[tuple[str, str]] | list[tuple[bool, bool]]) -> float:
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(records: list[LabelledRecord], classifier: ContextClassifier) -> list[Agreement]:
    """Metadata vs text side on ``records`` (the training module's dev split: nothing was fitted on it)."""
    text = [classifier.classify_text(r.article.title, r.article.abstract_text) for r in records]
    pairs = list(zip(records, text, strict=True))
    designs = [(r.labels.design, t.design) for r, t in pairs if r.labels.design is not None]
    vitro = [(r.labels.in_vitro, t.in_vitro) for r, t in pairs if r.labels.in_vitro is not None]
    organisms = [
        (r.labels.organisms, t.organisms)
        for r, t in pairs
        if r.labels.organisms is not None and r.labels.design not in REVIEW_DESIGNS
    ]
    return [
        Agreement("design", len(designs), sum(a == b for a, b in designs), _kappa(designs)),
        Agreement("organisms", len(organisms), sum(a == b for a, b in organisms), micro_f1(organisms)),
        Agreement("in_vitro", len(vitro), sum(a == b for a, b in vitro), _kappa(vitro)),
    ]
