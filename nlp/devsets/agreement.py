"""Inter-annotator agreement on the doubly annotated sample of the MS gold set.

Each annotator also annotated five documents of the next annotator's batch, independently
(``ms_gold/agree_N.jsonl`` holds annotator N's second annotation of documents from ``batch_{N mod 6 + 1}``).
Agreement is the strict-span F1 between the two annotations, overall and per type (a Biomarker's kind is not
compared): the ceiling a model can be expected to reach under the same guideline.

Run: ``python -m nlp.devsets.agreement [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from nlp.devsets.build import GOLD, default_source
from nlp.devsets.spans import placed_files
from nlp.records import ENTITY_TYPES

Spot = tuple[str, int, int, str]


def pairs(gold: Path = GOLD) -> list[tuple[Path, Path]]:
    """(second annotation, first annotation) file pairs of the sample."""
    out = []
    for second in sorted(gold.glob("agree_*.jsonl")):
        number = int(second.stem.split("_")[1])
        out.append((second, gold / f"batch_{number % 6 + 1}.jsonl"))
    return out


def f1(a: set[Spot], b: set[Spot]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def agreement(source: Path | None = None, gold: Path = GOLD) -> dict[str, object]:
    """Overall and per-type F1 between the two annotations of every doubly annotated document."""
    first: set[Spot] = set()
    second: set[Spot] = set()
    documents = 0
    for again, batch in pairs(gold):
        repeated, _, problems = placed_files([again], source or default_source())
        original, _, more = placed_files([batch], source or default_source())
        if problems or more:
            raise ValueError("; ".join(problems + more)[:500])
        pmids = {a.pmid for a in repeated}
        documents += len(pmids)
        second |= {(a.pmid, a.start, a.end, a.type) for a in repeated}
        first |= {(a.pmid, a.start, a.end, a.type) for a in original if a.pmid in pmids}
    support = Counter(s[3] for s in first)
    return {
        "documents": documents,
        "mentions": [len(first), len(second)],
        "f1": round(f1(first, second), 4),
        "by_type": {
            t: {"f1": round(f1({s for s in first if s[3] == t}, {s for s in second if s[3] == t}), 4), "n": support[t]}
            for t in ENTITY_TYPES
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = agreement()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['documents']} documents annotated twice; strict-span F1 {result['f1']}")
    for etype, row in result["by_type"].items():  # type: ignore[attr-defined]
        print(f"  {etype:<10} F1 {row['f1']:.3f}  ({row['n']} mentions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
