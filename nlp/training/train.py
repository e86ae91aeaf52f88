"""Train gapmap's NER model with spaCy's own training loop and install the best checkpoint.

One function, :func:`train_model`, used by ``gapmap nlp train`` and ``make model``: convert the corpora
(:mod:`nlp.training.corpus`), run spaCy's training loop on :file:`config.cfg`, copy ``model-best`` to the output
folder and write a ``training.json`` record next to it (corpus stats, steps, duration, validation scores).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gapmap.errors import GapmapError
from nlp.training.corpus import CorpusStats, build_corpus

CONFIG = Path(__file__).with_name("config.cfg")


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
    validation_scores: dict[str, Any]


def train_model(
    shared: Path,
    output: Path,
    *,
    max_steps: int | None = None,
    limit: int | None = None,
    threads: int = 2,
    workdir: Path | None = None,
) -> TrainReport:
    """Train on the corpora under ``shared`` and install the best pipeline into ``output`` (replacing it).

    ``limit`` caps the documents read per training split (a quick smoke run); ``threads`` caps BLAS/OpenMP threads
    because the machine is shared. A ``max_steps`` also sets validation to 4 times a run.
    ``workdir`` keeps the converted corpus and every checkpoint (``out/model-best``
    is usable while training still runs); by default they go to a temporary folder.
    """
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train
    from spacy.util import load_config
    from threadpoolctl import threadpool_limits

    import nlp.dictionary_features  # noqa: F401  (registers the dictionary-feature component named in config.cfg)
    import nlp.training.tokenizer  # noqa: F401  (registers the tokenizer callback named in config.cfg)
    from nlp.ner_model import numpy_blas

    if output.exists() and any(output.iterdir()) and not (output / "config.cfg").is_file():
        raise GapmapError(f"{output}: not empty and not a spaCy model; refusing to replace it", "pick another --output")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gapmap-train-") as tmp:
        work = workdir or Path(tmp)
        stats: CorpusStats = build_corpus(shared, work / "corpus", limit=limit)
        overrides: dict[str, Any] = {
            "paths.train": str(work / "corpus" / "train.spacy"),
            "paths.dev": str(work / "corpus" / "dev.spacy"),
        }
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
            overrides["training.eval_frequency"] = max(1, min(400, max_steps // 4))
        # spaCy's ``train`` command would pick thinc's default CPU backend (BLIS); built here, the layers use
        # NumPy's BLAS like the loaded model does, which trains twice as fast.
        with threadpool_limits(limits=threads), numpy_blas():
            pipeline = init_nlp(load_config(CONFIG, overrides=overrides, interpolate=False))
            (work / "out").mkdir(parents=True, exist_ok=True)
            train(pipeline, work / "out", stdout=sys.stdout, stderr=sys.stderr)
        best = work / "out" / "model-best"
        meta = json.loads((best / "meta.json").read_text())
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
        validation_scores=meta.get("performance", {}),
    )
    (output / "training.json").write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report


def _config_steps() -> int:
    from spacy.util import load_config

    return int(load_config(CONFIG)["training"]["max_steps"])


def default_data_dir() -> Path:
    """The shared data folder: ``$GAPMAP_SHARED_DATA``, else ``../shared/data`` next to the project."""
    env = os.environ.get("GAPMAP_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"
