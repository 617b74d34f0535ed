"""Evaluate the declarative checks (data/catalogue/checks.yml) on a period's figures.

Each figure stands for an interval implied by its writing (see `figures.written_bounds`).
A check *holds* when the written numbers satisfy it exactly, *holds within rounding* when
some values inside the intervals satisfy it, and *fails* otherwise. A check whose
figures are absent from the period is *not applicable*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from analysis.dataset.catalogue import Catalogue
from analysis.dataset.comparators import RELIABILITY_ZH
from analysis.dataset.figures import ASSUMED, Bounds, FigureIndex, latest, written_bounds
from analysis.dataset.loader import Dataset
from analysis.dataset.periods import Period, parse_period
from analysis.language import N_
from analysis.meaning.concepts import parts_of
from analysis.meaning.semantics import as_of_text, date_words, start_note
from analysis.meaning.written import grouped, written_number

# verdict codes, marked for the command line's message catalogue (it says them translated)
HOLDS = N_("holds")
WITHIN = N_("holds within rounding")
FAILS = N_("fails")
NOT_APPLICABLE = N_("not applicable")
UNKNOWN_IN_FORCE = N_("rule in force unknown")  # arithmetic shown as information, no verdict
NOT_JUDGED = N_("not judged")  # its figures are there, but they cannot settle it (reason given)
ROUNDING_SLIP_ZH = "不一致（仅差原文末位一个单位）"
VERDICT_ZH = {HOLDS: "相符", WITHIN: "在四舍五入误差范围内相符", FAILS: "不一致",
              NOT_APPLICABLE: "不适用", UNKNOWN_IN_FORCE: "规则适用时间未查明，不作判断",
              NOT_JUDGED: "不作判断"}
@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check, with the numbers behind it."""

    id: str
    kind: str
    title_zh: str
    title_en: str
    verdict: str
    detail: str
    indicators: tuple[str, ...]
    basis: str = "报告自身的数字"
    # fails, but by no more than one unit of the last digit written (60.0% stated, 59.94%
    # computed): shown with the checks, not put forward as a finding
    rounding_slip: bool = False


class _Missing(Exception):
    """A figure the check needs is not in the period: not applicable."""


class _NotJudged(Exception):
    """The figures are there but cannot settle the check; the message says why."""


def _lookup(figures: FigureIndex, ref: dict, geo: str) -> pd.Series:
    where = (ref["indicator"], str(ref.get("geo", geo)))
    if "as_of" in ref:
        rows = figures.rows(*where)
        rows = rows[rows["as_of"] == ref["as_of"]]
        found = None if rows.empty else latest(rows)
    else:
        found = figures.latest(*where)
    if found is None:
        raise _Missing(f"本期没有 {ref['indicator']} 的数字")
    return found


def _nonzero(bounds: Bounds, ref: dict) -> None:
    """A check that would divide by zero is undefined: not judged, with the reason."""
    if bounds.low <= 0:
        raise _NotJudged(f"{ref['indicator']} 为 {_fmt(bounds.point)},可能为零,无法相除")


def _bounds(row: pd.Series) -> Bounds:
    """The interval the writing implies; whole numbers of counts, money and standards are
    exact, a rate written as 81% stands for 80.5%..81.5%."""
    return written_bounds(row["value"], int(row["unit_mult"]), row.get("qualifier", ""),
                          exact_integers=row.get("dimension") != "rate")


def _fmt(x: Decimal) -> str:
    x = x.quantize(Decimal("0.01")) if x != x.to_integral() else x.quantize(Decimal(1))
    return grouped(f"{x}")


def _verdict(exact: bool, possible: bool) -> str:
    return HOLDS if exact else WITHIN if possible else FAILS


def _sum(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str, bool]:
    total_row = _lookup(figures, check["total"], geo)
    total = _bounds(total_row)
    parts = [_bounds(_lookup(figures, p, geo)) for p in check["parts"]]
    point = sum((p.point for p in parts), Decimal(0))
    low = sum((p.low for p in parts), Decimal(0))
    high = sum((p.high for p in parts), Decimal(0))
    verdict = _verdict(point == total.point, low <= total.high and total.low <= high)
    slip = verdict == FAILS and max(low - total.high, total.low - high) <= (
        total.high - total.low) + (high - low)
    head = f"合计{written_number(total_row)}，分项之和{_fmt(point)}，差{_fmt(total.point - point)}"
    if total.low == total.high and low == high:
        return verdict, f"{head}；原文均为整数，应完全相等", slip
    def span(a: Decimal, b: Decimal) -> str:
        return _fmt(a) if a == b else f"{_fmt(a)}至{_fmt(b)}"

    return verdict, (f"{head}；按原文有效位数，合计为{span(total.low, total.high)}，"
                     f"分项之和为{span(low, high)}"), slip


