"""Entity extraction: spaCy pipeline, trained NER model, gazetteers, linker (see docs/nlp.md)."""

import core  # noqa: F401 - first: names the OpenBLAS kernel before NumPy loads (core.blas)
