"""MeSH descriptors and supplementary concepts, typed by tree number.

Why tree numbers: a descriptor's place in the MeSH hierarchy tells what it is (C diseases, D chemicals and
drugs, G processes, A11 cells), which is the only typing MeSH offers and the one indexers already applied.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from nlp.lexicons import tsv_rows
from nlp.records import Concept

#: G (phenomena and processes) subtrees whose descriptors are disease mechanisms: cell physiology (death,
#: autophagy, phagocytosis), metabolism (oxidative stress), nervous-system processes (remyelination,
#: neuroprotection) and immune processes (complement, macrophage activation).  The rest of G (e.g. physics,
#: reproduction, ecology) names no mechanism of MS.
MECHANISM_TREES = ("G03.", "G04.", "G11.561.", "G12.")
#: A descriptor also filed under these is a measurement, function or genetic notion rather than a mechanism
#: ("Vision, Ocular", "Evoked Potentials", "Pharmacokinetics", "Major Histocompatibility Complex", "Lymphocyte Count").
NOT_MECHANISM_TREES = ("E", "F", "G02.", "G05.", "G07.", "G08.", "G14.")


#: D subtrees of gene products: enzymes, proteins, signalling peptides (cytokines, growth factors), nucleic acids
#: (microRNAs, mtDNA).  An abstract names these as molecules, not as administered substances ("prolactin",
#: "albumin", "NO synthase", "IL-6"): they are Genes in gapmap's types, and BC5CDR does not count them as chemicals.
GENE_PRODUCT_TREES = ("D08.811", "D12.776", "D12.644.276", "D13.444")
#: ... except the protein classes abstracts name as drugs: monoclonal antibodies (natalizumab, rituximab),
#: interferons (interferon beta-1a) and recombinant fusion proteins (etanercept).
DRUG_PROTEIN_TREES = (
    "D12.776.124.486.485.114",
    "D12.644.276.374.440",
    "D12.776.467.374.440",
    "D12.776.828",
)
#: D subtrees that name no substance: pharmaceutical preparations ("tablets", "normal saline"), biological factors
#: ("antigens") and chemical actions and uses ("analgesics", "antipsychotics").  The last are classes defined by
#: what a drug is used for, which the MS guidelines and BC5CDR do not annotate.  Classes defined by their molecular
#: target (D27.505.519: "PDE inhibitors", "calcium channel blockers") are Compounds.
#: Mental disorders (F03): diseases that MeSH files under Psychiatry and Psychology, not under C.
MENTAL_DISORDER_TREES = ("F03",)
NOT_SUBSTANCE_TREES = ("D23", "D26", "D27")
TARGET_CLASS_TREES = ("D27.505.519",)
#: A chemical or gene-product descriptor with this many descendants in the MeSH tree is a class noun
#: ("Enzymes" 2,299, "Cytokines" 410, "Steroids" 374, "Elements" 266, "Interleukins" 81), which the MS guideline
#: does not annotate and a graph cannot use as a node; named substances have few ("Cholesterol" 32, "Immunoglobulin
#: G" 19, "Vitamin D" 9, "Lipopolysaccharides" 8).
CLASS_DESCENDANTS = 50


def _chemical_type(trees: tuple[str, ...]) -> str | None:
    """Type of a descriptor filed under D (chemicals and drugs): Compound, Gene (gene products) or None."""
    chemical = [t for t in trees if t.startswith("D")]
    if any(t.startswith(GENE_PRODUCT_TREES) for t in chemical) and not any(
        t.startswith(DRUG_PROTEIN_TREES) for t in chemical
    ):
        return "Gene"
    if all(t.startswith(NOT_SUBSTANCE_TREES) for t in chemical):
        return "Compound" if any(t.startswith(TARGET_CLASS_TREES) for t in chemical) else None
    return "Compound"


@dataclass(frozen=True)
class Descriptor:
    """One MeSH descriptor row: UI, preferred label, entry terms and tree numbers."""

    ui: str
    name: str
    synonyms: tuple[str, ...]
    trees: tuple[str, ...]


def mesh_type(trees: tuple[str, ...], split_chemicals: bool = True) -> str | None:
    """The entity type of a descriptor from its tree numbers, or None when it names no entity we extract.

    Order matters: a descriptor in both C10 and C23 (chronic progressive MS) is a Disease, as is a mental
    disorder (F03: depressive disorder, schizophrenia, anxiety disorders, which MeSH files outside C);
    chemicals are split by :func:`_chemical_type` (gene products are Genes, use-defined classes nothing);
    pathologic processes (C23.550: inflammation, nerve degeneration, gliosis) are Mechanisms, except disease
    attributes (C23.550.291: "Disease Progression", "Chronic Disease"); signs and symptoms (rest of C23) are
    Diseases; cellular structures (A11.284: axons, mitochondria, myelin sheath) are not cell types.
    """
    if any((t.startswith("C") and not t.startswith("C23")) or t.startswith(MENTAL_DISORDER_TREES) for t in trees):
        return "Disease"
    if any(t.startswith("D") for t in trees):
        return _chemical_type(trees) if split_chemicals else "Compound"
    if any(t.startswith("A11.") for t in trees) and not any(t.startswith("A11.284") for t in trees):
        return "CellType"
    if any(t.startswith(MECHANISM_TREES) for t in trees) and not any(t.startswith(NOT_MECHANISM_TREES) for t in trees):
        return "Mechanism"
    if any(t.startswith("C23.550.") and not t.startswith("C23.550.291") for t in trees):
        return "Mechanism"
    if any(t.startswith("C23.") and not t.startswith("C23.550") for t in trees):
        return "Disease"
    return None


def _split(field: str) -> tuple[str, ...]:
    return tuple(s for s in field.split("|") if s)


@cache
def descriptors() -> dict[str, Descriptor]:
    """All MeSH descriptors by UI (30k rows, read once per process)."""
    out: dict[str, Descriptor] = {}
    for row in tsv_rows("mesh_id_label_mappings.tsv.gz"):
        if len(row) < 4:
            continue
        out[row[0]] = Descriptor(row[0], row[1], _split(row[2]), _split(row[3]))
    return out


@cache
def descendant_counts() -> dict[str, int]:
    """Descriptor UI → how many descriptors sit below it in the tree (over all its tree numbers)."""
    trees = sorted(t for d in descriptors().values() for t in d.trees)
    return {
        d.ui: sum(bisect.bisect_left(trees, t + "/") - bisect.bisect_left(trees, t + ".") for t in d.trees)
        for d in descriptors().values()
    }


def is_class_noun(descriptor: Descriptor, type_: str) -> bool:
    """A substance or gene-product class rather than one thing (see :data:`CLASS_DESCENDANTS`)."""
    return type_ in ("Compound", "Gene") and descendant_counts()[descriptor.ui] >= CLASS_DESCENDANTS


@cache
def descriptor_by_name() -> dict[str, Descriptor]:
    """Descriptors by lower-cased preferred label, for records whose headings carry names but no UI."""
    return {d.name.lower(): d for d in descriptors().values()}


def descriptor_concepts(split_chemicals: bool = False) -> Iterator[Concept]:
    """Concepts for every descriptor that :func:`mesh_type` types, except substance classes (:func:`is_class_noun`).

    ``split_chemicals`` (the gazetteer's reading) types gene products as Genes and drops use-defined classes; the
    default keeps every D descriptor a Compound, the reading the NER model's dictionary features were trained on.
    """
    for d in descriptors().values():
        type_ = mesh_type(d.trees, split_chemicals)
        if type_ and not (split_chemicals and is_class_noun(d, type_)):
            yield Concept(f"MESH:{d.ui}", d.name, type_, list(d.synonyms))


def supplementary_concepts(max_synonym_length: int = 40, split_chemicals: bool = False) -> Iterator[Concept]:
    """Supplementary concept records (new drug names) whose mapped descriptor is a Compound.

    Long systematic chemical names (over ``max_synonym_length`` characters) are dropped: they never occur in
    abstracts verbatim and would only cost memory.
    """
    desc = descriptors()
    for row in tsv_rows("mesh_supp_id_label_mappings.tsv.gz"):
        if len(row) < 4:
            continue
        uis = (u.strip().lstrip("*") for u in re.split(r"[,|]", row[3]))
        mapped = [desc[u] for u in uis if u in desc]
        if not any(mesh_type(d.trees, split_chemicals) == "Compound" for d in mapped):
            continue
        synonyms = [s for s in _split(row[2]) if len(s) <= max_synonym_length]
        yield Concept(f"MESH:{row[0]}", row[1], "Compound", synonyms)
