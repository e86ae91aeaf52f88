"""Convert the PubTator training corpora into spaCy DocBins, with gapmap entity types.

Which split goes where (never train on what we evaluate on):

========================  ===========================================  ==========================
corpus file               used for                                     notes
========================  ===========================================  ==========================
BC5CDR TrainingSet        training (x2 weight), every 10th doc         Chemical→Compound,
                          → validation (checkpoint selection)          Disease→Disease
BioRED Train              training, every 10th doc → validation        ChemicalEntity→Compound,
                                                                       DiseaseOrPhenotypicFeature→Disease,
                                                                       GeneOrGeneProduct→Gene; rest dropped
NCBI-disease trainset     training (disease spans only; tokens         all four classes→Disease
                          outside gold spans are "missing", since
                          NCBI does not annotate chemicals/genes)
MS gold train             training (x3 weight), every 10th doc         all six gapmap types, by the
(``nlp/devsets``)         → validation                                 shared MS guideline
BC5CDR DevelopmentSet     held out: ``gapmap nlp eval`` only
BioRED Dev                held out: ``gapmap nlp eval`` only
NCBI-disease developset   held out: ``gapmap nlp eval`` only
NCBI-disease testset      unused
========================  ===========================================  ==========================

BioRED and BC5CDR share abstracts (44 BioRED-train PMIDs are in BC5CDR dev), so any training document whose PMID
appears in a held-out split is dropped from training. The type mapping is :data:`nlp.pubtator.GAPMAP_TYPE`.

The model learns all six gapmap types. Mechanism, Biomarker and CellType are annotated only in the MS gold set;
in the public corpora a phrase the lexicons give one of those types is neither entity nor "outside" there: its
tokens are *missing* (unknown), so the public corpora do not teach the model that "inflammation" or "microglia"
are not entities while the MS set teaches that they are.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from nlp.devsets.build import TUNE_EVERY
from nlp.pubtator import GAPMAP_TYPE, GoldMention, PubtatorDoc, read_pubtator
from nlp.records import ENTITY_TYPES
from nlp.training.tokenizer import biomedical_tokenizer

#: gapmap types the model learns: all of them.
MODEL_TYPES = tuple(ENTITY_TYPES)
#: Types only the MS gold set annotates; in the other corpora lexicon matches of these are left "missing".
MS_ONLY_TYPES = frozenset({"Mechanism", "Biomarker", "CellType"})
#: ``Split.path`` of the MS gold training set, which is built from ``nlp/devsets`` rather than read from a file.
MS_GOLD = "nlp/devsets:train"


@dataclass(frozen=True)
class Split:
    """One corpus file and how training uses it."""

    name: str
    path: str  # relative to the shared data folder
    weight: int = 1  # copies in the training set
    complete: bool = True  # every Compound/Disease/Gene annotated? If not, unannotated tokens are "missing"

    @property
    def ms_types(self) -> bool:
        """Does this split annotate Mechanism, Biomarker and CellType?"""
        return self.path == MS_GOLD

    def docs(self, shared: Path) -> Iterator[PubtatorDoc]:
        """The split's gold documents."""
        if not self.ms_types:
            yield from read_pubtator(shared / self.path)
            return
        from nlp.devsets.build import SOURCE_NAME, gold_set

        documents, annotations = gold_set("train", shared / SOURCE_NAME)
        mentions: dict[str, list[GoldMention]] = {pmid: [] for pmid in documents}
        for a in annotations:
            mentions[a.pmid].append(GoldMention(a.start, a.end, a.text, a.type))
        for pmid in sorted(documents, key=int):
            doc = documents[pmid]
            yield PubtatorDoc(pmid, doc.title, doc.abstract, mentions[pmid])


TRAIN_SPLITS = (
    Split("bc5cdr-train", "bc5cdr_train_dev/CDR_TrainingSet.PubTator.txt.gz", weight=2),
    Split("biored-train", "biored_train_dev/Train.PubTator.gz"),
    Split("ncbi-train", "ncbi_disease_corpus/NCBItrainset_corpus.txt.gz", complete=False),
    Split("ms-gold-train", MS_GOLD, weight=3),
)
#: Held-out splits, evaluated by ``gapmap nlp eval``; their PMIDs never reach training.
EVAL_SPLITS = {
    "bc5cdr-dev": "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz",
    "biored-dev": "biored_train_dev/Dev.PubTator.gz",
    "ncbi-dev": "ncbi_disease_corpus/NCBIdevelopset_corpus.txt.gz",
}
#: Every n-th document of a complete training split is kept apart for checkpoint selection (for the MS gold set,
#: these are the documents of its ``tune`` set).
VALIDATION_EVERY = TUNE_EVERY


