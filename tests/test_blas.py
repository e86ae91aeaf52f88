"""gapmap names OpenBLAS's kernel from the CPU's instruction set (OpenBLAS 0.3.23 misreads newer CPUs)."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys

import core.blas
from core.blas import cpu_flags, openblas_core

_REPORT = "import core, numpy, threadpoolctl; print(threadpoolctl.threadpool_info()[0]['architecture'])"


def _kernel(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", _REPORT], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_gapmap_processes_use_the_cpus_kernels() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    expected = openblas_core(cpu_flags())
    if expected is not None:
        assert _kernel(env).lower() == expected.lower()
    # A kernel named by the user wins.
    assert _kernel({**env, "OPENBLAS_CORETYPE": "Sandybridge"}).lower() == "sandybridge"


def test_doctests() -> None:
    assert doctest.testmod(core.blas).failed == 0
