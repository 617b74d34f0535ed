"""What a figure means, read from the catalogue: its kind of measure, its window and its scope,
the words that say them, and whether two figures may be compared.

Measures (indicators.csv `measure`): `stock` at a date, `flow` over a window, `running_total`
accumulated since a start (or since an unknown start, up to a date), `standard` in force at a
date, `rate` (a share, with `numerator`/`denominator` where the catalogue names them).
`scope` names a row of scopes.csv when a figure covers less than the place (市民政局登记).

A figure's window is its `as_of`: a date, or an ISO interval. The words for it are empty when
it is simply the period (a stock at the period's end, a flow over the period), so that the
text says the window exactly when a reader would otherwise take the wrong one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.dataset.figures import DATE_ASSUMED, REPORT_DATED, START_ASSUMED
from analysis.dataset.periods import Period

STOCK, FLOW, RUNNING, STANDARD, RATE = "stock", "flow", "running_total", "standard", "rate"
MEASURES = (STOCK, FLOW, RUNNING, STANDARD, RATE)
MEASURE_ZH = {STOCK: "时点数", FLOW: "期间发生数", RUNNING: "累计数", STANDARD: "标准",
              RATE: "比率"}


class NotComparable(ValueError):
    """Two figures (or a figure and a target) that must not be set side by side."""


@dataclass(frozen=True)
class Window:
    """The dates a figure refers to: `start` is None for a date (a stock, a standard)."""

    start: date | None
    end: date

    @classmethod
    def of(cls, as_of: str) -> Window:
        parts = str(as_of).split("/")
        end = date.fromisoformat(parts[-1])
        return cls(date.fromisoformat(parts[0]) if len(parts) == 2 else None, end)

    @property
    def months(self) -> int | None:
        """Whole calendar months covered (None for a date)."""
        if self.start is None:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def _month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def day_text(day: date, year: bool = True) -> str:
    """2020年5月31日 -> 2020年5月底 when it is a month's last day."""
    head = f"{day.year}年" if year else ""
    return f"{head}{day.month}月底" if _month_end(day) else f"{head}{day.month}月{day.day}日"


def as_of_text(as_of: str) -> str:
    """An as_of in words: 2020年6月底 for a date, 2020年1—6月 for an interval."""
    parts = [date.fromisoformat(x) for x in str(as_of).split("/")]
    return span_text(*parts) if len(parts) == 2 else day_text(parts[0])


def month_zh(as_of: str) -> str:
    """2020年6月 for a date; 2021年 for a calendar year's interval."""
    parts = as_of.split("/")
    if len(parts) == 2 and parts[0].endswith("-01-01") and parts[1].endswith("-12-31") \
            and parts[0][:4] == parts[1][:4]:
        return f"{int(parts[0][:4])}年"
    end = parts[-1]
    return f"{int(end[:4])}年{int(end[5:7])}月"


def span_text(start: date, end: date) -> str:
    """1—6月, 2020年1—12月, 2010年1月—2020年6月, 1月1日—6月18日 (GB/T 15834 dash)."""
    whole_months = start.day == 1 and _month_end(end)
    if start.year == end.year:
        if whole_months:
            return f"{start.year}年{start.month}—{end.month}月" if start.month != end.month \
                else f"{start.year}年{start.month}月"
        return f"{start.year}年{start.month}月{start.day}日—{end.month}月{end.day}日"
    if whole_months:
        return f"{start.year}年{start.month}月—{end.year}年{end.month}月"
    return f"{start.year}年{start.month}月{start.day}日—{end.year}年{end.month}月{end.day}日"


def set_within(window: Window) -> str:
    """The window a standard was set within: 2024年 for a whole calendar year (the report
    says only the year), else its span (2020年6月)."""
    if window.months == 12 and (window.start.month, window.start.day) == (1, 1):
        return f"{window.start.year}年"
    return span_text(window.start, window.end)


