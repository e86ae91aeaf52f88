"""The trained model's tok2vec and ner, run as a few fused array operations: same weights, same entities, 3× faster.

Why not spaCy's own components at inference: measured per abstract (≈ 275 tokens, one core), spaCy's
transition-based decoder spent most of its 4.3 ms taking and releasing the GIL (its compiled state accessors
check for Python exceptions on every call), and thinc's layer-by-layer forward pass spent half of tok2vec's
8.4 ms outside the matrix products, in temporaries for maxout, layer norm, residuals and windows.  Here:

* **embedding** — thinc's own hash-embedding and mixing layers, but only for (NORM, PREFIX, SUFFIX, SHAPE, TAG)
  rows not seen before: the mixed vector depends on nothing else, and words recur, so most tokens are a cache
  lookup (:class:`EmbeddingCache`);
* **encoder** — per layer one BLAS matrix product, then one compiled pass for maxout, layer norm, residual and
  the next layer's window (:func:`_maxout_norm_residual`), over the same padded layout thinc uses;
* **ner** — the same two matrix products spaCy precomputes, then the greedy BILUO decoder compiled with numba
  (:func:`_decode`), with spaCy's move-validity rules for a document without preset entities.

Training stays spaCy's (``gapmap nlp train``); this module only reads the trained weights.  It checks the
architecture it was written for (``spacy.Tok2Vec.v2`` with ``MultiHashEmbed.v2`` and ``MaxoutWindowEncoder.v2``
of window 1, a greedy ``TransitionBasedParser.v2`` with an upper layer, listening to that tok2vec) and leaves
any other model to spaCy's components; tests compare its entities with spaCy's on real abstracts, for the
shipped model and for other sizes of the architecture.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

import numba
import numpy as np
from spacy.attrs import ENT_IOB, ENT_TYPE, IS_SPACE, SENT_START
from spacy.language import Language
from spacy.pipeline import EntityRecognizer, Tok2Vec
from spacy.tokens import Doc
from spacy.util import minibatch
from thinc.api import Model
from thinc.types import Ints2d

#: spaCy's BILUO move kinds, by the first letter of a class name ("B-Disease", "U-", "O").
_MOVE_KINDS = {"B": 1, "I": 2, "L": 3, "U": 4, "O": 5}
#: Rows the embedding cache holds (384 bytes each at the shipped width, 96) before it starts over.
CACHE_ROWS = 200_000
#: Tokens (about) that go through all layers at once: their arrays stay in a core's cache from first to last.
GROUP_ROWS = 2048


@dataclass(frozen=True)
class _MaxoutNorm:
    """One maxout + layer-norm layer: ``weights`` (nI, nP·nO) with piece-major columns, ``bias`` (nP·nO,)."""

    weights: np.ndarray
    bias: np.ndarray
    gain: np.ndarray
    shift: np.ndarray

    @classmethod
    def of(cls, maxout: Model, layernorm: Model) -> _MaxoutNorm:
        W = _param(maxout, "W")  # (nO, nP, nI)
        n_out, n_pieces, n_in = W.shape
        # piece-major: columns [p·nO, (p+1)·nO) hold piece p, so maxout compares contiguous blocks
        weights = np.ascontiguousarray(W.transpose(1, 0, 2).reshape(n_pieces * n_out, n_in).T)
        bias = np.ascontiguousarray(_param(maxout, "b").T.reshape(-1))
        return cls(weights, bias, _param(layernorm, "G"), _param(layernorm, "b"))

    @property
    def width(self) -> int:
        return self.gain.shape[0]


class EmbeddingCache:
    """The mixed embedding of each distinct feature row (NORM, PREFIX, SUFFIX, SHAPE, TAG), computed once.

    A row's vector depends on those five values only, so a cached vector is exactly what the layers would
    compute.  Rows are found by a combined 64-bit key and confirmed on all five values (a key collision is a
    miss).  Full at :data:`CACHE_ROWS`, it starts over, so memory stays bounded on a PubMed-sized run.
    """

    def __init__(self, features: Model, mixer: Model, columns: int, width: int, capacity: int = CACHE_ROWS) -> None:
        self.features = features  # thinc: (N, columns) uint64 → (N, columns·width) concatenated hash embeddings
        self.mixer = mixer  # thinc: maxout >> layernorm (>> dropout, inactive at inference)
        self.capacity = capacity
        self.vectors = np.zeros((capacity, width), dtype="float32")
        self.keys = np.zeros((capacity, columns), dtype="uint64")
        self.rows: dict[int, int] = {}  # combined key → slot; slots are filled from 0 up

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        """Vectors (N, width) for feature rows (N, columns)."""
        if len(self.rows) + len(feats) > self.capacity:
            self.rows.clear()  # start over: the slots are overwritten from 0 up
        combined = _combine(feats)
        rows = np.fromiter((self.rows.get(k, -1) for k in combined.tolist()), dtype="int64", count=len(feats))
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            fresh_keys, first, inverse = np.unique(combined[missing], return_index=True, return_inverse=True)
            fresh = feats[missing[first]]
            slots = np.arange(len(self.rows), len(self.rows) + len(fresh))
            self.vectors[slots] = self._compute(fresh)
            self.keys[slots] = fresh
            self.rows.update(zip(fresh_keys.tolist(), slots.tolist(), strict=True))
            rows[missing] = slots[inverse]
        out = self.vectors[rows]
        collided = ~(self.keys[rows] == feats).all(axis=1)  # two rows, one key: computed, not cached
        if collided.any():
            out[collided] = self._compute(feats[collided])
        return out

    def _compute(self, feats: np.ndarray) -> np.ndarray:
        return self.mixer.predict(self.features.predict(feats))


def _param(model: Model, name: str) -> np.ndarray:
    """A copy of a thinc layer's parameter, as a plain float32 NumPy array."""
    return np.array(model.get_param(name), dtype="float32")


