"""``python -m gapmap`` runs the CLI (the demo uses it to run each stage as its own process)."""

from gapmap.cli import main

main()
