"""Typed relations between the entities of one abstract: what the text says one entity does to another.

For every pair of concepts mentioned in an abstract (document level, as BioRED and BC5CDR annotate them) the
extractor predicts BioRED's relation type (Association, Positive_Correlation, Negative_Correlation, Bind,
Cotreatment, Comparison, Drug_Interaction, Conversion) or none, BC5CDR's chemical-induced disease (CID) for
chemical–disease pairs, BioRED's novelty flag (the paper's own finding or background), the evidence sentences,
and the direction where the text gives one ("A reduced B": A acts on B).

Why a linear model over hand-built features: the whole NLP stage must annotate 200 abstracts a second on one
core and relations get about a millisecond of that.  A transformer reads every pair again; this reads each
abstract's tokens once, builds a few dozen integer features per concept pair (the words between the nearest
mentions, trigger-word classes, negation, distances, mention counts, title mentions) and scores all pairs with one
sparse matrix product.  The weights come from :mod:`nlp.training.relations` (``gapmap nlp train-relations``) and
ship in ``nlp/relation_model/``.

Argument types are abstracted into four **roles** the corpora teach: Chemical, Gene, Disease, Variant.  gapmap's
own types take the role they play in BioRED's annotation (:func:`pair_roles`): a Compound is a Chemical; a Gene,
a fluid Biomarker (a measured protein such as NfL) and a CellType (an amount that goes up or down, like a gene
product) are Genes; a Disease, a Mechanism (BioRED annotates "inflammation", "demyelination", "oxidative stress"
as DiseaseOrPhenotypicFeature) and an imaging or clinical Biomarker (a phenotype: atrophy, disability) are
Diseases.  Two Disease roles never relate in BioRED, so in a Mechanism–Disease, CellType–Mechanism or
Mechanism–(non-fluid) Biomarker pair the Mechanism or CellType plays the Gene role: the agent, as a gene is to
the disease it is associated with.  So "ocrelizumab reduced serum NfL" is read as a chemical lowering a gene
product (Negative_Correlation), which BioRED teaches with hundreds of examples.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
from scipy import sparse

#: BioRED's relation types, in the order the model's classes use (index 0 is "no relation").
RELATION_TYPES: tuple[str, ...] = (
    "Association",
    "Positive_Correlation",
    "Negative_Correlation",
    "Bind",
    "Cotreatment",
    "Comparison",
    "Drug_Interaction",
    "Conversion",
)
#: BC5CDR's one relation type: the chemical induces the disease.
CID = "CID"
#: Types whose arguments play different parts, so a direction can be read from the text.
DIRECTED_TYPES = frozenset({"Positive_Correlation", "Negative_Correlation", "Conversion", CID})

#: The roles the corpora teach, in canonical pair order (a Chemical–Disease pair is never Disease–Chemical).
ROLES: tuple[str, ...] = ("Chemical", "Gene", "Disease", "Variant")
#: Role pairs the model scores (BioRED annotates no Disease–Disease or Variant–Variant relations).
ROLE_PAIRS: tuple[tuple[str, str], ...] = (
    ("Chemical", "Chemical"),
    ("Chemical", "Gene"),
    ("Chemical", "Disease"),
    ("Chemical", "Variant"),
    ("Gene", "Gene"),
    ("Gene", "Disease"),
    ("Disease", "Variant"),
)
_RP_INDEX = {rp: i for i, rp in enumerate(ROLE_PAIRS)}

#: Corpus entity types (BioRED, BC5CDR) and gapmap types, as the type the extractor reads.
ARGUMENT_TYPE: dict[str, str] = {
    "ChemicalEntity": "Compound",
    "Chemical": "Compound",
    "GeneOrGeneProduct": "Gene",
    "DiseaseOrPhenotypicFeature": "Disease",
    "Disease": "Disease",
    "SequenceVariant": "Variant",
    "Compound": "Compound",
    "Gene": "Gene",
    "Mechanism": "Mechanism",
    "Biomarker": "Biomarker",
    "CellType": "CellType",
    "Variant": "Variant",
}


def base_role(type_: str, kind: str = "") -> str:
    """The role an argument plays on its own (see the module docstring)."""
    if type_ == "Compound":
        return "Chemical"
    if type_ in ("Gene", "CellType") or (type_ == "Biomarker" and kind == "fluid"):
        return "Gene"
    if type_ == "Variant":
        return "Variant"
    return "Disease"  # Disease, Mechanism, imaging / clinical / digital Biomarker


def pair_roles(type_a: str, kind_a: str, type_b: str, kind_b: str) -> tuple[str, str] | None:
    """The roles of two arguments in one pair, or None when the corpora teach nothing about such a pair.

    Two Disease roles: a Mechanism beside a Disease or a non-fluid Biomarker takes the Gene role (the agent);
    two Diseases, two Mechanisms or two phenotype Biomarkers are not scored.
    """
    ra, rb = base_role(type_a, kind_a), base_role(type_b, kind_b)
    if ra == rb == "Disease":
        if type_a == "Mechanism" and type_b != "Mechanism":
            ra = "Gene"
        elif type_b == "Mechanism" and type_a != "Mechanism":
            rb = "Gene"
        else:
            return None
    ordered = (ra, rb) if ROLES.index(ra) <= ROLES.index(rb) else (rb, ra)
    return (ra, rb) if ordered in _RP_INDEX else None


# -- text: tokens, sentences, trigger words --------------------------------------------------------------------

TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_NOT_AN_END = re.compile(r"(?:\b(?:e\.g|i\.e|vs|al|approx|ca|Fig|Figs|Dr|No|Ref|resp)|\b[A-Z])\.$")


def split_sentences(text: str, title_end: int) -> list[tuple[int, int]]:
    """Sentence spans of a PubTator text (title, then the abstract split at ". " before a capital or digit).

    The pipeline uses spaCy's sentences instead; this splitter serves the gold corpora, which come without any.
    """
    spans = [(0, title_end)] if title_end > 0 else []
    start = title_end
    while start < len(text) and text[start].isspace():
        start += 1
    for match in _SENTENCE_END.finditer(text, start):
        if _NOT_AN_END.search(text, max(start, match.start() - 8), match.start()):
            continue
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


#: Trigger-word classes: a word belongs to a class when it starts with one of the stems.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "increase": (
        "increas", "elevat", "enhanc", "upregul", "induc", "stimulat", "activat", "promot", "augment", "rais",
        "higher", "rise", "potentiat", "exacerbat", "accelerat", "aggravat", "provok", "trigger", "overexpress",
        "accumulat", "worsen", "gain",
    ),
    "decrease": (
        "decreas", "reduc", "inhibit", "suppress", "downregul", "lower", "attenuat", "block", "diminish", "declin",
        "prevent", "protect", "amelior", "alleviat", "abolish", "antagon", "impair", "loss", "deplet", "revers",
        "improv", "rescu", "knockdown", "silenc", "deficien", "less", "fall", "drop", "limit", "restor", "abrogat",
    ),
    "treat": ("treat", "therap", "efficac", "effective", "benefit", "manag", "administ", "dose", "drug"),
    "cause": (
        "caus", "toxic", "adverse", "side", "develop", "follow", "after", "secondary", "onset", "occur",
        "experienc", "complicat", "risk", "hazard", "overdose", "poison", "intoxic",
    ),
    "associate": (
        "associat", "correlat", "link", "relat", "susceptib", "predispos", "carrier", "mutat", "variant",
        "polymorph", "allele", "genotyp", "frequen", "predict", "marker", "level", "express",
    ),
    "bind": ("bind", "bound", "interact", "complex", "ligand", "affinit", "dock", "recogni", "substrat"),
    "combine": ("combin", "plus", "adjunct", "coadminist", "concomitant", "together", "add", "cotreat", "regimen"),
    "compare": ("compar", "versus", "vs", "than", "superior", "inferior", "equivalen", "similar", "differ"),
    "convert": ("metaboli", "convert", "conversion", "hydroly", "transform", "catalys", "synthes", "oxid", "produc"),
    "negation": (
        "not", "no", "neither", "nor", "without", "lack", "fail", "unaffect", "unchang", "absen", "none",
        "never", "insignificant", "nonsignificant",
    ),
    "background": (
        "previous", "known", "report", "recent", "studies", "literature", "established", "believ", "implicat",
        "hypothes", "thought", "review",
    ),
    "finding": (
        "we", "our", "here", "found", "show", "demonstrat", "result", "suggest", "conclu", "observ", "reveal",
        "identif", "present", "novel", "first", "indicat", "confirm",
    ),
}  # fmt: skip
TRIGGER_CLASSES: tuple[str, ...] = tuple(TRIGGERS)
#: ``_BITS[mask]``: the trigger classes (bit numbers) set in ``mask``, for every mask.
_BITS: tuple[tuple[int, ...], ...] = tuple(
    tuple(bit for bit in range(len(TRIGGER_CLASSES)) if mask >> bit & 1) for mask in range(1 << len(TRIGGER_CLASSES))
)
_NEGATION_BIT = 1 << TRIGGER_CLASSES.index("negation")
_INCREASE_BIT = 1 << TRIGGER_CLASSES.index("increase")
_DECREASE_BIT = 1 << TRIGGER_CLASSES.index("decrease")
_PASSIVE = frozenset({"by", "following", "after"})  # "B was reduced by A", "B following A"


def trigger_mask(word: str) -> int:
    """Bit mask of the trigger classes ``word`` (lower case) belongs to."""
    mask = 0
    for i, stems in enumerate(TRIGGERS.values()):
        if word.startswith(stems) and not (len(word) <= 3 and word not in stems):
            mask |= 1 << i
    return mask


# -- feature templates ----------------------------------------------------------------------------------------

(
    F_RP,
    F_COSENT,
    F_SDIST,
    F_TDIST,
    F_ORDER,
    F_COUNT_A,
    F_COUNT_B,
    F_RANK_A,
    F_RANK_B,
    F_TITLE,
    F_CONCEPTS,
    F_BETWEEN,
    F_BETWEEN_RP,
    F_BIGRAM,
    F_SHORT,
    F_TRIG_BETWEEN,
    F_TRIG_SENT,
    F_OTHERS_BETWEEN,
    F_POSITION,
    F_TRIG_CROSS,
    F_CONTEXT,
    F_TRIG_DOC,
) = range(22)
_WORD_LIMIT = 1 << 20  # vocabulary ids stay below this, so two fit in one feature value


def _key(template: int, rp: int, value: int) -> int:
    """A feature: its template, role pair (0 for templates shared by all pairs) and value in one integer."""
    return (((template << 5) | rp) << 42) | value


#: ``_BASES[rp][template]`` = ``_key(template, rp, 0)``: a feature is its base plus its value.
_BASES: list[list[int]] = [[_key(t, rp, 0) for t in range(F_TRIG_DOC + 1)] for rp in range(len(ROLE_PAIRS))]


def _bucket(n: int, edges: Sequence[int]) -> int:
    return bisect.bisect_right(edges, n)


# -- inputs and outputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """One entity mention as the extractor reads it: offsets into the text, type, concept id, biomarker kind."""

    start: int
    end: int
    type: str  # a gapmap type or a corpus type (:data:`ARGUMENT_TYPE`)
    concept_id: str
    kind: str = ""


@dataclass
class RelationDoc:
    """One abstract for the extractor: its text, sentence spans (the title first) and entity mentions."""

    text: str
    sentences: list[tuple[int, int]]
    arguments: list[Argument]


@dataclass
class PredictedRelation:
    """One relation between two concepts of an abstract.

    ``subject`` acts on ``object`` when ``directed`` ("subject increases / decreases / causes object"); otherwise
    the two are in canonical role order and the relation is symmetric.  ``sentences`` are the evidence sentence
    indexes, best first.
    """

    subject: str
    object: str
    type: str
    score: float
    directed: bool
    novel: bool
    novel_score: float
    sentences: tuple[int, ...]
    subject_type: str = ""
    object_type: str = ""


@dataclass
class Candidate:
    """A concept pair with its features (keys of the model's feature index)."""

    a: str
    b: str
    roles: tuple[str, str]
    types: tuple[str, str]  # the argument types of a and b (gapmap types; "Variant" for corpus variants)
    features: list[int]
    sentences: tuple[int, ...]  # evidence sentences, best first
    directed_ab: bool | None  # True: a acts on b; False: b acts on a; None: the text does not say


Mention = tuple[int, int, int]  # (first token, end token, sentence) of one mention


def _gap(ma: Mention, mb: Mention) -> int:
    """Tokens between two mentions (0 when they touch or overlap)."""
    return max(mb[0] - ma[1] if ma[0] < mb[0] else ma[0] - mb[1], 0)


@dataclass
class _Concept:
    concept_id: str
    type: str
    kind: str
    mentions: list[Mention] = field(default_factory=list)  # in text order
    by_sentence: dict[int, list[Mention]] = field(default_factory=dict)


def _within_reach(a: _Concept, b: _Concept) -> bool:
    """Whether a pair is scored at all: one sentence names both, or one of them is in the title.

    Why: on BioRED dev the other pairs (no shared sentence, neither in the title) were 44 % of the candidates and 7 %
    of the gold relations, and the model called 21 of them related, 14 rightly; on MS abstracts they are half the
    candidates, so leaving them out halves the extractor's time for a fraction of a point of recall.
    """
    return a.mentions[0][2] == 0 or b.mentions[0][2] == 0 or not a.by_sentence.keys().isdisjoint(b.by_sentence)


@dataclass
class _Context:
    """One abstract's tokens as the pair features read them."""

    ids: list[int]  # vocabulary ids; tokens inside a mention are replaced by their role's placeholder id
    masks: list[int]  # trigger-class bits (0 inside mentions)
    words: list[str]
    token_sentence: list[int]
    sentence_ranges: list[tuple[int, int]]  # token range of each sentence
    sentence_masks: list[int]
    doc_mask: int
    rank: dict[str, int]  # concept id -> rank by mention count
    n_concepts: int
    cache: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (sentence, role pair) -> features


class Featurizer:
    """Tokens, sentences and mentions of one abstract, and the features of its concept pairs."""

    def __init__(self, vocabulary: dict[str, int], masks: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self.masks = masks  # word -> trigger mask, for every word seen (vocabulary or not)

    def mask(self, word: str) -> int:
        mask = self.masks.get(word)
        if mask is None:
            mask = self.masks[word] = trigger_mask(word)
        return mask

    def candidates(self, doc: RelationDoc) -> list[Candidate]:
        """Every scorable concept pair of ``doc`` with its features."""
        starts: list[int] = []
        words: list[str] = []
        for match in TOKEN.finditer(doc.text):
            starts.append(match.start())
            words.append(match.group().lower())
        if not words or not doc.arguments:
            return []
        sentence_starts = [s for s, _ in doc.sentences] or [0]
        token_sentence = [max(bisect.bisect_right(sentence_starts, s) - 1, 0) for s in starts]
        vocabulary, known = self.vocabulary, self.masks
        ids = [vocabulary.get(w, 0) for w in words]
        masks = [m if (m := known.get(w)) is not None else self.mask(w) for w in words]
        concepts: dict[str, _Concept] = {}
        for arg in sorted(doc.arguments, key=lambda a: (a.start, a.end)):
            first = bisect.bisect_left(starts, arg.start)
            end = bisect.bisect_left(starts, arg.end)
            if end <= first:
                continue
            type_ = ARGUMENT_TYPE.get(arg.type, arg.type)
            concept = concepts.setdefault(arg.concept_id, _Concept(arg.concept_id, type_, arg.kind))
            mention = (first, end, token_sentence[first])
            concept.mentions.append(mention)
            concept.by_sentence.setdefault(mention[2], []).append(mention)
            placeholder = 1 + ROLES.index(base_role(type_, arg.kind))  # ids 1..4 (0: unknown word)
            for t in range(first, end):
                ids[t] = placeholder
                masks[t] = 0
        ranges = []
        sentence_masks = []
        doc_mask = 0
        for sentence in range(len(sentence_starts)):
            lo = bisect.bisect_left(token_sentence, sentence)
            hi = bisect.bisect_right(token_sentence, sentence)
            mask = 0
            for m in masks[lo:hi]:
                mask |= m
            ranges.append((lo, hi))
            sentence_masks.append(mask)
            doc_mask |= mask
        order = sorted(concepts.values(), key=lambda c: c.mentions[0][0])
        ranking = sorted(order, key=lambda c: -len(c.mentions))
        ctx = _Context(
            ids, masks, words, token_sentence, ranges, sentence_masks, doc_mask,
            {c.concept_id: i for i, c in enumerate(ranking)}, _bucket(len(order), (2, 4, 7, 11, 16, 25)),
        )  # fmt: skip
        out: list[Candidate] = []
        for i, ca in enumerate(order):
            for cb in order[i + 1 :]:
                if not _within_reach(ca, cb):
                    continue
                roles = pair_roles(ca.type, ca.kind, cb.type, cb.kind)
                if roles is None:
                    continue
                if ROLES.index(roles[0]) > ROLES.index(roles[1]):
                    out.append(self._pair(ctx, cb, ca, (roles[1], roles[0])))
                else:
                    out.append(self._pair(ctx, ca, cb, roles))
        return out

    def _pair(self, ctx: _Context, a: _Concept, b: _Concept, roles: tuple[str, str]) -> Candidate:
        """The features of one pair: ``a`` is first in role order (or mentioned first, for equal roles)."""
        rp = _RP_INDEX[roles]
        B, B0 = _BASES[rp], _BASES[0]  # noqa: N806 - feature bases of this role pair, and the shared ones
        ids, masks = ctx.ids, ctx.masks
        nearest: dict[int, tuple[int, Mention, Mention]] = {}  # per shared sentence: (gap, mention, mention)
        for sentence in sorted(a.by_sentence.keys() & b.by_sentence.keys()):
            nearest[sentence] = min(
                (_gap(ma, mb), ma, mb) for ma in a.by_sentence[sentence] for mb in b.by_sentence[sentence]
            )
        if nearest:
            tdist, ma, mb = min(nearest.values())
            best = (0, tdist, ma, mb)
        else:  # no shared sentence: the nearest sentences, then the nearest mentions in them
            sdist = min(abs(sa - sb) for sa in a.by_sentence for sb in b.by_sentence)
            best = min(
                (sdist, _gap(ma, mb), ma, mb)
                for sa, group_a in a.by_sentence.items()
                for sb, group_b in b.by_sentence.items()
                if abs(sa - sb) == sdist
                for ma in group_a
                for mb in group_b
            )
        sdist, tdist, ma, mb = best
        left, right = (ma, mb) if ma[0] <= mb[0] else (mb, ma)
        a_first = left is ma
        title_a = a.mentions[0][2] == 0  # mentions are in text order: a title mention comes first
        title_b = b.mentions[0][2] == 0
        f = [
            B[F_RP],
            B[F_COSENT] + (min(len(nearest), 3)),
            B[F_SDIST] + (_bucket(sdist, (1, 2, 3, 6))),
            B[F_COUNT_A] + (_bucket(len(a.mentions), (2, 3, 5, 9))),
            B[F_COUNT_B] + (_bucket(len(b.mentions), (2, 3, 5, 9))),
            B[F_RANK_A] + (min(ctx.rank[a.concept_id], 4)),
            B[F_RANK_B] + (min(ctx.rank[b.concept_id], 4)),
            B[F_CONCEPTS] + ctx.n_concepts,
            B[F_ORDER] + (a_first * 2 + (sdist == 0)),
            B[F_TITLE] + (title_a * 2 + title_b),
        ]
        f += [B[F_TRIG_DOC] + bit for bit in _BITS[ctx.doc_mask]]
        for side, m in ((0, ma), (1, mb)):  # the words right next to each mention: "X-induced", "X inhibitor"
            for offset, t in ((0, m[0] - 1), (1, m[1]), (2, m[0] - 2), (3, m[1] + 1)):
                if 0 <= t < len(ids) and ctx.token_sentence[t] == m[2]:
                    f.append(B[F_CONTEXT] + ((side * 4 + offset) * _WORD_LIMIT + ids[t]))
        directed_ab: bool | None = None
        sentence = left[2]
        if nearest:
            f.append(B[F_TDIST] + (_bucket(tdist, (1, 2, 3, 5, 8, 12, 20, 30))))
            lo, hi = left[1], right[0]
            between = ids[lo:hi]
            between_mask = 0
            for bits in masks[lo:hi]:
                between_mask |= bits
            others = sum(1 for t in range(lo, hi) if 0 < ids[t] <= len(ROLES) and ids[t - 1] != ids[t])
            f.append(B[F_OTHERS_BETWEEN] + (min(others, 4)))
            window = between if len(between) <= 12 else between[:6] + between[-6:]
            f += [B0[F_BETWEEN] + w for w in window]
            f += [B[F_BETWEEN_RP] + w for w in window]
            f += [B0[F_BIGRAM] + (x * _WORD_LIMIT + y) for x, y in zip(window, window[1:], strict=False)]
            if len(between) <= 3:
                value = 0
                for w in between:
                    value = value * _WORD_LIMIT + w
                f.append(B[F_SHORT] + (value % (1 << 42)))
            directed_ab = _direction(between_mask, ctx.words[lo:hi], others, a_first, a.type, b.type)
            for s, (_, na, nb) in sorted(nearest.items())[:4]:  # every shared sentence's nearest mentions
                lo, hi = (na[1], nb[0]) if na[0] < nb[0] else (nb[1], na[0])
                mask = 0
                for bits in masks[lo:hi]:
                    mask |= bits
                f += [B[F_TRIG_BETWEEN] + bit for bit in _BITS[mask]]
                f.extend(self._sentence_features(ctx, s, rp))
        else:
            for m in (left, right):
                mask = ctx.sentence_masks[m[2]]
                f += [B[F_TRIG_CROSS] + bit for bit in _BITS[mask]]
            f.extend(self._sentence_features(ctx, sentence, rp))
        n_sentences = len(ctx.sentence_ranges)
        position = 0 if sentence == 0 else 2 if sentence >= n_sentences - 2 else 1
        f.append(B[F_POSITION] + (position * 2 + bool(nearest)))
        evidence = sorted(nearest, key=lambda s: (s != sentence, s))
        sentences = tuple(evidence) if evidence else tuple(sorted({left[2], right[2]}))
        return Candidate(a.concept_id, b.concept_id, roles, (a.type, b.type), f, sentences, directed_ab)

    def _sentence_features(self, ctx: _Context, sentence: int, rp: int) -> list[int]:
        """Trigger classes of one sentence (cached: many pairs share a sentence).

        The sentence's words themselves are not features: on BioRED dev they cost 3 points of pair_type F1 (0.478
        with them, 0.502 without) and a third of the features of a pair.
        """
        key = (sentence, rp)
        feats = ctx.cache.get(key)
        if feats is None:
            base = _BASES[rp][F_TRIG_SENT]
            feats = ctx.cache[key] = [base + bit for bit in _BITS[ctx.sentence_masks[sentence]]]
        return feats


#: Which argument acts when a trigger links two of different types: a compound acts on anything, a gene on cells,
#: processes, diseases and markers, a disease raises or lowers a marker ("MS increases serum NfL").
AGENT_ORDER: tuple[str, ...] = ("Compound", "Gene", "Variant", "CellType", "Mechanism", "Disease", "Biomarker")


def _direction(
    between_mask: int, between: list[str], others: int, a_first: bool, type_a: str, type_b: str
) -> bool | None:
    """Whether ``a`` acts on ``b``, when the text links them by an increase or decrease verb.

    The text gives a direction when such a trigger stands between the two nearest mentions with no other entity in
    between ("A reduced B", "B was increased by A"; not "MS, including agents that deplete B cells (A)").  Which of
    the two acts: for arguments of different types, the one first in :data:`AGENT_ORDER`; for two of one type, the
    voice: the first mention in the active voice, the second after "by" / "following" / "after".
    """
    if not between_mask & (_INCREASE_BIT | _DECREASE_BIT) or others:
        return None
    rank_a = AGENT_ORDER.index(type_a) if type_a in AGENT_ORDER else len(AGENT_ORDER)
    rank_b = AGENT_ORDER.index(type_b) if type_b in AGENT_ORDER else len(AGENT_ORDER)
    if rank_a != rank_b:
        return rank_a < rank_b
    first_acts = not any(w in _PASSIVE for w in between)
    return first_acts == a_first


# -- the model ------------------------------------------------------------------------------------------------

MODEL_DIR = Path(__file__).with_name("relation_model")


@dataclass
class Head:
    """One linear classifier over the feature index: ``classes`` and a weight column per class."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (features, classes) float32
    bias: np.ndarray  # (classes,)

    def scores(self, x: sparse.csr_matrix) -> np.ndarray:
        """Class probabilities (softmax over classes; a one-column head is a logistic)."""
        z = np.asarray(x @ self.weights) + self.bias
        if z.shape[1] == 1:
            return 1.0 / (1.0 + np.exp(-z))
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class RelationModel:
    """The feature index, vocabulary and the three heads: relation type, CID, novelty."""

    vocabulary: dict[str, int]
    index: dict[int, int]  # feature key -> column
    heads: dict[str, Head]
    thresholds: dict[str, float] = field(default_factory=dict)  # head -> decision threshold (else argmax / 0.5)
    meta: dict[str, object] = field(default_factory=dict)
    _keys: np.ndarray | None = field(default=None, repr=False)  # the index's keys, sorted (= column order)

    def featurizer(self) -> Featurizer:
        return Featurizer(self.vocabulary, {})

    def matrix(self, candidates: Sequence[Candidate]) -> sparse.csr_matrix:
        """The candidates' features as a binary CSR matrix over the index (unseen features dropped).

        One vectorised lookup for all features of all candidates: the index's keys are sorted, so a key's column
        is its position among them.
        """
        if self._keys is None or len(self._keys) != len(self.index):
            self._keys = np.fromiter(sorted(self.index), dtype=np.int64, count=len(self.index))
        keys = np.fromiter(chain.from_iterable(c.features for c in candidates), dtype=np.int64)
        rows = np.repeat(np.arange(len(candidates)), [len(c.features) for c in candidates])
        columns = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        found = self._keys[columns] == keys if len(self._keys) else np.zeros(len(keys), dtype=bool)
        x = sparse.csr_matrix(
            (np.ones(int(found.sum()), dtype=np.float32), (rows[found], columns[found])),
            shape=(len(candidates), len(self.index)),
        )
        x.sum_duplicates()
        x.data[:] = 1.0
        return x

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        keys = np.fromiter(self.index, dtype=np.int64, count=len(self.index))
        arrays: dict[str, np.ndarray] = {"keys": keys}
        for name, head in self.heads.items():
            arrays[f"{name}_weights"] = head.weights.astype(np.float16)
            arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        np.savez_compressed(folder / "weights.npz", **arrays)  # type: ignore[arg-type]
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        meta = {
            "vocabulary": words,
            "first_word_id": min(self.vocabulary.values(), default=0),
            "heads": {name: list(head.classes) for name, head in self.heads.items()},
            "thresholds": self.thresholds,
            **{k: v for k, v in self.meta.items() if k not in ("vocabulary", "heads", "thresholds")},
        }
        (folder / "model.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> RelationModel:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        with np.load(folder / "weights.npz") as arrays:
            keys = arrays["keys"]
            heads = {
                name: Head(
                    tuple(classes),
                    arrays[f"{name}_weights"].astype(np.float32),
                    arrays[f"{name}_bias"].astype(np.float32),
                )
                for name, classes in meta["heads"].items()
            }
        first = int(meta["first_word_id"])
        vocabulary = {w: first + i for i, w in enumerate(meta["vocabulary"])}
        index = {int(k): i for i, k in enumerate(keys.tolist())}
        extra = {k: v for k, v in meta.items() if k not in ("vocabulary", "heads", "thresholds", "first_word_id")}
        return cls(vocabulary, index, heads, {k: float(v) for k, v in meta["thresholds"].items()}, extra)


@lru_cache(maxsize=2)
def load_relation_model(folder: Path = MODEL_DIR) -> RelationModel:
    """The committed model (``gapmap nlp train-relations`` rebuilds it), loaded once per process."""
    if not (folder / "model.json").is_file():
        from core.errors import GapmapError

        raise GapmapError(f"{folder}: no relation model", "run `gapmap nlp train-relations`")
    return RelationModel.load(folder)


class RelationExtractor:
    """Scores every concept pair of an abstract with the model's heads; ``scheme`` picks the relation types.

    ``scheme="biored"`` predicts BioRED's types (the pipeline's choice); ``"cdr"`` predicts BC5CDR's CID for
    chemical–disease pairs only.
    """

    def __init__(self, model: RelationModel, scheme: str = "biored") -> None:
        if scheme not in ("biored", "cdr"):
            raise ValueError(f"unknown relation scheme {scheme!r}")
        self.model = model
        self.scheme = scheme
        self.featurizer = model.featurizer()

    def extract(self, doc: RelationDoc) -> list[PredictedRelation]:
        return self.extract_many([doc])[0]

    def extract_many(self, docs: Iterable[RelationDoc]) -> list[list[PredictedRelation]]:
        """Relations of each document; all candidates of the batch are scored in one matrix product."""
        per_doc = [self.featurizer.candidates(doc) for doc in docs]
        flat = [c for cands in per_doc for c in cands]
        if self.scheme == "cdr":
            flat = [c for c in flat if c.roles == ("Chemical", "Disease")]
            per_doc = [[c for c in cands if c.roles == ("Chemical", "Disease")] for cands in per_doc]
        if not flat:
            return [[] for _ in per_doc]
        x = self.model.matrix(flat)
        out: list[list[PredictedRelation]] = []
        decided = self._decide(x, flat)
        position = 0
        for cands in per_doc:
            out.append([r for r in decided[position : position + len(cands)] if r is not None])
            position += len(cands)
        return out

    def _decide(self, x: sparse.csr_matrix, cands: list[Candidate]) -> list[PredictedRelation | None]:
        heads, thresholds = self.model.heads, self.model.thresholds
        novel = heads["novelty"].scores(x)[:, 0]
        if self.scheme == "cdr":
            p = heads["cid"].scores(x)[:, 0]
            labels = [CID if s >= thresholds.get("cid", 0.5) else "" for s in p]
            confidence = p
        else:
            probs = heads["type"].scores(x)
            classes = heads["type"].classes
            none = probs[:, 0] * thresholds.get("type_none_scale", 1.0)
            best = probs[:, 1:].argmax(axis=1) + 1
            labels = [classes[j] if probs[i, j] > none[i] else "" for i, j in enumerate(best)]
            confidence = probs[np.arange(len(best)), best]
        out: list[PredictedRelation | None] = []
        novel_threshold = thresholds.get("novelty", 0.5)
        for i, (cand, label) in enumerate(zip(cands, labels, strict=True)):
            if not label:
                out.append(None)
                continue
            # CID: the chemical (first in role order) causes the disease, whatever the wording
            directed = label == CID or (label in DIRECTED_TYPES and cand.directed_ab is not None)
            forward = label == CID or cand.directed_ab is not False
            subject, obj = (cand.a, cand.b) if forward else (cand.b, cand.a)
            types = cand.types if subject == cand.a else (cand.types[1], cand.types[0])
            out.append(
                PredictedRelation(
                    subject,
                    obj,
                    label,
                    round(float(confidence[i]), 4),
                    directed,
                    bool(novel[i] >= novel_threshold),
                    round(float(novel[i]), 4),
                    cand.sentences,
                    types[0],
                    types[1],
                )
            )
        return out
