"""Rebuild ``ipmsa.yaml`` from the hand-compiled International Progressive MS Alliance facts (``awards.json``).

Usage: ``python -m ingest.portfolios.build_ipmsa [AWARDS_JSON] [OUT_YAML]``; defaults to
``../shared/data/ipmsa_awards_from_pages/awards.json`` (or ``$GAPMAP_SHARED_DATA/...``) and to the
``ipmsa.yaml`` beside this script.

Why a script: the portfolio must say only what its sources say.  Each round becomes a programme whose
description restates the round's recorded facts; an award is written only where the source identifies one
(the three Collaborative Networks and the one named Challenges recipient).  The other awards of each round
are known only as counts, which stay in the programme description.  Nothing is added that the file lacks:
no publications, no grant numbers, no dates or countries it does not state.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from core.settings import settings

FUNDER = "International Progressive MS Alliance"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_SOURCE = settings().shared_data / "ipmsa_awards_from_pages" / "awards.json"
DEFAULT_OUT = HERE / "ipmsa.yaml"
HEADER = """\
# International Progressive MS Alliance: funding rounds (programmes) and the awards the sources identify.
# Generated from ../shared/data/ipmsa_awards_from_pages/awards.json (facts compiled by hand from the public web
# pages listed under source_urls; see that folder's SOURCE.md) by:
#     python -m ingest.portfolios.build_ipmsa
# Do not edit by hand: re-run the command.  Award ids are local identifiers, not the funder's grant numbers.
# The sources list no publications, so no PMIDs, DOIs or grant numbers appear here; links to papers come
# from `gapmap ingest funding` when a portfolio names them.
"""
_SKIPPED_FACTS = {"round", "sources", "networks"}
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_MONEY = re.compile(r"\b(EUR|USD|CAD|GBP)\s*([\d.,]+)\s*(million)?", re.I)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _fact(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_fact(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_fact(v)}" for k, v in value.items())
    return str(value)


def _year(round_: dict[str, Any]) -> int | None:
    """The year the round's awards were made, when the source states it."""
    for key in ("awarded_pilots_year", "announced", "challenges_period"):
        text = str(round_.get(key, ""))
        if "not shown" in text:
            continue
        found = _YEAR.search(text)
        if found:
            return int(found.group())
    return None


def _amount(text: str) -> tuple[float | None, str]:
    found = _MONEY.search(text)
    if not found:
        return None, ""
    value = float(found.group(2).replace(",", ""))
    return (value * 1_000_000 if found.group(3) else value), found.group(1).upper()


def _programme(round_: dict[str, Any]) -> dict[str, Any]:
    year = _year(round_)
    name = round_["round"]
    facts = "; ".join(
        f"{key.replace('_', ' ')}: {_fact(value)}" for key, value in round_.items() if key not in _SKIPPED_FACTS
    )
    return {
        "id": f"ipmsa-{year or 'n-d'}-{_slug(name.split('(')[0])}",
        "name": name,
        "year": year,
        "description": facts,
        "source_urls": list(round_.get("sources", [])),
    }


def _place(text: str) -> tuple[str, list[str]]:
    """ "McGill University, Canada" → ("McGill University", ["Canada"]): the last comma part is the country."""
    head, _, country = text.rpartition(",")
    return (head.strip(), [country.strip()]) if head else (text.strip(), [])


def _network_award(round_: dict[str, Any], programme_id: str, network: dict[str, Any]) -> dict[str, Any]:
    institution, countries = _place(network["institution"])
    amount, currency = _amount(str(round_.get("amount_each", "")))
    name = network.get("name") or network["lead"].split()[-1]
    title = f"{network['name']}: {network['full_title']}" if network.get("full_title") else network.get("aim", "")
    partners = [p for p in network.get("consortium_named_on_pages", []) if p not in institution]
    return {
        "award_id": f"ipmsa-network-{_slug(name)}",
        "programme_id": programme_id,
        "title": title,
        "pis": [network["lead"]],
        "institutions": [institution, *partners],
        "countries": countries,
        "amount": amount,
        "currency": currency,
        "source": " ".join(round_.get("sources", [])),
    }


def _named_recipient_award(round_: dict[str, Any], programme_id: str, key: str) -> dict[str, Any]:
    """ "Jennifer Gommerman (University of Toronto)" under ``challenges_named_recipient``."""
    person, _, rest = str(round_[key]).partition("(")
    kind = key.removesuffix("_named_recipient")
    start = _YEAR.search(str(round_.get(f"{kind}_period", "")))
    return {
        "award_id": f"ipmsa-{kind}-{start.group() if start else 'n-d'}-{_slug(person.split()[-1])}",
        "programme_id": programme_id,
        "pis": [person.strip()],
        "institutions": [rest.rstrip(") ").strip()] if rest else [],
        "start": start.group() if start else "",
        "source": " ".join(round_.get("sources", [])),
    }


def build(source: dict[str, Any]) -> dict[str, Any]:
    """The portfolio document (``funder``, ``programmes``, ``awards``) for ``awards.json``'s content."""
    programmes, awards = [], []
    for round_ in source["rounds"]:
        programme = _programme(round_)
        programmes.append(programme)
        for network in round_.get("networks", []):
            awards.append(_network_award(round_, programme["id"], network))
        for key in round_:
            if key.endswith("_named_recipient"):
                awards.append(_named_recipient_award(round_, programme["id"], key))
    clean = [{k: v for k, v in a.items() if v not in (None, "", [])} for a in awards]
    return {"funder": FUNDER, "programmes": programmes, "awards": clean}


def render(source_path: Path) -> str:
    document = build(json.loads(source_path.read_text(encoding="utf-8")))
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
    return HEADER + body


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    if not source.is_file():
        print(f"error: {source} not found (give the path of ipmsa_awards_from_pages/awards.json)", file=sys.stderr)
        return 2
    out.write_text(render(source), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
