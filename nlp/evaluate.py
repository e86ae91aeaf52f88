"""Evaluation of entity extraction against PubTator gold corpora: strict, lenient and document-level scores.

The harness takes any annotator ``annotate(texts) -> iterator of [PredictedSpan]`` so it measures the bare NER model
and the full pipeline (gazetteers, abbreviations, linker) alike. Three views per type, because each answers another
question: **strict** (start, end and type equal a gold mention's: what the guideline asks), **lenient** (a
prediction overlaps a gold mention of its type: were the right things found, whatever the boundaries), and
**document concepts** (per document, the set of concepts of a type, by gold id where the corpus gives ids, else by
lower-cased text: what a graph built from the output would hold). Scores are keyed by the corpus's own type names;
predictions of gapmap types the corpus does not annotate (a Gene in BC5CDR, any Mechanism) are ignored rather than
counted wrong.
NCBI-disease's four classes (SpecificDisease, DiseaseClass, CompositeMention, Modifier) are scored together as
"Disease", as is usual for that corpus, since a model cannot tell them apart from the span alone.

A corpus without a Biomarker type (BioRED, BC5CDR) types a measured molecule as the molecule it is: "plasma
levels of apolipoprotein E" is a GeneOrGeneProduct there, "serum MDA" a Chemical.  So in such a corpus a
predicted Biomarker is scored under its concept's molecule type (:func:`molecule_type`: HGNC genes and MeSH gene
products are Genes, other MeSH substances and ChEBI entries Compounds); imaging and clinical measures, which no
such corpus annotates, stay unscored.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nlp.lexicons.mesh import descriptors, mesh_type
from nlp.ner_model import PredictedSpan
from nlp.pubtator import GAPMAP_TYPE, PubtatorDoc

Annotator = Callable[[Iterable[str]], Iterator[list[PredictedSpan]]]

#: Corpus types scored under another name (see module docstring).
SCORE_KEY: dict[str, str] = {
    "SpecificDisease": "Disease",
    "DiseaseClass": "Disease",
    "CompositeMention": "Disease",
    "Modifier": "Disease",
}


@dataclass
class Counts:
    """True positives, false positives, false negatives, and the precision / recall / F1 they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def scores(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class ErrorCase:
    """A false positive or false negative under strict matching, with the text around it."""

    pmid: str
    kind: str  # "FP" or "FN"
    type: str
    start: int
    end: int
    text: str
    context: str
    near: str  # for an FP, the overlapping gold mention (type:text), for an FN the overlapping prediction; or ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("pmid", "kind", "type", "start", "end", "text", "context", "near")}


@dataclass
class EvalReport:
    """Scores of one annotator on one corpus; :meth:`to_json` is the ``gapmap nlp eval --json`` shape."""

    docs: int
    seconds: float
    by_type: dict[str, Counts] = field(default_factory=dict)
    lenient: dict[str, Counts] = field(default_factory=dict)
    doc_concepts: dict[str, Counts] = field(default_factory=dict)
    errors: list[ErrorCase] = field(default_factory=list)
    id_matched: Counter[str] = field(default_factory=Counter)  # matched spans that carry a predicted id, per key
    id_correct: Counter[str] = field(default_factory=Counter)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.by_type.values():
            total.tp, total.fp, total.fn = total.tp + counts.tp, total.fp + counts.fp, total.fn + counts.fn
        return total

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        """``overall``, ``by_type`` (with ``support`` = gold mentions), ``docs_per_second`` and ``id_accuracy``
        (per type: of the strictly matched spans with a predicted concept id, how many have the gold id; empty when
        the annotator gives no ids)."""
        return {
            "overall": self.overall.scores(),
            "by_type": {
                key: {
                    **counts.scores(),
                    "support": counts.tp + counts.fn,
                    "lenient": self.lenient[key].scores(),
                    "doc_concepts": self.doc_concepts[key].scores(),
                }
                for key, counts in sorted(self.by_type.items())
            },
            "docs_per_second": round(self.docs_per_second, 2),
            "id_accuracy": {
                key: {
                    "matched": self.id_matched[key],
                    "correct": self.id_correct[key],
                    "accuracy": round(self.id_correct[key] / self.id_matched[key], 4),
                }
                for key in sorted(self.id_matched)
                if self.id_matched[key]
            },
        }


def score_key(corpus_type: str) -> str:
    return SCORE_KEY.get(corpus_type, corpus_type)


def normalise_id(concept_id: str) -> str:
    """Compare ids across namespaces' spellings: gold ``D003924`` equals predicted ``MESH:D003924``."""
    concept_id = concept_id.strip()
    prefix, _, rest = concept_id.partition(":")
    return (rest if prefix.upper() == "MESH" and rest else concept_id).upper()


def molecule_type(concept_id: str) -> str | None:
    """Gene or Compound for a concept that is a molecule, None for anything else (see the module docstring)."""
    prefix, _, local = concept_id.partition(":")
    if prefix == "HGNC":
        return "Gene"
    if prefix == "CHEBI":
        return "Compound"
    descriptor = descriptors().get(local) if prefix == "MESH" else None
    if descriptor is None:
        return None
    molecule = mesh_type(descriptor.trees)
    return molecule if molecule in ("Gene", "Compound") else None


def _in_corpus_types(span: PredictedSpan, types: dict[str, str]) -> PredictedSpan:
    """A predicted Biomarker as a corpus without that type would label it (see the module docstring)."""
    if span.type != "Biomarker" or "Biomarker" in types:
        return span
    molecule = molecule_type(span.concept_id)
    return replace(span, type=molecule) if molecule else span


def evaluate(docs: Sequence[PubtatorDoc], annotate: Annotator) -> EvalReport:
    """Score ``annotate`` on ``docs`` (text = title + " " + abstract, as the PubTator offsets assume).

    Gold types with no gapmap type (BioRED's SequenceVariant, OrganismTaxon, CellLine) are left out.
    """
    key_of_gapmap: dict[str, str] = {}  # gapmap type -> score key, for the types this corpus annotates
    for doc in docs:
        for mention in doc.mentions:
            gapmap_type = GAPMAP_TYPE.get(mention.type)
            if gapmap_type is not None:
                key_of_gapmap.setdefault(gapmap_type, score_key(mention.type))
    keys = set(key_of_gapmap.values())
    report = EvalReport(
        docs=len(docs),
        seconds=0.0,
        by_type={key: Counts() for key in keys},
        lenient={key: Counts() for key in keys},
        doc_concepts={key: Counts() for key in keys},
    )
    started = time.perf_counter()
    predictions = list(annotate(doc.text for doc in docs))
    report.seconds = time.perf_counter() - started
    if len(predictions) != len(docs):
        raise ValueError(f"annotator returned {len(predictions)} results for {len(docs)} texts")
    for doc, predicted in zip(docs, predictions, strict=True):
        _score_doc(doc, [_in_corpus_types(s, key_of_gapmap) for s in predicted], key_of_gapmap, report)
    return report


def _score_doc(
    doc: PubtatorDoc, predicted: list[PredictedSpan], key_of_gapmap: dict[str, str], report: EvalReport
) -> None:
    gold: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for mention in doc.mentions:
        gapmap_type = GAPMAP_TYPE.get(mention.type)
        if gapmap_type in key_of_gapmap:
            # ``kind=imaging`` (the MS sets' Biomarker kind) says what sort of marker it is, not which concept
            known = (normalise_id(i) for i in mention.concept_ids if not i.startswith("kind="))
            gold[(mention.start, mention.end, gapmap_type)].update(known)
    ids: dict[tuple[int, int, str], str] = {}
    for span in predicted:
        if span.type in key_of_gapmap:
            ids.setdefault((span.start, span.end, span.type), span.concept_id)
    for spot, concept_id in ids.items():
        counts = report.by_type[key_of_gapmap[spot[2]]]
        if spot not in gold:
            counts.fp += 1
            continue
        counts.tp += 1
        if concept_id and gold[spot]:
            key = key_of_gapmap[spot[2]]
            report.id_matched[key] += 1
            report.id_correct[key] += normalise_id(concept_id) in gold[spot]
    for spot in gold.keys() - ids.keys():
        report.by_type[key_of_gapmap[spot[2]]].fn += 1
    _score_lenient(gold.keys(), ids.keys(), key_of_gapmap, report)
    _score_concepts(doc, gold, ids, key_of_gapmap, report)
    report.errors += _errors(doc, gold.keys(), ids.keys())


def _overlaps(spot: tuple[int, int, str], others: Iterable[tuple[int, int, str]], same_type: bool = True) -> list:
    return [o for o in others if o[0] < spot[1] and spot[0] < o[1] and (o[2] == spot[2] or not same_type)]


def _score_lenient(
    gold: Iterable[tuple[int, int, str]],
    predicted: Iterable[tuple[int, int, str]],
    key_of_gapmap: dict[str, str],
    report: EvalReport,
) -> None:
    """Precision counts predictions overlapping a gold mention of their type; recall, gold mentions overlapped."""
    gold, predicted = list(gold), list(predicted)
    for spot in predicted:
        counts = report.lenient[key_of_gapmap[spot[2]]]
        if _overlaps(spot, gold):
            counts.tp += 1
        else:
            counts.fp += 1
    for spot in gold:
        if not _overlaps(spot, predicted):
            report.lenient[key_of_gapmap[spot[2]]].fn += 1


def _score_concepts(
    doc: PubtatorDoc,
    gold: dict[tuple[int, int, str], set[str]],
    ids: dict[tuple[int, int, str], str],
    key_of_gapmap: dict[str, str],
    report: EvalReport,
) -> None:
    """Per type, the document's gold concept set against the predicted one (ids where the gold has them)."""
    with_ids = {spot[2] for spot, gold_ids in gold.items() if gold_ids}

    def concept(spot: tuple[int, int, str], concept_id: str) -> str:
        return normalise_id(concept_id) if spot[2] in with_ids else doc.text[spot[0] : spot[1]].lower()

    for gapmap_type, key in key_of_gapmap.items():
        expected = {
            i for spot, gold_ids in gold.items() if spot[2] == gapmap_type for i in (gold_ids or {concept(spot, "")})
        }
        found = {concept(spot, concept_id) for spot, concept_id in ids.items() if spot[2] == gapmap_type}
        counts = report.doc_concepts[key]
        counts.tp += len(expected & found)
        counts.fp += len(found - expected)
        counts.fn += len(expected - found)


def _errors(
    doc: PubtatorDoc, gold: Iterable[tuple[int, int, str]], predicted: Iterable[tuple[int, int, str]]
) -> list[ErrorCase]:
    """Every strict false positive and false negative of a document, with 60 characters of context each side."""
    gold, predicted = set(gold), set(predicted)
    cases = []
    for kind, spots, others in (("FP", predicted - gold, gold), ("FN", gold - predicted, predicted)):
        for start, end, gapmap_type in sorted(spots):
            near = _overlaps((start, end, gapmap_type), others, same_type=False)
            context = (
                doc.text[max(0, start - 60) : start] + "[[" + doc.text[start:end] + "]]" + doc.text[end : end + 60]
            )
            cases.append(
                ErrorCase(
                    doc.pmid,
                    kind,
                    gapmap_type,
                    start,
                    end,
                    doc.text[start:end],
                    context.replace("\n", " "),
                    "; ".join(f"{o[2]}:{doc.text[o[0] : o[1]]}" for o in near),
                )
            )
    return cases
