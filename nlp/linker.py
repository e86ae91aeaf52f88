"""Normalising model spans to ontology ids with scispaCy's candidate generator over a local knowledge base.

Why: the NER model finds names the dictionaries lack ("tolebrutinib 60 mg", "interferon beta-1a"); scispaCy's
TF-IDF character-3-gram nearest-neighbour search maps such a span to the closest MeSH / DOID / HGNC concept of
its type, and a similarity threshold leaves it unlinked rather than wrong.

The knowledge base is built from our own lexicons (nothing downloads): MeSH descriptors, DOID and curated
concepts for Compound and Disease, HGNC symbols and names for Gene.  The index is built once (about two minutes)
into the cache folder and loaded from there afterwards.  scispaCy's ``create_tfidf_ann_index`` hard-codes an
index effort (``efConstruction=2000``, 16 threads) meant for all of UMLS; we build the same kind of index, with
scispaCy's vectorizer settings, at an effort suited to 200k aliases and 2 cores.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import joblib
import nmslib
import numpy as np
from scispacy.candidate_generation import CandidateGenerator
from scispacy.linking_utils import Entity, KnowledgeBase
from sklearn.feature_extraction.text import TfidfVectorizer
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from core.atomic import atomic_path
from nlp.merge import EntitySpan
from nlp.records import Concept
from nlp.span_rules import CELL_HEAD_NOUN

#: Lexicons and types the knowledge base takes; the supplementary concepts and GO are left out to keep the
#: index small (the gazetteer already matches their names exactly).
KB_LEXICONS = frozenset({"curated", "mesh", "doid", "hgnc"})
KB_TYPES = frozenset({"Compound", "Disease", "Gene"})
#: Cosine similarity (1 - distance) a candidate needs to be accepted.
THRESHOLD = 0.8
#: A candidate alias may be at most this much longer (in characters) than the mention: character-trigram
#: similarity rates "inflammatory" close to "inflammatory MFH", but the extra words are ones the text never said.
MAX_ALIAS_LENGTH_RATIO = 1.3
_WORD = re.compile(r"[a-z0-9]+")
K = 10
#: (text, type) pairs the linker remembers the answer for; about 30 MB at most.
MAX_REMEMBERED = 100_000


class LexiconKnowledgeBase(KnowledgeBase):
    """A scispaCy KnowledgeBase fed from our concepts instead of a downloaded JSONL file."""

    def __init__(self, entities: Iterable[Entity]) -> None:  # noqa: D107 - no call to super: it reads a file
        self.cui_to_entity: dict[str, Entity] = {}
        self.alias_to_cuis: dict[str, set[str]] = {}
        for entity in entities:
            self.cui_to_entity[entity.concept_id] = entity
            for alias in {entity.canonical_name, *entity.aliases}:
                self.alias_to_cuis.setdefault(alias, set()).add(entity.concept_id)


def kb_entities(concepts: list[Concept], lexicons: list[str]) -> list[Entity]:
    """Entities of the knowledge base (see :data:`KB_LEXICONS`); genes keep only symbol and approved name."""
    entities = []
    for concept, lexicon in zip(concepts, lexicons, strict=True):
        if lexicon not in KB_LEXICONS or concept.type not in KB_TYPES:
            continue
        aliases = concept.synonyms[:1] if lexicon == "hgnc" else concept.synonyms
        entities.append(Entity(concept.concept_id, concept.name, [a for a in aliases if len(a) <= 100], [concept.type]))
    return entities


@dataclass(frozen=True)
class Link:
    concept_id: str
    score: float


#: Types the model predicts that the nearest-neighbour index does not cover: they link by exact alias only, to
#: concepts of every lexicon (curated biomarkers, Cell Ontology, GO, MeSH).
EXACT_ONLY_TYPES = frozenset({"Biomarker", "CellType", "Mechanism"})
#: A measured protein is one concept whatever the role of its mention: a Biomarker may take a Gene's concept.
#: So may a gene symbol that the model typed a Mechanism, Compound or Disease in some sentence ("TNF-α" as what a
#: drug blocks, "MOG" as the immunogen), when no concept of that type has the name: TNF-α stays one concept.
FALLBACK_TYPE = {"Biomarker": "Gene", "Mechanism": "Gene", "Compound": "Gene", "Disease": "Gene"}
#: Only a symbol falls back from Mechanism or Compound: one word of letters, digits, Greek letters and hyphens,
#: with two capitals or a capital and a digit or Greek letter ("TNF-α", "IL-17A", "MOG"), not a process or a
#: substance written out ("Cladribine" at the start of a sentence).
_SYMBOL = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2}|.*[A-Z].*[0-9α-ω])[A-Za-z0-9α-ω-]{2,12}$")
#: The sample a marker was measured in belongs to the mention ("serum NfL", guideline rule 6) but not to the
#: concept: "serum NfL", "CSF NfL" and "NfL" are one biomarker.
_SPECIMEN = re.compile(
    r"^(?:serum|plasma|blood|csf|cerebrospinal fluid|urine|urinary|saliva|salivary|circulating)[\s-]+", re.I
)


def exact_entities(concepts: list[Concept]) -> list[Entity]:
    """Concepts of :data:`EXACT_ONLY_TYPES`, as entities for the linker's exact-alias table."""
    return [
        Entity(c.concept_id, c.name, [a for a in c.synonyms if len(a) <= 100], [c.type])
        for c in concepts
        if c.type in EXACT_ONLY_TYPES
    ]


