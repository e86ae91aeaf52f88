"""Which entities are specific enough to be a gap's side or a reason: hubs, class nouns, tools, readouts out.

Why: a committee cannot act on "inflammation × antioxidants" (a hub and a class noun), "immune response ×
cuprizone" (a model inducer) or "neurodegeneration × Luxol fast blue" (a stain).  Every rule below reads data —
the corpus's own counts, the concept hierarchy, the ontologies' placement, how papers use a name, the lexicon's
not-entity policy — never a list of names, and every excluded entity carries the reason, so the exclusion can be
checked and argued with:

* **hub**: co-mentioned with more than ``hub_share`` of the (well-studied) entities of an analysed type other than
  its own (a mechanism against the compounds of a Mechanism × Compound map), or mentioned in more than
  ``hub_papers`` of all papers — a topic of the corpus ("inflammation", "EDSS"), not a specific concept;
* **class**: the corpus names two or more of its narrower concepts (the hierarchy: "Steroids" holds
  methylprednisolone and prednisone), in at least a third as many papers as the concept itself (so "vitamin D",
  whose members calcitriol and cholecalciferol are rare, stays a concept); or it sits at most one step below an
  ontology's top ("immune response", "Enzymes", "Lipids"); or MeSH files it under "Chemical Actions and Uses" (a
  D27 tree number: "Antioxidants", "Neuroprotective Agents", "Glucocorticoids": classes by use) — the class itself,
  not a drug that reaches D27 only through the classes it belongs to (teriflunomide through its ChEBI roles,
  methylprednisolone through "Glucocorticoids"); with ``roll_up`` only the last two apply, classes being the level;
* **tool**: the papers name it as an experimental manipulation ("cuprizone-induced", "LPS-stimulated", "Luxol fast
  blue staining", "gadolinium-enhancing": at least ``tool_share`` of its papers and two papers, ``Entity.tool_papers``
  from :mod:`nlp.usage`), or the ontologies file it as one (MeSH laboratory chemicals, coloring agents, contrast
  media, fixatives, investigative techniques; ChEBI dyes, fixatives, reagents);
* **readout**: ChEBI gives it the role "biomarker" (a measured product, not an intervention);
* **not an entity**: its name or a synonym is a phrase of the lexicon's not-entity policy (nlp/ms_lexicon.yaml);
* **unlinked**: no ontology id and no curated entry (a model's guess nobody normalised).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from analytics.hierarchy import ConceptTree
from analytics.incidence import Incidence
from graph.hierarchy import linked, not_entity_phrases
from nlp.lexicons.mesh import descriptors

#: Co-mentioned with more than this share of another type's well-studied entities: a hub for that type.
HUB_SHARE = 1 / 3
#: Mentioned in more than this share of all papers: a topic of the corpus.
HUB_PAPERS = 0.10
#: Entities with at least this many papers count as "well studied" partners in the hub share.
PARTNER_PAPERS = 3
#: Types with fewer well-studied entities than this have no hubs (a share of a handful says nothing).
MIN_PARTNERS = 10
#: A concept is a class noun when the corpus names its narrower concepts (two or more) in at least this share of
#: as many papers as the concept itself: "Steroids" (43 papers; its members 120), not "vitamin D" (49; its
#: members, calcitriol and cholecalciferol, 7).
NARROWER_SHARE = 1 / 3
#: A tool: at least this share of its papers (and two papers) name it as an experimental manipulation.
TOOL_SHARE = 0.25
#: The MeSH branch of the classes by use: D27 "Chemical Actions and Uses".
USE_BRANCH = "D27"
#: Broader concepts that make an entity an experimental tool: MeSH Laboratory Chemicals (D27.720.470), Coloring
#: Agents (D27.720.233), Contrast Media (D27.720.259), Fixatives (D27.720.355), Investigative Techniques (E05);
#: ChEBI dye, fixative, reagent.
TOOL_CLASSES = (
    "MESH:D019995",
    "MESH:D004396",
    "MESH:D003287",
    "MESH:D005404",
    "MESH:D008919",
    "CHEBI:37958",
    "CHEBI:50913",
    "CHEBI:33893",
)
#: ChEBI "biomarker": a compound measured as a readout.
READOUT_CLASSES = ("CHEBI:59163",)


@dataclass
class Specificity:
    """Per column of an incidence, why it is not specific (empty: it is)."""

    reasons: list[list[str]] = field(default_factory=list)

    def specific(self, cols: np.ndarray | None = None) -> np.ndarray:
        mask = np.array([not r for r in self.reasons], dtype=bool)
        return mask if cols is None else mask[cols]

    def why(self, col: int) -> str:
        return "; ".join(self.reasons[col])


def partner_shares(inc: Incidence, cooc: sp.csr_matrix, types: Sequence[str]) -> dict[str, np.ndarray]:
    """Per type: each entity's share of that type's well-studied entities it is co-mentioned with."""
    counts = inc.paper_counts()
    linked = (cooc > 0).astype(np.float64).tocsc()
    out: dict[str, np.ndarray] = {}
    for t in types:
        partners = np.flatnonzero((np.array(inc.types) == t) & (counts >= PARTNER_PAPERS))
        if partners.size < MIN_PARTNERS:
            out[t] = np.zeros(inc.n_entities)
            continue
        out[t] = np.asarray(linked[:, partners].sum(axis=1)).ravel() / partners.size
    return out


def narrower_use(inc: Incidence, tree: ConceptTree) -> tuple[np.ndarray, np.ndarray]:
    """Per column: its narrower concepts of the same type in the corpus, and the papers naming any of them."""
    index = inc.index()
    below: list[list[int]] = [[] for _ in range(inc.n_entities)]
    for col, up in enumerate(tree.broader):
        for parent in up:
            target = index.get(parent)
            if target is not None and inc.types[target] == inc.types[col]:
                below[target].append(col)
    csc = inc.matrix.tocsc()
    ptr, rows = csc.indptr, csc.indices
    papers = np.array(
        [np.unique(np.concatenate([rows[ptr[k] : ptr[k + 1]] for k in kids])).size if kids else 0 for kids in below],
        dtype=np.int64,
    )
    return np.array([len(k) for k in below], dtype=np.int64), papers


def use_classes(entity_ids: Sequence[str]) -> np.ndarray:
    """Per entity: MeSH files the descriptor itself under :data:`USE_BRANCH` (a class by use).  Its own tree
    numbers, not its broader concepts: every drug has a broader use class ("Immunosuppressive Agents"), which would
    make every drug a class."""
    known = descriptors()

    def filed(entity_id: str) -> bool:
        descriptor = known.get(entity_id.removeprefix("MESH:")) if entity_id.startswith("MESH:D") else None
        return descriptor is not None and any(t.startswith(USE_BRANCH) for t in descriptor.trees)

    return np.array([filed(e) for e in entity_ids], dtype=bool)


def assess(
    inc: Incidence,
    cooc: sp.csr_matrix,
    tree: ConceptTree,
    tool_papers: dict[str, int],
    synonyms: dict[str, tuple[str, ...]],
    hub_types: Sequence[str],
    *,
    roll_up: bool = False,
    hub_share: float = HUB_SHARE,
    hub_papers: float = HUB_PAPERS,
    tool_share: float = TOOL_SHARE,
) -> Specificity:
    """The reasons each column is not specific; ``hub_types`` are the types a hub is measured against (those of
    the analysis: rows and columns)."""
    counts = inc.paper_counts()
    wanted = list(dict.fromkeys(hub_types))
    shares = partner_shares(inc, cooc, wanted)
    narrower, narrower_papers = narrower_use(inc, tree)
    use_class = use_classes(inc.entity_ids)
    ontology_tool = tree.has_ancestor(TOOL_CLASSES)
    readout = tree.has_ancestor(READOUT_CLASSES)
    not_entities = not_entity_phrases()
    reasons: list[list[str]] = []
    for col, eid in enumerate(inc.entity_ids):
        why: list[str] = []
        # measured against the other types of the analysis (against its own only when both sides are that type)
        against = [t for t in wanted if t != inc.types[col]] or wanted
        share = max(((shares[t][col], t) for t in against), default=(0.0, ""))
        if share[0] > hub_share:
            why.append(f"hub: co-mentioned with {share[0]:.0%} of the {share[1]} entities")
        elif counts[col] > hub_papers * inc.n_papers:
            why.append(f"hub: in {counts[col] / max(inc.n_papers, 1):.0%} of the papers")
        if not roll_up and narrower[col] >= 2 and narrower_papers[col] >= NARROWER_SHARE * counts[col]:
            why.append(f"class: {narrower[col]} narrower concepts in {narrower_papers[col]} papers of the corpus")
        elif 0 <= tree.depth[col] <= 1:
            why.append(f"class: {'top' if tree.depth[col] == 0 else 'one step below the top'} of its ontology")
        elif use_class[col]:
            why.append("class: a MeSH class by use (Chemical Actions and Uses)")
        used = tool_papers.get(eid, 0)
        if used >= 2 and used >= tool_share * counts[col]:
            why.append(f"tool: named as an experimental manipulation in {used} of its {counts[col]} papers")
        elif ontology_tool[col]:
            why.append("tool: filed as a stain, reagent, contrast agent or technique")
        if readout[col]:
            why.append("readout: ChEBI role biomarker")
        names = {inc.names[col].lower(), *(s.lower() for s in synonyms.get(eid, ()))}
        if not names.isdisjoint(not_entities):
            why.append("not an entity: the lexicon's not-entity policy")
        if not linked(eid):
            why.append("unlinked: no ontology id or curated entry")
        reasons.append(why)
    return Specificity(reasons)