def date_words(as_of: str, assumed_as: str = "") -> str:
    """A figure's date as the book says it in a table cell: the source's own date
    (2020年6月底), 截至目前（报告日期…） for the report's date, or 报告未注明时点."""
    if assumed_as == DATE_ASSUMED:
        return ASSUMED_WORDS[STOCK]
    if assumed_as == REPORT_DATED:
        return _report_dated(Window.of(as_of).end)
    return as_of_text(as_of)


def deadline_text(deadline: str) -> str:
    """A target's deadline in words: a date is the day it is due by (2020年12月底前); a
    window, the time it is due within (2020年内 for a year's task, 2020年7—12月)."""
    window = Window.of(deadline)
    if window.start is None:
        return f"{day_text(window.end)}前"
    within = set_within(window)
    return f"{within}内" if within.endswith("年") else within


ASSUMED_WORDS = {STOCK: "报告未注明时点", RATE: "报告未注明时点", STANDARD: "报告未注明执行时间",
                 FLOW: "报告未注明时段", RUNNING: "累计，报告未注明截止时点"}
START_WORDS = "起始时间报告未注明，按年初起计"


def _report_dated(day: date) -> str:
    return f"截至目前（报告日期{day.year}年{day.month}月{day.day}日）"


def window_text(measure: str, as_of: str, period: Period, assumed_as: str = "") -> str:
    """The words that say a figure's window, or '' when it is simply the period's. What the
    book assumed (`assumed_as`, as in figures.csv's as_of_assumed) is said, never shown as
    the source's date: no date at all (报告未注明时点), only a window's end (截至2020年6月底),
    the report's own date (截至目前)."""
    if assumed_as == DATE_ASSUMED:
        return ASSUMED_WORDS[measure]
    window = Window.of(as_of)
    if assumed_as == START_ASSUMED:
        return f"截至{day_text(window.end)}"
    if assumed_as == REPORT_DATED:
        return "截至目前累计" if measure == RUNNING else \
            "" if window.end == period.end else _report_dated(window.end)
    if measure == STANDARD:  # set within a window (调整), or in force from a date
        if window.start is not None:
            return f"{set_within(window)}调整"
        return "" if window.end == period.end else f"自{day_text(window.end)}起执行"
    if measure == RUNNING:
        if window.start is None:
            return f"截至{day_text(window.end)}累计"
        if window.start.month == 1 and window.start.day == 1 and window.end == period.end:
            return f"{window.start.year}年以来累计"
        return f"{span_text(window.start, window.end)}累计"
    if window.start is None:  # a flow whose start is not stated is always said to be so
        return "" if window.end == period.end and measure != FLOW else \
            f"截至{day_text(window.end)}"
    if window.start == period.start and window.end == period.end:
        return ""
    return span_text(window.start, window.end)


_NUMERALS = "零一二三四五六七八九十"


def _zh_number(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _NUMERALS[tens]}十{_NUMERALS[ones] if ones else ''}"


def section_zh(section: str) -> str:
    """A section number as the report numbers it: 1.1.3 -> 一、（一）3.; '' -> 原文."""
    if not section:
        return "原文"
    parts = [int(x) for x in section.split(".")]
    out = [f"{_zh_number(parts[0])}、"]
    if len(parts) > 1:
        out.append(f"（{_zh_number(parts[1])}）")
    if len(parts) > 2:
        out.append(f"第{parts[2]}项")
    out += [f"（{x}）" for x in parts[3:]]
    return "".join(out)


def section_cell(value: object) -> object:
    """A table cell of a 章节 column in the report's numbering (1.1.3 -> 一、（一）第3项);
    anything else unchanged."""
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)*", value):
        return section_zh(value)
    return value


@dataclass(frozen=True)
class Meaning:
    """The catalogue's word on an indicator."""

    indicator: str
    measure: str
    scope: str
    scope_zh: str
    unit: str
    numerator: str
    denominator: str
    resets_yearly: bool


def meaning(catalogue, indicator: str) -> Meaning:
    """The meaning of an indicator from indicators.csv (and scopes.csv)."""
    row = catalogue.by_id.loc[indicator]
    scope = str(row.get("scope", "") or "")
    scope_zh = catalogue.scope_labels[scope] if scope else ""
    return Meaning(indicator, str(row.get("measure", "") or STOCK), scope, scope_zh,
                   str(row["unit"]), str(row.get("numerator", "") or ""),
                   str(row.get("denominator", "") or ""),
                   str(row.get("resets_yearly", "")).lower() == "yes")


