"""NLP on a Dask cluster: the scale-out path of ``gapmap extract`` (``--scheduler ADDRESS`` or ``--dask-local N``).

Why this shape: the article store is one SQLite file on the client's machine, and its writes must stay the
same transactional batches as a local run. So the client reads a window of article chunks, ships them to the
workers, and writes each chunk's results as it comes back; the workers only compute. Each worker process loads
the pipeline once (``_worker_pipeline`` is cached per process; the packaged model is each worker's own installed
copy) and reports its version, so a worker with another model or lexicon is refused instead of writing mentions
under the client's version. Memory stays bounded: at most ``2 x workers`` chunks are in flight.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dask
from distributed import Client, LocalCluster, as_completed

from core.errors import GapmapError
from ingest.records import Article
from nlp.ner_model import MODEL_DIR
from nlp.pipeline import Annotated, Pipeline, load_pipeline

#: Environment of the worker processes a local cluster starts. Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536``
#: so that workers hand freed memory back to the system at once; glibc then trims on nearly every free, and the NLP,
#: which allocates many small arrays, took a third more CPU per abstract in such a worker than in one process
#: (bench/nlp). Trimming at 256 MiB keeps it at one process's speed. docs/nlp.md says how to set it for
#: ``dask worker``.
WORKER_ENVIRON = {"MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}

#: What the client sends for "the model installed with gapmap": each worker loads its own installed copy, whose
#: path on another machine need not be the client's.
PACKAGED_MODEL = "packaged"


def model_argument(model_dir: Path | None) -> str | None:
    """How the workers are told which model to load: the packaged one, a folder (the same path on every machine),
    or none (gazetteer only)."""
    if model_dir is None:
        return None
    return PACKAGED_MODEL if model_dir.resolve() == MODEL_DIR.resolve() else str(model_dir)


@cache
def _worker_pipeline(model: str | None) -> Pipeline:
    """The pipeline of this worker process, loaded once; matrix products on one thread per worker."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    return load_pipeline(MODEL_DIR if model == PACKAGED_MODEL else Path(model) if model else None)


def _worker_version(model: str | None) -> str:
    return _worker_pipeline(model).version


def _annotate(articles: list[Article], model: str | None) -> tuple[str, list[Annotated]]:
    pipeline = _worker_pipeline(model)
    return pipeline.version, list(pipeline.annotate_many(articles))


def _same_version(worker_version: str, version: str) -> None:
    if worker_version != version:
        raise GapmapError(
            f"a Dask worker runs NLP pipeline {worker_version}, this client {version}",
            hint="install the same gapmap version, model and shared lexicons on every worker",
        )


@dataclass
class DaskAnnotator:
    """Annotate article chunks on the workers of ``client``; results come back chunk by chunk, in any order."""

    client: Client
    model_dir: Path | None

    @classmethod
    def connect(cls, scheduler: str | None, local_workers: int, model_dir: Path | None) -> DaskAnnotator:
        """A client of the cluster at ``scheduler``, or of a new LocalCluster of ``local_workers`` processes."""
        try:
            if scheduler:
                return cls(Client(scheduler, timeout="20s"), model_dir)
            environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **WORKER_ENVIRON}
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                cluster = LocalCluster(
                    n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
            return cls(Client(cluster), model_dir)
        except OSError as exc:
            raise GapmapError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                hint="start one with `dask scheduler` and workers with `dask worker ADDRESS` (see docs/nlp.md)",
            ) from exc

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info()["workers"]))

    def load_pipelines(self, version: str) -> int:
        """Have every worker load its pipeline now (once per process); a worker with another version is an error.
        Returns the number of workers."""
        versions = self.client.run(_worker_version, model_argument(self.model_dir))
        for worker_version in versions.values():
            _same_version(worker_version, version)
        return len(versions)

    def annotate(self, chunks: Iterator[list[Article]], version: str) -> Iterator[list[Annotated]]:
        """The results of every chunk; a worker running another pipeline version is an error."""
        model = model_argument(self.model_dir)
        in_flight = as_completed()
        for chunk in chunks:
            in_flight.add(self.client.submit(_annotate, chunk, model, pure=False))
            if in_flight.count() >= 2 * self.workers():
                yield self._checked(next(in_flight), version)
        for future in in_flight:
            yield self._checked(future, version)

    @staticmethod
    def _checked(future: object, version: str) -> list[Annotated]:
        worker_version, results = future.result()  # type: ignore[attr-defined]
        _same_version(worker_version, version)
        return list(results)

    def close(self) -> None:
        cluster = self.client.cluster
        self.client.close()
        if cluster is not None:
            cluster.close()
