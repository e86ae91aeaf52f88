"""Train gapmap's NER model with spaCy's own training loop, distilled from a larger teacher, and install it.

One function, :func:`train_model`, used by ``gapmap nlp train`` and ``make model``, in three stages:

1. the **teacher**: :file:`config.cfg` with the wider layers of :data:`TEACHER` (0.9 M multiply-adds per token),
   trained on the gold corpora (:mod:`nlp.training.corpus`);
2. **silver data**: the teacher's entities on ~5,000 unlabelled abstracts (:mod:`nlp.training.silver`);
3. the **student**, the model that ships: :file:`config.cfg` as it is (0.25 M multiply-adds per token, sized for
   200 abstracts per second per core), trained on the gold corpora plus the silver data.

Each stage keeps the checkpoint with the best validation F1 (the validation tenth of the gold training splits).
The student's ``model-best`` is copied to the output folder with a ``training.json`` record (corpus stats, silver
data, steps, duration, validation scores of teacher and student).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core.errors import GapmapError
from nlp.training.corpus import CorpusStats, build_corpus, held_out_pmids, training_pmids

CONFIG = Path(__file__).with_name("config.cfg")
#: The teacher: config.cfg with wider layers (the architecture of the model before distillation).
TEACHER = {
    "components.tok2vec.model.encode.width": 128,
    "components.tok2vec.model.encode.maxout_pieces": 3,
    "components.ner.model.hidden_width": 96,
}


@dataclass
class TrainReport:
    """What a training run did: the record written to ``<output>/training.json``."""

    output: str
    max_steps: int
    seconds: float
    train_docs: int
    validation_docs: int
    entities: dict[str, int]
    skipped_held_out: int
    unaligned: int
    missing_spans: int
    silver_docs: int
    silver_entities: int
    teacher_validation_scores: dict[str, Any]
    validation_scores: dict[str, Any]


def train_model(
    shared: Path,
    output: Path,
    *,
    max_steps: int | None = None,
    limit: int | None = None,
    threads: int = 2,
    workdir: Path | None = None,
    distill: bool = True,
) -> TrainReport:
    """Train teacher and student on the corpora under ``shared`` and install the student into ``output``.

    ``limit`` caps the documents read per training split and the unlabelled abstracts (a quick smoke run);
    ``threads`` caps BLAS/OpenMP threads because the machine is shared.  A ``max_steps`` (per stage) also sets
    validation to 4 times a run.  ``workdir`` keeps the converted corpora and every checkpoint
    (``teacher/model-best``, ``out/model-best``); by default they go to a temporary folder.  Without ``distill``
    the student trains on the gold corpora alone (no teacher, no silver data: half the time).
    """
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab
    from threadpoolctl import threadpool_limits

    from nlp.ner_model import open_model
    from nlp.training.silver import silver_docs, unlabelled_abstracts

    if output.exists() and any(output.iterdir()) and not (output / "config.cfg").is_file():
        raise GapmapError(f"{output}: not empty and not a spaCy model; refusing to replace it", "pick another --output")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gapmap-train-") as tmp, threadpool_limits(limits=threads):
        work = workdir or Path(tmp)
        corpus = work / "corpus"
        stats: CorpusStats = build_corpus(shared, corpus, limit=limit)
        student_train = DocBin(store_user_data=False).from_disk(corpus / "train.spacy")
        silver, teacher_scores = DocBin(store_user_data=False), {}
        if distill:
            teacher = _train(corpus / "train.spacy", corpus / "dev.spacy", work / "teacher", max_steps, TEACHER)
            teacher_scores = _performance(teacher)
            texts = unlabelled_abstracts(shared, held_out_pmids(shared) | training_pmids(shared), limit)
            silver = silver_docs(open_model(teacher), texts.values())
            student_train.merge(silver)
        student_train.to_disk(corpus / "train-with-silver.spacy")
        best = _train(corpus / "train-with-silver.spacy", corpus / "dev.spacy", work / "out", max_steps, {})
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(best, output)
    report = TrainReport(
        output=str(output),
        max_steps=int(max_steps if max_steps is not None else _config_steps()),
        seconds=round(time.monotonic() - started, 1),
        train_docs=stats.train_docs,
        validation_docs=stats.validation_docs,
        entities=dict(stats.entities),
        skipped_held_out=stats.skipped_held_out,
        unaligned=stats.unaligned,
        missing_spans=stats.missing_spans,
        silver_docs=len(silver),
        silver_entities=sum(len(doc.ents) for doc in silver.get_docs(Vocab())),
        teacher_validation_scores=teacher_scores,
        validation_scores=_performance(output),
    )
    (output / "training.json").write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report


def _train(train: Path, dev: Path, out: Path, max_steps: int | None, overrides: dict[str, Any]) -> Path:
    """One run of spaCy's training loop on :data:`CONFIG` (with ``overrides``); returns its ``model-best``."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as spacy_train
    from spacy.util import load_config

    import nlp.dictionary_features  # noqa: F401  (registers the dictionary-feature component named in config.cfg)
    import nlp.training.tokenizer  # noqa: F401  (registers the tokenizer callback named in config.cfg)
    from nlp.ner_model import numpy_blas

    settings: dict[str, Any] = {"paths.train": str(train), "paths.dev": str(dev), **overrides}
    if max_steps is not None:
        settings["training.max_steps"] = max_steps
        settings["training.eval_frequency"] = max(1, min(400, max_steps // 4))
    # spaCy's ``train`` command would pick thinc's default CPU backend (BLIS); built here, the layers use
    # NumPy's BLAS like the loaded model does (nlp.ner_model.numpy_blas).
    with numpy_blas():
        pipeline = init_nlp(load_config(CONFIG, overrides=settings, interpolate=False))
        out.mkdir(parents=True, exist_ok=True)
        spacy_train(pipeline, out, stdout=sys.stdout, stderr=sys.stderr)
    return out / "model-best"


def _performance(model: Path) -> dict[str, Any]:
    return dict(json.loads((model / "meta.json").read_text()).get("performance", {}))


def _config_steps() -> int:
    from spacy.util import load_config

    return int(load_config(CONFIG)["training"]["max_steps"])