def _combine(feats: np.ndarray) -> np.ndarray:
    """One 64-bit key per feature row (multiply-xor mixing of the five hashes; wraps modulo 2⁶⁴)."""
    key = np.zeros(len(feats), dtype="uint64")
    with np.errstate(over="ignore"):
        for column in range(feats.shape[1]):
            key = (key ^ feats[:, column]) * np.uint64(0x9E3779B97F4A7C15)
    return key


class NerInference:
    """The trained tok2vec + ner of a loaded spaCy pipeline, as arrays (see the module docstring)."""

    def __init__(self, tok2vec: Model, ner: EntityRecognizer) -> None:
        embed, encode = tok2vec.layers  # spacy.Tok2Vec.v2: chain(embed, encode)
        extract = [m for m in embed.walk() if m.name == "extract_features"]
        concatenate = [m for m in embed.walk() if m.name.startswith("ints-getitem>>hashembed|")]
        mixer = [m for m in embed.walk() if m.name == "maxout>>layernorm>>dropout"]
        maxouts = [m for m in encode.walk() if m.name == "maxout"]
        norms = [m for m in encode.walk() if m.name == "layernorm"]
        windows = [m for m in encode.walk() if m.name == "expand_window"]
        if (
            not (len(extract) == len(concatenate) == len(mixer) == 1)
            or not encode.name.startswith("with_array(residual")
            or not (len(maxouts) == len(norms) == len(windows) >= 1)
            or any(w.attrs["window_size"] != 1 for w in windows)
        ):
            raise ValueError("nlp.ner_inference runs spacy.Tok2Vec.v2 (MultiHashEmbed, MaxoutWindowEncoder, window 1)")
        self.columns: list[int | str] = list(extract[0].attrs["columns"])
        self.pad = int(encode.attrs["pad"])
        self.encoder = [_MaxoutNorm.of(m, n) for m, n in zip(maxouts, norms, strict=True)]
        self.embedding = EmbeddingCache(concatenate[0], mixer[0], len(self.columns), self.encoder[0].width)
        self._init_ner(ner)

    def _init_ner(self, ner: EntityRecognizer) -> None:
        model = ner.model
        listener = model.get_ref("tok2vec")  # chain(Tok2VecListener, list2array, Linear(hidden, tok2vec width))
        if (
            ner.cfg.get("beam_width", 1) != 1
            or not model.attrs.get("has_upper")
            or model.attrs.get("unseen_classes")
            or listener.layers[0].name != "tok2vec-listener"
        ):
            raise ValueError("nlp.ner_inference runs a greedy TransitionBasedParser.v2 with an upper layer")
        projection = listener.layers[-1]
        lower, upper = model.get_ref("lower"), model.get_ref("upper")
        self.projection_W = np.ascontiguousarray(_param(projection, "W").T)
        self.projection_b = _param(projection, "b")
        lower_W = _param(lower, "W")  # (nF, nO, nP, nI): per state feature, a maxout layer's weights
        n_feats, n_hidden, n_pieces, n_in = lower_W.shape
        if n_feats != 3:  # the NER state's three tokens (extra_state_tokens = false); the decoder knows no others
            raise ValueError(f"nlp.ner_inference decodes NER states of 3 feature tokens, not {n_feats}")
        self.lower_W = np.ascontiguousarray(lower_W.reshape(n_feats * n_hidden * n_pieces, n_in).T)
        self.lower_pad = _param(lower, "pad").reshape(-1)
        self.lower_b = _param(lower, "b").reshape(-1)
        self.upper_W, self.upper_b = _param(upper, "W"), _param(upper, "b")
        self.n_hidden, self.n_pieces = n_hidden, n_pieces
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self.move_kind = np.array([_MOVE_KINDS.get(n[:1], 0) for n in names], dtype="int64")
        labels = sorted({n[2:] for n in names if n[1:2] == "-" and n[2:]})
        self.labels = labels
        self.move_label = np.array([labels.index(n[2:]) + 1 if n[2:] in labels else 0 for n in names], dtype="int64")

    def tokvecs(self, docs: list[Doc]) -> np.ndarray:
        """The tok2vec output of ``docs``' tokens, one row per token in doc order (spaCy's ``doc.tensor`` rows)."""
        vectors, lengths = self._embed(docs)
        return np.concatenate([self._encode(vectors[a:b], lengths[i:j]) for i, j, a, b in _groups(lengths)])

    def entities(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """(start token, end token, label) of each doc's entities, as spaCy's greedy ner would set them.

        Docs go through encoder, ner projection and decoder a group at a time (:data:`GROUP_ROWS` tokens), so a
        group's arrays stay in the core's cache from the first layer to the last."""
        docs_in = [d for d in docs if len(d)]
        found: dict[int, list[tuple[int, int, str]]] = {}
        if not docs_in:
            return [[] for _ in docs]
        vectors, lengths = self._embed(docs_in)
        flags = np.concatenate([d.to_array([SENT_START, IS_SPACE]) for d in docs_in]).astype("int64")
        for i, j, a, b in _groups(lengths):
            precomputed = (
                self._encode(vectors[a:b], lengths[i:j]) @ self.projection_W + self.projection_b
            ) @ self.lower_W
            group_lengths = np.array(lengths[i:j], dtype="int64")
            offsets = np.concatenate([[0], np.cumsum(group_lengths[:-1])]).astype("int64")
            ents = np.zeros((b - a, 3), dtype="int64")
            counts = _decode(
                precomputed,
                self.lower_pad,
                self.lower_b,
                self.upper_W,
                self.upper_b,
                offsets,
                group_lengths,
                flags[a:b, 0],
                flags[a:b, 1],
                self.move_kind,
                self.move_label,
                self.n_hidden,
                self.n_pieces,
                ents,
            )
            for doc, offset, count in zip(docs_in[i:j], offsets, counts, strict=True):
                rows = ents[offset : offset + count].tolist()
                found[id(doc)] = [(start, end, self.labels[label - 1]) for start, end, label in rows]
        return [found.get(id(d), []) for d in docs]

    def _embed(self, docs: list[Doc]) -> tuple[np.ndarray, list[int]]:
        """Mixed embeddings of all tokens of ``docs`` (non-empty), and each doc's length."""
        feats = [doc.to_array(self.columns) for doc in docs]
        return self.embedding(np.concatenate(feats)), [len(f) for f in feats]

    def _encode(self, vectors: np.ndarray, lengths: list[int]) -> np.ndarray:
        """The encoder layers over a few docs, in thinc's ``with_array(pad=…)`` layout: ``pad`` zero rows before,
        between and after the docs.  They go through the layers like tokens, and a doc's window sees them at its
        edges; with ``pad`` ≥ the receptive field, docs do not see each other."""
        width, pad = self.encoder[0].width, self.pad
        starts = pad + np.cumsum([0] + [n + pad for n in lengths[:-1]])
        token_rows = np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths, strict=True)])
        X = np.zeros((sum(lengths) + pad * (len(lengths) + 1), width), dtype="float32")
        X[token_rows] = vectors
        windows = np.zeros((len(X), 3 * width), dtype="float32")
        _fill_windows(X, windows)
        for layer in self.encoder:
            Y = windows @ layer.weights
            _maxout_norm_residual(Y, layer.bias, layer.gain, layer.shift, X, windows)
        return X[token_rows]


