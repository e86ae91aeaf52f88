"""The MS gold set (shared guideline), built from the annotators' mention lists and the real shared abstracts."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from core.errors import GapmapError
from nlp.devsets import agreement
from nlp.devsets import build as devset
from nlp.devsets.spans import Entry, occurrences, place, placed_files
from nlp.pubtator import read_pubtator
from nlp.records import ENTITY_TYPES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def source(shared: Path) -> Path:
    path = shared / devset.SOURCE_NAME
    assert path.is_file(), f"missing {path}"
    return path


@pytest.fixture(scope="module")
def reserved(shared: Path) -> set[str]:
    path = shared.parent / "annotation" / "reserved_pmids.txt"
    assert path.is_file(), f"missing {path}"
    return set(path.read_text().split())


@pytest.fixture(scope="module")
def built(source: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("gold")
    out = {}
    for name in devset.SETS:
        out[name] = folder / f"ms_{name}.pubtator"
        devset.build(out[name], name, source)
    return out


def test_every_span_slices_exactly_its_text_in_the_real_abstract(built: dict[str, Path], source: Path) -> None:
    docs = {doc.pmid: doc for path in built.values() for doc in read_pubtator(path)}
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        originals = {r["pmid"]: f"{r['title']} {r['abstract']}" for r in map(json.loads, handle) if r["pmid"] in docs}
    assert len(docs) == 360
    for pmid, doc in docs.items():
        assert len(doc.text) == len(originals[pmid])
        for m in doc.mentions:
            assert originals[pmid][m.start : m.end] == m.text
            assert m.type in ENTITY_TYPES
        starts = sorted((m.start, m.end) for m in doc.mentions)
        assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:], strict=False)), f"overlap in {pmid}"


def test_sets_are_disjoint_cover_every_type_and_follow_the_hash_split(built: dict[str, Path]) -> None:
    train, dev = (list(read_pubtator(built[name])) for name in ("train", "dev"))
    assert not {d.pmid for d in train} & {d.pmid for d in dev}
    assert 50 <= len(dev) <= 70 and len(train) >= 290
    assert all(devset.in_set(d.pmid, "dev") for d in dev) and not any(devset.in_set(d.pmid, "dev") for d in train)
    for docs in (train, dev):
        counts = Counter(m.type for d in docs for m in d.mentions)
        assert all(counts[t] >= 50 for t in ENTITY_TYPES), counts


def test_progressive_ms_papers_are_well_represented(built: dict[str, Path], source: Path) -> None:
    pmids = {d.pmid for path in built.values() for d in read_pubtator(path)}
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        progressive = {r["pmid"] for r in map(json.loads, handle) if r["mentions_progressive_ms"]}
    assert len(pmids & progressive) >= 150


def test_no_reserved_pmid_is_annotated(reserved: set[str]) -> None:
    annotated = {json.loads(line)["pmid"] for path in devset.GOLD.glob("*.jsonl") for line in path.open()}
    assert annotated and not annotated & reserved


def test_no_tracked_file_names_a_reserved_pmid_except_lists_that_exclude_them(reserved: set[str]) -> None:
    """A reserved PMID may appear only in a file whose purpose is to exclude it (its path says so)."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    pattern = "|".join(sorted(reserved))
    hits = subprocess.run(
        ["grep", "-l", "-w", "-E", pattern, *files], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    assert [h for h in hits if "reserved" not in h and "exclud" not in h] == []


def test_doubly_annotated_sample_agrees_and_is_reported(source: Path) -> None:
    result = agreement.agreement(source)
    assert result["documents"] == 30
    assert 0.8 <= float(result["f1"]) <= 1.0  # type: ignore[arg-type]


def test_occurrences_are_whole_words_and_hyphen_attached_names_count() -> None:
    text = "pwMS with MS; natalizumab-treated MS-related cases"
    assert occurrences(text, "MS") == [10, 34]
    assert occurrences(text, "natalizumab") == [14]


def test_placing_takes_longest_spans_first_and_chosen_occurrences() -> None:
    text = "TG2 was measured. TG2 acts in monocytes. Serum TG2 rose."
    placed, problems = place(
        "1",
        text,
        [
            Entry("TG2", "Biomarker", "fluid", (0, 2)),
            Entry("TG2", "Gene", "", (1,)),
            Entry("monocytes", "CellType", "", None),
        ],
    )
    assert problems == []
    assert [(a.start, a.type) for a in placed] == [(0, "Biomarker"), (18, "Gene"), (30, "CellType"), (47, "Biomarker")]
    _, missing = place("1", text, [Entry("TG3", "Gene", "", None), Entry("TG2", "Gene", "", (5,))])
    assert len(missing) == 2 and "does not occur" in missing[0] and "no index 5" in missing[1]


def test_a_bad_annotation_file_stops_the_build(tmp_path: Path, source: Path) -> None:
    line = next(devset.GOLD.glob("batch_*.jsonl")).open().readline()
    record = json.loads(line)
    record["mentions"].append(["no such phrase in the abstract", "Mechanism"])
    bad = tmp_path / "batch_9.jsonl"
    bad.write_text(json.dumps(record) + "\n")
    _, _, problems = placed_files([bad], source)
    assert problems and "does not occur" in problems[0]
    record["mentions"].append(["x", "Biomarker"])
    bad.write_text(json.dumps(record) + "\n")
    with pytest.raises(ValueError, match="needs a kind"):
        placed_files([bad], source)


def test_command_line_reports_a_missing_source_as_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = devset.main([str(tmp_path / "out.pubtator"), "--source", str(tmp_path / "absent.jsonl.gz")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: abstracts not found:") and "hint:" in err


def test_missing_source_is_a_gapmap_error(tmp_path: Path) -> None:
    with pytest.raises(GapmapError, match="abstracts not found"):
        devset.gold_set("dev", tmp_path / "absent.jsonl.gz")