class Linker:
    """Link span texts of a given type to the best knowledge-base concept of that type, or to nothing."""

    def __init__(
        self, generator: CandidateGenerator, threshold: float = THRESHOLD, exact_only: Iterable[Entity] = ()
    ) -> None:
        self.generator = generator
        self.threshold = threshold
        self._known: dict[tuple[str, str], Link | None] = {}
        # (alias as an exact key, type) → concept: preferred names first, then synonyms, each in knowledge-base
        # order; then the exact-only concepts the same way
        self._exact: dict[tuple[str, str], str] = {}
        self._names: dict[str, str] = {}
        for entities in (list(generator.kb.cui_to_entity.values()), list(exact_only)):
            pairs = [(e, e.canonical_name) for e in entities] + [(e, a) for e in entities for a in e.aliases]
            for entity, alias in pairs:
                self._names.setdefault(entity.concept_id, entity.canonical_name)
                for type_ in entity.types:
                    self._exact.setdefault((_vectorised(alias), type_), entity.concept_id)

    def name(self, concept_id: str) -> str:
        """The preferred name of a concept the linker links to."""
        return self._names[concept_id]

    def link(self, texts: list[str], types: list[str]) -> list[Link | None]:
        """The best link of each (text, type); a pair seen before is answered from memory.

        Why remember: the nearest-neighbour search is most of the linker's cost, and the same names ("multiple
        sclerosis", "dimethyl fumarate") recur in abstract after abstract.  The memory is emptied when it reaches
        :data:`MAX_REMEMBERED` pairs, so it stays small on a PubMed-sized run.
        """
        keys = list(zip(texts, types, strict=True))
        new = list(dict.fromkeys(k for k in keys if k not in self._known))
        if len(self._known) + len(new) > MAX_REMEMBERED:
            self._known.clear()
        if new:
            self._known.update(zip(new, self._search([t for t, _ in new], [y for _, y in new]), strict=True))
        return [self._known[k] for k in keys]

    def _search(self, texts: list[str], types: list[str]) -> list[Link | None]:
        """A name that is an alias of a concept of its type links there (similarity 1, the best possible);
        only the others go through the nearest-neighbour search.

        Why first: the approximate search sometimes misses an exact alias ("caffeine", "Alport syndrome" came
        back unlinked), and where several concepts share the alias it broke the tie at random.  Here a concept's
        preferred name beats another's synonym ("interferon beta-1a" is its own MeSH descriptor and a synonym
        of interferon-beta), then knowledge-base order (the gazetteer's lexicon priority) decides.
        """
        exact = [self._exact_link(t, y) for t, y in zip(texts, types, strict=True)]
        rest = [i for i, concept_id in enumerate(exact) if concept_id is None and types[i] not in EXACT_ONLY_TYPES]
        searched = self._nearest([texts[i] for i in rest], [types[i] for i in rest]) if rest else []
        results: list[Link | None] = [Link(c, 1.0) if c else None for c in exact]
        for i, link in zip(rest, searched, strict=True):
            results[i] = link
        return results

    def _exact_link(self, text: str, type_: str) -> str | None:
        """The concept ``text`` is an alias of: of its type, else (a Biomarker) of its molecule's type; a marker
        named with its sample ("serum NfL") is looked up without it too, and a cell subset by its head ("reactive
        astrocytes" are astrocytes: the guideline keeps subset modifiers in the span, the concept is the cell type;
        "Th17" is the Th17 cell)."""
        bare = _SPECIMEN.sub("", text)
        forms = [text, bare]
        if type_ == "CellType":  # "reactive astrocytes", "CD20+ B cells": the cell type of the head
            words = text.split()
            forms += [" ".join(words[i:]) for i in range(1, len(words))]
            if not CELL_HEAD_NOUN.search(text):  # "Th17", "Tregs": a cell code named without its head noun
                forms += [f"{text.removesuffix('s')} cell"]
        for form in dict.fromkeys(forms):
            fallback = FALLBACK_TYPE.get(type_) if type_ == "Biomarker" or _SYMBOL.match(form) else None
            for kind in (type_, fallback):
                if kind and (found := self._exact.get((_vectorised(form), kind))):
                    return found
        return None

    def _nearest(self, texts: list[str], types: list[str]) -> list[Link | None]:
        results: list[Link | None] = []
        for text, candidates, type_ in zip(texts, self.generator(texts, K), types, strict=True):
            best: Link | None = None
            for candidate in candidates:
                entity = self.generator.kb.cui_to_entity[candidate.concept_id]
                score, alias = max(zip(candidate.similarities, candidate.aliases, strict=True))
                if len(alias) > MAX_ALIAS_LENGTH_RATIO * len(text) or not says_only_what_the_text_says(text, alias):
                    continue
                if type_ in entity.types and score >= self.threshold and (best is None or score > best.score):
                    best = Link(candidate.concept_id, round(float(score), 3))
            results.append(best)
        return results