def _groups(lengths: list[int]) -> Iterator[tuple[int, int, int, int]]:
    """Consecutive docs of about :data:`GROUP_ROWS` tokens (at least one doc): (first, end) doc indices and
    (first, end) token rows."""
    first, start = 0, 0
    while first < len(lengths):
        last, rows = first + 1, lengths[first]
        while last < len(lengths) and rows + lengths[last] <= GROUP_ROWS:
            rows += lengths[last]
            last += 1
        yield first, last, start, start + rows
        first, start = last, start + rows


class NerComponent:
    """spaCy component standing in for the loaded model's ``tok2vec`` and ``ner``: sets ``doc.ents``."""

    def __init__(self, inference: NerInference) -> None:
        self.inference = inference

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity labels, as spaCy's ``ner`` reports them (``nlp.pipe_labels``)."""
        return tuple(self.inference.labels)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            for doc, ents in zip(batch, self.inference.entities(batch), strict=True):
                _set_entities(doc, ents)
                yield doc


def _set_entities(doc: Doc, ents: list[tuple[int, int, str]]) -> None:
    """``doc.set_ents(ents, default="outside")`` written as the token columns it sets (no Span objects):
    ENT_IOB B (3) / I (1) / O (2), ENT_TYPE the label's hash."""
    if not len(doc):
        return
    columns = np.zeros((len(doc), 2), dtype="uint64")
    columns[:, 0] = 2
    for start, end, label in ents:
        columns[start, 0] = 3
        columns[start + 1 : end, 0] = 1
        columns[start:end, 1] = doc.vocab.strings.add(label)
    doc.from_array([ENT_IOB, ENT_TYPE], cast(Ints2d, columns))


