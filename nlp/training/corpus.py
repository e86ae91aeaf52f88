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
BC5CDR DevelopmentSet     held out: ``gapmap nlp eval`` only
BioRED Dev                held out: ``gapmap nlp eval`` only
NCBI-disease developset   held out: ``gapmap nlp eval`` only
NCBI-disease testset      unused
========================  ===========================================  ==========================

BioRED and BC5CDR share abstracts (44 BioRED-train PMIDs are in BC5CDR dev), so any training document whose PMID
appears in a held-out split is dropped from training. The type mapping is :data:`nlp.pubtator.GAPMAP_TYPE`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from nlp.pubtator import GAPMAP_TYPE, PubtatorDoc, read_pubtator
from nlp.training.tokenizer import biomedical_tokenizer

#: gapmap types the model learns (Mechanism, Biomarker and CellType come from gazetteers: no gold data).
MODEL_TYPES = ("Compound", "Disease", "Gene")


@dataclass(frozen=True)
class Split:
    """One corpus file and how training uses it."""

    name: str
    path: str  # relative to the shared data folder
    weight: int = 1  # copies in the training set
    complete: bool = True  # every Compound/Disease/Gene annotated? If not, unannotated tokens are "missing"


TRAIN_SPLITS = (
    Split("bc5cdr-train", "bc5cdr_train_dev/CDR_TrainingSet.PubTator.txt.gz", weight=2),
    Split("biored-train", "biored_train_dev/Train.PubTator.gz"),
    Split("ncbi-train", "ncbi_disease_corpus/NCBItrainset_corpus.txt.gz", complete=False),
)
#: Held-out splits, evaluated by ``gapmap nlp eval``; their PMIDs never reach training.
EVAL_SPLITS = {
    "bc5cdr-dev": "bc5cdr_train_dev/CDR_DevelopmentSet.PubTator.txt.gz",
    "biored-dev": "biored_train_dev/Dev.PubTator.gz",
    "ncbi-dev": "ncbi_disease_corpus/NCBIdevelopset_corpus.txt.gz",
}
#: Every n-th document of a complete training split is kept apart for checkpoint selection.
VALIDATION_EVERY = 10


@dataclass
class CorpusStats:
    """What the conversion did, for the training log."""

    train_docs: int = 0
    validation_docs: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    skipped_held_out: int = 0  # training docs dropped because their PMID is in an evaluation split
    unaligned: int = 0  # gold spans that do not fall on token boundaries (dropped)
    overlapping: int = 0  # gold spans dropped because they overlap a longer one


def tokenizer_nlp() -> Language:
    """A blank English pipeline with the biomedical tokenizer: the tokenisation the model is trained on."""
    nlp = spacy.blank("en")
    nlp.tokenizer = biomedical_tokenizer(nlp)
    return nlp


def to_doc(nlp: Language, gold: PubtatorDoc, complete: bool, stats: CorpusStats) -> Doc:
    """Tokenise a gold document and set its entities in gapmap types."""
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
    doc.set_ents(kept, default="outside" if complete else "missing")
    return doc


def held_out_pmids(shared: Path) -> set[str]:
    """PMIDs of every evaluation split."""
    return {doc.pmid for path in EVAL_SPLITS.values() for doc in read_pubtator(shared / path)}


def training_pmids(shared: Path) -> set[str]:
    """PMIDs of every training split."""
    return {doc.pmid for split in TRAIN_SPLITS for doc in read_pubtator(shared / split.path)}


def build_corpus(shared: Path, out_dir: Path, limit: int | None = None) -> CorpusStats:
    """Write ``train.spacy`` and ``dev.spacy`` (validation) into ``out_dir``; ``limit`` caps docs per split."""
    nlp = tokenizer_nlp()
    stats = CorpusStats()
    held_out = held_out_pmids(shared)
    train, validation = DocBin(store_user_data=False), DocBin(store_user_data=False)
    for split in TRAIN_SPLITS:
        seen: set[str] = set()
        for index, gold in enumerate(read_pubtator(shared / split.path)):
            if limit is not None and index >= limit:
                break
            if gold.pmid in held_out:
                stats.skipped_held_out += 1
                continue
            if gold.pmid in seen:  # NCBI-disease repeats one abstract
                continue
            seen.add(gold.pmid)
            doc = to_doc(nlp, gold, split.complete, stats)
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
