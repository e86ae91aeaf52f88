"""Build the MS study-context dev set as ``gapmap nlp eval-context`` gold: labels joined with the real text.

``context_dev.jsonl`` holds one ``{"pmid", "labels"}`` a line, labelled by reading each abstract with the
definitions of docs/study-context.md; the abstracts stay in the shared Gregory-MS file and are joined by PMID
here (the same loader as the NER dev set), so the repository carries no copy of them.  The 40 PMIDs are the
first MS abstracts (``mentions_ms``, with an abstract, not reserved) in the order of
``sha1("context-dev:" + pmid)``: a rule that does not depend on what the classifier finds.

Run: ``python -m nlp.devsets.context OUT.jsonl [--source gregory_pubmed_abstracts.jsonl.gz]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import GapmapError
from nlp.devsets.build import HERE, default_source, load_documents

LABELS = HERE / "context_dev.jsonl"


def read_labels(path: Path = LABELS) -> dict[str, dict[str, object]]:
    """pmid → labels, in file order."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {str(row["pmid"]): row["labels"] for row in rows}


def build(out: Path, source: Path | None = None, labels_path: Path = LABELS) -> int:
    """Write the gold JSONL (pmid, title, abstract, labels); returns the number of records."""
    labels = read_labels(labels_path)
    documents = load_documents(source or default_source(), set(labels))
    with out.open("w", encoding="utf-8") as handle:
        for pmid, label in labels.items():
            doc = documents[pmid]
            record = {"pmid": pmid, "title": doc.title, "abstract": doc.abstract, "labels": label}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="gold JSONL to write")
    parser.add_argument("--source", type=Path, default=None, help="gregory_pubmed_abstracts.jsonl.gz")
    args = parser.parse_args(argv)
    try:
        count = build(args.out, args.source)
    except GapmapError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {count} labelled abstracts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
