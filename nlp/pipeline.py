"""The NLP pipeline: a spaCy pipeline of gapmap components that turns an Article into Mentions.

Components, in order (one module per concern, registered as spaCy factories like scispaCy's):

================================  ==================================================================
``gapmap_paragraphs``             sentence breaks at line breaks (title, each abstract paragraph)
model (if present)                ``nlp/model``: biomedical tokenizer, dictionary features, and its
                                  trained tok2vec + ner run by ``gapmap_ner`` (:mod:`nlp.ner_inference`)
``sentencizer``                   rule-based sentence splitting
``gapmap_abbreviation_detector``  scispaCy's Schwartz–Hearst finder (:mod:`nlp.abbreviation_detector`)
``gapmap_gazetteer``              dictionary matches from all lexicons (:mod:`nlp.gazetteer`)
``gapmap_merge``                  overlap rules between sources (:mod:`nlp.merge`)
``gapmap_linker``                 surviving model spans normalised to MeSH / DOID / HGNC (:mod:`nlp.linker`)
``gapmap_abbreviations``          short forms take their long form's concept (:mod:`nlp.abbreviations`)
``gapmap_span_rules``             the guideline's span rules: modifiers, coordination, heads (:mod:`nlp.span_rules`)
``gapmap_linker_reshaped``        the linker again, for the spans the rules reshaped
``gapmap_marker_roles``           measured genes and proteins become fluid Biomarkers (:mod:`nlp.merge`)
``gapmap_relations``              typed relations between the final entities (:mod:`nlp.relations`)
================================  ==================================================================

Then the record's own MeSH headings and chemicals are added (:mod:`nlp.record_terms`).  Without a trained
model the pipeline is blank-English tokenizer + the same components, so it works from the first minute.
"""

from __future__ import annotations

import bisect
import hashlib
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

from core.fingerprint import content_digest, module_files, package_data_files
from core.settings import settings
from ingest.records import Article
from nlp import abbreviation_detector as _detector  # noqa: F401 - registers "gapmap_abbreviation_detector"
from nlp import abbreviations as _abbreviations  # noqa: F401 - registers "gapmap_abbreviations"
from nlp import linker as _linker  # noqa: F401 - registers "gapmap_linker"
from nlp import span_rules as _span_rules  # noqa: F401 - registers "gapmap_span_rules"
from nlp.context_classifier import ContextClassifier
from nlp.doc_text import doc_text, with_text
from nlp.gazetteer import Gazetteer, lexicon_fingerprint, shared_gazetteer
from nlp.ner_model import MODEL_DIR, PredictedSpan, open_model, with_tokenizer_cache
from nlp.record_terms import heading_uis, mentions_from_record
from nlp.records import Concept, Mention, Relation, document_text
from nlp.relation_component import relation_doc  # also registers "gapmap_relations"
from nlp.relations import MODEL_DIR as RELATION_MODEL_DIR
from nlp.relations import PredictedRelation, RelationDoc
from nlp.study_context import StudyContext

# scispaCy's abbreviation detector runs an empty matcher on abstracts without abbreviations, warning each time.
warnings.filterwarnings("ignore", message=r"\[W036\]")


