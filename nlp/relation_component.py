"""spaCy component ``gapmap_relations``: typed relations between the entities of each abstract.

Runs last, on the final entities (after merge, linker, abbreviations and marker roles), so relations join the
same concept ids the mentions carry.  ``doc._.relations`` is a list of :class:`nlp.relations.PredictedRelation`;
``nlp.pipeline`` turns them into :class:`nlp.records.Relation` records with their evidence sentence.  A batch of
documents is scored in one matrix product (``pipe``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from nlp.doc_text import doc_text
from nlp.relations import MODEL_DIR, Argument, RelationDoc, RelationExtractor, load_relation_model

Doc.set_extension("relations", default=None, force=True)


def relation_doc(doc: Doc) -> RelationDoc:
    """The extractor's input: the doc's text, spaCy's sentences, and its entities with their concept ids.

    Sentences are read from the token arrays (where each starts; it ends where the next starts) rather than
    ``doc.sents``, which builds a Span per sentence: same boundaries, a fraction of the time.
    """
    text = doc_text(doc)
    arguments = [Argument(s.start, s.end, s.type, s.concept()[0], s.kind) for s in doc._.entities or []]
    if not len(doc):
        return RelationDoc(text, [], arguments)
    columns = doc.to_array([IDX, SENT_START])
    starts = columns[:, 0][columns[:, 1] == 1].tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, int(columns[0, 0]))
    sentences = list(zip(starts, [*starts[1:], len(text)], strict=True))
    return RelationDoc(text, sentences, arguments)


class RelationComponent:
    """Sets ``doc._.relations``; ``pipe`` scores a whole batch of documents at once."""

    def __init__(self, extractor: RelationExtractor) -> None:
        self.extractor = extractor

    def __call__(self, doc: Doc) -> Doc:
        doc._.relations = self.extractor.extract(relation_doc(doc))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        stream = iter(docs)
        while batch := list(islice(stream, batch_size)):
            for doc, relations in zip(
                batch, self.extractor.extract_many([relation_doc(d) for d in batch]), strict=True
            ):
                doc._.relations = relations
                yield doc


@Language.factory("gapmap_relations", default_config={"model_dir": ""})
def make_relation_component(nlp: Language, name: str, model_dir: str) -> RelationComponent:
    return RelationComponent(RelationExtractor(load_relation_model(Path(model_dir) if model_dir else MODEL_DIR)))
