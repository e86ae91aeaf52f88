"""Publication dates as PubMed writes them → an ISO-8601 prefix ("2019", "2019-07", "2019-07-14").

PubMed dates come as Year/Month/Day elements (month as "Jul" or "07"), or as free text in ``MedlineDate``
and MEDLINE ``DP`` ("1998 Dec-1999 Jan", "2019 Summer", "2000 Spring-Summer", "Winter 2019").  A range keeps
its start; a season keeps only the year (a season is not a month).  Nothing here raises: the year is kept if
that is all that can be read, else the result is "".
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# ASCII digits only: "²" is a digit to str.isdigit() but not to int(), and a date never fails a record.
_TOKEN = re.compile(r"[A-Za-z]+|\d+", re.ASCII)
_YEAR = re.compile(r"^(1[6-9]|20|21)\d\d$", re.ASCII)
_NUMBER = re.compile(r"^\d{1,2}$", re.ASCII)


def _month(token: str) -> int | None:
    if _NUMBER.match(token):
        value = int(token)
        return value if 1 <= value <= 12 else None
    return _MONTHS.get(token.lower())


def iso_date(year: str | None, month: str | None = None, day: str | None = None) -> str:
    """ISO prefix from separate parts; drops the parts that are missing or invalid, never raises."""
    year = (year or "").strip()
    if not _YEAR.match(year):
        return ""
    m = _month((month or "").strip()) if month else None
    if m is None:
        return year
    d = (day or "").strip()
    if _NUMBER.match(d):
        try:
            return dt.date(int(year), m, int(d)).isoformat()
        except ValueError:
            pass
    return f"{year}-{m:02d}"


def parse_date_text(text: str | None) -> str:
    """ISO prefix of a free-text date: the first year found, with the month and day that follow it."""
    tokens = _TOKEN.findall(text or "")
    for i, token in enumerate(tokens):
        if _YEAR.match(token):
            month = tokens[i + 1] if i + 1 < len(tokens) and _month(tokens[i + 1]) else None
            day = tokens[i + 2] if month and i + 2 < len(tokens) else None
            return iso_date(token, month, day)
    return ""


def year_of(iso: str) -> int | None:
    """The year of an ISO prefix, or None for ""."""
    return int(iso[:4]) if _YEAR.match(iso[:4]) else None