@dataclass
class CorpusStats:
    """What the conversion did, for the training log."""

    train_docs: int = 0
    validation_docs: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    skipped_held_out: int = 0  # training docs dropped because their PMID is in an evaluation split
    unaligned: int = 0  # gold spans that do not fall on token boundaries (dropped)
    overlapping: int = 0  # gold spans dropped because they overlap a longer one
    missing_spans: int = 0  # lexicon matches of MS-only types left unknown in corpora that do not annotate them


def tokenizer_nlp() -> Language:
    """A blank English pipeline with the biomedical tokenizer: the tokenisation the model is trained on."""
    nlp = spacy.blank("en")
    nlp.tokenizer = biomedical_tokenizer(nlp)
    return nlp


def to_doc(
    nlp: Language, gold: PubtatorDoc, complete: bool, stats: CorpusStats, unknown: Sequence[tuple[int, int]] = ()
) -> Doc:
    """Tokenise a gold document and set its entities in gapmap types; ``unknown`` character ranges are missing."""
    doc = nlp.make_doc(gold.text)
    spans: list[Span] = []
    for mention in gold.mentions:
        label = GAPMAP_TYPE.get(mention.type)
        if label not in MODEL_TYPES:
            continue
        span = doc.char_span(mention.start, mention.end, label=label)
        if span is None:
            stats.unaligned += 1
        else:
            spans.append(span)
    kept = filter_spans(spans)
    stats.overlapping += len(spans) - len(kept)
    stats.entities.update(span.label_ for span in kept)
    missing = [
        span
        for start, end in unknown
        if (span := doc.char_span(start, end, alignment_mode="expand")) is not None
        and not any(span.start < k.end and k.start < span.end for k in kept)
    ]
    stats.missing_spans += len(missing)
    doc.set_ents(kept, missing=filter_spans(missing), default="outside" if complete else "missing")
    return doc


def ms_type_matches(texts: Iterator[str]) -> Iterator[list[tuple[int, int]]]:
    """Character ranges the lexicons give an MS-only type (Mechanism, Biomarker, CellType), per text."""
    from nlp.gazetteer import shared_gazetteer

    gazetteer = shared_gazetteer()
    for text in texts:
        yield [(m.start, m.end) for m in gazetteer.match(text) if m.concept.type in MS_ONLY_TYPES]


def held_out_pmids(shared: Path) -> set[str]:
    """PMIDs of every evaluation split."""
    from nlp.devsets.build import SOURCE_NAME, gold_set
    from nlp.reserved import reserved_pmids

    ms_dev, _ = gold_set("dev", shared / SOURCE_NAME)
    public = {doc.pmid for path in EVAL_SPLITS.values() for doc in read_pubtator(shared / path)}
    return public | set(ms_dev) | reserved_pmids()


def training_pmids(shared: Path) -> set[str]:
    """PMIDs of every training split."""
    return {doc.pmid for split in TRAIN_SPLITS for doc in split.docs(shared)}


def build_corpus(shared: Path, out_dir: Path, limit: int | None = None) -> CorpusStats:
    """Write ``train.spacy`` and ``dev.spacy`` (validation) into ``out_dir``; ``limit`` caps docs per split."""
    nlp = tokenizer_nlp()
    stats = CorpusStats()
    held_out = held_out_pmids(shared)
    train, validation = DocBin(store_user_data=False), DocBin(store_user_data=False)
    for split in TRAIN_SPLITS:
        seen: set[str] = set()
        golds = [g for g in itertools.islice(split.docs(shared), limit)]
        unknown = [[]] * len(golds) if split.ms_types else list(ms_type_matches(g.text for g in golds))
        for index, gold in enumerate(golds):
            if gold.pmid in held_out:
                stats.skipped_held_out += 1
                continue
            if gold.pmid in seen:  # NCBI-disease repeats one abstract
                continue
            seen.add(gold.pmid)
            doc = to_doc(nlp, gold, split.complete, stats, unknown[index])
            if split.complete and index % VALIDATION_EVERY == VALIDATION_EVERY - 1:
                validation.add(doc)
                stats.validation_docs += 1
                continue
            for _ in range(split.weight):
                train.add(doc)
            stats.train_docs += 1
    out_dir.mkdir(parents=True, exist_ok=True)
    train.to_disk(out_dir / "train.spacy")
    validation.to_disk(out_dir / "dev.spacy")
    return stats
