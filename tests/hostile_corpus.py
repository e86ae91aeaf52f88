"""A hostile corpus: real PubMed records whose text tries to act instead of being shown.

Real records (Gregory MS abstracts, two of them with ``[aHR]`` and ``[p = 0.89]`` in their abstracts, and
oligodendrocyte records spanning forty years) get payloads of every class a renderer might interpret: HTML (as
entities, which ingest unescapes into real tags), Markdown links and images, rich markup, ANSI escape and OSC 8
hyperlink sequences, Cypher, bidirectional overrides, LaTeX, Streamlit shortcodes, bare URLs and spreadsheet
formulas.  Each payload leads the title (where a formula is dangerous), sits inside the abstract, names the
journal, and names a chemical (``MESH:C99990x``) that every hostile record lists, so that stored text also
becomes entity names, the most mentioned compounds of the graph.

The workspace is built by the real stages: ``gapmap ingest files`` → extraction with the gazetteer pipeline →
``gapmap load`` (embedded).  Every address in a payload is ``127.0.0.1:9`` (discard port): a browser that
fetched one would be caught by the request log, and nothing would answer.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GREGORY = "pubmed_ms_gregory_rss_2021/gregory_pubmed_abstracts.jsonl.gz"
OLIGODENDROCYTE = "pubmed_medline_oligodendrocyte_dementia/oligodendrocyte_records.jsonl.gz"
RESERVED = Path("/work/shared/annotation/reserved_pmids.txt")
#: Real abstracts with bracketed text that rich markup used to swallow.
BRACKETED = {"33641232": "[aHR]", "33770708": "[p = 0.89]"}
#: A word every hostile title carries, to find them with the Search page.
MARKER = "gapmaphostile"
TRAP = "127.0.0.1:9"

#: name -> payload.  The HTML payload is written as entities: ingest unescapes them into literal tags.
PAYLOADS: dict[str, str] = {
    "formula": '=HYPERLINK("http://127.0.0.1:9/f","open")',
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_plus": "+1+1",
    "formula_minus": "-2+3",
    "html": "&lt;script&gt;alert('x')&lt;/script&gt; &lt;img src=http://127.0.0.1:9/pixel.png&gt; "
    "&lt;b&gt;bold&lt;/b&gt;",
    "html_raw": "<img src=http://127.0.0.1:9/raw.png> <a href=http://127.0.0.1:9/a>link</a> <br>",
    "markdown": "[click here](http://127.0.0.1:9/phish) ![pixel](http://127.0.0.1:9/md.png) **strong** _em_ `code`",
    "rich": "[bold]loud[/bold] [/bold] [link=http://127.0.0.1:9/r]rich link[/link] [red]",
    "ansi": "\x1b[31mred\x1b[0m \x1b]8;;http://127.0.0.1:9/osc\x1b\\osc link\x1b]8;;\x1b\\ \x1b[2J",
    "cypher": "'}) MATCH (n) DETACH DELETE n // \"}) RETURN 1",
    "rtl": "\u202eevil\u202c \u200fmark\u2067isolate\u2069",
    "latex": "$x^2 + \\frac{a}{b}$ and $$E=mc^2$$",
    "shortcode": ":smile: :material/home: :red[red] http://127.0.0.1:9/bare www.example.org mail@example.org",
}
#: Characters that must never reach a terminal or browser raw.
RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\u202c", "\u200f", "\u2067", "\u2069")


def chemical_ui(index: int) -> str:
    return f"C99990{index:02d}"


def hostile_records(shared: Path) -> Iterator[dict[str, Any]]:
    """40 Gregory and 40 oligodendrocyte records (reserved PMIDs left out); every other one made hostile."""
    reserved = set(RESERVED.read_text().split()) if RESERVED.exists() else set()
    picked: list[dict[str, Any]] = []
    for source, count in ((GREGORY, 40), (OLIGODENDROCYTE, 40)):
        with gzip.open(shared / source, "rt", encoding="utf-8") as lines:
            records = (json.loads(line) for line in lines)
            usable = (
                r
                for r in records
                if r.get("pmid") not in reserved
                and len(str(r.get("abstract") or "")) > 200
                and (source != GREGORY or r["pmid"] not in BRACKETED)
            )
            picked += itertools.islice(usable, count - (len(BRACKETED) if source == GREGORY else 0))
    with gzip.open(shared / GREGORY, "rt", encoding="utf-8") as lines:
        picked += [r for r in map(json.loads, lines) if r["pmid"] in BRACKETED]
    chemicals = [{"ui": chemical_ui(i), "name": payload} for i, payload in enumerate(PAYLOADS.values())]
    for n, record in enumerate(picked):
        if n % 2 == 0 and record["pmid"] not in BRACKETED:
            payload = list(PAYLOADS.values())[(n // 2) % len(PAYLOADS)]
            record = {
                **record,
                "title": f"{payload} {MARKER} {record['title']}",
                "abstract": f"{payload} {record['abstract']} {payload}",
                "journal": payload,
                "chemicals": chemicals,
            }
        yield record


def gapmap(home: Path, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """One CLI run, as a user would type it (wide, so tables do not fold)."""
    done = subprocess.run(
        [sys.executable, "-m", "gapmap", "--home", str(home), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "4000"},
    )
    assert done.returncode in ok, f"gapmap {' '.join(args)}: exit {done.returncode}: {done.stderr[-3000:]}"
    return done


def build(shared: Path, base: Path) -> Path:
    """The hostile workspace (built once per session under ``base``): ingest → extract → load."""
    from ingest.store import ArticleStore
    from nlp.extract import extract
    from nlp.pipeline import load_pipeline

    home = base / "hostile-corpus"
    if (home / "built.ok").exists():
        return home
    home.mkdir(parents=True, exist_ok=True)
    source = base / "hostile.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in hostile_records(shared)))
    gapmap(home, "ingest", "files", str(source))
    with ArticleStore(home / "articles.sqlite") as store:
        report = extract(store, load_pipeline(model_dir=None))
    assert report.annotated > 0 and not report.failed, report
    gapmap(home, "load", "--backend", "embedded")
    (home / "built.ok").touch()
    return home
