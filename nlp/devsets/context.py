"""Build the MS study-context gold sets as ``gapmap nlp eval-context`` input: labels joined with the real text.

Two sets, each one ``{"pmid", "labels"}`` a line, labelled by reading each abstract with the definitions of
docs/study-context.md; the abstracts stay in the shared Gregory-MS file and are joined by PMID here (the same
loader as the NER dev set), so the repository carries no copy of them.

* ``dev`` (``context_dev.jsonl``, 40 abstracts): the first MS abstracts (``mentions_ms``, with an abstract, not
  reserved) in the order of ``sha1("context-dev:" + pmid)``.  Nothing is chosen on it; it is scored once per
  change and its scores are the ones quoted.
* ``tune`` (``context_tune.jsonl``, 130 abstracts): for choosing rules and features.  The same kind of record,
  leaving out every PMID already labelled under ``nlp/devsets`` (this dev set and the NER gold), in the order of
  ``sha1("context-tune:" + pmid)``: the first 100 (``"sample": "random"``), then the next 30 whose title or
  abstract says "randomi[sz]…", "trial(s)" or "placebo" (``"sample": "trial_words"``), because 100 random MS
  abstracts hold two trials.  Both rules depend on the PMID and the text, never on what the classifier says.

Run: ``python -m nlp.devsets.context OUT.jsonl [--set dev|tune] [--source gregory_pubmed_abstracts.jsonl.gz]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

from core.errors import GapmapError
from nlp.devsets.build import HERE, default_source, load_documents
from nlp.reserved import reserved_pmids

LABELS = HERE / "context_dev.jsonl"
TUNE_LABELS = HERE / "context_tune.jsonl"
SETS = {"dev": LABELS, "tune": TUNE_LABELS}
#: The tuning set's two samples: the first ``TUNE_RANDOM`` eligible records by hash, then ``TUNE_TRIALS`` more
#: that name a trial, randomisation or placebo.
TUNE_RANDOM, TUNE_TRIALS = 100, 30
_TRIAL_WORDS = re.compile(r"\b(?:randomi[sz]|trials?\b|placebo)", re.I)


def read_labels(path: Path = LABELS) -> dict[str, dict[str, object]]:
    """pmid → labels, in file order."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {str(row["pmid"]): row["labels"] for row in rows}


def labelled_elsewhere(exclude: Path = TUNE_LABELS) -> set[str]:
    """Every PMID of a JSONL file under ``nlp/devsets`` (the dev set, the NER gold and its second annotations)
    except ``exclude``."""
    pmids: set[str] = set()
    for path in sorted(HERE.rglob("*.jsonl")):
        if path != exclude:
            with path.open(encoding="utf-8") as handle:
                pmids.update(str(json.loads(line)["pmid"]) for line in handle if line.strip())
    return pmids


def tune_selection(source: Path | None = None) -> list[tuple[str, str]]:
    """(pmid, sample) of the tuning set, by the rule it was drawn with (module docstring): MS abstracts of the
    Gregory feed, neither reserved nor labelled elsewhere, in ``sha1("context-tune:" + pmid)`` order."""
    kept = reserved_pmids() | labelled_elsewhere()
    with gzip.open(source or default_source(), "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    eligible = [r for r in records if r["mentions_ms"] and r["has_abstract"] and r["pmid"] not in kept]
    eligible.sort(key=lambda r: hashlib.sha1(f"context-tune:{r['pmid']}".encode()).hexdigest())
    chosen = [(r["pmid"], "random") for r in eligible[:TUNE_RANDOM]]
    trials = [r for r in eligible[TUNE_RANDOM:] if _TRIAL_WORDS.search(f"{r['title']} {r['abstract']}")]
    return chosen + [(r["pmid"], "trial_words") for r in trials[:TUNE_TRIALS]]


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
    parser.add_argument("--set", choices=sorted(SETS), default="dev", help="which labelled set (default: dev)")
    parser.add_argument("--source", type=Path, default=None, help="gregory_pubmed_abstracts.jsonl.gz")
    args = parser.parse_args(argv)
    try:
        count = build(args.out, args.source, SETS[args.set])
    except GapmapError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {count} labelled abstracts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
