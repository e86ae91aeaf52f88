"""A multi-megabyte MEDLINE field reads whole and the same as in PubMed XML (issue 14, class 6 of the probe).

The MEDLINE reader once joined continuation lines one by one, which is quadratic: a 5 MB abstract took 89 s.
Speed is measured in ``bench/ingest/long_record.py`` (a ratio against the XML parser on the same content,
not a timed test); this test checks that the long record the bench builds is read exactly.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

from ingest.jsonl import iter_jsonl
from ingest.medline import iter_medline
from ingest.pubmed_xml import iter_pubmed_xml
from ingest.records import Article


@pytest.fixture(scope="module")
def bench(shared: Path) -> ModuleType:
    """``bench/ingest/long_record.py``, whose builder writes one real record in three formats."""
    spec = importlib.util.spec_from_file_location("long_record", REPO / "bench" / "ingest" / "long_record.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_five_megabyte_medline_abstract_reads_as_in_xml(bench: ModuleType) -> None:
    files = bench.build(5)
    assert files["medline"].count(b"\n      ") > 60_000  # PubMed's 80-column wrapping: tens of thousands of lines
    (xml,) = list(iter_pubmed_xml(io.BytesIO(files["pubmed-xml"]), "big.xml"))
    (medline,) = list(iter_medline(io.BytesIO(files["medline"]), "big.txt"))
    (jsonl,) = list(iter_jsonl(io.BytesIO(files["jsonl"]), "big.jsonl"))
    assert isinstance(xml, Article) and isinstance(medline, Article) and isinstance(jsonl, Article)
    assert len(xml.abstract_text) > 5_000_000
    assert medline.abstract_text == xml.abstract_text == jsonl.abstract_text
    assert (medline.pmid, medline.doi) == (xml.pmid, xml.doi)  # (titles differ: MEDLINE spells β "beta")
    assert [m.descriptor_name for m in medline.mesh] == [m.descriptor_name for m in xml.mesh]
