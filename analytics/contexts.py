"""Disease contexts of the corpus: progressive MS, MS overall, other neurological diseases.

Why: the funder asks about *progressive* MS.  A mechanism–compound link the MS literature has studied in relapsing
MS only, or one well evidenced in ALS or Parkinson's disease and never tried in progressive MS, is exactly what a
committee wants to see next to the statistics ("learning from other diseases").  Contexts are read from the concept
hierarchy, so "progressive MS" includes its subtypes (PPMS, SPMS, PIRA-defined progression) without a list of
names:

* **progressive MS**: papers naming progressive MS (``FOCUS``) or a narrower concept of it;
* **MS**: papers naming MS (``DISEASE``) or a narrower concept (all its phenotypes);
* **other neurological diseases**: papers naming a specific disease under Nervous System Diseases (``NEUROLOGICAL``,
  MeSH C10 / DOID "nervous system disease") that is neither MS, nor a broader class of it ("Demyelinating
  Diseases"), nor an experimental model (MeSH names animal models "..., Experimental": EAE is MS research, not
  another disease), nor a class noun;
* **neurodegenerative or demyelinating** diseases (MeSH C10.574, C10.114) among those: the ones a cross-disease gap
  learns from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from analytics.hierarchy import ConceptTree
from analytics.specificity import Specificity

#: Progressive MS (MeSH "Multiple Sclerosis, Chronic Progressive"), the funder's focus.
FOCUS = "MESH:D020528"
#: Multiple sclerosis.
DISEASE = "MESH:D009103"
#: Nervous System Diseases (MeSH C10; DOID "nervous system disease" maps to it).
NEUROLOGICAL = "MESH:D009422"
#: Neurodegenerative Diseases (C10.574) and Demyelinating Diseases (C10.114): diseases to learn from.
CROSS_DISEASE = ("MESH:D019636", "MESH:D003711")
_EXPERIMENTAL = re.compile(r"\bexperimental\b", re.IGNORECASE)


@dataclass
class Contexts:
    """Paper masks of the contexts, and the disease columns of the other diseases."""

    progressive: np.ndarray  # bool per paper
    ms: np.ndarray
    other: np.ndarray
    other_diseases: np.ndarray  # disease columns counted in ``other``
    learn_from: np.ndarray  # those that are neurodegenerative or demyelinating

    NAMES = ("progressive_ms", "ms", "other_neurological")

    def masks(self) -> dict[str, np.ndarray]:
        return {"progressive_ms": self.progressive, "ms": self.ms, "other_neurological": self.other}


def contexts(tree: ConceptTree, specificity: Specificity) -> Contexts:
    """The contexts of the tree's incidence (see the module docstring)."""
    inc = tree.inc
    disease = np.array([t == "Disease" for t in inc.types], dtype=bool)
    ms_family = tree.under([DISEASE])
    above_ms = np.isin(inc.entity_ids, list(tree.broader[inc.index()[DISEASE]])) if DISEASE in inc.index() else False
    experimental = np.array(
        [
            bool(_EXPERIMENTAL.search(inc.names[c]))
            or any(_EXPERIMENTAL.search(tree.names[p]) for p in tree.broader[c])
            for c in range(inc.n_entities)
        ],
        dtype=bool,
    )
    neurological = tree.has_ancestor([NEUROLOGICAL])
    others = disease & neurological & ~ms_family & ~above_ms & ~experimental & specificity.specific()
    learn = others & tree.has_ancestor(CROSS_DISEASE)
    csc = inc.matrix.tocsc()

    def papers(cols: np.ndarray) -> np.ndarray:
        return np.asarray(csc[:, cols].sum(axis=1)).ravel() > 0 if cols.any() else np.zeros(inc.n_papers, dtype=bool)

    return Contexts(
        papers(tree.under([FOCUS])),
        papers(ms_family),
        papers(others),
        np.flatnonzero(others),
        np.flatnonzero(learn),
    )
