"""The committed statistical NER model (``nlp/model``): where it lives, loading it, running it on texts.

The model is a spaCy pipeline (biomedical tokenizer, dictionary features, tok2vec, ner, sentencizer) predicting the
gapmap types Compound, Disease and Gene; ``gapmap nlp train`` rebuilds it. Loading needs
:mod:`nlp.dictionary_features` (imported here), which compiles the ontology lexicons from the shared data folder.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from thinc.api import use_ops

from core.errors import GapmapError
from nlp import dictionary_features as _dictionary_features  # noqa: F401 - registers "gapmap_dictionary_features"
from nlp.ner_inference import use_ner_inference

#: Where ``gapmap nlp train`` installs the model, and where everything loads it from by default.
MODEL_DIR = Path(str(resources.files("nlp") / "model"))
#: Text chunks (runs between spaces) the tokenizer remembers the tokens of.  spaCy's default of 10,000 is full
#: after a few hundred abstracts (the 3,031 MS abstracts have 61k distinct chunks), and a full cache takes no
#: more: raised, tokenizing them a second time took 0.20 ms per abstract instead of 0.53.  About 40 MB at most.
TOKENIZER_CACHE = 250_000


@dataclass(frozen=True)
class PredictedSpan:
    """One predicted mention: character offsets into the annotated text, gapmap type, concept id ("" if none)."""

    start: int
    end: int
    type: str
    concept_id: str = ""


def numpy_blas() -> AbstractContextManager[None]:
    """Build models inside this: thinc's NumPy backend with BLIS switched off, so the layers' matrix products go
    to NumPy's BLAS (OpenBLAS in the NumPy wheels).  On this project's AVX2 machines the BLIS build thinc ships
    ran them 2.8 times slower, and tok2vec is most of the pipeline's time.  Each layer keeps the backend it was
    built with, so the rest of the process is unaffected.  Loading and training both use it."""
    return use_ops("numpy", use_blis=False)


def open_model(path: Path, spacy_ner: bool = False) -> Language:
    """``spacy.load`` (on :func:`numpy_blas`) without the warning scispaCy's tokenizer rules raise (uncached:
    callers may add pipes).  The trained ``tok2vec`` and ``ner`` then run through :mod:`nlp.ner_inference` (same
    entities, 3× faster); ``spacy_ner`` keeps spaCy's own components (the reference that module is tested on)."""
    with warnings.catch_warnings(), numpy_blas():
        # scispaCy's suffix rules contain "[" inside a character class; Python's re warns on every compile.
        warnings.filterwarnings("ignore", "Possible set union", FutureWarning)
        nlp = spacy.load(path)
    return with_tokenizer_cache(nlp if spacy_ner else use_ner_inference(nlp))


def with_tokenizer_cache(nlp: Language) -> Language:
    """``nlp`` with its spaCy tokenizer remembering :data:`TOKENIZER_CACHE` chunks instead of 10,000."""
    if isinstance(nlp.tokenizer, Tokenizer):
        nlp.tokenizer.max_cache_size = TOKENIZER_CACHE
    return nlp


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_DIR) -> Language:
    """Load the NER pipeline at ``path`` (cached: loading takes about a second)."""
    if not (path / "config.cfg").is_file():
        raise GapmapError(f"{path}: no trained NER model there", "run `gapmap nlp train` (or `make model`)")
    try:
        return open_model(path)
    except (OSError, ValueError) as exc:
        raise GapmapError(f"{path}: cannot load the NER model ({exc})", "retrain it with `gapmap nlp train`") from exc


def annotate_with_model(
    texts: Iterable[str], path: Path = MODEL_DIR, batch_size: int = 32
) -> Iterator[list[PredictedSpan]]:
    """Run the bare model over ``texts``: one list of spans per text, in order (the evaluation's annotator)."""
    nlp = load_model(path)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield [PredictedSpan(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
