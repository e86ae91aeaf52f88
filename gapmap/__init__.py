"""gapmap: a knowledge graph of progressive-MS research (the CLI and workspace live here)."""

from gapmap.blas import choose_openblas_core

# First thing in every gapmap process, before anything imports NumPy (see gapmap.blas).
choose_openblas_core()

__version__ = "0.1.0"
