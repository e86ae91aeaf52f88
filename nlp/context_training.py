"""Train the text side of the study context on real records whose publication types and MeSH give the labels.

Records: the oligodendrocyte MEDLINE set and the PubMed XML samples (read with the ingest parsers), and
PubMedQA's expert set (MeSH, no publication types).  Labels come from :func:`nlp.context_metadata.metadata_context`
(the ``weak_design`` guess included), so the model learns what indexers would say from the words they read.

Split: a fifth of the records, chosen by a hash of the PMID, is the **dev split**; nothing is fitted or tuned on
it, and ``gapmap nlp context-agreement`` reports MeSH-vs-text agreement on it.  PMIDs in the shared reserved list
(``../shared/annotation/reserved_pmids.txt``) are never read.  Hyperparameters are scikit-learn's defaults
except ``class_weight="balanced"`` (trials and case reports are a few percent of the records), chosen before any
score was seen.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from ingest.files import iter_file_events, iter_paths
from ingest.records import AbstractSection, Article, MeshHeading
from nlp.context_metadata import MetadataContext, metadata_context
from nlp.context_model import ContextModel, Head, features
from nlp.reserved import reserved_pmids
from nlp.study_context import ORGANISMS, REVIEW_DESIGNS

RECORD_FOLDERS = ("pubmed_medline_oligodendrocyte_dementia", "pubmed_xml_samples")
PUBMEDQA = "pubmedqa_pqal/ori_pqal.json.gz"
#: A feature seen in fewer training records is dropped: it cannot be weighed, and the model stays small.
MIN_RECORDS = 3
#: A yes/no head with fewer positive records is not trained (its label then comes from MeSH only).
MIN_POSITIVES = 10


def in_dev_split(pmid: str) -> bool:
    """One record in five, by PMID hash: stable across runs and data order."""
    return int(hashlib.sha1(pmid.encode()).hexdigest(), 16) % 5 == 0


@dataclass(frozen=True)
class LabelledRecord:
    article: Article
    labels: MetadataContext


def _pubmedqa(path: Path) -> Iterator[Article]:
    """PubMedQA records as Articles: the question stands in for the title, MeSH names for headings."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for pmid, record in json.load(handle).items():
            sections = [
                AbstractSection(text, label.upper())
                for text, label in zip(record.get("CONTEXTS", []), record.get("LABELS", []), strict=False)
            ]
            sections.append(AbstractSection(record.get("LONG_ANSWER", ""), "CONCLUSIONS"))
            mesh = [MeshHeading("", name) for name in record.get("MESHES", [])]
            yield Article(pmid, title=record.get("QUESTION", ""), abstract=sections, mesh=mesh)


def labelled_records(shared: Path) -> Iterator[LabelledRecord]:
    """Records with an abstract and MeSH headings, first per PMID, reserved PMIDs left out."""
    reserved = reserved_pmids()
    seen: set[str] = set()
    articles = (e for p in iter_paths(shared / f for f in RECORD_FOLDERS) for e in iter_file_events(p))
    for article in (*articles, *_pubmedqa(shared / PUBMEDQA)):
        if not isinstance(article, Article) or not article.has_abstract or not article.mesh:
            continue
        if article.pmid in reserved or article.pmid in seen:
            continue
        seen.add(article.pmid)
        yield LabelledRecord(article, metadata_context(article))


def split(records: list[LabelledRecord]) -> tuple[list[LabelledRecord], list[LabelledRecord]]:
    """(training, dev) records."""
    return [r for r in records if not in_dev_split(r.article.pmid)], [
        r for r in records if in_dev_split(r.article.pmid)
    ]


def _fit(matrix: csr_matrix, targets: list[str | bool]) -> Head:
    model = LogisticRegression(class_weight="balanced", max_iter=2000)
    model.fit(matrix, np.asarray(targets))
    classes = tuple(str(c) for c in model.classes_)
    if len(classes) == 2:  # scikit-learn keeps one column for two classes: the logit of the second
        return Head(("yes",), model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32))
    return Head(classes, model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32))


def train(records: list[LabelledRecord]) -> ContextModel:
    """Fit the design, in-vitro and per-organism heads on ``records`` (the training split)."""
    docs = [features(r.article.title, r.article.abstract_text) for r in records]
    counts: dict[str, int] = {}
    for doc in docs:
        for f in doc:
            counts[f] = counts.get(f, 0) + 1
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_RECORDS)
    index = {f: i for i, f in enumerate(vocabulary)}

    def matrix(rows: list[int]) -> csr_matrix:
        cols = [[index[f] for f in docs[i] if f in index] for i in rows]
        indptr = np.cumsum([0, *map(len, cols)])
        data = np.ones(int(indptr[-1]), dtype=np.float32)
        return csr_matrix(
            (data, np.concatenate([np.asarray(c, dtype=np.int64) for c in cols]), indptr),
            shape=(len(rows), len(vocabulary)),
        )

    heads: dict[str, Head] = {}
    designed = [i for i, r in enumerate(records) if r.labels.weak_design]
    heads["design"] = _fit(matrix(designed), [records[i].labels.weak_design or "" for i in designed])
    indexed = [i for i, r in enumerate(records) if r.labels.in_vitro is not None]
    heads["in_vitro"] = _fit(matrix(indexed), [bool(records[i].labels.in_vitro) for i in indexed])
    tagged = [
        i for i, r in enumerate(records) if r.labels.organisms is not None and r.labels.design not in REVIEW_DESIGNS
    ]
    for organism in ORGANISMS:
        targets = [organism in (records[i].labels.organisms or ()) for i in tagged]
        if MIN_POSITIVES <= sum(targets) <= len(targets) - MIN_POSITIVES:
            heads[organism] = _fit(matrix(tagged), list(targets))
    return ContextModel(vocabulary, heads)