def _share(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str, bool]:
    share = _bounds(_lookup(figures, check["share"], geo))
    num = _bounds(_lookup(figures, check["numerator"], geo))
    den = _bounds(_lookup(figures, check["denominator"], geo))
    _nonzero(den, check["denominator"])
    computed = 100 * num.point / den.point
    low, high = 100 * num.low / den.high, 100 * num.high / den.low
    exact = computed == share.point
    verdict = _verdict(exact, low <= share.high and share.low <= high)
    slip = verdict == FAILS and max(low - share.high, share.low - high) <= (
        share.high - share.low)
    return verdict, (f"报告表述为{share.point}%（即{share.low}%至{share.high}%），"
                     f"按{_fmt(num.point)}÷{_fmt(den.point)}计算为{computed:.2f}%"), slip


def _when(row: pd.Series) -> str:
    """A figure's date as the pages say it (截至目前（报告日期…）, 2020年5月底)."""
    return date_words(row["as_of"], row.get(ASSUMED, ""))


def _subset(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    part_row = _lookup(figures, check["part"], geo)
    whole_row = _lookup(figures, check["whole"], geo)
    if part_row["as_of"] != whole_row["as_of"]:  # like with like: one time for both
        raise _NotJudged(f"部分{written_number(part_row)}（{_when(part_row)}）与"
                         f"总数{written_number(whole_row)}（{_when(whole_row)}）时点不同，不作判断")
    part, whole = _bounds(part_row), _bounds(whole_row)
    verdict = _verdict(part.point <= whole.point, part.low <= whole.high)
    return verdict, f"部分{written_number(part_row)}，总数{written_number(whole_row)}"


def months_in_window(as_of: str) -> Decimal | None:
    """Calendar months covered by an ISO interval (2020-01-01/2020-06-30 -> 6); None for a
    single date, over which no monthly average can be taken."""
    if "/" not in as_of:
        return None
    start, end = (date.fromisoformat(d) for d in as_of.split("/"))
    return Decimal((end.year - start.year) * 12 + end.month - start.month + 1)


def per_person_month(amount: float, recipients: float, as_of: str) -> float | None:
    """Average monthly amount per recipient over the amount's window (None: no window)."""
    months = months_in_window(as_of)
    return None if months is None else amount / recipients / float(months)


def starts_after(standard_as_of: str, window: str) -> bool:
    """True when a standard was set (or took effect) after the start of a window."""
    return standard_as_of.split("/")[0] > window.split("/")[0]


def _monthly_average_below(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    amount_row = _lookup(figures, check["amount"], geo)
    amount = _bounds(amount_row)
    recipients = _bounds(_lookup(figures, check["recipients"], geo))
    standard = _bounds(_lookup(figures, check["standard"], geo))
    _nonzero(recipients, check["recipients"])
    months = months_in_window(amount_row["as_of"])
    standard_row = _lookup(figures, check["standard"], geo)
    if months is not None and starts_after(standard_row["as_of"], amount_row["as_of"]):
        average = amount.point / recipients.point / months
        raise _NotJudged(f"标准在资金所属时段内调整（{as_of_text(standard_row['as_of'])}），"
                         f"资金所属时段开始时执行的标准报告未给出，不作判断；"
                         f"估算月人均{average:.0f}元")
    if months is None:
        raise _NotJudged(f"{check['amount']['indicator']} 只有时点"
                         f"（{as_of_text(amount_row['as_of'])}），没有时段，无法按月平均")
    average = amount.point / recipients.point / months
    lowest = amount.low / recipients.high / months
    verdict = _verdict(average < standard.point, lowest < standard.high)
    return verdict, (f"{_fmt(amount.point)}元÷{_fmt(recipients.point)}人÷{months}个月"
                     f"{start_note(amount_row)}＝"
                     f"{average:.0f}元/人/月（估算），标准{_fmt(standard.point)}元/人/月")


def _ratio_at_least(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    left = _bounds(_lookup(figures, check["left"], geo))
    right = _bounds(_lookup(figures, check["right"], geo))
    _nonzero(right, check["right"])
    factor = Decimal(str(check["factor"]))
    floor = factor * right.point
    verdict = _verdict(left.point >= floor, left.high >= factor * right.low)
    return verdict, (f"{_fmt(left.point)}，下限{factor}×{_fmt(right.point)}＝{_fmt(floor)}"
                     f"（实际倍数{left.point / right.point:.3f}）")


EVALUATORS = {
    "sum": _sum,
    "share": _share,
    "subset": _subset,
    "monthly_average_below": _monthly_average_below,
    "ratio_at_least": _ratio_at_least,
}


def _indicators(check: dict) -> tuple[str, ...]:
    found: list[str] = []
    for value in check.values():
        refs = value if isinstance(value, list) else [value]
        found += [r["indicator"] for r in refs if isinstance(r, dict) and "indicator" in r]
    return tuple(found)


def basis_text(check: dict) -> str:
    """Where a check comes from: the report's own arithmetic, or a rule's source document
    with its reliability and the date from which it applies."""
    if not check.get("source"):
        return "报告自身的数字"
    text = str(check["source"])
    if check.get("reliability"):
        text += f"；来源可靠性：{RELIABILITY_ZH.get(check['reliability'], check['reliability'])}"
    if check.get("applies_from"):
        text += f"；自{_day_zh(str(check['applies_from']))}起适用"
    return text


def _day_zh(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def in_force(check: dict, geo: str, period_end: date | None) -> tuple[bool | None, str]:
    """Whether a check binds the period's place and time: True for the report's own
    arithmetic and for a rule known to apply; False (with the reason) for a rule of other
    places (`applies_to`: GB/T 2260 code prefixes) or one that starts after the period;
    None for a rule from outside the report whose start or places are not established."""
    places = [str(p) for p in check.get("applies_to", [])]
    if places and not any(str(geo).startswith(p) for p in places):
        return False, f"规则只适用于行政区划代码以{'、'.join(places)}开头的地区"
    start = check.get("applies_from")
    if start and period_end is not None and period_end < date.fromisoformat(str(start)):
        return False, f"规则自{_day_zh(str(start))}起适用，本期尚未适用"
    if check.get("source") and not (start and places):
        return None, "规则适用" + ("时间" if places else "地区和时间" if not start
                               else "地区") + "未查明"
    return True, ""


def evaluate(checks: list[dict], figures: pd.DataFrame, geo: str,
             factors: dict[str, float] | None = None,
             period_end: date | None = None) -> list[CheckResult]:
    """Verdict of every check on one period's figures; refs without a geo mean `geo`; a
    factor given by name is looked up in `factors` (data/project.yml's policy_factors). A
    rule of other places or times is not applicable; one not known to be in force gets no
    verdict, its arithmetic shown as information (`in_force`), and so does a check that rests
    on a reading the report does not state (`assumes`: what is assumed, in Chinese)."""
    results, index = [], FigureIndex(figures)
    for check in checks:
        if isinstance(check.get("factor"), str):
            check = {**check, "factor": (factors or {})[check["factor"]]}
        slip = False
        try:  # (verdict, detail) or, where a slip of rounding can be told, (…, slip)
            verdict, detail, *told = EVALUATORS[check["kind"]](check, index, geo)
            slip = bool(told and told[0])
        except _Missing as missing:
            verdict, detail = NOT_APPLICABLE, str(missing)
        except _NotJudged as why_not:
            verdict, detail = NOT_JUDGED, str(why_not)
        applies, why = in_force(check, geo, period_end)
        if applies is False:  # of another time: its arithmetic shown; of another place: not
            arithmetic = verdict != NOT_APPLICABLE and "开头的地区" not in why
            detail = f"{why}；按此规则计算：{detail}" if arithmetic else why
            verdict = NOT_APPLICABLE
        elif applies is None and verdict not in (NOT_APPLICABLE, NOT_JUDGED):
            verdict, detail = UNKNOWN_IN_FORCE, f"{why}；按此规则计算，仅供参考：{detail}"
        elif check.get("assumes") and verdict not in (NOT_APPLICABLE, NOT_JUDGED):
            verdict, detail = NOT_JUDGED, f"{check['assumes']}；按此计算，仅供参考：{detail}"
        results.append(CheckResult(check["id"], check["kind"], check["title_zh"],
                                   check["title_en"], verdict, detail, _indicators(check),
                                   basis_text(check), slip and verdict == FAILS))
    return results


def results_frame(results: list[CheckResult]) -> pd.DataFrame:
    """Check results as a table (for notebooks and export), with `verdict_zh`: the verdict
    for readers, a rounding slip said as such."""
    frame = pd.DataFrame([r.__dict__ for r in results])
    if frame.empty:
        return frame.assign(verdict_zh=pd.Series(dtype=str))
    return frame.assign(verdict_zh=[
        ROUNDING_SLIP_ZH if r.rounding_slip else VERDICT_ZH.get(r.verdict, r.verdict)
        for r in results])


def parts_checks(catalogue: Catalogue) -> list[dict]:
    """A sum check for every total whose parts the catalogue declares (`part_of`): the
    report's own arithmetic, with no hand-written check."""
    label = dict(zip(catalogue.indicators["id"], catalogue.indicators["label_zh"], strict=True))
    label_en = dict(zip(catalogue.indicators["id"], catalogue.indicators["label_en"],
                        strict=True))
    return [{"id": f"{total}_parts", "kind": "sum",
             "title_zh": f"{label[total]}等于{'、'.join(label[p] for p in parts)}之和",
             "title_en": f"{label_en[total]}: the sum of its parts",
             "total": {"indicator": total}, "parts": [{"indicator": p} for p in parts]}
            for total, parts in parts_of(catalogue).items() if len(parts) > 1]


def period_results(dataset: Dataset, period: str | Period) -> list[CheckResult]:
    """Every check of checks.yml, and the sum of every declared breakdown, evaluated for the
    period's main place."""
    pid = parse_period(str(period)).id
    return evaluate([*dataset.checks, *parts_checks(dataset.catalogue)], dataset.figures[pid],
                    dataset.main_geo(pid), dataset.config.policy_factors,
                    parse_period(pid).end)
