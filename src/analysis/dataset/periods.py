"""Period ids: YYYY, YYYYH1/H2, YYYYQ1..Q4, and the date range each covers."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from analysis.errors import UserError
from analysis.language import _

# ASCII digits only (`\d` would accept full-width ２０２０ and other scripts' digits)
_PATTERN = re.compile(r"(?P<year>[0-9]{4})(?:(?P<kind>[HQ])(?P<n>[0-9]))?")
_PARTS = {"H": 2, "Q": 4}


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period with its first and last day."""

    start: date
    end: date
    id: str

    def __str__(self) -> str:
        return self.id


def parse_period(text: str) -> Period:
    """Parse a period id, raising UserError with the accepted forms if it is invalid."""
    match = _PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
    if match:
        year = int(match["year"])
        kind = match["kind"]
        if 1949 <= year <= 2100:
            if kind is None:
                return Period(date(year, 1, 1), date(year, 12, 31), f"{year}")
            n = int(match["n"])
            if 1 <= n <= _PARTS[kind]:
                months = 12 // _PARTS[kind]
                first = (n - 1) * months + 1
                last = first + months - 1
                end = date(year, last, calendar.monthrange(year, last)[1])
                return Period(date(year, first, 1), end, f"{year}{kind}{n}")
    raise UserError(
        _("invalid period {text!r}: use YYYY (2020), YYYYH1/YYYYH2 (2020H1) or YYYYQ1..YYYYQ4 "
          "(2020Q3)").format(
            text=text)
    )


def is_period(text: str) -> bool:
    """True if `text` is a valid period id."""
    try:
        parse_period(text)
    except UserError:
        return False
    return True


def period_label_zh(period: Period) -> str:
    """2020H1 -> 2020年上半年; 2020Q3 -> 2020年第三季度; 2020 -> 2020年."""
    pid = period.id
    year = pid[:4]
    if len(pid) == 4:
        return f"{year}年"
    kind, n = pid[4], int(pid[5])
    if kind == "H":
        return f"{year}年{'上' if n == 1 else '下'}半年"
    return f"{year}年第{'一二三四'[n - 1]}季度"