def qualifier_parts(catalogue, row: pd.Series, period: Period) -> tuple[str, str]:
    """(scope words, window words) of a figure row, each '' when simply the place's or the
    period's."""
    m = meaning(catalogue, row["indicator"])
    return m.scope_zh, window_text(m.measure, row["as_of"], period, assumed(row))


def assumed(row: pd.Series) -> str:
    """What of the figure's date the book assumed: "yes" (all of it), "start" (its window's
    start), "report" (the report's date, for 截至目前) or ''."""
    value = row.get("as_of_assumed", "")
    return value if isinstance(value, str) else ""


def is_assumed(row: pd.Series) -> bool:
    """Whether the figure's date is the book's assumption (the source gives none)."""
    return assumed(row) == DATE_ASSUMED


def start_assumed(row: pd.Series) -> bool:
    """Whether the start of the figure's window is the book's assumption."""
    return assumed(row) == START_ASSUMED


def start_note(row: pd.Series) -> str:
    """What a monthly average computed from the figure adds to its formula: where the
    window's start is the book's assumption, that it counts from January; else ''."""
    return f"（{START_WORDS}）" if start_assumed(row) else ""


def qualifier_text(catalogue, row: pd.Series, period: Period) -> str:
    """Scope and window words of a figure row, joined (市民政局登记，截至2020年6月底累计)."""
    return "，".join(p for p in qualifier_parts(catalogue, row, period) if p)


def when_text(catalogue, row: pd.Series) -> str:
    """Scope and dates of a figure row in words, always said (2020年6月底; 2020年1—5月;
    市民政局登记，截至2020年6月底累计)."""
    window, m = Window.of(row["as_of"]), meaning(catalogue, row["indicator"])
    if is_assumed(row):
        return "，".join(x for x in (m.scope_zh, ASSUMED_WORDS[m.measure])
                        if x)
    when = day_text(window.end) if window.start is None else span_text(window.start, window.end)
    if assumed(row) == REPORT_DATED:
        when = _report_dated(window.end) + ("累计" if m.measure == RUNNING else "")
    elif start_assumed(row) or (m.measure == FLOW and window.start is None):
        when = f"截至{day_text(window.end)}"
    elif m.measure == RUNNING:
        when = f"截至{when}累计" if window.start is None else f"{when}累计"
    elif m.measure == STANDARD:
        when = f"{set_within(window)}调整" if window.start is not None else f"{when}执行"
    return "，".join(x for x in (m.scope_zh, when) if x)


def require_comparable(catalogue, a: pd.Series, b: pd.Series, *, what: str,
                       same_window: bool = True) -> None:
    """Raise NotComparable unless `a` and `b` are the same kind of measure, over the same
    window (or, with same_window=False, windows of the same length), with the same scope
    and unit. `what` names the computation for the message."""
    ma, mb = meaning(catalogue, a["indicator"]), meaning(catalogue, b["indicator"])
    wa, wb = Window.of(a["as_of"]), Window.of(b["as_of"])
    names = f"{a['indicator']} ({a['as_of']}) and {b['indicator']} ({b['as_of']})"
    if ma.measure != mb.measure:
        raise NotComparable(f"{what}: {names} are different kinds of measure "
                            f"({ma.measure} vs {mb.measure})")
    if ma.scope != mb.scope:
        raise NotComparable(f"{what}: {names} have different scopes "
                            f"({ma.scope or 'the whole place'} vs {mb.scope or 'the whole place'})")
    if ma.unit != mb.unit:
        raise NotComparable(f"{what}: {names} have different units ({ma.unit} vs {mb.unit})")
    if same_window and wa != wb:
        raise NotComparable(f"{what}: {names} refer to different dates or windows")
    if not same_window and (wa.months != wb.months or (ma.measure == RUNNING
                                                         and wa.start != wb.start)):
        raise NotComparable(f"{what}: {names} cover windows of different lengths")
