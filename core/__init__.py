"""gapmap's base layer: what every stage may import (errors, workspace, settings, BLAS set-up, atomic writes).

Nothing here imports a stage, the CLI or the explorer, so the import graph stays one-way: ``core`` at the
bottom, then ``ingest`` and ``nlp``, then ``graph``, then ``analytics``, then the CLI (``gapmap``) and the app.
Importing ``core`` names the OpenBLAS kernel before anything loads NumPy (see :mod:`core.blas`).
"""

from core.blas import choose_openblas_core

choose_openblas_core()