@Language.component("gapmap_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A token after a line break starts a sentence: the title and every abstract paragraph stand alone.

    The line breaks are found in the text, and the token after each by its offset (no Token objects made).
    """
    text = doc_text(doc)
    breaks = []
    position = text.find("\n")
    while position >= 0:
        breaks.append(position)
        position = text.find("\n", position + 1)
    if breaks:
        after = np.searchsorted(doc.to_array(IDX), breaks, side="right")
        for i in sorted(set(after.tolist()) - {0, len(doc)}):
            if not doc[i].is_space:
                doc[i].is_sent_start = True
    return doc


def build_nlp(
    model_dir: Path | None = MODEL_DIR, cache_dir: Path | None = None, relation_dir: Path | None = RELATION_MODEL_DIR
) -> Language:
    """The spaCy pipeline: the trained model's when ``model_dir`` holds one, else blank English.

    The linker's index is cached in ``cache_dir``, else in the settings' cache folder (``GAPMAP_CACHE``).
    Relations are extracted when ``relation_dir`` holds a relation model (None: no relations).
    """
    cache_dir = cache_dir or settings().cache
    has_model = model_dir is not None and (model_dir / "config.cfg").is_file()
    nlp = open_model(model_dir) if has_model and model_dir else with_tokenizer_cache(spacy.blank("en"))
    nlp.max_length = 2_000_000
    nlp.add_pipe("gapmap_paragraphs", first=True)
    if "sentencizer" not in nlp.pipe_names and "senter" not in nlp.pipe_names and "parser" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("gapmap_abbreviation_detector")
    nlp.add_pipe("gapmap_gazetteer")
    nlp.add_pipe("gapmap_merge")
    linker = {"cache_dir": str(cache_dir) if has_model and cache_dir else ""}
    nlp.add_pipe("gapmap_linker", config=linker)
    nlp.add_pipe("gapmap_abbreviations")
    nlp.add_pipe("gapmap_span_rules")
    # the spans the rules reshaped ("T cell activation" from the cell type "T cell") are linked in turn
    nlp.add_pipe("gapmap_linker", name="gapmap_linker_reshaped", config=linker)
    nlp.add_pipe("gapmap_marker_roles")
    if relation_dir is not None and (relation_dir / "model.json").is_file():
        nlp.add_pipe("gapmap_relations", config={"model_dir": str(relation_dir)})
    return nlp


def pipeline_version(model_dir: Path | None = MODEL_DIR, relation_dir: Path | None = RELATION_MODEL_DIR) -> str:
    """Hash of the lexicons, the model files and every project module and data file this stage reads.

    A change to any of them re-annotates every article. The modules are found by following this module's
    imports (:func:`core.fingerprint.module_files`), so a new module cannot be forgotten in a hand-kept list;
    the model is hashed by content, so a fresh clone (new file times) does not re-annotate.
    """
    digest = hashlib.sha1(lexicon_fingerprint().encode())
    files = [*module_files(__name__), *package_data_files(Path(__file__).parent)]
    for folder in (model_dir, relation_dir):
        if folder is not None and folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    digest.update(content_digest(files).encode())
    return digest.hexdigest()[:16]


@dataclass
class _Layout:
    """Where the title and each abstract paragraph sit in ``document_text(article)``, to name sections."""

    starts: list[int]
    labels: list[str]

    @classmethod
    def of(cls, article: Article) -> _Layout:
        starts, labels = [0], ["title"]
        if article.abstract:
            offset = len(article.title) + 2
            for section in article.abstract:
                starts.append(offset)
                labels.append(section.label or "abstract")
                offset += len(f"{section.label}: {section.text}" if section.label else section.text) + 1
        return cls(starts, labels)

    def section(self, offset: int) -> str:
        return self.labels[bisect.bisect_right(self.starts, offset) - 1]


@dataclass
class Annotated:
    """One article's mentions, relations, study context and the ids of its MeSH headings named without one, or
    the error that stopped its annotation."""

    article: Article
    mentions: list[Mention]
    context: StudyContext = StudyContext()
    error: str = ""
    mesh_uis: dict[str, str] = field(default_factory=dict)  # lower-cased heading name -> descriptor UI
    relations: list[Relation] = field(default_factory=list)


class Pipeline:
    """The loaded pipeline: ``annotate`` articles, ``annotate_texts`` for evaluation, and its ``version``."""

    def __init__(
        self, nlp: Language, gazetteer: Gazetteer, version: str, context: ContextClassifier, batch_size: int = 64
    ) -> None:
        self.nlp = nlp
        self.gazetteer = gazetteer
        self.context = context
        self.version = version
        self.batch_size = batch_size

    def annotate(self, article: Article) -> list[Mention]:
        return self.annotate_one(article).mentions

    def annotate_one(self, article: Article) -> Annotated:
        """One article's mentions and relations."""
        return self._annotated(article, self.nlp(self._doc(document_text(article))))

    def annotate_many(self, articles: Iterable[Article]) -> Iterator[Annotated]:
        """Batched ``nlp.pipe``; an article that breaks its batch is retried alone and reported with its error."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, articles: list[Article]) -> Iterator[Annotated]:
        try:
            docs = list(self.nlp.pipe(self._doc(document_text(a)) for a in articles))
            done = [self._annotated(a, d) for a, d in zip(articles, docs, strict=True)]
        except Exception:  # one bad text must not cost the batch: redo it one by one, so only the culprit fails
            for article in articles:
                try:
                    yield self.annotate_one(article)
                except Exception as exc:  # noqa: BLE001 - reported with the PMID, the run goes on
                    yield Annotated(article, [], error=f"{type(exc).__name__}: {exc}")
            return
        yield from done

    def annotate_texts(self, texts: Iterable[str]) -> Iterator[list[PredictedSpan]]:
        """Entity spans of plain texts (offsets into each text), for ``gapmap nlp eval``."""
        for doc in self.nlp.pipe((self._doc(t) for t in texts), batch_size=self.batch_size):
            yield [PredictedSpan(s.start, s.end, s.type, s.concept_id) for s in doc._.entities]

    def relation_docs(self, texts: Iterable[str]) -> Iterator[RelationDoc]:
        """The relation extractor's input for plain texts (entities, spaCy's sentences), for
        ``gapmap nlp eval-relations``: the pipeline up to its relation step."""
        disabled = [name for name in ("gapmap_relations",) if name in self.nlp.pipe_names]
        for doc in self.nlp.pipe((self._doc(t) for t in texts), batch_size=self.batch_size, disable=disabled):
            yield relation_doc(doc)

    def _doc(self, text: str) -> Doc:
        """The tokenized text, which keeps its string for the components (:func:`nlp.doc_text.doc_text`)."""
        return with_text(self.nlp.make_doc(text), text)

    def concepts(self, mentions: Iterable[Mention]) -> list[Concept]:
        """The concepts ``mentions`` refer to, for ``MentionStore.upsert_concepts``."""
        out: dict[str, Concept] = {}
        for m in mentions:
            if m.concept_id not in out:
                out[m.concept_id] = self.gazetteer.concept(m.concept_id) or Concept(
                    m.concept_id, m.concept_name, m.type, kind=m.kind
                )
        return list(out.values())

    def _annotated(self, article: Article, doc: Doc) -> Annotated:
        """What the stage stores for ``article``: mentions, relations, study context, ids of unnamed MeSH headings."""
        text = doc_text(doc)
        sentence_texts = [text[s.start_char : s.end_char].strip() for s in doc.sents]
        relations = [_relation(article.pmid, r, sentence_texts) for r in doc._.relations or []]
        return Annotated(
            article,
            self._mentions(article, doc, sentence_texts),
            self.context.classify(article),
            mesh_uis=heading_uis(article),
            relations=relations,
        )

    def _mentions(self, article: Article, doc: Doc, sentence_texts: list[str]) -> list[Mention]:
        layout = _Layout.of(article)
        sentence_starts = [s.start_char for s in doc.sents]
        mentions = []
        for span in doc._.entities:
            index = max(bisect.bisect_right(sentence_starts, span.start) - 1, 0)
            concept_id, name = span.concept()
            mentions.append(
                Mention(
                    article.pmid,
                    layout.section(span.start),
                    index,
                    sentence_texts[index],
                    span.start,
                    span.end,
                    span.text,
                    span.type,
                    concept_id,
                    name,
                    span.source,
                    span.score,
                    span.kind,
                )
            )
        for m in mentions_from_record(article):  # a heading folded into another lexicon's concept names that one
            concept = self.gazetteer.canonical(m.concept_id, m.type)
            if concept is not None:
                m.concept_id, m.type, m.concept_name, m.kind = (
                    concept.concept_id,
                    concept.type,
                    concept.name,
                    concept.kind,
                )
            mentions.append(m)
        return mentions


def _relation(pmid: str, predicted: PredictedRelation, sentence_texts: list[str]) -> Relation:
    best = predicted.sentences[0] if predicted.sentences else -1
    return Relation(
        pmid,
        predicted.subject,
        predicted.object,
        predicted.type,
        predicted.directed,
        predicted.novel,
        predicted.score,
        best,
        sentence_texts[best] if 0 <= best < len(sentence_texts) else "",
        list(predicted.sentences),
        predicted.subject_type,
        predicted.object_type,
    )


def missing_caches(cache_dir: Path | None = None) -> list[str]:
    """What :func:`load_pipeline` will build first because the machine-wide cache lacks it (minutes, once per
    machine and lexicon version): the linker's index and the compiled lexicon matcher."""
    from nlp.dictionary_features import cache_dir as features_dir
    from nlp.dictionary_features import matcher_fingerprint

    folder = cache_dir or settings().cache
    missing = []
    if not (folder / f"linker-{lexicon_fingerprint()}").is_dir():
        missing.append("the entity linker's index")
    compiled = []
    for mondo in (False, True):
        try:
            compiled.append(features_dir() / f"dictionary-features-{matcher_fingerprint(mondo)}.pickle")
        except Exception:  # noqa: BLE001 - a lexicon missing here is reported by load_pipeline itself
            continue
    if not any(path.is_file() for path in compiled):
        missing.append("the compiled lexicons")
    return missing


def load_pipeline(
    model_dir: Path | None = MODEL_DIR, cache_dir: Path | None = None, relation_dir: Path | None = RELATION_MODEL_DIR
) -> Pipeline:
    """Compile the gazetteer (≈15 s), load the model if there is one, the linker with it, the study-context
    classifier and the relation model (``relation_dir`` None: a pipeline without relations, for comparison)."""
    nlp = build_nlp(model_dir, cache_dir, relation_dir)
    return Pipeline(nlp, shared_gazetteer(), pipeline_version(model_dir, relation_dir), ContextClassifier.load())
