"""The hand-annotated MS dev set, built from the real shared abstracts: spans, counts, selection, loud failures."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from core.errors import GapmapError
from nlp.devsets import build as devset
from nlp.pubtator import read_pubtator
from nlp.records import ENTITY_TYPES

README = Path(devset.__file__).with_name("README.md")


@pytest.fixture(scope="module")
def source(shared: Path) -> Path:
    path = shared / devset.SOURCE_NAME
    assert path.is_file(), f"missing {path}"
    return path


@pytest.fixture(scope="module")
def built(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("devset") / "ms_dev.pubtator"
    devset.build(out, source)
    return out


def parse_pubtator(path: Path) -> dict[str, tuple[str, list[list[str]]]]:
    """A reader written here, independent of nlp.pubtator: {pmid: (title + " " + abstract, mention fields)}."""
    docs: dict[str, tuple[str, list[list[str]]]] = {}
    for block in path.read_text(encoding="utf-8").strip("\n").split("\n\n"):
        lines = block.split("\n")
        pmid, _, title = lines[0].partition("|t|")
        _, _, abstract = lines[1].partition("|a|")
        docs[pmid] = (f"{title} {abstract}", [line.split("\t") for line in lines[2:]])
    return docs


def readme_counts(tsv: str = "ms_dev.tsv") -> dict[str, int]:
    """The ``| Compound | 147 | ...`` rows of the README's counts table for ``tsv`` (the table after its marker)."""
    types = "|".join(ENTITY_TYPES)
    text = README.read_text()
    marker = text.index(f"keep it in step with {tsv}")
    table = re.match(r"[^\n]*\n((?:\|[^\n]*\n)+)", text[marker:])
    assert table, f"no counts table after the {tsv} marker"
    return {t: int(n) for t, n in re.findall(rf"^\| ({types}) \| (\d+) \|", table.group(1), re.M)}


def test_every_span_slices_exactly_its_text_in_the_real_abstract(built: Path, source: Path) -> None:
    docs = parse_pubtator(built)
    originals = {}
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["pmid"] in docs:
                originals[record["pmid"]] = f"{record['title']} {record['abstract']}"
    assert len(docs) == 30
    for pmid, (text, mentions) in docs.items():
        assert len(text) == len(originals[pmid])
        for pmid_field, start, end, span, etype, concept_id in mentions:
            assert pmid_field == pmid
            assert originals[pmid][int(start) : int(end)] == span, (pmid, start, end, span)
            assert text[int(start) : int(end)] == span
            assert etype in ENTITY_TYPES
            assert (etype == "Biomarker") == concept_id.startswith("kind=")


def test_counts_per_type_are_those_stated_in_the_readme(built: Path) -> None:
    stated = readme_counts()
    assert set(stated) == set(ENTITY_TYPES)
    found = Counter(fields[4] for _, mentions in parse_pubtator(built).values() for fields in mentions)
    assert dict(found) == stated


def test_the_project_pubtator_reader_reads_the_built_file(built: Path) -> None:
    docs = list(read_pubtator(built))
    assert len(docs) == 30
    mentions = [(doc, m) for doc in docs for m in doc.mentions]
    assert Counter(m.type for _, m in mentions) == readme_counts()
    assert all(doc.text[m.start : m.end] == m.text for doc, m in mentions)


def test_documents_are_the_first_30_progressive_ms_abstracts_by_pmid(source: Path) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    eligible = sorted(int(r["pmid"]) for r in records if r["mentions_progressive_ms"] and r["has_abstract"])
    annotated = {a.pmid for a in devset.read_annotations()}
    assert annotated == {str(pmid) for pmid in eligible[:30]}


def copy_with(tmp_path: Path, edit: str) -> Path:
    """The gold TSV with one line changed by ``edit`` ("shift", "overlap" or "no-kind")."""
    lines = devset.ANNOTATIONS.read_text(encoding="utf-8").splitlines()
    biomarker = next(i for i, line in enumerate(lines) if "\tBiomarker\t" in line)
    pmid, start, end, text, etype, kind = lines[biomarker].split("\t")
    if edit == "shift":
        lines[biomarker] = "\t".join([pmid, str(int(start) + 1), str(int(end) + 1), text, etype, kind])
    elif edit == "overlap":
        lines.append("\t".join([pmid, start, str(int(start) + 1), text[0], "Gene", ""]))
    else:
        lines[biomarker] = "\t".join([pmid, start, end, text, etype, ""])
    path = tmp_path / "ms_dev.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [("shift", r"1 bad spans: PMID \d+ \[\d+:\d+\]"), ("overlap", r"1 bad spans: .* overlap"), ("no-kind", r"kind=")],
)
def test_a_wrong_annotation_stops_the_build(tmp_path: Path, source: Path, edit: str, message: str) -> None:
    out = tmp_path / "out.pubtator"
    with pytest.raises(GapmapError, match=message):
        devset.build(out, source, copy_with(tmp_path, edit))
    assert not out.exists()


def test_command_line_reports_a_missing_source_as_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = devset.main([str(tmp_path / "out.pubtator"), "--source", str(tmp_path / "absent.jsonl.gz")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: abstracts not found:") and "hint:" in err


@pytest.fixture(scope="module")
def built_tune(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tuneset") / "ms_tune.pubtator"
    devset.build(out, source, devset.SETS["tune"])
    return out


def test_tuning_set_spans_slice_the_real_text_and_counts_match_the_readme(built_tune: Path) -> None:
    docs = parse_pubtator(built_tune)
    assert len(docs) == 30
    for text, mentions in docs.values():
        for _pmid, start, end, span, etype, concept_id in mentions:
            assert text[int(start) : int(end)] == span
            assert (etype == "Biomarker") == concept_id.startswith("kind=")
    found = Counter(fields[4] for _, mentions in docs.values() for fields in mentions)
    assert dict(found) == readme_counts("ms_tune.tsv")


def test_tuning_set_is_the_next_30_abstracts_and_shares_no_pmid_with_the_dev_set(source: Path) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    eligible = sorted(int(r["pmid"]) for r in records if r["mentions_progressive_ms"] and r["has_abstract"])
    tune = {a.pmid for a in devset.read_annotations(devset.SETS["tune"])}
    assert tune == {str(pmid) for pmid in eligible[30:60]}
    assert not tune & {a.pmid for a in devset.read_annotations()}


def test_command_line_builds_the_tuning_set(tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tune.pubtator"
    assert devset.main([str(out), "--set", "tune", "--source", str(source)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: {sum(readme_counts('ms_tune.tsv').values())} mentions")