def _word_keys(text: str) -> list[str]:
    """Lower-cased words, a plural's last ``s`` dropped: the units a name is made of."""
    words = _WORD.findall(text.lower())
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def _same_word(a: str, b: str) -> bool:
    """Equal, or a spelling variant of a longer word ("teriflunomide"/"teriflunomid", "tumour"/"tumor"): same
    first two letters and nearly the same letters, so "urological" is no variant of "neurological"."""
    if a == b:
        return True
    return min(len(a), len(b)) >= 5 and a[:2] == b[:2] and SequenceMatcher(None, a, b).ratio() >= 0.88


def says_only_what_the_text_says(text: str, alias: str) -> bool:
    """A fuzzy link may drop words of the mention ("tolebrutinib 60 mg" → tolebrutinib) but not change one.

    Character trigrams rate "neurological diseases" close to "Urologic Diseases" and "inflammatory diseases"
    close to an inflammatory bone disease: links that swap a word for a similar-looking one name something the
    text never said.  Every word of the alias must be a word of the mention (case, hyphens, plurals and small
    spelling variants aside), and the alias must keep the mention's last or first word (its head or its name).
    """
    mention, named = _word_keys(text), _word_keys(alias)
    if not named or not all(any(_same_word(n, m) for m in mention) for n in named):
        return False
    return any(_same_word(mention[-1], n) or _same_word(mention[0], n) for n in named)


#: Greek letters as abstracts spell them and as MeSH and HGNC do ("TNF-α" is the alias "TNF-alpha").
_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon"})


def _vectorised(text: str) -> str:
    """The text as an exact-alias key: lower-cased, Greek letters spelled out, runs of white space as one space."""
    return " ".join(text.lower().translate(_GREEK).split())


