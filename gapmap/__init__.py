"""gapmap's command line: one CLI that drives every stage (the base layer it shares with the stages is ``core``)."""

import core  # noqa: F401 - first: names the OpenBLAS kernel before any command loads NumPy (core.blas)

__version__ = "0.1.0"
