"""Mentions from a record's own MeSH headings and chemical list.

Why: NLM indexers read the full paper, so a record's MeSH headings and chemicals are strong evidence of what it is
about, even when the abstract never names the concept.  They become mentions with source ``"mesh"``, section
``"mesh"`` or ``"chemicals"``, and no sentence or offsets (-1).  Headings are typed by their MeSH tree
(:func:`nlp.lexicons.mesh.mesh_type`); check tags (Humans, Female), geographicals and publication characteristics
have no type and are skipped.

The same lexicon gives the descriptor id of every heading a record names without one (MEDLINE text carries names
only): :func:`heading_uis`. The extract stage stores them with the mentions, so the graph loader gets its MeSH
term ids from the NLP stage's output instead of loading the lexicon itself.
"""

from __future__ import annotations

from ingest.records import Article
from nlp.lexicons.mesh import descriptor_by_name, descriptors, mesh_type
from nlp.records import Mention


def mentions_from_record(article: Article) -> list[Mention]:
    """One mention per typed MeSH heading and per chemical of ``article`` (each concept once per section)."""
    mentions: list[Mention] = []
    seen: set[tuple[str, str]] = set()

    def add(section: str, ui: str, text: str, type_: str, name: str) -> None:
        concept_id = f"MESH:{ui}"
        if (section, concept_id) in seen:
            return
        seen.add((section, concept_id))
        mentions.append(Mention(article.pmid, section, -1, "", -1, -1, text, type_, concept_id, name, "mesh"))

    table = descriptors()
    for heading in article.mesh:
        d = table.get(heading.descriptor_ui) or descriptor_by_name().get(heading.descriptor_name.lower())
        type_ = mesh_type(d.trees) if d else None
        if d and type_:
            add("mesh", d.ui, heading.descriptor_name or d.name, type_, d.name)
    for chemical in article.chemicals:
        named = None if chemical.ui else descriptor_by_name().get(chemical.name.lower())
        ui = chemical.ui or (named.ui if named else "")
        d = table.get(ui)
        if d is None and ui.startswith("C"):  # supplementary concept record: always a chemical
            add("chemicals", ui, chemical.name, "Compound", chemical.name)
        elif d is not None and (type_ := mesh_type(d.trees)):
            add("chemicals", ui, chemical.name, type_, d.name)
    return mentions


def heading_uis(article: Article) -> dict[str, str]:
    """Lower-cased name → descriptor UI of each of ``article``'s MeSH headings that has a name but no UI."""
    by_name = descriptor_by_name()
    named = {h.descriptor_name.lower() for h in article.mesh if not h.descriptor_ui}
    return {name: by_name[name].ui for name in sorted(named) if name in by_name}
