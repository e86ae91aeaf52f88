"""Silver training data: a teacher model's entities on unlabelled abstracts from the shared data folder.

Why (knowledge distillation with hard labels): the shipped model is sized for 200 abstracts per second per core,
four times smaller than the model it replaced.  Trained on the ~1,400 gold abstracts alone it lost up to a point
of F1 to that larger model; trained also on ~5,000 abstracts that a larger teacher, trained on the same gold
data, has labelled, it matches or beats the teacher on the held-out BioRED and NCBI-disease dev splits
(docs/nlp-model.md).  The teacher is trained afresh by every ``gapmap nlp train``, so the model is rebuilt from
the shared data alone.

Unlabelled abstracts: the MS literature feed, the oligodendrocyte MEDLINE set and the PubMed XML samples (read
with the ingest parsers), and PubMedQA's expert set (its own JSON).  An abstract whose PMID is in a gold corpus
(training or evaluation split) is left out: the gold labels are better, and the evaluation stays held out.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from ingest.files import iter_file_events, iter_paths
from ingest.records import Article
from nlp.records import document_text

#: Folders of PubMed XML / MEDLINE / JSONL records under the shared data folder.
RECORD_FOLDERS = ("pubmed_ms_gregory_rss_2021", "pubmed_medline_oligodendrocyte_dementia", "pubmed_xml_samples")
#: PubMedQA's expert-labelled set: PMID → question (the title as a question), contexts, long answer.
PUBMEDQA = "pubmedqa_pqal/ori_pqal.json.gz"


def unlabelled_abstracts(shared: Path, exclude: set[str], limit: int | None = None) -> dict[str, str]:
    """PMID → text (title, blank line, abstract) of every unlabelled abstract not in ``exclude``, first per PMID."""
    texts: dict[str, str] = {}
    for pmid, text in _records(shared):
        if pmid not in exclude and text.strip():
            texts.setdefault(pmid, text)
            if limit is not None and len(texts) >= limit:
                break
    return texts


def _records(shared: Path) -> Iterator[tuple[str, str]]:
    for path in iter_paths(shared / folder for folder in RECORD_FOLDERS):
        for event in iter_file_events(path):
            if isinstance(event, Article) and event.abstract:
                yield event.pmid, document_text(event)
    with gzip.open(shared / PUBMEDQA, "rt", encoding="utf-8") as handle:
        for pmid, record in json.load(handle).items():
            abstract = " ".join([*record.get("CONTEXTS", []), record.get("LONG_ANSWER", "")]).strip()
            if abstract:
                yield pmid, f"{record.get('QUESTION', '')}\n\n{abstract}"


def silver_docs(teacher: Language, texts: Iterable[str], batch_size: int = 64) -> DocBin:
    """The teacher's entities on ``texts``, as training docs: the teacher's tokens, every other token outside."""
    out = DocBin(store_user_data=False)
    for doc in teacher.pipe(texts, batch_size=batch_size):
        silver = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        silver.set_ents([Span(silver, e.start, e.end, label=e.label_) for e in doc.ents], default="outside")
        out.add(silver)
    return out
