"""Named queries fuzzed with Hypothesis: any parameter values, for every query in ``queries/``, on a real graph.

The graph is the hostile corpus (real records carrying markup, Cypher and control characters) loaded into the
embedded backend, opened read-write so that a value that could write would.  The invariant, per call: a list
of rows, or one :class:`~core.errors.GapmapError` whose message is one line; never another exception.  After
all calls, every node and relationship count is what it was.

Values are drawn from everything a caller could pass: ``None``, booleans, integers of any size, floats with
NaN and infinities, text of any Unicode (lone surrogates too, as a command line with bytes that are not UTF-8
gives), numeric-looking text, lists, bytes, mappings, NumPy scalars and arrays (what the explorer reads from
DataFrames), the hostile payloads and Cypher injection attempts, under
the declared names and under made-up ones.  Strings are how the CLI passes them (``--param name=value``), so
they reach the same coercion.

Budget: ``GAPMAP_FUZZ_EXAMPLES`` calls (500 by default, about 10 s; ``make fuzz`` runs 5,000).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hostile_corpus import PAYLOADS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import GapmapError
from core.workspace import Workspace
from graph import open_store, queries
from graph.cypher_store import CypherStore

EXAMPLES = int(os.environ.get("GAPMAP_FUZZ_EXAMPLES", "500"))
INJECTIONS = [
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    'x") RETURN 1 UNION MATCH (n) DETACH DELETE n RETURN 1 //',
    "$limit",
    "MESH:D009103",
    "",
    " ",
]
NUMERIC_TEXT = st.text(alphabet="0123456789-+._eEinfaINFAN ", max_size=25)
SURROGATES = st.sampled_from(["\ud800", "a\udcffb", "\udfff\ud83d"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, 0, 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    NUMERIC_TEXT,
    SURROGATES,
    st.sampled_from([*PAYLOADS.values(), *INJECTIONS]),
)
#: What the explorer passes: values read from DataFrames and NumPy arrays.
NUMPY = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(np.int64),
    st.floats().map(np.float64),
    st.booleans().map(np.bool_),
    st.lists(st.text(max_size=8), max_size=3).map(np.array),
    st.lists(st.integers(-5, 5), min_size=1, max_size=3).map(np.array),
)
VALUES = st.one_of(
    SCALARS,
    NUMPY,
    st.lists(SCALARS, max_size=4),
    st.tuples(st.text(max_size=5), st.integers()),
    st.binary(max_size=8),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
NAMES = sorted(queries.catalogue())


#: Values of the declared type (three draws in four), so that calls also get past validation and run.
TYPED: dict[str, st.SearchStrategy[Any]] = {
    "string": st.one_of(st.text(max_size=30), st.sampled_from(["MESH:D009103", "multiple sclerosis", "Compound"])),
    "int": st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(0, 3000)),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "list": st.lists(st.text(max_size=12), max_size=4),
}


def parameters(name: str) -> st.SearchStrategy[dict[Any, Any]]:
    """Some of the declared parameters (typed or arbitrary values), sometimes an undeclared one."""
    declared = queries.get(name).params
    given_ = st.fixed_dictionaries(
        {}, optional={n: st.one_of(TYPED[p.type], TYPED[p.type], TYPED[p.type], VALUES) for n, p in declared.items()}
    )
    extra = st.dictionaries(st.text(max_size=6), VALUES, max_size=1)
    return st.one_of(given_, given_, given_, st.builds(lambda a, b: {**a, **b}, given_, extra))


@pytest.fixture(scope="module")
def store(hostile: Path) -> Iterator[CypherStore]:
    """The hostile graph, read-write: a value that could write, would."""
    opened = open_store("embedded", Workspace(hostile))
    yield opened
    opened.close()


def test_named_queries_take_any_parameter_values(store: CypherStore, capsys: pytest.CaptureFixture[str]) -> None:
    before = store.counts()
    outcomes = {"rows": 0, "refused": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def call(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(NAMES), label="query")
        params = data.draw(parameters(name), label="params")
        try:
            rows = store.query(name, params)
        except GapmapError as exc:
            assert exc.message and "\n" not in exc.message and "\n" not in exc.hint, exc.message
            outcomes["refused"] += 1
        else:
            assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
            outcomes["rows"] += 1

    started = time.monotonic()
    call()
    seconds = time.monotonic() - started
    assert store.counts() == before, "a query changed the graph"
    assert outcomes["rows"] and outcomes["refused"], outcomes  # both kinds of outcome were exercised
    with capsys.disabled():
        print(f"\nquery fuzz: {sum(outcomes.values())} calls ({outcomes}) in {seconds:.1f}s over {len(NAMES)} queries")
