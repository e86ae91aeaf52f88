"""The text side of the study context: linear models over cue patterns and words of the title and abstract.

Why linear: it has to run in well under 0.4 ms per abstract beside a 4 ms pipeline, and the labels it learns
from (publication types and MeSH check tags of ~1,500 real records, :mod:`nlp.context_training`) are too few
and too noisy for anything bigger to pay off.  Features are binary: the cues of :mod:`nlp.context_rules` in the
title and in the abstract (and "twice in the abstract"), title words, and abstract words.  Word pairs were
dropped for speed: they took a third of the time budget.  Scoring is a sum of the weights of the features
present, done with one NumPy gather per document.

The weights live in ``nlp/context_model.json.gz`` (a few hundred kB), rebuilt by ``gapmap nlp train-context``.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.context_rules import cues

MODEL_PATH = Path(__file__).resolve().parent / "context_model.json.gz"
_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
#: Words too common to carry a design signal; left out so the vocabulary stays small.
_STOP = frozenset(
    [
        "the",
        "of",
        "and",
        "in",
        "to",
        "a",
        "an",
        "with",
        "for",
        "was",
        "were",
        "is",
        "are",
        "by",
        "on",
        "as",
        "at",
        "from",
        "or",
        "that",
        "this",
        "be",
        "we",
        "our",
        "these",
        "which",
    ]
)


def features(title: str, abstract: str) -> set[str]:
    """The binary features of one paper (the same at training and at inference)."""
    title_l, abstract_l = title.lower(), abstract.lower()
    out = {f"t:{c}" for c in cues(title_l)}
    for cue, count in cues(abstract_l).items():
        out.add(f"a:{cue}")
        if count > 1:
            out.add(f"a2:{cue}")
    out.update(f"tw:{w}" for w in _WORD.findall(title_l) if w not in _STOP)
    out.update(_WORD.findall(abstract_l))
    out -= _STOP
    return out


@dataclass(frozen=True)
class Head:
    """One linear decision: a softmax over ``classes`` (``len(classes) > 2``) or a logistic yes/no."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (n_features, n_outputs): one output for a yes/no head, one per class otherwise
    bias: np.ndarray  # (n_outputs,)


@dataclass(frozen=True)
class Verdicts:
    """One paper's outputs of every head (the design, the yes/no heads that said yes) and its features."""

    design: str
    yes: frozenset[str]
    features: frozenset[str]


class ContextModel:
    """Named heads over one feature vocabulary: ``design`` (softmax), ``in_vitro`` and one per organism (yes/no).

    The heads' weights are kept side by side in one matrix, so a paper costs one gather and one sum.
    """

    def __init__(self, vocabulary: list[str], heads: dict[str, Head]) -> None:
        self.index = {f: i for i, f in enumerate(vocabulary)}
        self.heads = heads
        self._weights = np.hstack([h.weights for h in heads.values()])
        self._bias = np.concatenate([h.bias for h in heads.values()])
        self._design = slice(0, len(heads["design"].classes))
        self._yes_no = [(name, self._design.stop + i) for i, name in enumerate(list(heads)[1:])]

    def predict(self, title: str, abstract: str) -> Verdicts:
        index = self.index
        found = features(title, abstract)
        rows = [index[f] for f in found if f in index]
        scores = self._weights[rows].sum(axis=0) + self._bias
        design = self.heads["design"].classes[int(np.argmax(scores[self._design]))]
        yes = frozenset(name for name, column in self._yes_no if scores[column] > 0.0)
        return Verdicts(design, yes, frozenset(found))

    def to_json(self) -> dict[str, object]:
        vocabulary = sorted(self.index, key=self.index.__getitem__)
        return {
            "vocabulary": vocabulary,
            "heads": {
                name: {
                    "classes": list(h.classes),
                    "weights": np.round(h.weights, 4).tolist(),
                    "bias": np.round(h.bias, 4).tolist(),
                }
                for name, h in self.heads.items()
            },
        }

    def save(self, path: Path = MODEL_PATH) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(self.to_json(), handle, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ContextModel:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        heads = {
            name: Head(
                tuple(h["classes"]),
                np.asarray(h["weights"], dtype=np.float32).reshape(len(data["vocabulary"]), -1),
                np.asarray(h["bias"], dtype=np.float32),
            )
            for name, h in data["heads"].items()
        }
        return cls(data["vocabulary"], heads)