def build_linker(
    concepts: list[Concept], lexicons: list[str], cache_dir: Path, notify: Callable[[str], None] = lambda _: None
) -> Linker:
    """Load the index from ``cache_dir`` or build it there first (the folder name carries the lexicon version)."""
    kb = LexiconKnowledgeBase(kb_entities(concepts, lexicons))
    index_path, vectorizer_path, aliases_path = (
        cache_dir / n for n in ("nmslib_index.bin", "tfidf.joblib", "aliases.json")
    )
    index = nmslib.init(method="hnsw", space="cosinesimil_sparse", data_type=nmslib.DataType.SPARSE_VECTOR)
    if aliases_path.is_file() and index_path.is_file() and vectorizer_path.is_file():
        aliases = json.loads(aliases_path.read_text(encoding="utf-8"))
        vectorizer = joblib.load(vectorizer_path)
        index.loadIndex(str(index_path), load_data=True)
    else:
        notify(f"building the linker index over {len(kb.alias_to_cuis):,} aliases (once; cached in {cache_dir})")
        aliases = sorted(kb.alias_to_cuis)
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), min_df=10, dtype=np.float32)
        vectors = vectorizer.fit_transform(aliases)
        keep = np.flatnonzero(vectors.getnnz(axis=1))  # all-zero vectors break nmslib
        aliases = [aliases[i] for i in keep]
        index.addDataPointBatch(vectors[keep])
        index.createIndex({"M": 30, "indexThreadQty": 1, "efConstruction": 100, "post": 0})
        # Written to a private folder, then renamed: two processes building at once never see half an index.
        with atomic_path(cache_dir, first_wins=True) as partial:
            partial.mkdir()
            index.saveIndex(str(partial / index_path.name), save_data=True)
            joblib.dump(vectorizer, partial / vectorizer_path.name)
            (partial / aliases_path.name).write_text(json.dumps(aliases), encoding="utf-8")
    index.setQueryTimeParams({"efSearch": 100})
    generator = CandidateGenerator(
        ann_index=_OneThread(index), tfidf_vectorizer=vectorizer, ann_concept_aliases_list=aliases, kb=kb
    )
    return Linker(generator, exact_only=exact_entities(concepts))


class _OneThread:
    """The nmslib index, queried on one thread.  nmslib's batch query uses every core by default: for the few
    names of one batch that costs more in thread hand-offs than it saves, and ``gapmap extract --workers N``
    already runs one process per core."""

    def __init__(self, index: nmslib.dist.FloatIndex) -> None:
        self.index = index

    def knnQueryBatch(self, queries: object, k: int = K) -> list[tuple[np.ndarray, np.ndarray]]:  # noqa: N802
        return self.index.knnQueryBatch(queries, k=k, num_threads=1)


class LinkerComponent:
    """spaCy component, after the merge (and again after the span rules): normalises the spans without a concept
    (``doc._.entities``): the model's that survived the merge, and those the span rules reshaped ("T cell
    activation" from the cell type "T cell").

    Why after the merge: where the gazetteer's match of the same name wins (most names the lexicons know), the
    model span's link would be thrown away; linking only the survivors saves most nearest-neighbour searches.
    ``nlp.pipe`` hands it whole batches, and the spans of a batch are linked in one call: the TF-IDF transform
    and the nearest-neighbour search have a fixed cost per call that, paid per abstract, was a third of the
    linker's time.
    """

    def __init__(self, linker: Linker | None) -> None:
        self.linker = linker

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            self._link([s for d in batch for s in d._.entities or [] if not s.concept_id])
            yield from batch

    def _link(self, spans: list[EntitySpan]) -> None:
        if self.linker is None or not spans:
            return
        for span, link in zip(spans, self.linker.link([s.text for s in spans], [s.type for s in spans]), strict=True):
            if link is not None:
                span.concept_id, span.concept_name = link.concept_id, self.linker.name(link.concept_id)
                span.score = link.score


@cache
def shared_linker(cache_dir: str) -> Linker:
    """The process-wide linker over the shared gazetteer's concepts, its index cached under ``cache_dir``."""
    from nlp.gazetteer import lexicon_fingerprint, shared_gazetteer

    gazetteer = shared_gazetteer()
    folder = Path(cache_dir) / f"linker-{lexicon_fingerprint()}"
    return build_linker(gazetteer.concepts, gazetteer.lexicons, folder, notify=lambda m: print(m, file=sys.stderr))


@Language.factory("gapmap_linker", default_config={"cache_dir": ""})
def make_linker_component(nlp: Language, name: str, cache_dir: str) -> LinkerComponent:
    """Links model spans when a cache folder is given; without one, model spans stay unlinked."""
    return LinkerComponent(shared_linker(cache_dir) if cache_dir else None)