@Language.factory("gapmap_ner")
def make_ner_component(nlp: Language, name: str) -> NerComponent:
    """Built from the pipeline's trained ``tok2vec`` and ``ner``, which :func:`use_ner_inference` then removes."""
    if not {"tok2vec", "ner"} <= set(nlp.pipe_names):
        raise ValueError("the pipeline has no tok2vec + ner pair")
    tok2vec, ner = nlp.get_pipe("tok2vec"), nlp.get_pipe("ner")
    if not isinstance(tok2vec, Tok2Vec) or not isinstance(ner, EntityRecognizer):
        raise ValueError("tok2vec and ner are not spaCy's components")
    return NerComponent(NerInference(tok2vec.model, ner))


def use_ner_inference(nlp: Language) -> Language:
    """Replace ``tok2vec`` + ``ner`` of a loaded model pipeline with :class:`NerComponent` (in place).

    A model of another architecture keeps spaCy's own components (slower, same results), with a warning.
    """
    try:
        nlp.add_pipe("gapmap_ner", before="tok2vec")
    except ValueError as exc:
        warnings.warn(f"NER model runs on spaCy's own components: {exc}", stacklevel=2)
        return nlp
    nlp.remove_pipe("tok2vec")
    nlp.remove_pipe("ner")
    return nlp


@numba.njit(cache=True)
def _fill_windows(X: np.ndarray, windows: np.ndarray) -> None:  # pragma: no cover - compiled
    """``windows[i] = [X[i-1], X[i], X[i+1]]`` (zeros beyond the ends), thinc's ``expand_window`` of width 1."""
    for i in range(X.shape[0]):
        _spread_row(X, windows, i)


@numba.njit(cache=True, inline="always")
def _spread_row(X: np.ndarray, windows: np.ndarray, i: int) -> None:  # pragma: no cover - compiled
    """Row ``i`` of ``X`` into the windows of rows i-1, i and i+1 (element loops, not slice copies: numba's
    slices cost more than the copying)."""
    n, width = X.shape
    for j in range(width):
        windows[i, width + j] = X[i, j]
    if i + 1 < n:
        for j in range(width):
            windows[i + 1, j] = X[i, j]
    if i > 0:
        for j in range(width):
            windows[i - 1, 2 * width + j] = X[i, j]


@numba.njit(cache=True, fastmath={"reassoc", "nsz", "contract"})
def _maxout_norm_residual(
    Y: np.ndarray, bias: np.ndarray, gain: np.ndarray, shift: np.ndarray, X: np.ndarray, windows: np.ndarray
) -> None:  # pragma: no cover - compiled
    """``X += layernorm(maxout(Y + bias))`` row by row, writing the new rows into the next layer's ``windows``.

    thinc's LayerNorm: ``(h - mean) / sqrt(var + 1e-8) * gain + shift`` over each row.  Sums may be reordered
    (``fastmath``) so they vectorise: the last bits differ from thinc's, as they do between BLAS builds.
    """
    n, width = X.shape
    pieces = Y.shape[1] // width
    inverse_width = np.float32(1.0) / np.float32(width)
    h = np.empty(width, dtype=np.float32)
    for i in range(n):
        for j in range(width):
            h[j] = Y[i, j] + bias[j]
        for p in range(1, pieces):
            for j in range(width):
                value = Y[i, p * width + j] + bias[p * width + j]
                h[j] = value if value > h[j] else h[j]
        total = np.float32(0.0)
        for j in range(width):
            total += h[j]
        mean = total * inverse_width
        spread = np.float32(0.0)
        for j in range(width):
            spread += (h[j] - mean) * (h[j] - mean)
        scale = np.float32(1.0) / np.sqrt(spread * inverse_width + np.float32(1e-8))
        for j in range(width):
            X[i, j] += (h[j] - mean) * scale * gain[j] + shift[j]
        _spread_row(X, windows, i)


