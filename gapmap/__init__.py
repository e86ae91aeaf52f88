"""gapmap: a knowledge graph of progressive-MS research (the CLI and workspace live here)."""

__version__ = "0.1.0"
