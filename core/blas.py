"""Name the OpenBLAS kernel from the CPU's instruction set before NumPy loads OpenBLAS.

Why: NumPy 1.26's wheels bundle OpenBLAS 0.3.23, which picks its kernels from a table of CPU models it knows.
On a newer CPU it falls back to its SSE3 kernels ("Prescott"): on this project's Xeon (family 6, model 207, with
AVX-512) that made the NER model's matrix products run at 30 GFLOP/s instead of 145.  The instruction set is
what the kernels need, so we name the kernel from the CPU flags: AVX-512 (F, CD, BW, DQ, VL) → ``SkylakeX``,
AVX2 with FMA → ``Haswell`` (the kernels OpenBLAS also uses for AMD Zen).  An ``OPENBLAS_CORETYPE`` already in
the environment wins, and once NumPy is loaded it is too late to change, so nothing is done then.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_AVX512 = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
_AVX2 = frozenset({"avx2", "fma"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The instruction-set flags of the first CPU in ``/proc/cpuinfo`` (empty where there is none)."""
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def openblas_core(flags: frozenset[str]) -> str | None:
    """The OpenBLAS kernel family for these CPU flags, or None to leave OpenBLAS's own choice.

    >>> openblas_core(frozenset({"avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}))
    'SkylakeX'
    >>> openblas_core(frozenset({"avx", "avx2", "fma"}))
    'Haswell'
    >>> openblas_core(frozenset({"sse4_2"})) is None
    True
    """
    if _AVX512.issubset(flags):
        return "SkylakeX"
    if _AVX2.issubset(flags):
        return "Haswell"
    return None


def choose_openblas_core() -> None:
    """Set ``OPENBLAS_CORETYPE`` from the CPU flags, unless it is set or NumPy has already loaded OpenBLAS."""
    if "numpy" in sys.modules or "OPENBLAS_CORETYPE" in os.environ:
        return
    core = openblas_core(cpu_flags())
    if core:
        os.environ["OPENBLAS_CORETYPE"] = core