@numba.njit(cache=True, fastmath={"reassoc", "nsz", "contract"})
def _decode(
    precomputed: np.ndarray,
    pad: np.ndarray,
    bias: np.ndarray,
    upper_W: np.ndarray,
    upper_b: np.ndarray,
    offsets: np.ndarray,
    lengths: np.ndarray,
    sent_start: np.ndarray,
    is_space: np.ndarray,
    move_kind: np.ndarray,
    move_label: np.ndarray,
    n_hidden: int,
    n_pieces: int,
    ents: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """spaCy's greedy BILUO decoding (``Parser.greedy_parse`` with ``BiluoPushDown``), one doc after another.

    State features, as ``StateC.set_context_tokens`` for three features: the current token; the open entity's
    first token; the token before the current one while an entity is open (else the learned padding).  Move
    validity as ``ner.pyx`` with no preset entities: B needs no open entity, a next token that starts no
    sentence, and a non-space token; I an open entity of its label and a next token in the same sentence; L an
    open entity of its label; U (label set) no open entity and a non-space token; O no open entity.  The best
    valid move wins (first on ties).  Writes (start, end, label) rows per doc into ``ents`` at the doc's
    offset; returns the number of entities of each doc.  Sums may be reordered (``fastmath``) so the output
    layer's dot products vectorise; spaCy's BLAS call orders them its own way too.
    """
    n_classes = upper_W.shape[0]
    block = n_hidden * n_pieces
    counts = np.zeros(len(lengths), dtype=np.int64)
    unmaxed = np.empty(block, dtype=np.float32)
    hidden = np.empty(n_hidden, dtype=np.float32)
    scores = np.empty(n_classes, dtype=np.float32)
    for d in range(len(lengths)):
        offset, n = offsets[d], lengths[d]
        is_open, ent_start, ent_label, count = False, 0, 0, 0
        for i in range(n):
            token = offset + i
            for k in range(block):
                value = precomputed[token, k]
                if is_open:
                    value += precomputed[offset + ent_start, block + k]
                    value += precomputed[token - 1, 2 * block + k]
                else:
                    value += pad[block + k]
                    value += pad[2 * block + k]
                unmaxed[k] = value + bias[k]
            for j in range(n_hidden):
                best_piece = unmaxed[j * n_pieces]
                for p in range(1, n_pieces):
                    if unmaxed[j * n_pieces + p] > best_piece:
                        best_piece = unmaxed[j * n_pieces + p]
                hidden[j] = best_piece
            for c in range(n_classes):
                total = np.float32(0.0)
                for j in range(n_hidden):
                    total += hidden[j] * upper_W[c, j]
                scores[c] = total + upper_b[c]
            last = i + 1 >= n
            next_starts = not last and sent_start[token + 1] == 1
            best = -1
            for c in range(n_classes):
                kind, label = move_kind[c], move_label[c]
                if kind == 1:
                    valid = not is_open and not last and label != 0 and not next_starts and is_space[token] == 0
                elif kind == 2:
                    valid = is_open and not last and label != 0 and label == ent_label and not next_starts
                elif kind == 3:
                    valid = is_open and label != 0 and label == ent_label
                elif kind == 4:
                    valid = not is_open and label != 0 and is_space[token] == 0
                elif kind == 5:
                    valid = not is_open
                else:
                    valid = False
                if valid and (best == -1 or scores[c] > scores[best]):
                    best = c
            kind, label = move_kind[best], move_label[best]
            if kind == 1:
                is_open, ent_start, ent_label = True, i, label
            elif kind == 3 or kind == 4:
                start = ent_start if kind == 3 else i
                ents[offset + count, 0], ents[offset + count, 1], ents[offset + count, 2] = start, i + 1, label
                count += 1
                is_open = False
        counts[d] = count
    return counts
