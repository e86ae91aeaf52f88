"""Translational gaps on a real loaded graph: the Gregory MS feed (trials, cohorts, reviews, animal studies read
from the text) plus MEDLINE and PubMed XML records whose MeSH and publication types give their designs, run
through `gapmap extract` and loaded into the embedded graph.

Every gap is checked against the graph itself through the named queries (``pair_publications_by_level`` per
level), and the whole candidate set against a plain set-based recount of ``paper_entities`` and
``publication_contexts`` rows, so the sparse counting is never its own reference.  Which entities may be sides is
checked against the gap map's own specificity judgement of the same types (one implementation), and which
compounds are interventions on real sentences (a drug given to rats, the malondialdehyde measured in them) and the
graph's per-compound counts against a recount from the stored mentions.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from conftest import GRAPH_SOURCES, GREGORY, extract
from typer.testing import CliRunner

from analytics.specificity import HUB_PAPERS, TOOL_SHARE, use_classes
from analytics.translational import (
    HUMAN_LEVELS,
    KINDS,
    MAX_DF,
    PRECLINICAL_LEVELS,
    PROGRESSIVE_FORMS,
    READOUT_RATIO,
    TRIAL_LEVELS,
    EvidenceCorpus,
    PaperContext,
    TranslationalGap,
    exclusions,
    find_gaps,
    from_store,
    readouts,
)
from core.workspace import Workspace
from gapmap.cli import app
from graph import open_store
from graph.embedded import EmbeddedStore
from graph.load import load
from ingest.files import iter_file_events
from ingest.pipeline import store_events
from ingest.store import ArticleStore
from nlp.mention_store import MentionStore
from nlp.records import Mention
from nlp.reserved import reserved_pmids
from nlp.study_context import EVIDENCE_LEVELS
from nlp.usage import is_given, is_measured

PAIRS = (("Compound", "Mechanism"), ("Compound", "Biomarker"), ("Mechanism", "Biomarker"))
ALL = 10**6


@pytest.fixture(scope="module")
def ws(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("translational")).ensure()
    with ArticleStore(ws.article_store) as articles:
        for source in (*GRAPH_SOURCES, GREGORY):
            store_events(iter_file_events(shared / source), articles)
    extract(ws)
    store = open_store("embedded", ws, create=True)
    with ArticleStore(ws.article_store) as articles:
        load(articles, store)
    store.close()
    return ws


@pytest.fixture(scope="module")
def store(ws: Workspace) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(ws.embedded_graph, read_only=True)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def corpus(store: EmbeddedStore) -> EvidenceCorpus:
    return from_store(store)


def at_level(store: EmbeddedStore, gap: TranslationalGap, *levels: str) -> list[dict[str, Any]]:
    """The papers mentioning both entities of a gap at any of ``levels``, read from the graph by Cypher."""
    params = {"a": gap.a_id, "b": gap.b_id, "levels": list(levels), "limit": ALL}
    return store.query("pair_publications_by_level", params)


def test_every_gap_meets_its_definition_in_the_graph(store: EmbeddedStore, corpus: EvidenceCorpus) -> None:
    seen = set()
    for rows, cols in PAIRS:
        for gap in find_gaps(corpus, rows, cols, top=8):
            seen.add(gap.kind)
            both = at_level(store, gap)
            assert len(both) == gap.papers > 0
            for level in EVIDENCE_LEVELS:  # the pyramid is the graph's, level by level, with its PMIDs
                assert sorted(gap.pyramid.pmids[level]) == sorted(r["pmid"] for r in at_level(store, gap, level))
            in_vivo = {r["pmid"]: set(r["models"]) for r in at_level(store, gap, "preclinical_in_vivo")}
            for model, pmids in gap.pyramid.in_vivo_models.items():
                assert all(model in in_vivo[p] or (not in_vivo[p] and model == "no_named_model") for p in pmids)
            trials = at_level(store, gap, *TRIAL_LEVELS)
            if gap.kind == "preclinical_only":
                assert not at_level(store, gap, *HUMAN_LEVELS)
                assert len(at_level(store, gap, *PRECLINICAL_LEVELS)) == gap.support
                assert f"{gap.support} preclinical paper" in gap.reason and "no trial or observational" in gap.reason
            elif gap.kind == "no_trial":
                assert not trials
                assert len(at_level(store, gap, "observational")) == gap.support
                assert f"{gap.support} observational stud" in gap.reason and "no trial" in gap.reason
            else:
                assert len(trials) == gap.support > 0
                assert not any(set(r["ms_population"]) & PROGRESSIVE_FORMS for r in trials)
                assert "in progressive MS" in gap.reason
    assert seen == set(KINDS), "the corpus should hold gaps of every kind"


def recount(store: EmbeddedStore, rows: str, cols: str) -> dict[str, dict[tuple[str, str], int]]:
    """Gaps of every kind by plain set arithmetic: pair -> support, every entity kept."""
    contexts = {r["pmid"]: PaperContext.from_row(r) for r in store.query("publication_contexts")}
    entities: dict[str, dict[str, set[str]]] = {}
    for r in store.query("paper_entities", {"types": [rows, cols]}):
        entities.setdefault(r["pmid"], {}).setdefault(r["type"], set()).add(r["id"])
    levels: dict[tuple[str, str], list[PaperContext]] = {}
    for pmid, by_type in entities.items():
        for a, b in product(by_type.get(rows, ()), by_type.get(cols, ())):
            levels.setdefault((a, b), []).append(contexts[pmid])
    found: dict[str, dict[tuple[str, str], int]] = {kind: {} for kind in KINDS}
    for pair, papers in levels.items():

        def n(wanted: tuple[str, ...], progressive: bool = False, papers: list[PaperContext] = papers) -> int:
            return sum(1 for p in papers if p.levels & set(wanted) and (p.progressive or not progressive))

        if n(PRECLINICAL_LEVELS) and not n(HUMAN_LEVELS):
            found["preclinical_only"][pair] = n(PRECLINICAL_LEVELS)
        if n(("observational",)) and not n(TRIAL_LEVELS):
            found["no_trial"][pair] = n(("observational",))
        if n(TRIAL_LEVELS) and not n(TRIAL_LEVELS, progressive=True):
            found["no_progressive_trial"][pair] = n(TRIAL_LEVELS)
    return found


@pytest.mark.parametrize("rows,cols", PAIRS)
def test_candidates_are_exactly_those_a_set_recount_finds(
    store: EmbeddedStore, corpus: EvidenceCorpus, rows: str, cols: str
) -> None:
    expected = recount(store, rows, cols)
    gaps = find_gaps(corpus, rows, cols, top=ALL, specific=False, interventions_only=False)
    for kind in KINDS:
        assert {(g.a_id, g.b_id): g.support for g in gaps if g.kind == kind} == expected[kind], kind
    assert expected["preclinical_only"] and expected["no_trial"]


def test_ranking_puts_supported_specific_pairs_first(corpus: EvidenceCorpus) -> None:
    gaps = find_gaps(corpus, "Compound", "Mechanism", top=30)
    for kind in KINDS:
        ranked = [g for g in gaps if g.kind == kind]
        keys = [
            (-g.support, -g.pyramid.count("preclinical_in_vivo") * (kind == KINDS[0]), -g.specificity) for g in ranked
        ]
        assert keys == sorted(keys), kind
    left_out = {e.id for e in exclusions(corpus, "Compound", "Mechanism")}
    assert left_out and not left_out & ({g.a_id for g in gaps} | {g.b_id for g in gaps})


@pytest.mark.parametrize("rows,cols", PAIRS)
def test_the_sides_are_what_the_gap_map_finds_specific(corpus: EvidenceCorpus, rows: str, cols: str) -> None:
    an = corpus.analysis
    gap_map = an.specificity((rows, cols))  # the gap map's own judgement of a rows × cols map
    judged = {
        an.inc.entity_ids[i]: tuple(why)
        for i, why in enumerate(gap_map.reasons)
        if why and an.inc.types[i] in (rows, cols)
    }
    # with the gap map's paper share and every compound kept, the same entities for the same reasons
    same = exclusions(corpus, rows, cols, HUB_PAPERS, interventions_only=False)
    assert {e.id: e.reasons for e in same} == judged
    # by default: also the entities in more than MAX_DF of the papers, and the read-outs
    extra = {e.id: e for e in exclusions(corpus, rows, cols) if e.id not in judged}
    papers = an.inc.n_papers
    for e in extra.values():
        assert set(e.kinds()) <= {"hub", "read-out"}, e
        assert "read-out" in e.kinds() or MAX_DF * papers < e.papers <= HUB_PAPERS * papers, e
    everything = {g.a_id for g in find_gaps(corpus, rows, cols, top=ALL, specific=False)}
    assert everything & set(judged), "entities the gap map leaves out should make candidate gaps"


def test_a_class_by_use_and_a_model_inducer_are_no_side_a_drug_is(corpus: EvidenceCorpus) -> None:
    inc, tools = corpus.inc, corpus.analysis.corpus.tool_papers
    candidates = {g.a_id for g in find_gaps(corpus, "Compound", "Mechanism", top=ALL, specific=False)}
    sides = {g.a_id for g in find_gaps(corpus, "Compound", "Mechanism", top=ALL)}
    why = {e.id: e for e in exclusions(corpus, "Compound", "Mechanism")}
    # classes by use: MeSH files them under Chemical Actions and Uses (D27) — Antioxidants, the old leader
    by_use = {e for e, filed in zip(inc.entity_ids, use_classes(inc.entity_ids), strict=True) if filed} & candidates
    assert "MESH:D000975" in by_use and len(by_use) > 3
    assert not by_use & sides and all("class" in why[e].kinds() for e in by_use)
    # model inducers: their papers name them as the manipulation (cuprizone-induced, streptozotocin-induced)
    counts = dict(zip(inc.entity_ids, corpus.analysis.counts, strict=True))
    inducers = {e for e in candidates if tools.get(e, 0) >= max(2, TOOL_SHARE * counts[e])}
    assert {"MESH:D003471", "MESH:D013311"} <= inducers  # cuprizone, streptozocin
    assert not inducers & sides and all("tool" in why[e].kinds() for e in inducers)
    # drugs stay, also those MeSH or ChEBI place under a class by use (teriflunomide: an enzyme inhibitor;
    # methylprednisolone: a glucocorticoid), and with them the trials none of which is in progressive MS
    drugs = {"MESH:D000068876", "GAPMAP:teriflunomide", "MESH:D008775"}  # fingolimod, teriflunomide, methylpred.
    assert not drugs & set(why) and {"MESH:D000068876", "MESH:D008775"} <= sides
    trials = find_gaps(corpus, "Compound", "Biomarker", ["no_progressive_trial"], top=ALL)
    assert "GAPMAP:teriflunomide" in {g.a_id for g in trials}


def gregory_sentences(shared: Path, word: str) -> dict[str, list[str]]:
    """PMID -> the sentences of its title and abstract naming ``word`` (whole word), reserved PMIDs left out."""
    found: dict[str, list[str]] = {}
    with gzip.open(shared / GREGORY, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["pmid"] in reserved_pmids():
                continue
            text = f"{record.get('title') or ''} {record.get('abstract') or ''}"
            hits = [s for s in re.split(r"(?<=[.!?])\s+", text) if re.search(rf"\b{re.escape(word)}\b", s)]
            if hits:
                found[record["pmid"]] = hits
    return found


def mention(sentence: str, word: str) -> Mention:
    at = re.search(rf"\b{re.escape(word)}\b", sentence)
    assert at, (word, sentence)
    return Mention("0", "abstract", 1, sentence, at.start(), at.end(), word, "Compound", "X", word, "gazetteer")


def test_a_compound_given_to_animals_is_given_and_the_metabolite_measured_in_them_is_measured(shared: Path) -> None:
    # PMID 34323699: rats treated with metformin ("Met"), their hippocampal malondialdehyde (MDA) measured
    by_word = {w: gregory_sentences(shared, w)["34323699"] for w in ("Met", "metformin", "MDA", "malondialdehyde")}
    drug = [mention(s, w) for w in ("Met", "metformin") for s in by_word[w]]
    readout = [mention(s, w) for w in ("MDA", "malondialdehyde") for s in by_word[w]]
    assert any(is_given(m) for m in drug) and not any(is_measured(m) for m in drug)
    assert any(is_measured(m) for m in readout) and not any(is_given(m) for m in readout)
    # across the feed: oxidative-stress read-outs are measured, never given; drugs given, hardly ever measured
    for words, role, other in (
        (("malondialdehyde", "MDA", "glutathione", "GSH"), is_measured, is_given),
        (("fingolimod", "natalizumab", "metformin"), is_given, is_measured),
    ):
        mentions = [mention(s, w) for w in words for ss in gregory_sentences(shared, w).values() for s in ss]
        share, other_share = (sum(map(f, mentions)) / len(mentions) for f in (role, other))
        assert len(mentions) > 20 and share > 0.15 and other_share < 0.03, (words, share, other_share)


def test_the_graph_counts_per_compound_the_papers_giving_and_measuring_it(ws: Workspace, store: EmbeddedStore) -> None:
    compounds = {r["id"] for r in store.query("paper_entities", {"types": ["Compound"]})}
    recount: dict[str, tuple[set[str], set[str]]] = {c: (set(), set()) for c in compounds}
    with ArticleStore(ws.article_store) as articles:
        for m in MentionStore(articles.connection).iter_mentions():
            if m.concept_id in recount:
                for role, papers in zip((is_given, is_measured), recount[m.concept_id], strict=True):
                    if role(m):
                        papers.add(m.pmid)
    roles = from_store(store).roles
    assert {c: roles[c] for c in compounds} == {c: (len(g), len(m)) for c, (g, m) in recount.items()}
    assert sum(g > 0 for g, _ in roles.values()) > 100 and sum(m > 0 for _, m in roles.values()) > 50


def test_ranking_leaves_read_out_compounds_out_unless_asked(ws: Workspace, corpus: EvidenceCorpus) -> None:
    out = readouts(corpus.roles)
    assert all(corpus.roles[c][1] > READOUT_RATIO * corpus.roles[c][0] for c in out)
    assert "MESH:D008315" in out and "MESH:D000068876" not in out  # malondialdehyde is measured, fingolimod given
    assert readouts({"both": (13, 22), "marker": (1, 17), "named only": (0, 0)}) == {"marker"}
    everything = find_gaps(corpus, "Compound", "Mechanism", top=ALL, interventions_only=False)
    kept = find_gaps(corpus, "Compound", "Mechanism", top=ALL)
    assert {g.a_id for g in everything} & out, "read-outs co-mentioned with mechanisms should make candidate gaps"
    pairs = [(g.kind, g.a_id, g.b_id) for g in everything]
    assert [(g.kind, g.a_id, g.b_id) for g in kept] == [p for p in pairs if p[1] not in out]  # the same order
    args = ("--kind", "preclinical_only", "--top", "5000", "--max-df", "1", "--json")
    by_default = {g["a_id"] for g in json.loads(run(ws, *args))}
    on_request = {g["a_id"] for g in json.loads(run(ws, *args, "--all-compounds"))}
    assert not by_default & out and on_request & out and by_default == on_request - out


def run(ws: Workspace, *args: str) -> str:
    result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "translational", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_json_csv_and_table(ws: Workspace, corpus: EvidenceCorpus) -> None:
    out = json.loads(run(ws, "--rows", "Compound", "--cols", "Biomarker", "--kind", "no_trial", "--top", "5", "--json"))
    direct = find_gaps(corpus, "Compound", "Biomarker", ["no_trial"], top=5)
    assert [(g["a_id"], g["b_id"], g["support"]) for g in out] == [(g.a_id, g.b_id, g.support) for g in direct]
    first = out[0]
    assert first["kind"] == "no_trial" and first["reason"] == direct[0].reason
    assert set(first["pyramid"]["counts"]) == set(EVIDENCE_LEVELS)
    assert first["pyramid"]["counts"]["observational"] == len(first["pyramid"]["pmids"]["observational"])
    rows = list(csv.DictReader(io.StringIO(run(ws, "--kind", "preclinical_only", "--top", "3", "--csv"))))
    assert len(rows) == 3 and {"preclinical_in_vivo", "in_vitro", "in_vivo_models", "reason", "pmids"} <= set(rows[0])
    pmids = json.loads(rows[0]["pmids"])["pmids"]
    assert int(rows[0]["preclinical_in_vivo"]) == len(pmids["preclinical_in_vivo"])
    assert "translational gaps" in run(ws, "--rows", "Mechanism", "--cols", "Biomarker", "--top", "2")


def test_cli_lists_what_it_leaves_out_and_why(ws: Workspace, corpus: EvidenceCorpus) -> None:
    listed = json.loads(run(ws, "--rows", "Compound", "--cols", "Biomarker", "--excluded", "--json"))
    assert listed == [e.to_dict() for e in exclusions(corpus, "Compound", "Biomarker")]
    reasons = {e["id"]: e["reason"] for e in listed}
    assert reasons["MESH:D000975"].startswith("class: ") and "tool: " in reasons["MESH:D003471"]
    # --max-df is the paper share of the hub rule: above it an entity is a hub whatever its partners
    share = [e for e in listed if "of the papers" in e["reason"]]
    assert share and all(e["papers"] > MAX_DF * corpus.inc.n_papers for e in share)
    everyone = json.loads(run(ws, "--rows", "Compound", "--cols", "Biomarker", "--excluded", "--json", "--max-df", "1"))
    assert not any("of the papers" in e["reason"] for e in everyone) and len(everyone) < len(listed)
    table = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "translational", "--top", "1"])
    assert f"{len(exclusions(corpus, 'Compound', 'Mechanism'))} left out: " in table.output


def test_cli_refuses_unknown_kind_and_type(ws: Workspace) -> None:
    for args, message in ((["--kind", "animal_only"], "unknown kind"), (["--rows", "Drug"], "unknown entity type")):
        result = CliRunner().invoke(app, ["--home", str(ws.root), "analytics", "translational", *args])
        assert result.exit_code != 0 and message in str(result.exception)
