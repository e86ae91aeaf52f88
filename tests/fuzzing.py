"""What the ingest fuzz suite shares: hostile text, the expected outcome of each record, and the one check.

Each fuzz test builds a file from real records of ``../shared/data``, some of them mutated, and says for every
record what must come out of it: stored under its PMID, rejected at its position, deleted, or either of the
first two (a mutation whose effect depends on where random bytes fell).  :func:`check_ingest` then runs the file
through the path ``gapmap ingest files`` takes (``iter_file_events`` → ``store_events`` → ``ArticleStore``) and
asserts issue 14's invariant: no exception escapes, every valid record is stored exactly once and reads back
unchanged, every invalid one is one rejection (one line) naming the file and the record's position.

The budget is a Hypothesis settings profile (registered in ``conftest.py``): ``quick`` in the normal test run,
``fuzz`` under ``make fuzz``.
"""

from __future__ import annotations

import enum
import gzip
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from ingest.files import iter_file_events
from ingest.pipeline import store_events
from ingest.records import Article, Deletion, Rejected
from ingest.store import ArticleStore

#: Strings that mean something to some renderer, parser or query language, mixed into real text.
HOSTILE_SNIPPETS = (
    "<script>alert(1)</script>", "<i>italic</i> x<sup>2</sup>", "</AbstractText>", "<![CDATA[x]]>",
    "&amp; &lt; &#x27; &bogus; &", "[/bold]", "[aHR]", "[p = 0.89]", "**bold** [link](http://example.com)",
    "![img](http://example.com/x.png)", "$\\frac{a}{b}$", '=HYPERLINK("http://example.com")', "+1+1", "@SUM(A1)",
    "\u202eevil\u202c", "\u200f\u200e", "\x1b[31mred\x1b[0m", "MATCH (n) DETACH DELETE n",
    "'; DROP TABLE articles; --", "{{7*7}}", "${jndi:ldap://x}", "BACKGROUND: x. METHODS: y.", "PMID- 1",
    "NO ABSTRACT", "\ufeff", "\ufffd", "ｆｕｌｌｗｉｄｔｈ", "٣٤٥", "²³", "1998 Dec-1999 Jan", "Winter 2019", "",
)  # fmt: skip
BIG = st.integers(min_value=2**63, max_value=10**60)  # beyond SQLite's 64-bit INTEGER


def hostile_text(alphabet: st.SearchStrategy[str] | None = None, max_pieces: int = 6) -> st.SearchStrategy[str]:
    """Pieces of hostile snippets and arbitrary characters (from ``alphabet``), joined."""
    chars = st.text(alphabet if alphabet is not None else st.characters(codec="utf-8"), max_size=30)
    return st.lists(st.one_of(st.sampled_from(HOSTILE_SNIPPETS), chars), max_size=max_pieces).map("".join)


def no_digits(text: str) -> str:
    """``text`` without any Unicode digit, so it can never read as a PMID."""
    return "".join(c for c in text if not c.isdigit())


class Outcome(enum.Enum):
    STORED = "stored"
    REJECTED = "rejected"
    EITHER = "stored or rejected"
    DELETED = "deleted"


@dataclass(frozen=True)
class Expect:
    """What one record (or DeleteCitation PMID) must become.  ``position`` is a regex the rejection matches."""

    outcome: Outcome
    position: str
    pmid: str = ""


def stored(pmid: str, position: str) -> Expect:
    return Expect(Outcome.STORED, re.escape(position), pmid)


def rejected(position: str) -> Expect:
    return Expect(Outcome.REJECTED, re.escape(position))


def either(pmid: str, position: str) -> Expect:
    return Expect(Outcome.EITHER, re.escape(position), pmid)


def expect(outcome: Outcome, pmid: str, position: str) -> Expect:
    """What a record given ``outcome`` by its mutation must become."""
    if outcome is Outcome.STORED:
        return stored(pmid, position)
    return either(pmid, position) if outcome is Outcome.EITHER else rejected(position)


def describe(events: list[object], expected: list[Expect]) -> str:
    got = [f"{type(e).__name__} {getattr(e, 'pmid', '')} {getattr(e, 'position', '')}" for e in events]
    return "events:\n  " + "\n  ".join(got) + "\nexpected:\n  " + "\n  ".join(map(str, expected))


def _matches(event: object, want: Expect, path: Path) -> bool:
    if isinstance(event, Rejected):
        return (
            want.outcome in (Outcome.REJECTED, Outcome.EITHER)
            and event.source == str(path)
            and re.fullmatch(want.position, event.position) is not None
            and bool(event.reason)
            and "\n" not in str(event)  # one rejection, one line
        )
    if isinstance(event, Deletion):
        return want.outcome is Outcome.DELETED and event.pmid == want.pmid
    return isinstance(event, Article) and want.outcome in (Outcome.STORED, Outcome.EITHER) and event.pmid == want.pmid


def check_ingest(name: str, data: bytes, expected: list[Expect], draw: st.DrawFn) -> None:
    """Ingest ``data`` as file ``name`` and assert the invariant against ``expected`` (one entry per event).

    Whether the file is gzipped, and the batch size, are drawn too.
    """
    gzipped = draw(st.booleans(), label="gzip")
    batch_size = draw(st.sampled_from([1, 3, 500]), label="batch size")
    with tempfile.TemporaryDirectory(prefix="gapmap-fuzz-") as tmp:
        path = Path(tmp) / (f"{name}.gz" if gzipped else name)
        path.write_bytes(gzip.compress(data, compresslevel=1) if gzipped else data)
        events = list(iter_file_events(path))  # no exception may escape
        assert len(events) == len(expected), describe(events, expected)
        for event, want in zip(events, expected, strict=True):
            assert _matches(event, want, path), f"{event}\nshould be {want}\n{describe(events, expected)}"
        articles = {e.pmid: e for e in events if isinstance(e, Article)}
        assert len(articles) == sum(isinstance(e, Article) for e in events)  # the cases never repeat a PMID
        with ArticleStore(Path(tmp) / "articles.sqlite") as store:
            report = store_events(events, store, batch_size=batch_size)
            assert report.result.inserted == len(articles)  # every valid record stored exactly once
            assert len(report.rejected) == sum(isinstance(e, Rejected) for e in events)
            assert store.pmids() == set(articles)
            for pmid, article in articles.items():
                assert store.get(pmid) == article  # and read back unchanged


def lines_of(path: Path) -> list[str]:
    """The decoded lines of a (possibly gzipped) real data file."""
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8").splitlines()
